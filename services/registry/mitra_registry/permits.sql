-- name: organization_for_permit
-- Shared lock: the NGO's status cannot change under a permit being granted or extended.
SELECT id, legal_name, status FROM organizations WHERE id = $1 FOR SHARE;

-- name: principle_facts
SELECT id, organization_id, permit_type, status, issued_on, valid_until FROM permits WHERE id = $1 FOR SHARE;

-- name: insert_permit
INSERT INTO permits (
    id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id,
    granted_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
ON CONFLICT (permit_type, number) DO NOTHING
RETURNING id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
          version, granted_at;

-- name: get_permit
SELECT id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
       version, granted_at
FROM permits WHERE id = $1;

-- name: get_permit_for_update
SELECT p.id, p.organization_id, p.permit_type, p.number, p.issued_on, p.valid_until, p.principle_permit_id,
       p.msp_id, p.status, p.version, p.granted_at
FROM permits p WHERE p.id = $1
FOR UPDATE;

-- name: list_permits
-- Filters are optional: a NULL parameter matches everything. `expiring_before` looks at valid permits only.
SELECT id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
       version, granted_at, count(*) OVER () AS total
FROM permits
WHERE ($1::uuid IS NULL OR organization_id = $1)
  AND ($2::text IS NULL OR permit_type = $2)
  AND ($3::text IS NULL OR status = $3)
  AND ($4::date IS NULL OR (status = 'valid' AND valid_until < $4))
ORDER BY valid_until, id
LIMIT $5 OFFSET $6;

-- name: insert_extension
INSERT INTO permit_extensions (id, permit_id, previous_valid_until, valid_until, requested_on, requested_late,
                               extended_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: extend_permit
UPDATE permits SET valid_until = $2, version = version + 1, updated_at = $3
WHERE id = $1
RETURNING id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
          version, granted_at;

-- name: wake_expiry_scheduler
SELECT pg_notify($1, '');
