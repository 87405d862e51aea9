-- The open register: what anyone may read of a foreign NGO, with no personal data (no contacts, staff, report text).
-- An NGO is listed once it entered the register (`ever_registered`: not applicants, nor applicants closed). Its
-- partners and regions of work come from its MSPs that were signed; `overdue`: any obligation due before :as_of and
-- not submitted by then, as overdue_now.

-- name: list_public_organizations
-- A page of the register by name (:descending for Z to A), filtered by status, country, focus area and province.
SELECT o.organization_id, o.legal_name, o.acronym, o.country_of_origin, o.status, o.focus_areas,
       count(*) OVER () AS total
FROM organizations o
WHERE o.ever_registered
  AND (:status::text IS NULL OR o.status = :status)
  AND (:country::text IS NULL OR o.country_of_origin = :country)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(o.focus_areas))
  AND (:province::text IS NULL OR EXISTS (
        SELECT 1 FROM msps m JOIN msp_regions r ON r.msp_id = m.msp_id
        WHERE m.organization_id = o.organization_id AND m.signed_on IS NOT NULL AND r.province_code = :province))
ORDER BY CASE WHEN :descending::boolean THEN o.legal_name END DESC,
         CASE WHEN NOT :descending::boolean THEN o.legal_name END ASC, o.organization_id
LIMIT :limit OFFSET :offset;

-- name: public_organization
-- One NGO of the register (none that never entered it).
SELECT o.organization_id, o.legal_name, o.acronym, o.country_of_origin, o.status, o.focus_areas
FROM organizations o
WHERE o.organization_id = :organization_id AND o.ever_registered;

-- name: public_facts
-- For the NGOs :organization_ids: the newest principle permit, the partners and regions of their signed MSPs, and
-- whether any obligation is overdue on :as_of.
SELECT o.organization_id,
       p.valid_until AS permit_valid_until, p.status AS permit_status,
       (SELECT coalesce(array_agg(DISTINCT m.ministry_name ORDER BY m.ministry_name), '{}') FROM msps m
        WHERE m.organization_id = o.organization_id AND m.signed_on IS NOT NULL) AS partners,
       (SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_object('code', r.region_code, 'name', r.region_name)), '[]')
        FROM msps m JOIN msp_regions r ON r.msp_id = m.msp_id
        WHERE m.organization_id = o.organization_id AND m.signed_on IS NOT NULL)::text AS regions,
       EXISTS (
           SELECT 1 FROM obligations b JOIN msps m ON m.msp_id = b.msp_id
           WHERE b.organization_id = o.organization_id AND b.due_on < :as_of
             AND (b.first_submitted_on IS NULL OR b.first_submitted_on > :as_of)
             AND NOT (m.status = 'terminated' AND m.closed_on < b.due_on)
             AND (b.closed_on IS NULL OR b.closed_on > :as_of OR b.first_submitted_on <= b.closed_on)) AS overdue
FROM unnest(:organization_ids::uuid[]) AS o(organization_id)
LEFT JOIN LATERAL (
    SELECT valid_until, status FROM permits
    WHERE permits.organization_id = o.organization_id AND permit_type = 'principle'
    ORDER BY issued_on DESC, valid_until DESC LIMIT 1) p ON true;
