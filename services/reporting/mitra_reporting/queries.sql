-- name: append_event
INSERT INTO event_log (event_id, event_type, source, subject, occurred_at, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (event_id) DO NOTHING;

-- name: projection_lock_shared
-- Live consumers share this lock; a rebuild takes it exclusively (see projections.py).
SELECT pg_advisory_xact_lock_shared($1);

-- name: projection_lock_exclusive
SELECT pg_advisory_xact_lock($1);

-- name: replay_log
SELECT event_id, event_type, source, subject, occurred_at, data FROM event_log ORDER BY seq;

-- name: project_organization_registered
-- Registration is version 1; a later version that arrived first is kept.
INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                           registered_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
ON CONFLICT (organization_id) DO UPDATE
SET registered_at = EXCLUDED.registered_at
WHERE organizations.version > 1;

-- name: project_organization_updated
INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                           version, registered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (organization_id) DO UPDATE
SET legal_name = EXCLUDED.legal_name,
    acronym = EXCLUDED.acronym,
    country_of_origin = EXCLUDED.country_of_origin,
    status = EXCLUDED.status,
    focus_areas = EXCLUDED.focus_areas,
    version = EXCLUDED.version
WHERE organizations.version < EXCLUDED.version;

-- name: project_status_changed
UPDATE organizations SET status = $2, version = $3, status_changed_at = $4
WHERE organization_id = $1 AND version < $3;

-- name: project_permit_granted
INSERT INTO permits (permit_id, organization_id, permit_type, number, issued_on, valid_until, status)
VALUES ($1, $2, $3, $4, $5, $6, 'valid')
ON CONFLICT (permit_id) DO NOTHING;

-- name: project_permit_extended
UPDATE permits SET valid_until = greatest(valid_until, $2), status = 'valid' WHERE permit_id = $1;

-- name: project_permit_expired
UPDATE permits SET status = 'expired' WHERE permit_id = $1;

-- name: project_staff_assigned
INSERT INTO foreign_staff (assignment_id, organization_id, nationality, starts_on, ends_on)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (assignment_id) DO NOTHING;

-- name: project_staff_ended
UPDATE foreign_staff SET ended_on = $2 WHERE assignment_id = $1;

-- name: organization_summary
-- NGOs by status, country and focus area. With a ministry, region or period: only NGOs with an MSP (not rejected)
-- of that ministry, in that region, running in that period. $1 ministry, $2 region, $3 from, $4 to.
WITH chosen AS (
    SELECT o.* FROM organizations o
    WHERE ($1::text IS NULL AND $2::text IS NULL AND $3::date IS NULL AND $4::date IS NULL)
       OR EXISTS (
            SELECT 1 FROM msps m
            WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
              AND ($1::text IS NULL OR m.ministry_code = $1)
              AND ($2::text IS NULL OR EXISTS (
                    SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $2 || '%'))
              AND ($3::date IS NULL OR m.ends_on >= $3)
              AND ($4::date IS NULL OR m.starts_on <= $4))
)
SELECT 'total' AS dimension, '*' AS key, count(*) AS count FROM chosen
UNION ALL
SELECT 'status', status, count(*) FROM chosen GROUP BY status
UNION ALL
SELECT 'country', country_of_origin, count(*) FROM chosen GROUP BY country_of_origin
UNION ALL
SELECT 'focus_area', area, count(*) FROM chosen, unnest(focus_areas) AS area GROUP BY area;

-- name: insert_story
INSERT INTO stories (id, title, body, organization_id, msp_id, region_code, story_date, media, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: get_story
SELECT * FROM stories WHERE id = $1;

-- name: get_story_for_update
SELECT * FROM stories WHERE id = $1 FOR UPDATE;

-- name: update_story
UPDATE stories
SET title = $2, body = $3, organization_id = $4, msp_id = $5, region_code = $6, story_date = $7, media = $8,
    version = version + 1
WHERE id = $1
RETURNING *;

-- name: publish_story
UPDATE stories SET status = 'published', published_at = $2, version = version + 1 WHERE id = $1 RETURNING *;

-- name: list_stories
SELECT *, count(*) OVER () AS total FROM stories
WHERE ($1::text IS NULL OR status = $1)
  AND ($2::uuid IS NULL OR organization_id = $2)
  AND ($3::text IS NULL OR region_code = $3 OR region_code LIKE $3 || '%')
ORDER BY story_date DESC, id
LIMIT $4 OFFSET $5;

-- name: list_organizations
SELECT o.organization_id, o.legal_name, o.acronym, o.country_of_origin, o.status, o.focus_areas, o.registered_at,
       (SELECT min(p.valid_until) FROM permits p
        WHERE p.organization_id = o.organization_id AND p.permit_type = 'principle' AND p.status = 'valid')
           AS principle_permit_valid_until,
       (SELECT count(*) FROM foreign_staff s
        WHERE s.organization_id = o.organization_id AND s.ended_on IS NULL
          AND s.starts_on <= $5 AND s.ends_on >= $5) AS active_foreign_staff,
       count(*) OVER () AS total
FROM organizations o
WHERE ($1::text IS NULL OR o.status = $1)
  AND ($2::text IS NULL OR o.country_of_origin = $2)
  AND ($3::text IS NULL OR $3 = ANY(o.focus_areas))
  -- $7 ministry, $8 region, $9 from, $10 to: as in organization_summary
  AND (($7::text IS NULL AND $8::text IS NULL AND $9::date IS NULL AND $10::date IS NULL)
       OR EXISTS (
            SELECT 1 FROM msps m
            WHERE m.organization_id = o.organization_id AND m.status <> 'rejected'
              AND ($7::text IS NULL OR m.ministry_code = $7)
              AND ($8::text IS NULL OR EXISTS (
                    SELECT 1 FROM msp_regions r WHERE r.msp_id = m.msp_id AND r.region_code LIKE $8 || '%'))
              AND ($9::date IS NULL OR m.ends_on >= $9)
              AND ($10::date IS NULL OR m.starts_on <= $10)))
ORDER BY o.legal_name, o.organization_id
LIMIT $4 OFFSET $6;

-- name: project_msp_drafted
INSERT INTO msps (msp_id, title, organization_id, organization_name, ministry_partner_id, ministry_code,
                  ministry_name, status, starts_on, ends_on, focus_areas, forms_of_cooperation, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11, $12)
ON CONFLICT (msp_id) DO NOTHING;

-- name: project_msp_regions
INSERT INTO msp_regions (msp_id, region_code, region_kind, region_name, province_code)
SELECT $1, unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[])
ON CONFLICT (msp_id, region_code) DO NOTHING;

-- name: clear_msp_regions
DELETE FROM msp_regions WHERE msp_id = $1;

-- name: project_msp_status
UPDATE msps SET status = $2, updated_at = $3 WHERE msp_id = $1;

-- name: project_msp_signed
INSERT INTO msps (msp_id, number, title, organization_id, organization_name, ministry_partner_id, ministry_code,
                  ministry_name, status, starts_on, ends_on, signed_on, focus_areas, forms_of_cooperation,
                  signed_document_ref, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'signed', $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (msp_id) DO UPDATE
SET number = EXCLUDED.number, title = EXCLUDED.title, status = 'signed', starts_on = EXCLUDED.starts_on,
    ends_on = EXCLUDED.ends_on, signed_on = EXCLUDED.signed_on, focus_areas = EXCLUDED.focus_areas,
    forms_of_cooperation = EXCLUDED.forms_of_cooperation, signed_document_ref = EXCLUDED.signed_document_ref,
    updated_at = EXCLUDED.updated_at;

-- name: project_obligation
INSERT INTO obligations (obligation_id, msp_id, organization_id, ministry_code, kind, period, region_code, due_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (obligation_id) DO NOTHING;

-- name: project_msp_extended
UPDATE msps SET status = 'extended', ends_on = $2, updated_at = $3 WHERE msp_id = $1;

-- name: project_msp_closed
UPDATE msps SET status = $2, closed_on = $3, closing_reason = $4, updated_at = $5 WHERE msp_id = $1;

-- name: project_submission
UPDATE obligations
SET status = 'submitted',
    submissions = submissions + 1,
    first_submitted_on = coalesce(first_submitted_on, ($2::timestamptz AT TIME ZONE 'Asia/Jakarta')::date)
WHERE obligation_id = $1;

-- name: project_decision
UPDATE obligations
SET status = $2,
    accepted_on = CASE WHEN $2 = 'accepted' THEN ($3::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END
WHERE obligation_id = $1;

-- name: project_overdue
UPDATE obligations SET overdue = true WHERE obligation_id = $1;

-- name: project_visit
INSERT INTO visits (visit_id, msp_id, organization_id, ministry_code, arrives_on, departs_on, region_codes,
                    province_codes, late, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'announced')
ON CONFLICT (visit_id) DO UPDATE
SET arrives_on = EXCLUDED.arrives_on, departs_on = EXCLUDED.departs_on, region_codes = EXCLUDED.region_codes,
    province_codes = EXCLUDED.province_codes;

-- name: project_visit_cancelled
UPDATE visits SET status = 'cancelled' WHERE visit_id = $1;
