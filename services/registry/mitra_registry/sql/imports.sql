-- name: lock_import
-- Imports of one kind run one at a time, so that two files never both add the same record.
SELECT pg_advisory_xact_lock(hashtext('mitra.registry.import:' || :kind));

-- name: organizations_of_countries
-- The NGOs of these countries of origin, locked for the import that matches its rows to them (by legal name).
SELECT * FROM organizations WHERE country_of_origin = ANY(:countries::text[]) ORDER BY id FOR UPDATE;

-- name: permits_of_numbers
-- The permits with these numbers (of either type), locked for the import that matches its rows to them.
SELECT id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, status
FROM permits WHERE number = ANY(:numbers::text[]) ORDER BY id FOR UPDATE;

-- name: insert_imported_permit
-- Records a permit that predates Mitra, valid or already expired; no row when its type and number are recorded.
INSERT INTO permits (
    id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, status, granted_at,
    updated_at
) VALUES (
    :id, :organization_id, :permit_type, :number, :issued_on, :valid_until, :principle_permit_id, :status, :now, :now
)
ON CONFLICT (permit_type, number) DO NOTHING
RETURNING id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
          version, granted_at;

-- name: assignments_for_import
-- Every foreign-staff assignment of these NGOs or of these experts (by passport number): what an import checks its
-- rows against.
SELECT * FROM foreign_staff_assignments
WHERE organization_id = ANY(:organization_ids::uuid[]) OR passport_number = ANY(:passport_numbers::text[]);

-- name: partners_of_keys
-- The partners with these `kind:code` keys, locked for the import that matches its rows to them.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE kind || ':' || code = ANY(:keys::text[]) ORDER BY id FOR UPDATE;
