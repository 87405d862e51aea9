-- Dashboards. Common parameters: $1 ministry code, $2 region code (a province's code also covers its regencies),
-- $3 period start, $4 period end (each NULL for no filter), $5 the day the figures are "as of" (Asia/Jakarta).

-- name: msps_by_ministry
-- $6: how many days ahead "expiring" looks.
WITH chosen AS (
    SELECT m.* FROM msps m
    WHERE ($1::text IS NULL OR m.ministry_code = $1)
      AND ($2::text IS NULL OR EXISTS (
            SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $2 || '%'))
      AND ($3::date IS NULL OR m.ends_on >= $3)
      AND ($4::date IS NULL OR m.starts_on <= $4)
)
SELECT ministry_code, min(ministry_name) AS ministry_name,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND starts_on <= $5 AND ends_on >= $5) AS active,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND ends_on >= $5
                          AND ends_on <= $5 + $6::integer) AS expiring,
       count(*) FILTER (WHERE status IN ('ended', 'terminated')
                           OR (status IN ('signed', 'extended') AND ends_on < $5)) AS ended,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND starts_on > $5) AS signed_not_started,
       count(*) FILTER (WHERE status IN ('draft', 'submitted', 'approved')) AS in_preparation,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) AS total
FROM chosen
GROUP BY ministry_code
ORDER BY ministry_code;

-- name: msp_list
-- $6: expiring within this many days (NULL: any), $7 status group, $8 limit, $9 offset.
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ministry_name,
       m.status, m.starts_on, m.ends_on, m.signed_on, m.focus_areas,
       (SELECT array_agg(r.region_code ORDER BY r.region_code) FROM msp_regions r WHERE r.msp_id = m.msp_id)
           AS region_codes,
       count(*) OVER () AS total
FROM msps m
WHERE ($1::text IS NULL OR m.ministry_code = $1)
  AND ($2::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $2 || '%'))
  AND ($3::date IS NULL OR m.ends_on >= $3)
  AND ($4::date IS NULL OR m.starts_on <= $4)
  AND ($6::integer IS NULL OR (m.status IN ('signed', 'extended') AND m.ends_on BETWEEN $5 AND $5 + $6::integer))
  AND ($7::text IS NULL
       OR ($7 = 'active' AND m.status IN ('signed', 'extended') AND m.starts_on <= $5 AND m.ends_on >= $5)
       OR ($7 = 'ended' AND (m.status IN ('ended', 'terminated') OR (m.status IN ('signed', 'extended') AND m.ends_on < $5)))
       OR ($7 = 'in_preparation' AND m.status IN ('draft', 'submitted', 'approved')))
ORDER BY m.ends_on, m.msp_id
LIMIT $8 OFFSET $9;

-- name: cooperation_by_region
-- Active MSPs and their NGOs per region of work; `province_total` rows count each NGO once per province.
SELECT r.province_code, r.region_code, r.region_kind, min(r.region_name) AS region_name,
       count(DISTINCT m.msp_id) AS active_msps, count(DISTINCT m.organization_id) AS organizations
FROM msp_regions r JOIN msps m ON m.msp_id = r.msp_id
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= $5 AND m.ends_on >= $5
  AND ($1::text IS NULL OR m.ministry_code = $1)
  AND ($2::text IS NULL OR r.region_code LIKE $2 || '%')
  AND ($3::date IS NULL OR m.ends_on >= $3)
  AND ($4::date IS NULL OR m.starts_on <= $4)
GROUP BY r.province_code, r.region_code, r.region_kind
ORDER BY r.province_code, r.region_code;

-- name: cooperation_by_province
SELECT r.province_code, count(DISTINCT m.msp_id) AS active_msps, count(DISTINCT m.organization_id) AS organizations
FROM msp_regions r JOIN msps m ON m.msp_id = r.msp_id
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= $5 AND m.ends_on >= $5
  AND ($1::text IS NULL OR m.ministry_code = $1)
  AND ($2::text IS NULL OR r.region_code LIKE $2 || '%')
  AND ($3::date IS NULL OR m.ends_on >= $3)
  AND ($4::date IS NULL OR m.starts_on <= $4)
GROUP BY r.province_code
ORDER BY r.province_code;

-- name: visits_by_region_and_month
SELECT region AS region_code, to_char(v.arrives_on, 'YYYY-MM') AS month, count(*) AS visits,
       count(*) FILTER (WHERE v.late) AS announced_late
FROM visits v, unnest(v.region_codes) AS region
WHERE v.status = 'announced'
  AND ($1::text IS NULL OR v.ministry_code = $1)
  AND ($2::text IS NULL OR region LIKE $2 || '%')
  AND ($3::date IS NULL OR v.arrives_on >= $3)
  AND ($4::date IS NULL OR v.arrives_on <= $4)
GROUP BY 1, 2
ORDER BY 2, 1;

-- name: compliance
-- Per NGO and per ministry (grouping sets): obligations whose due date has passed by $5, and how they went.
WITH chosen AS (
    SELECT o.*, m.organization_name, m.ministry_name FROM obligations o JOIN msps m ON m.msp_id = o.msp_id
    WHERE ($1::text IS NULL OR o.ministry_code = $1)
      AND ($2::text IS NULL OR o.region_code LIKE $2 || '%'
           OR (o.region_code IS NULL AND EXISTS (
                SELECT 1 FROM msp_regions r WHERE r.msp_id = o.msp_id AND r.region_code LIKE $2 || '%')))
      AND ($3::date IS NULL OR o.due_on >= $3)
      AND ($4::date IS NULL OR o.due_on <= $4)
      AND NOT (m.status = 'terminated' AND m.closed_on < o.due_on)
)
SELECT organization_id, min(organization_name) AS organization_name, ministry_code,
       min(ministry_name) AS ministry_name,
       count(*) FILTER (WHERE due_on < $5) AS due,
       count(*) FILTER (WHERE due_on < $5 AND first_submitted_on <= due_on) AS on_time,
       count(*) FILTER (WHERE due_on < $5 AND first_submitted_on > due_on AND first_submitted_on <= $5) AS late,
       count(*) FILTER (WHERE due_on < $5 AND (first_submitted_on IS NULL OR first_submitted_on > $5)) AS overdue,
       count(*) FILTER (WHERE due_on >= $5) AS upcoming
FROM chosen
GROUP BY GROUPING SETS ((organization_id), (ministry_code))
ORDER BY 2, 4;

-- name: overdue_now
SELECT o.obligation_id, o.kind, o.period, o.region_code, o.due_on, ($5::date - o.due_on) AS days_overdue,
       o.msp_id, m.number AS msp_number, o.organization_id, m.organization_name, o.ministry_code, m.ministry_name
FROM obligations o JOIN msps m ON m.msp_id = o.msp_id
WHERE o.due_on < $5 AND (o.first_submitted_on IS NULL OR o.first_submitted_on > $5)
  AND NOT (m.status = 'terminated' AND m.closed_on < o.due_on)
  AND ($1::text IS NULL OR o.ministry_code = $1)
  AND ($2::text IS NULL OR o.region_code LIKE $2 || '%'
       OR (o.region_code IS NULL AND EXISTS (
            SELECT 1 FROM msp_regions r WHERE r.msp_id = o.msp_id AND r.region_code LIKE $2 || '%')))
  AND ($3::date IS NULL OR o.due_on >= $3)
  AND ($4::date IS NULL OR o.due_on <= $4)
ORDER BY o.due_on, o.obligation_id;

-- name: risk_facts
-- One row per MSP in force on $5, with what the risk score weighs.
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ends_on,
       (SELECT count(*) FROM obligations o WHERE o.msp_id = m.msp_id AND o.due_on < $5
          AND (o.first_submitted_on IS NULL OR o.first_submitted_on > $5)) AS overdue_obligations,
       (SELECT count(*) FROM obligations o WHERE o.msp_id = m.msp_id
          AND o.first_submitted_on > o.due_on AND o.first_submitted_on <= $5) AS late_submissions,
       (SELECT max(p.valid_until) FROM permits p WHERE p.organization_id = m.organization_id
          AND p.permit_type = 'principle' AND p.status = 'valid') AS principle_permit_valid_until,
       (SELECT count(*) FROM foreign_staff s WHERE s.organization_id = m.organization_id AND s.ended_on IS NULL
          AND s.starts_on <= $5 AND s.ends_on >= $5) AS active_foreign_staff,
       (SELECT count(*) FROM visits v WHERE v.msp_id = m.msp_id AND v.late AND v.status = 'announced')
           AS late_visits
FROM msps m
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= $5 AND m.ends_on >= $5
  AND ($1::text IS NULL OR m.ministry_code = $1)
  AND ($2::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $2 || '%'))
  AND ($3::date IS NULL OR m.ends_on >= $3)
  AND ($4::date IS NULL OR m.starts_on <= $4)
ORDER BY m.msp_id;

-- name: iati_activities
-- Signed MSPs (in force, not started, ended or terminated) with their regions, for the IATI export.
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ministry_name,
       m.status, m.starts_on, m.ends_on, m.closed_on, m.focus_areas, m.signed_document_ref, m.updated_at,
       coalesce((SELECT json_agg(json_build_object('code', r.region_code, 'kind', r.region_kind, 'name', r.region_name)
                                 ORDER BY r.region_code)
                 FROM msp_regions r WHERE r.msp_id = m.msp_id), '[]') AS regions
FROM msps m
WHERE m.status IN ('signed', 'extended', 'ended', 'terminated')
  AND ($1::text IS NULL OR m.ministry_code = $1)
  AND ($2::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $2 || '%'))
  AND ($3::date IS NULL OR m.ends_on >= $3)
  AND ($4::date IS NULL OR m.starts_on <= $4)
ORDER BY m.ministry_code, m.starts_on, m.msp_id;

-- name: visit_totals
SELECT count(*) AS visits, count(*) FILTER (WHERE late) AS announced_late
FROM visits
WHERE status = 'announced'
  AND ($1::text IS NULL OR ministry_code = $1)
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM unnest(region_codes) AS region WHERE region LIKE $2 || '%'))
  AND ($3::date IS NULL OR arrives_on >= $3)
  AND ($4::date IS NULL OR arrives_on <= $4);
