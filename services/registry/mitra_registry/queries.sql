-- name: focus_area_codes
SELECT code FROM focus_areas WHERE code = ANY($1::text[]);

-- name: insert_organization
INSERT INTO organizations (
    id, legal_name, acronym, country_of_origin, headquarters_address, indonesia_office_address, website,
    representative_name, contact_email, status, focus_areas, registered_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: get_organization
SELECT * FROM organizations WHERE id = $1;

-- name: list_organizations
-- Filters are optional: a NULL parameter matches everything.
SELECT *, count(*) OVER () AS total
FROM organizations
WHERE ($1::text IS NULL OR status = $1)
  AND ($2::text IS NULL OR country_of_origin = $2)
  AND ($3::text IS NULL OR $3 = ANY(focus_areas))
ORDER BY registered_at DESC, id
LIMIT $4 OFFSET $5;
