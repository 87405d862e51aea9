-- name: learn_organization
-- Events can arrive out of order across relay replicas: keep whichever state is newest.
INSERT INTO known_organizations (organization_id, legal_name, acronym, country_of_origin, status, as_of)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (organization_id) DO UPDATE
SET legal_name = EXCLUDED.legal_name,
    acronym = EXCLUDED.acronym,
    country_of_origin = EXCLUDED.country_of_origin,
    status = EXCLUDED.status,
    as_of = EXCLUDED.as_of,
    learned_at = now()
WHERE known_organizations.as_of <= EXCLUDED.as_of;

-- name: list_known_organizations
SELECT organization_id, legal_name, acronym, country_of_origin, status, as_of, count(*) OVER () AS total
FROM known_organizations
ORDER BY legal_name, organization_id
LIMIT $1 OFFSET $2;

-- name: get_known_organization
SELECT organization_id, legal_name, acronym, country_of_origin, status, as_of
FROM known_organizations WHERE organization_id = $1;
