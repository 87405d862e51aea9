-- Foreign NGOs as registry reports them, with their permits and foreign staff; their summary and list.
-- The caller's reach (each NULL: no limit): :scope_organization (an NGO itself), :scope_ministry (the NGOs with an
-- MSP, not rejected, of that ministry), :scope_region (the NGOs with an MSP, not rejected, working in the area).

-- name: project_organization_registered
-- Registration is version 1; a later version that arrived first is kept (and learns whether the NGO was registered).
INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                           registered_at, version, ever_registered)
VALUES (:organization_id, :legal_name, :acronym, :country_of_origin, :status, :focus_areas, :registered_at, 1,
        :status IN ('registered', 'active', 'suspended', 'revoked'))
ON CONFLICT (organization_id) DO UPDATE
SET registered_at = CASE WHEN organizations.version > 1 THEN EXCLUDED.registered_at
                         ELSE organizations.registered_at END,
    ever_registered = organizations.ever_registered OR EXCLUDED.ever_registered;

-- name: project_organization_updated
-- A changed NGO (registered at :event_time if its registration is still to come); an older version changes nothing.
-- A status it brings that is new here (its status change not yet arrived) counts from :event_time at the latest.
INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                           version, registered_at, ever_registered)
VALUES (:organization_id, :legal_name, :acronym, :country_of_origin, :status, :focus_areas, :version, :event_time,
        :status IN ('registered', 'active', 'suspended', 'revoked'))
ON CONFLICT (organization_id) DO UPDATE
SET ever_registered = organizations.ever_registered OR EXCLUDED.ever_registered,
    legal_name = EXCLUDED.legal_name,
    acronym = EXCLUDED.acronym,
    country_of_origin = EXCLUDED.country_of_origin,
    status_changed_at = CASE WHEN organizations.status IS DISTINCT FROM EXCLUDED.status THEN :event_time
                             ELSE organizations.status_changed_at END,
    status = EXCLUDED.status,
    focus_areas = EXCLUDED.focus_areas,
    version = EXCLUDED.version
WHERE organizations.version < EXCLUDED.version;

-- name: project_status_changed
-- A new status of an NGO, unless a later version is there already; a status of the register (registered, active,
-- suspended, revoked) marks it as having been registered, whatever the order.
UPDATE organizations
SET status = CASE WHEN version < :version THEN :status ELSE status END,
    status_changed_at = CASE WHEN version < :version THEN :changed_at ELSE status_changed_at END,
    version = greatest(version, :version),
    ever_registered = ever_registered OR :status IN ('registered', 'active', 'suspended', 'revoked')
WHERE organization_id = :organization_id;

-- name: project_permit_granted
-- A permit granted to an NGO.
INSERT INTO permits (permit_id, organization_id, permit_type, number, issued_on, valid_until, status)
VALUES (:permit_id, :organization_id, :permit_type, :number, :issued_on, :valid_until, 'valid')
ON CONFLICT (permit_id) DO NOTHING;

-- name: project_permit_extended
-- A permit's new end (never earlier than the one known); a revoked permit stays revoked.
UPDATE permits SET valid_until = greatest(valid_until, :valid_until),
                   status = CASE WHEN status = 'revoked' THEN status ELSE 'valid' END
WHERE permit_id = :permit_id;

-- name: project_permit_expired
-- A permit that expired (a revoked one stays revoked).
UPDATE permits SET status = 'expired' WHERE permit_id = :permit_id AND status <> 'revoked';

-- name: project_staff_assigned
-- A foreign expert assigned to an NGO.
INSERT INTO foreign_staff (assignment_id, organization_id, nationality, starts_on, ends_on)
VALUES (:assignment_id, :organization_id, :nationality, :starts_on, :ends_on)
ON CONFLICT (assignment_id) DO NOTHING;

-- name: project_staff_ended
-- A foreign expert's assignment that ended.
UPDATE foreign_staff SET ended_on = :ended_on WHERE assignment_id = :assignment_id;

-- name: organization_summary
-- NGOs by status, country and focus area. With a ministry, region or period: only NGOs with an MSP (not rejected)
-- of that ministry, in that region (a province's code also covers its regencies), running in that period; with a
-- focus area, only the NGOs that name it among their own.
WITH chosen AS (
    SELECT o.* FROM organizations o
    WHERE ((:ministry::text IS NULL AND :region::text IS NULL AND :period_from::date IS NULL
            AND :period_to::date IS NULL)
           OR EXISTS (
                SELECT 1 FROM msps m
                WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
                  AND (:ministry::text IS NULL OR m.ministry_code = :ministry)
                  AND (:region::text IS NULL OR EXISTS (
                        SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE :region || '%'))
                  AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
                  AND (:period_to::date IS NULL OR m.starts_on <= :period_to)))
      AND (:focus_area::text IS NULL OR :focus_area = ANY(o.focus_areas))
      AND (:scope_organization::uuid IS NULL OR o.organization_id = :scope_organization)
      AND ((:scope_ministry::text IS NULL AND :scope_region::text IS NULL) OR EXISTS (
            SELECT 1 FROM msps m
            WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
              AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
              AND (:scope_region::text IS NULL OR EXISTS (
                    SELECT 1 FROM msp_regions t WHERE t.msp_id = m.msp_id
                      AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%')))))
)
SELECT 'total' AS dimension, '*' AS key, count(*) AS count FROM chosen
UNION ALL
SELECT 'status', status, count(*) FROM chosen GROUP BY status
UNION ALL
SELECT 'country', country_of_origin, count(*) FROM chosen GROUP BY country_of_origin
UNION ALL
SELECT 'focus_area', area, count(*) FROM chosen, unnest(focus_areas) AS area GROUP BY area;

-- name: list_organizations
-- A page of NGOs by status, country and focus area, and through their MSPs as in organization_summary; with each
-- one's principle permit and its foreign staff in post on :as_of.
SELECT o.organization_id, o.legal_name, o.acronym, o.country_of_origin, o.status, o.focus_areas, o.registered_at,
       (SELECT min(p.valid_until) FROM permits p
        WHERE p.organization_id = o.organization_id AND p.permit_type = 'principle' AND p.status = 'valid')
           AS principle_permit_valid_until,
       (SELECT count(*) FROM foreign_staff s
        WHERE s.organization_id = o.organization_id AND s.ended_on IS NULL
          AND s.starts_on <= :as_of AND s.ends_on >= :as_of) AS active_foreign_staff,
       count(*) OVER () AS total
FROM organizations o
WHERE (:status::text IS NULL OR o.status = :status)
  AND (:country::text IS NULL OR o.country_of_origin = :country)
  AND (:focus_area::text IS NULL OR :focus_area = ANY(o.focus_areas))
  AND ((:ministry::text IS NULL AND :region::text IS NULL AND :period_from::date IS NULL
        AND :period_to::date IS NULL)
       OR EXISTS (
            SELECT 1 FROM msps m
            WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
              AND (:ministry::text IS NULL OR m.ministry_code = :ministry)
              AND (:region::text IS NULL OR EXISTS (
                    SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE :region || '%'))
              AND (:period_from::date IS NULL OR m.ends_on >= :period_from)
              AND (:period_to::date IS NULL OR m.starts_on <= :period_to)))
  AND (:scope_organization::uuid IS NULL OR o.organization_id = :scope_organization)
  AND ((:scope_ministry::text IS NULL AND :scope_region::text IS NULL) OR EXISTS (
        SELECT 1 FROM msps m
        WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
          AND (:scope_ministry::text IS NULL OR m.ministry_code = :scope_ministry)
          AND (:scope_region::text IS NULL OR EXISTS (
                SELECT 1 FROM msp_regions t WHERE t.msp_id = m.msp_id
                  AND (t.region_code LIKE :scope_region || '%' OR :scope_region LIKE t.region_code || '%')))))
ORDER BY o.legal_name, o.organization_id
LIMIT :limit OFFSET :offset;
