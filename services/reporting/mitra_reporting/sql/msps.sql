-- MSPs as agreements reports them, with their regions of work; MSPs by ministry, their list, the IATI export.
-- Filters: :ministry code, :region code (a province's code also covers its regencies), :period_from, :period_to
-- (each NULL for no filter), :focus_area (one of the MSP's own focus areas; NULL for any), and :as_of, the day
-- the figures are "as of" (Asia/Jakarta).
-- The caller's reach (each NULL: no limit): :scope_ministry (its MSPs), :scope_organization (an NGO's own),
-- :scope_region (MSPs working in the area, or province-wide in the province of a regency).

-- name: project_msp_drafted
-- A drafted MSP (a later step that arrived first is kept).
INSERT INTO msps (msp_id, title, organization_id, organization_name, ministry_partner_id, ministry_code,
                  ministry_name, status, starts_on, ends_on, focus_areas, forms_of_cooperation, updated_at)
VALUES (:msp_id, :title, :organization_id, :organization_name, :ministry_partner_id, :ministry_code,
        :ministry_name, 'draft', :starts_on, :ends_on, :focus_areas, :forms_of_cooperation, :updated_at)
ON CONFLICT (msp_id) DO NOTHING;

-- name: project_msp_regions
-- An MSP's regions of work, from parallel arrays of codes, kinds, names and province codes.
INSERT INTO msp_regions (msp_id, region_code, region_kind, region_name, province_code)
SELECT :msp_id, unnest(:codes::text[]), unnest(:kinds::text[]), unnest(:names::text[]), unnest(:province_codes::text[])
ON CONFLICT (msp_id, region_code) DO NOTHING;

-- name: clear_msp_regions
-- Forgets an MSP's regions of work before they are written again.
DELETE FROM msp_regions WHERE msp_id = :msp_id;

-- name: project_msp_status
-- An MSP's step before signature (submitted, approved, rejected).
UPDATE msps SET status = :status, updated_at = :updated_at WHERE msp_id = :msp_id;

-- name: project_msp_signed
-- A signed MSP, with what may have changed since the draft.
INSERT INTO msps (msp_id, number, title, organization_id, organization_name, ministry_partner_id, ministry_code,
                  ministry_name, status, starts_on, ends_on, signed_on, focus_areas, forms_of_cooperation,
                  signed_document_ref, updated_at)
VALUES (:msp_id, :number, :title, :organization_id, :organization_name, :ministry_partner_id, :ministry_code,
        :ministry_name, 'signed', :starts_on, :ends_on, :signed_on, :focus_areas, :forms_of_cooperation,
        :signed_document_ref, :updated_at)
ON CONFLICT (msp_id) DO UPDATE
SET number = EXCLUDED.number, title = EXCLUDED.title, status = 'signed', starts_on = EXCLUDED.starts_on,
    ends_on = EXCLUDED.ends_on, signed_on = EXCLUDED.signed_on, focus_areas = EXCLUDED.focus_areas,
    forms_of_cooperation = EXCLUDED.forms_of_cooperation, signed_document_ref = EXCLUDED.signed_document_ref,
    updated_at = EXCLUDED.updated_at;

-- name: project_msp_extended
-- An MSP's new end.
UPDATE msps SET status = 'extended', ends_on = :ends_on, updated_at = :updated_at WHERE msp_id = :msp_id;

-- name: project_msp_closed
-- An MSP that ended or was terminated.
UPDATE msps SET status = :status, closed_on = :closed_on, closing_reason = :reason, updated_at = :updated_at
WHERE msp_id = :msp_id;

-- name: msps_by_ministry
-- Per ministry: MSPs in force, expiring within :within_days, ended, signed but not started, in preparation,
-- rejected.
WITH chosen AS (
    SELECT m.* FROM msps m
    WHERE (:ministry::text IS NULL OR m.ministry_code = :ministry)
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
)
SELECT ministry_code, min(ministry_name) AS ministry_name,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND starts_on <= :as_of AND ends_on >= :as_of)
           AS active,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND ends_on >= :as_of
                          AND ends_on <= :as_of + :within_days::integer) AS expiring,
       count(*) FILTER (WHERE status IN ('ended', 'terminated')
                           OR (status IN ('signed', 'extended') AND ends_on < :as_of)) AS ended,
       count(*) FILTER (WHERE status IN ('signed', 'extended') AND starts_on > :as_of) AS signed_not_started,
       count(*) FILTER (WHERE status IN ('draft', 'submitted', 'approved')) AS in_preparation,
       count(*) FILTER (WHERE status = 'rejected') AS rejected,
       count(*) AS total
FROM chosen
GROUP BY ministry_code
ORDER BY ministry_code;

-- name: msp_list
-- A page of MSPs: expiring within :within_days (NULL: any), in a :state group (active, ended, in_preparation).
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ministry_name,
       m.status, m.starts_on, m.ends_on, m.signed_on, m.focus_areas,
       (SELECT array_agg(r.region_code ORDER BY r.region_code) FROM msp_regions r WHERE r.msp_id = m.msp_id)
           AS region_codes,
       count(*) OVER () AS total
FROM msps m
WHERE (:ministry::text IS NULL OR m.ministry_code = :ministry)
  AND (:region::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE :region || '%'))
  AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
  AND (:period_to::date IS NULL OR m.starts_on <= :period_to)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
  AND (:within_days::integer IS NULL
       OR (m.status IN ('signed', 'extended') AND m.ends_on BETWEEN :as_of AND :as_of + :within_days::integer))
  AND (:state::text IS NULL
       OR (:state = 'active' AND m.status IN ('signed', 'extended') AND m.starts_on <= :as_of
           AND m.ends_on >= :as_of)
       OR (:state = 'ended' AND (m.status IN ('ended', 'terminated')
                                 OR (m.status IN ('signed', 'extended') AND m.ends_on < :as_of)))
       OR (:state = 'in_preparation' AND m.status IN ('draft', 'submitted', 'approved')))
  AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR m.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL OR EXISTS (
        SELECT 1 FROM msp_regions t WHERE t.msp_id = m.msp_id
          AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%')))
ORDER BY m.ends_on, m.msp_id
LIMIT :limit OFFSET :offset;

-- name: iati_activities
-- Signed MSPs (in force, not started, ended or terminated) with their regions and their public documents (the
-- day each was published, in Jakarta), for the IATI export; with :registered_only, only those of NGOs in the
-- open register (ever registered: the public file).
SELECT m.msp_id, m.number, m.title, m.organization_id, m.organization_name, m.ministry_code, m.ministry_name,
       m.status, m.starts_on, m.ends_on, m.closed_on, m.focus_areas, m.updated_at,
       coalesce((SELECT json_agg(json_build_object('code', r.region_code, 'kind', r.region_kind, 'name', r.region_name)
                                 ORDER BY r.region_code)
                 FROM msp_regions r WHERE r.msp_id = m.msp_id), '[]') AS regions,
       coalesce((SELECT json_agg(json_build_object('url', d.public_url, 'content_type', d.content_type,
                                                   'title', d.filename, 'category', d.category,
                                                   'published_on', (d.published_at AT TIME ZONE 'Asia/Jakarta')::date)
                                 ORDER BY d.published_at, d.document_id)
                 FROM public_documents d WHERE d.msp_id = m.msp_id AND d.public), '[]') AS documents
FROM msps m
WHERE m.status IN ('signed', 'extended', 'ended', 'terminated')
  AND (NOT :registered_only::boolean OR EXISTS (
        SELECT 1 FROM organizations o WHERE o.organization_id = m.organization_id AND o.ever_registered))
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
ORDER BY m.ministry_code, m.starts_on, m.msp_id;

-- name: public_iati_fingerprint
-- What the public IATI file is made of, cheaply: each table's newest change and size (a row added, changed or taken
-- out changes it), so that its ETag is known before the file is built.
SELECT concat_ws('|',
    (SELECT concat(max(updated_at), '/', count(*)) FROM msps),
    (SELECT count(*) FROM msp_regions),
    (SELECT concat(sum(version), '/', count(*) FILTER (WHERE ever_registered), '/', max(status_changed_at))
     FROM organizations),
    (SELECT concat(max(changed_at), '/', count(*) FILTER (WHERE public)) FROM public_documents),
    (SELECT concat(max(decided_at), '/', max(submitted_at), '/', count(*)) FROM funding_reports),
    (SELECT count(*) FROM funding_lines)) AS fingerprint;

-- name: cooperation_by_region
-- Active MSPs and their NGOs per region of work (within a region's reach: the regions touching it).
SELECT r.province_code, r.region_code, r.region_kind, min(r.region_name) AS region_name,
       count(DISTINCT m.msp_id) AS active_msps, count(DISTINCT m.organization_id) AS organizations
FROM msp_regions r JOIN msps m ON m.msp_id = r.msp_id
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= :as_of AND m.ends_on >= :as_of
  AND (:ministry::text IS NULL OR m.ministry_code = :ministry)
  AND (:region::text IS NULL OR r.region_code LIKE :region || '%')
  AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
  AND (:period_to::date IS NULL OR m.starts_on <= :period_to)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
  AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR m.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL
       OR r.region_code LIKE :scope_region || '%' OR :scope_region LIKE r.region_code || '%')
GROUP BY r.province_code, r.region_code, r.region_kind
ORDER BY r.province_code, r.region_code;

-- name: cooperation_by_province
-- Active MSPs and their NGOs per province, each counted once however many of its regions they work in.
SELECT r.province_code, count(DISTINCT m.msp_id) AS active_msps, count(DISTINCT m.organization_id) AS organizations
FROM msp_regions r JOIN msps m ON m.msp_id = r.msp_id
WHERE m.status IN ('signed', 'extended') AND m.starts_on <= :as_of AND m.ends_on >= :as_of
  AND (:ministry::text IS NULL OR m.ministry_code = :ministry)
  AND (:region::text IS NULL OR r.region_code LIKE :region || '%')
  AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
  AND (:period_to::date IS NULL OR m.starts_on <= :period_to)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(m.focus_areas))
  AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
  AND (:scope_organization::uuid IS NULL OR m.organization_id = :scope_organization)
  AND (:scope_region::text IS NULL
       OR r.region_code LIKE :scope_region || '%' OR :scope_region LIKE r.region_code || '%')
GROUP BY r.province_code
ORDER BY r.province_code;
