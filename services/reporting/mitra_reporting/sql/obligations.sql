-- Obligations of signed MSPs (action plans, work plans, reports) and their submissions; compliance and risk.
-- Filters: :ministry code, :region code (a province's code also covers its regencies), :period_from, :period_to
-- (each NULL for no filter), :focus_area (one of the MSP's own focus areas; NULL for any), and :as_of, the day
-- the figures are "as of" (Asia/Jakarta).
-- The caller's reach (each NULL: no limit): :scope_ministry, :scope_organization, and :scope_region: obligations of
-- its area (a regional one by its own region, an MSP-wide one by its MSP's regions of work).

-- name: project_obligation
-- An obligation of a signed or extended MSP. One agreements recorded as received outside Mitra on a day
-- (:received_outside_on, imported history) is `received_outside` and counts as first submitted that day: on time if
-- by its due date, late otherwise, never overdue.
INSERT INTO obligations (obligation_id, msp_id, organization_id, ministry_code, kind, period, region_code, due_on,
                         status, first_submitted_on, received_outside_on)
VALUES (:obligation_id, :msp_id, :organization_id, :ministry_code, :kind, :period, :region_code, :due_on,
        CASE WHEN :received_outside_on::date IS NULL THEN 'pending' ELSE 'received_outside' END,
        :received_outside_on, :received_outside_on)
ON CONFLICT (obligation_id) DO NOTHING;

-- name: project_submission
-- A submission; the first one's day in Jakarta is what compliance counts.
UPDATE obligations
SET status = 'submitted',
    submissions = submissions + 1,
    first_submitted_on = coalesce(first_submitted_on, (:submitted_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date)
WHERE obligation_id = :obligation_id;

-- name: project_decision
-- A submission accepted or returned.
UPDATE obligations
SET status = :status,
    accepted_on = CASE WHEN :status = 'accepted' THEN (:decided_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END
WHERE obligation_id = :obligation_id;

-- name: project_overdue
-- An obligation agreements found overdue.
UPDATE obligations SET overdue = true WHERE obligation_id = :obligation_id;

-- name: project_obligations_closed
-- The obligations an MSP's termination or end closed (:obligation_ids): not owed from :closed_on.
UPDATE obligations SET status = 'closed', closed_on = :closed_on
WHERE obligation_id = ANY(:obligation_ids::uuid[]) AND closed_on IS NULL;

-- name: compliance
-- Per NGO and per ministry (grouping sets): obligations whose due date has passed by :as_of, and how they went.
WITH chosen AS (
    SELECT o.*, m.organization_name, m.ministry_name FROM obligations o JOIN msps m ON m.msp_id = o.msp_id
    WHERE (:ministry::text IS NULL OR o.ministry_code = :ministry)
      AND (:region::text IS NULL OR o.region_code LIKE :region || '%'
           OR (o.region_code IS NULL AND EXISTS (
                SELECT 1 FROM msp_regions r WHERE r.msp_id = o.msp_id AND r.region_code LIKE :region || '%')))
      AND (:period_from::date IS NULL OR o.due_on >= :period_from)
      AND (:period_to::date IS NULL OR o.due_on <= :period_to)
      AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
      AND NOT (m.status = 'terminated' AND m.closed_on < o.due_on)
      AND (o.closed_on IS NULL OR o.closed_on > :as_of OR o.first_submitted_on <= o.closed_on)
      AND (:scope_ministry::text IS NULL OR o.ministry_code = :scope_ministry)
      AND (:scope_organization::uuid IS NULL OR o.organization_id = :scope_organization)
      AND (:scope_region::text IS NULL
           OR o.region_code LIKE :scope_region || '%' OR :scope_region LIKE o.region_code || '%'
           OR (o.region_code IS NULL AND EXISTS (
                SELECT 1 FROM msp_regions t WHERE t.msp_id = o.msp_id
                  AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%'))))
)
SELECT organization_id, min(organization_name) AS organization_name, ministry_code,
       min(ministry_name) AS ministry_name,
       count(*) FILTER (WHERE due_on < :as_of) AS due,
       count(*) FILTER (WHERE due_on < :as_of AND first_submitted_on <= due_on) AS on_time,
       count(*) FILTER (WHERE due_on < :as_of AND first_submitted_on > due_on AND first_submitted_on <= :as_of)
           AS late,
       count(*) FILTER (WHERE due_on < :as_of AND (first_submitted_on IS NULL OR first_submitted_on > :as_of))
           AS overdue,
       count(*) FILTER (WHERE due_on >= :as_of) AS upcoming
FROM chosen
GROUP BY GROUPING SETS ((organization_id), (ministry_code))
ORDER BY 2, 4;

-- name: overdue_now
-- The obligations not submitted by :as_of although due, oldest first.
SELECT o.obligation_id, o.kind, o.period, o.region_code, o.due_on, (:as_of::date - o.due_on) AS days_overdue,
       o.msp_id, m.number AS msp_number, o.organization_id, m.organization_name, o.ministry_code, m.ministry_name
FROM obligations o JOIN msps m ON m.msp_id = o.msp_id
WHERE o.due_on < :as_of AND (o.first_submitted_on IS NULL OR o.first_submitted_on > :as_of)
  AND NOT (m.status = 'terminated' AND m.closed_on < o.due_on)
  AND (o.closed_on IS NULL OR o.closed_on > :as_of OR o.first_submitted_on <= o.closed_on)
  AND (:ministry::text IS NULL OR o.ministry_code = :ministry)
  AND (:region::text IS NULL OR o.region_code LIKE :region || '%'
       OR (o.region_code IS NULL AND EXISTS (
            SELECT 1 FROM msp_regions r WHERE r.msp_id = o.msp_id AND r.region_code LIKE :region || '%')))
  AND (:period_from::date IS NULL OR o.due_on >= :period_from)
  AND (:period_to::date IS NULL OR o.due_on <= :period_to)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
  AND (:scope_ministry::text IS NULL OR o.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR o.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL
       OR o.region_code LIKE :scope_region || '%' OR :scope_region LIKE o.region_code || '%'
       OR (o.region_code IS NULL AND EXISTS (
            SELECT 1 FROM msp_regions t WHERE t.msp_id = o.msp_id
              AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%'))))
ORDER BY o.due_on, o.obligation_id;

-- name: risk_facts
-- One row per MSP in force on :as_of, with what the risk score weighs.
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ends_on,
       (SELECT count(*) FROM obligations o WHERE o.msp_id = m.msp_id AND o.due_on < :as_of
          AND (o.first_submitted_on IS NULL OR o.first_submitted_on > :as_of)
          AND (o.closed_on IS NULL OR o.closed_on > :as_of)) AS overdue_obligations,
       (SELECT count(*) FROM obligations o WHERE o.msp_id = m.msp_id
          AND o.first_submitted_on > o.due_on AND o.first_submitted_on <= :as_of) AS late_submissions,
       (SELECT max(p.valid_until) FROM permits p WHERE p.organization_id = m.organization_id
          AND p.permit_type = 'principle' AND (p.status = 'valid' OR (p.status = 'revoked' AND p.revoked_on > :as_of)))
           AS principle_permit_valid_until,
       (SELECT count(*) FROM foreign_staff s WHERE s.organization_id = m.organization_id AND s.ended_on IS NULL
          AND s.starts_on <= :as_of AND s.ends_on >= :as_of) AS active_foreign_staff,
       (SELECT count(*) FROM visits v WHERE v.msp_id = m.msp_id AND v.late AND v.status = 'announced')
           AS late_visits,
       org.status AS organization_status,
       -- the day (Jakarta) the NGO reached that status: the score as of an earlier day leaves it out (domain/risk.py)
       (coalesce(org.status_changed_at, org.registered_at) AT TIME ZONE 'Asia/Jakarta')::date
           AS organization_status_since,
       sa.active_freezes, sa.active_warnings, sa.active_revocations, sa.frozen_since, sa.freeze_categories,
       sa.warning_categories, ma.open_mitigation_actions, ma.overdue_mitigation_actions
FROM msps m
LEFT JOIN organizations org ON org.organization_id = m.organization_id
-- The NGO's sanctions in force on :as_of.
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE x.kind = 'freeze') AS active_freezes,
           count(*) FILTER (WHERE x.kind = 'warning') AS active_warnings,
           count(*) FILTER (WHERE x.kind = 'revocation') AS active_revocations,
           min(x.starts_on) FILTER (WHERE x.kind = 'freeze') AS frozen_since,
           coalesce(array_agg(DISTINCT x.category) FILTER (WHERE x.kind = 'freeze'), '{}') AS freeze_categories,
           coalesce(array_agg(DISTINCT x.category) FILTER (WHERE x.kind = 'warning'), '{}') AS warning_categories
    FROM sanctions x
    WHERE x.organization_id = m.organization_id AND x.starts_on <= :as_of
      AND (x.ends_on IS NULL OR x.ends_on >= :as_of) AND (x.lifted_on IS NULL OR x.lifted_on > :as_of)
) sa
-- The MSP's mitigation actions open on :as_of: not yet due, and overdue.
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE y.due_on >= :as_of) AS open_mitigation_actions,
           count(*) FILTER (WHERE y.due_on < :as_of) AS overdue_mitigation_actions
    FROM mitigation_actions y
    WHERE y.msp_id = m.msp_id AND y.opened_on <= :as_of AND (y.closed_on IS NULL OR y.closed_on > :as_of)
) ma
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= :as_of AND m.ends_on >= :as_of
  AND (:ministry::text IS NULL OR m.ministry_code = :ministry)
  AND (:region::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE :region || '%'))
  AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
  AND (:period_to::date IS NULL OR m.starts_on <= :period_to)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
  AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR m.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions t WHERE t.msp_id = m.msp_id
          AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%')))
ORDER BY m.msp_id;
