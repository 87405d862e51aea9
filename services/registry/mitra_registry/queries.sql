-- name: focus_area_codes
SELECT code FROM focus_areas WHERE code = ANY($1::text[]);

-- name: list_focus_areas
SELECT code, name_id, name_en FROM focus_areas ORDER BY code;

-- name: insert_focus_area
INSERT INTO focus_areas (code, name_id, name_en) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING code, name_id, name_en;

-- name: insert_organization
INSERT INTO organizations (
    id, legal_name, acronym, country_of_origin, headquarters_address, indonesia_office_address, website,
    representative_name, contact_email, contact_phone, status, focus_areas, registered_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: get_organization
SELECT * FROM organizations WHERE id = $1;

-- name: lock_organization
-- Serialises every change of one NGO (its particulars, its status, its foreign staff) for the transaction.
SELECT * FROM organizations WHERE id = $1 FOR UPDATE;

-- name: update_organization
-- $2 names the columns this update sets; the others keep their value.
UPDATE organizations SET
    legal_name               = CASE WHEN 'legal_name' = ANY($2::text[]) THEN $3 ELSE legal_name END,
    acronym                  = CASE WHEN 'acronym' = ANY($2::text[]) THEN $4 ELSE acronym END,
    country_of_origin        = CASE WHEN 'country_of_origin' = ANY($2::text[]) THEN $5 ELSE country_of_origin END,
    headquarters_address     = CASE WHEN 'headquarters_address' = ANY($2::text[]) THEN $6 ELSE headquarters_address END,
    indonesia_office_address =
        CASE WHEN 'indonesia_office_address' = ANY($2::text[]) THEN $7 ELSE indonesia_office_address END,
    website                  = CASE WHEN 'website' = ANY($2::text[]) THEN $8 ELSE website END,
    representative_name      = CASE WHEN 'representative_name' = ANY($2::text[]) THEN $9 ELSE representative_name END,
    contact_email            = CASE WHEN 'contact_email' = ANY($2::text[]) THEN $10 ELSE contact_email END,
    contact_phone            = CASE WHEN 'contact_phone' = ANY($2::text[]) THEN $11 ELSE contact_phone END,
    focus_areas              = CASE WHEN 'focus_areas' = ANY($2::text[]) THEN $12::text[] ELSE focus_areas END,
    version                  = version + 1,
    updated_at               = $13
WHERE id = $1
RETURNING *;

-- name: set_organization_status
UPDATE organizations SET status = $2, version = version + 1, updated_at = $3
WHERE id = $1
RETURNING *;

-- name: insert_status_change
INSERT INTO organization_status_changes (organization_id, previous_status, status, reason, changed_by, changed_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: status_history
SELECT previous_status, status, reason, changed_by, changed_at, version
FROM organization_status_changes
WHERE organization_id = $1
ORDER BY id;

-- name: list_organizations
-- Filters are optional: a NULL parameter matches everything. $5 is a search term with LIKE's wildcards escaped.
-- One row per item of the page, each with the total; a single row of NULLs but the total when the page is empty.
WITH matching AS (
    SELECT o.*
    FROM organizations o
    WHERE ($1::text IS NULL OR o.status = $1)
      AND ($2::text IS NULL OR o.country_of_origin = $2)
      AND ($3::text IS NULL OR o.focus_areas @> ARRAY[$3::text])
      AND ($4::date IS NULL OR EXISTS (
            SELECT 1 FROM permits p
            WHERE p.organization_id = o.id AND p.status = 'valid' AND p.valid_until < $4
          ))
      AND ($5::text IS NULL OR o.search_name LIKE '%' || registry_fold($5) || '%')
)
SELECT page.*, counted.total
FROM (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT m.*, row_number() OVER (
        ORDER BY
            CASE WHEN $6 = 'legal_name' AND $7 = 'asc' THEN registry_fold(m.legal_name) END ASC,
            CASE WHEN $6 = 'legal_name' AND $7 = 'desc' THEN registry_fold(m.legal_name) END DESC,
            CASE WHEN $6 = 'registered_at' AND $7 = 'asc' THEN m.registered_at END ASC,
            CASE WHEN $6 = 'registered_at' AND $7 = 'desc' THEN m.registered_at END DESC,
            CASE WHEN $6 = 'country_of_origin' AND $7 = 'asc' THEN m.country_of_origin END ASC,
            CASE WHEN $6 = 'country_of_origin' AND $7 = 'desc' THEN m.country_of_origin END DESC,
            CASE WHEN $6 = 'status' AND $7 = 'asc' THEN array_position($8::text[], m.status) END ASC,
            CASE WHEN $6 = 'status' AND $7 = 'desc' THEN array_position($8::text[], m.status) END DESC,
            m.id
    ) AS position
    FROM matching m
    ORDER BY position
    LIMIT $9 OFFSET $10
) AS page ON true
ORDER BY page.position;

-- name: insert_foreign_staff
INSERT INTO foreign_staff_assignments (
    id, organization_id, full_name, nationality, role, passport_number, starts_on, ends_on, assigned_by, assigned_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: foreign_staff_of_organization
SELECT * FROM foreign_staff_assignments WHERE organization_id = $1 ORDER BY starts_on, assigned_at, id;

-- name: get_foreign_staff
SELECT * FROM foreign_staff_assignments WHERE id = $1;

-- name: end_foreign_staff
UPDATE foreign_staff_assignments SET ended_on = $2, end_reason = $3, ended_by = $4, ended_at = $5
WHERE id = $1
RETURNING *;
