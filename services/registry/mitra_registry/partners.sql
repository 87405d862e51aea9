-- name: province_exists
SELECT EXISTS (SELECT 1 FROM partners WHERE kind = 'province' AND code = $1);

-- name: insert_partner
INSERT INTO partners (id, kind, code, name, parent_code, contacts, registered_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (kind, code) DO NOTHING
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;

-- name: get_partner
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE id = $1;

-- name: get_partner_for_update
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE id = $1
FOR UPDATE;

-- name: update_partner
-- A NULL parameter keeps the current value.
UPDATE partners
SET name = coalesce($2, name),
    contacts = coalesce($3, contacts),
    active = coalesce($4, active),
    version = version + 1,
    updated_at = $5
WHERE id = $1
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;

-- name: list_partners
-- Filters are optional: a NULL parameter matches everything. The name search ignores case and accents.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at,
       count(*) OVER () AS total
FROM partners
WHERE ($1::text IS NULL OR kind = $1)
  AND ($2::text IS NULL OR parent_code = $2)
  AND ($3::text IS NULL OR strpos(lower(unaccent(name)), lower(unaccent($3::text))) > 0)
  AND ($4::boolean IS NULL OR active = $4)
ORDER BY
    CASE WHEN $5::text = 'name' THEN lower(name) END ASC,
    CASE WHEN $5::text = '-name' THEN lower(name) END DESC,
    CASE WHEN $5::text = 'code' THEN code END ASC,
    CASE WHEN $5::text = '-code' THEN code END DESC,
    CASE WHEN $5::text = 'registered_at' THEN registered_at END ASC,
    CASE WHEN $5::text = '-registered_at' THEN registered_at END DESC,
    kind, code
LIMIT $6 OFFSET $7;

-- name: lock_regions_import
-- Imports of regions run one at a time, so that two of them never both add the same region.
SELECT pg_advisory_xact_lock(hashtext('mitra.registry.regions_import'));

-- name: region_names
SELECT code, name FROM partners WHERE kind = $1;

-- name: province_codes
SELECT code FROM partners WHERE kind = 'province';

-- name: rename_region
UPDATE partners
SET name = $3, version = version + 1, updated_at = $4
WHERE kind = $1 AND code = $2
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;
