-- name: focus_area_codes
-- Which of the given focus-area codes the vocabulary knows.
SELECT code FROM focus_areas WHERE code = ANY(:codes::text[]);

-- name: list_focus_areas
-- The whole focus-area vocabulary, by code.
SELECT code, name_id, name_en FROM focus_areas ORDER BY code;

-- name: insert_focus_area
-- Adds a code to the vocabulary; no row when the code is taken.
INSERT INTO focus_areas (code, name_id, name_en) VALUES (:code, :name_id, :name_en)
ON CONFLICT DO NOTHING
RETURNING code, name_id, name_en;

-- name: insert_organization
-- Enters an NGO in the register; no row when one of that legal name from that country is already in it.
INSERT INTO organizations (
    id, legal_name, acronym, country_of_origin, headquarters_address, indonesia_office_address, website,
    representative_name, contact_email, contact_phone, contact_language, status, focus_areas, registered_at, updated_at
) VALUES (
    :id, :legal_name, :acronym, :country_of_origin, :headquarters_address, :indonesia_office_address, :website,
    :representative_name, :contact_email, :contact_phone, :contact_language, :status, :focus_areas, :now, :now
)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: register_organization
-- A registration in one round trip: the NGO, the first entry of its status history and, when :members names any,
-- the members' review of its application. `known_focus_areas` holds the codes of :focus_areas the vocabulary knows;
-- nothing is written unless it knows them all, nor when an NGO of that legal name from that country is already in
-- the register (the NGO's columns are then NULL).
WITH known AS (
    SELECT coalesce(array_agg(code), '{}') AS codes FROM focus_areas WHERE code = ANY(:focus_areas::text[])
),
entered AS (
    INSERT INTO organizations (
        id, legal_name, acronym, country_of_origin, headquarters_address, indonesia_office_address, website,
        representative_name, contact_email, contact_phone, contact_language, status, focus_areas, registered_at,
        updated_at
    )
    SELECT
        :id, :legal_name, :acronym, :country_of_origin, :headquarters_address, :indonesia_office_address, :website,
        :representative_name, :contact_email, :contact_phone, :contact_language, :status, :focus_areas, :now, :now
    FROM known
    WHERE cardinality(known.codes) = (SELECT count(DISTINCT code) FROM unnest(:focus_areas::text[]) AS code)
    ON CONFLICT DO NOTHING
    RETURNING *
),
history AS (
    INSERT INTO organization_status_changes (
        organization_id, previous_status, status, reason, changed_by, changed_at, version
    )
    SELECT id, NULL, status, :reason, :changed_by, :now, version FROM entered
),
review AS (
    INSERT INTO application_reviews (organization_id, members, answer_by, requested_by, requested_at)
    SELECT id, :members::text[], :answer_by, :changed_by, :now FROM entered WHERE cardinality(:members::text[]) > 0
)
SELECT known.codes AS known_focus_areas, entered.* FROM known LEFT JOIN entered ON true;

-- name: get_organization
-- One NGO as the register keeps it.
SELECT * FROM organizations WHERE id = :organization_id;

-- name: lock_organization
-- Serialises every change of one NGO (its particulars, its status, its foreign staff) for the transaction.
SELECT * FROM organizations WHERE id = :organization_id FOR UPDATE;

-- name: update_organization
-- :fields names the columns this update sets; the others keep their value.
UPDATE organizations SET
    legal_name               = CASE WHEN 'legal_name' = ANY(:fields::text[]) THEN :legal_name ELSE legal_name END,
    acronym                  = CASE WHEN 'acronym' = ANY(:fields::text[]) THEN :acronym ELSE acronym END,
    country_of_origin        =
        CASE WHEN 'country_of_origin' = ANY(:fields::text[]) THEN :country_of_origin ELSE country_of_origin END,
    headquarters_address     =
        CASE WHEN 'headquarters_address' = ANY(:fields::text[]) THEN :headquarters_address
             ELSE headquarters_address END,
    indonesia_office_address =
        CASE WHEN 'indonesia_office_address' = ANY(:fields::text[]) THEN :indonesia_office_address
             ELSE indonesia_office_address END,
    website                  = CASE WHEN 'website' = ANY(:fields::text[]) THEN :website ELSE website END,
    representative_name      =
        CASE WHEN 'representative_name' = ANY(:fields::text[]) THEN :representative_name
             ELSE representative_name END,
    contact_email            = CASE WHEN 'contact_email' = ANY(:fields::text[]) THEN :contact_email ELSE contact_email END,
    contact_phone            = CASE WHEN 'contact_phone' = ANY(:fields::text[]) THEN :contact_phone ELSE contact_phone END,
    contact_language         =
        CASE WHEN 'contact_language' = ANY(:fields::text[]) THEN :contact_language ELSE contact_language END,
    focus_areas              =
        CASE WHEN 'focus_areas' = ANY(:fields::text[]) THEN :focus_areas::text[] ELSE focus_areas END,
    version                  = version + 1,
    updated_at               = :now
WHERE id = :organization_id
RETURNING *;

-- name: set_organization_status
-- Moves an NGO in its lifecycle (the use case has checked that the step is allowed).
UPDATE organizations SET status = :status, version = version + 1, updated_at = :now
WHERE id = :organization_id
RETURNING *;

-- name: insert_status_change
-- One entry of an NGO's status history: who moved it, when, why, and its version afterwards.
INSERT INTO organization_status_changes (organization_id, previous_status, status, reason, changed_by, changed_at, version)
VALUES (:organization_id, :previous_status, :status, :reason, :changed_by, :changed_at, :version);

-- name: status_history
-- An NGO's status history, oldest first.
SELECT previous_status, status, reason, changed_by, changed_at, version
FROM organization_status_changes
WHERE organization_id = :organization_id
ORDER BY id;

-- name: list_organizations
-- Filters are optional: a NULL parameter matches everything. :search is a term with LIKE's wildcards escaped.
-- :scope_organization_id is the caller's scope (an NGO sees only itself; NULL: the whole register).
-- One row per item of the page, each with the total; a single row of NULLs but the total when the page is empty.
-- The sort keeps only the sort keys of the matches and the page's ids (a bounded sort, not a ranking of every
-- match): the page's rows are read afterwards, in the order the array of ids holds.
WITH matching AS (
    SELECT o.id, o.legal_name, o.registered_at, o.country_of_origin, o.status
    FROM organizations o
    WHERE (:scope_organization_id::uuid IS NULL OR o.id = :scope_organization_id)
      AND (:status::text IS NULL OR o.status = :status)
      AND (:country::text IS NULL OR o.country_of_origin = :country)
      AND (:focus_area::text IS NULL OR o.focus_areas @> ARRAY[:focus_area::text])
      AND (:expiring_before::date IS NULL OR EXISTS (
            SELECT 1 FROM permits p
            WHERE p.organization_id = o.id AND p.status = 'valid' AND p.valid_until < :expiring_before
          ))
      AND (:search::text IS NULL OR o.search_name LIKE '%' || registry_fold(:search) || '%')
), page AS (
    SELECT ARRAY(
        SELECT m.id FROM matching m
        ORDER BY
            CASE WHEN :sort = 'legal_name' AND :direction = 'asc' THEN registry_fold(m.legal_name) END ASC,
            CASE WHEN :sort = 'legal_name' AND :direction = 'desc' THEN registry_fold(m.legal_name) END DESC,
            CASE WHEN :sort = 'registered_at' AND :direction = 'asc' THEN m.registered_at END ASC,
            CASE WHEN :sort = 'registered_at' AND :direction = 'desc' THEN m.registered_at END DESC,
            CASE WHEN :sort = 'country_of_origin' AND :direction = 'asc' THEN m.country_of_origin END ASC,
            CASE WHEN :sort = 'country_of_origin' AND :direction = 'desc' THEN m.country_of_origin END DESC,
            CASE WHEN :sort = 'status' AND :direction = 'asc' THEN array_position(:lifecycle::text[], m.status) END ASC,
            CASE WHEN :sort = 'status' AND :direction = 'desc' THEN array_position(:lifecycle::text[], m.status) END DESC,
            m.id
        LIMIT :limit OFFSET :offset
    ) AS ids
)
SELECT o.*, listed.position, counted.total
FROM (SELECT count(*) AS total FROM matching) AS counted
CROSS JOIN page
LEFT JOIN LATERAL unnest(page.ids) WITH ORDINALITY AS listed(id, position) ON true
LEFT JOIN organizations o ON o.id = listed.id
ORDER BY listed.position;
