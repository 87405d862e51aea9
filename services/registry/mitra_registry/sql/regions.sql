-- name: lock_regions_import
-- Imports of regions run one at a time, so that two of them never both add the same region.
SELECT pg_advisory_xact_lock(hashtext('mitra.registry.regions_import'));

-- name: region_names
-- The name of every known region of one kind (`province` or `regency`), by code.
SELECT code, name FROM partners WHERE kind = :kind;

-- name: province_codes
-- The codes of the known provinces (a regency's province must be one).
SELECT code FROM partners WHERE kind = 'province';

-- name: lock_regions
-- The regions of one kind with these codes as they are, locked for the import that renames them.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE kind = :kind AND code = ANY(:codes::text[])
FOR UPDATE;

-- name: rename_region
-- Gives a known region the name its file has.
UPDATE partners
SET name = :name, version = version + 1, updated_at = :now
WHERE kind = :kind AND code = :code
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;
