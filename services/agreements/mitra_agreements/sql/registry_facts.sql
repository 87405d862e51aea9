-- Agreements' copy of registry's facts: NGOs, principle permits and government partners, learned from registry's
-- events (consumers/registry_facts.py) and read by the use cases, so that agreements works while registry is down.

-- name: learn_organization
-- Particulars and status each keep the time of the event they reflect: events arrive out of order across relay
-- replicas and retries, and the newest state wins for each.
INSERT INTO known_organizations AS k
    (organization_id, legal_name, acronym, country_of_origin, status, as_of, status_as_of)
VALUES (:organization_id, :legal_name, :acronym, :country_of_origin, :status, :as_of, :as_of)
ON CONFLICT (organization_id) DO UPDATE
SET legal_name = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.legal_name ELSE k.legal_name END,
    acronym = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.acronym ELSE k.acronym END,
    country_of_origin = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.country_of_origin
                             ELSE k.country_of_origin END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    status = CASE WHEN k.status_as_of <= EXCLUDED.status_as_of THEN EXCLUDED.status ELSE k.status END,
    status_as_of = GREATEST(k.status_as_of, EXCLUDED.status_as_of),
    learned_at = now();

-- name: learn_organization_status
-- A status change may arrive before the registration: the row then waits, particulars-less, for it.
INSERT INTO known_organizations AS k
    (organization_id, legal_name, acronym, country_of_origin, status, as_of, status_as_of)
VALUES (:organization_id, :legal_name, NULL, NULL, :status, '-infinity', :as_of)
ON CONFLICT (organization_id) DO UPDATE
SET status = CASE WHEN k.status_as_of <= EXCLUDED.status_as_of THEN EXCLUDED.status ELSE k.status END,
    status_as_of = GREATEST(k.status_as_of, EXCLUDED.status_as_of),
    learned_at = now();

-- name: learn_permit_granted
-- A granted permit with its validity; a later extension already known keeps its validity.
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES (:permit_id, :organization_id, :permit_type, :number, :issued_on, :valid_until, false, :as_of)
ON CONFLICT (permit_id) DO UPDATE
SET issued_on = EXCLUDED.issued_on,
    number = EXCLUDED.number,
    valid_until = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.valid_until ELSE k.valid_until END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_permit_extended
-- The grant may not have arrived yet: its issue date waits as -infinity until it does.
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES (:permit_id, :organization_id, :permit_type, :number, '-infinity', :valid_until, false, :as_of)
ON CONFLICT (permit_id) DO UPDATE
SET valid_until = CASE WHEN k.as_of <= EXCLUDED.as_of THEN EXCLUDED.valid_until ELSE k.valid_until END,
    expired = CASE WHEN k.as_of <= EXCLUDED.as_of THEN false ELSE k.expired END,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_permit_expired
-- An expiry counts only for the validity it names or a later one (not against an extension already known).
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES (:permit_id, :organization_id, :permit_type, :number, '-infinity', :valid_until, true, :as_of)
ON CONFLICT (permit_id) DO UPDATE
SET expired = CASE WHEN k.valid_until <= EXCLUDED.valid_until THEN true ELSE k.expired END,
    learned_at = now();

-- name: learn_permit_revoked
-- A permit revoked before its end (a revocation sanction): no longer valid, whatever extension is known; its
-- validity ends the day before the revocation. The grant may not have arrived yet: it then keeps these.
INSERT INTO known_permits AS k
    (permit_id, organization_id, permit_type, number, issued_on, valid_until, expired, as_of)
VALUES (:permit_id, :organization_id, :permit_type, :number, '-infinity', :revoked_on::date - 1, true, :as_of)
ON CONFLICT (permit_id) DO UPDATE
SET valid_until = LEAST(k.valid_until, EXCLUDED.valid_until),
    expired = true,
    as_of = GREATEST(k.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_partner
-- A ministry or region as registry last described it; an older version never overwrites a newer one.
INSERT INTO known_partners AS k (partner_id, partner_kind, name, code, parent_code, active, version)
VALUES (:partner_id, :partner_kind, :name, :code, :parent_code, :active, :version)
ON CONFLICT (partner_id) DO UPDATE
SET partner_kind = EXCLUDED.partner_kind,
    name = EXCLUDED.name,
    code = EXCLUDED.code,
    parent_code = EXCLUDED.parent_code,
    active = EXCLUDED.active,
    version = EXCLUDED.version,
    learned_at = now()
WHERE k.version < EXCLUDED.version;

-- name: list_known_organizations
-- A page of the NGOs agreements knows, by name, with the total; only those the caller's scope covers
-- (domain/access.py): an NGO itself; for a ministry or a region, the NGOs party to an MSP of its ministry or with a
-- work location touching its region (the same code or one a province of the other).
SELECT organization_id, legal_name, acronym, country_of_origin, status, GREATEST(as_of, status_as_of) AS as_of,
       count(*) OVER () AS total
FROM known_organizations AS k
WHERE (:scope_organization_id::uuid IS NULL OR k.organization_id = :scope_organization_id)
  AND ((:scope_ministry_code::text IS NULL AND :scope_region_code::text IS NULL) OR EXISTS (
        SELECT 1 FROM msps AS m
        WHERE m.organization_id = k.organization_id
          AND (:scope_ministry_code::text IS NULL OR m.ministry_code = :scope_ministry_code)
          AND (:scope_region_code::text IS NULL OR EXISTS (
                SELECT 1 FROM jsonb_array_elements(m.work_locations) AS location
                WHERE location->>'code' = :scope_region_code
                   OR (length(:scope_region_code) = 2 AND left(location->>'code', 2) = :scope_region_code)
                   OR (length(location->>'code') = 2 AND left(:scope_region_code, 2) = location->>'code')))))
ORDER BY legal_name, organization_id
LIMIT :limit OFFSET :offset;

-- name: get_known_organization
-- One NGO as agreements knows it.
SELECT organization_id, legal_name, acronym, country_of_origin, status, GREATEST(as_of, status_as_of) AS as_of
FROM known_organizations WHERE organization_id = :organization_id;

-- name: principle_permits_of
-- An NGO's principle permits (izin prinsip), valid or not: the rules choose.
SELECT permit_id, organization_id, number, issued_on, valid_until, expired
FROM known_permits WHERE organization_id = :organization_id AND permit_type = 'principle';

-- name: get_known_partner
-- One government partner (a ministry, a province, a regency).
SELECT partner_id, partner_kind, name, code, parent_code, active FROM known_partners WHERE partner_id = :partner_id;

-- name: regions_by_code
-- The active provinces and regencies among these codes.
SELECT partner_id, partner_kind, name, code, parent_code, active
FROM known_partners
WHERE code = ANY(:codes::text[]) AND partner_kind IN ('province', 'regency') AND active;

-- name: learn_sanction_imposed
-- A sanction registry imposed; one already lifted (the lift arrived first) stays lifted.
INSERT INTO known_sanctions (sanction_id, organization_id, sanction_kind, category, reason, starts_on, ends_on, active)
VALUES (:sanction_id, :organization_id, :sanction_kind, :category, :reason, :starts_on, :ends_on, true)
ON CONFLICT (sanction_id) DO UPDATE
SET starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, reason = EXCLUDED.reason, learned_at = now();

-- name: learn_sanction_lifted
-- A warning or freeze ended (lifted, or its end date came); it may arrive before its imposition.
INSERT INTO known_sanctions (sanction_id, organization_id, sanction_kind, category, reason, active)
VALUES (:sanction_id, :organization_id, :sanction_kind, :category, :reason, false)
ON CONFLICT (sanction_id) DO UPDATE SET active = false, learned_at = now();

-- name: active_freezes_of
-- The NGO's active freezes, oldest first.
SELECT sanction_id, reason, starts_on, ends_on
FROM known_sanctions
WHERE organization_id = :organization_id AND active AND sanction_kind = 'freeze'
ORDER BY starts_on NULLS LAST, sanction_id;
