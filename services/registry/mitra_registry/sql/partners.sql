-- name: province_exists
-- Whether a province with this code is registered (a regency's parent must be).
SELECT EXISTS (SELECT 1 FROM partners WHERE kind = 'province' AND code = :code);

-- name: insert_partner
-- Adds a partner; no row when one of that kind with that code exists.
INSERT INTO partners (id, kind, code, name, parent_code, contacts, registered_at, updated_at)
VALUES (:id, :kind, :code, :name, :parent_code, :contacts, :now, :now)
ON CONFLICT (kind, code) DO NOTHING
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;

-- name: get_partner
-- One partner.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE id = :partner_id;

-- name: get_partner_for_update
-- One partner, locked for the change being made to it.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at
FROM partners WHERE id = :partner_id
FOR UPDATE;

-- name: update_partner
-- A NULL parameter keeps the current value.
UPDATE partners
SET name = coalesce(:name, name),
    contacts = coalesce(:contacts, contacts),
    active = coalesce(:active, active),
    version = version + 1,
    updated_at = :now
WHERE id = :partner_id
RETURNING id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at;

-- name: list_partners
-- Filters are optional: a NULL parameter matches everything. The name search ignores case and accents.
SELECT id, kind, code, name, parent_code, contacts, active, version, registered_at, updated_at,
       count(*) OVER () AS total
FROM partners
WHERE (:kind::text IS NULL OR kind = :kind)
  AND (:parent_code::text IS NULL OR parent_code = :parent_code)
  AND (:q::text IS NULL OR strpos(lower(unaccent(name)), lower(unaccent(:q::text))) > 0)
  AND (:active::boolean IS NULL OR active = :active)
ORDER BY
    CASE WHEN :sort::text = 'name' THEN lower(name) END ASC,
    CASE WHEN :sort::text = '-name' THEN lower(name) END DESC,
    CASE WHEN :sort::text = 'code' THEN code END ASC,
    CASE WHEN :sort::text = '-code' THEN code END DESC,
    CASE WHEN :sort::text = 'registered_at' THEN registered_at END ASC,
    CASE WHEN :sort::text = '-registered_at' THEN registered_at END DESC,
    kind, code
LIMIT :limit OFFSET :offset;
