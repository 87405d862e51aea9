-- name: append_event
INSERT INTO event_log (event_id, event_type, source, subject, occurred_at, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (event_id) DO NOTHING;

-- name: upsert_organization
INSERT INTO organizations (organization_id, legal_name, country_of_origin, status, focus_areas, registered_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (organization_id) DO UPDATE
SET legal_name = EXCLUDED.legal_name,
    country_of_origin = EXCLUDED.country_of_origin,
    status = EXCLUDED.status,
    focus_areas = EXCLUDED.focus_areas;

-- name: organization_totals
SELECT count(*) AS total FROM organizations;

-- name: organizations_by_status
SELECT status AS key, count(*) AS count FROM organizations GROUP BY status ORDER BY status;

-- name: organizations_by_country
SELECT country_of_origin AS key, count(*) AS count FROM organizations GROUP BY country_of_origin ORDER BY 2 DESC, 1;

-- name: organizations_by_focus_area
SELECT area AS key, count(*) AS count FROM organizations, unnest(focus_areas) AS area GROUP BY area ORDER BY 2 DESC, 1;
