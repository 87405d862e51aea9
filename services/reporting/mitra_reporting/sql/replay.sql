-- A rebuild's bulk replay (usecases/bulk_replay.py): the events of the log that :seqs names, of one family of
-- types whose projections touch only one table's row of the event's key, applied in SQL from their logged data.
-- Each statement applies the earliest event of each key among :seqs (different keys touch different rows, so
-- one statement does them all) and returns the seqs of the others, which the caller passes again: the events of
-- one key are applied in log order. Each does what the per-event query it names does, with the casts of the
-- consumer's slim model (consumers/registry_events.py, sanction_events.py); a test compares the two replays.

-- name: replay_log
-- The whole log in the order it was applied; the data of the types :bulk_types names stays in the database.
SELECT seq, event_id, event_type, source, subject, occurred_at,
       CASE WHEN event_type = ANY(:bulk_types::text[]) THEN NULL ELSE data END AS data
FROM event_log ORDER BY seq;

-- name: replay_organizations
-- NGOs registered (organizations.sql project_organization_registered), updated (project_organization_updated, at
-- the event's time) and changed status (project_status_changed).
WITH run AS (
    SELECT e.seq, e.event_type, e.occurred_at, e.data, (e.data->>'organization_id')::uuid AS organization_id,
           row_number() OVER (PARTITION BY (e.data->>'organization_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (
    SELECT organization_id, event_type, occurred_at, data->>'legal_name' AS legal_name,
           data->>'acronym' AS acronym, data->>'country_of_origin' AS country_of_origin, data->>'status' AS status,
           ARRAY(SELECT jsonb_array_elements_text(data->'focus_areas')) AS focus_areas, data
    FROM run WHERE pass = 1
),
registered AS (
    INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                               registered_at, version, ever_registered)
    SELECT organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
           (data->>'registered_at')::timestamptz, 1, status IN ('registered', 'active', 'suspended', 'revoked')
    FROM head WHERE event_type = ANY(:registered::text[])
    ON CONFLICT (organization_id) DO UPDATE
    SET registered_at = CASE WHEN organizations.version > 1 THEN EXCLUDED.registered_at
                             ELSE organizations.registered_at END,
        ever_registered = organizations.ever_registered OR EXCLUDED.ever_registered
),
updated AS (
    INSERT INTO organizations (organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
                               version, registered_at, ever_registered)
    SELECT organization_id, legal_name, acronym, country_of_origin, status, focus_areas,
           (data->>'version')::integer, occurred_at, status IN ('registered', 'active', 'suspended', 'revoked')
    FROM head WHERE event_type = ANY(:updated::text[])
    ON CONFLICT (organization_id) DO UPDATE
    SET ever_registered = organizations.ever_registered OR EXCLUDED.ever_registered,
        legal_name = EXCLUDED.legal_name,
        acronym = EXCLUDED.acronym,
        country_of_origin = EXCLUDED.country_of_origin,
        status_changed_at = CASE WHEN organizations.status IS DISTINCT FROM EXCLUDED.status
                                 THEN EXCLUDED.registered_at ELSE organizations.status_changed_at END,
        status = EXCLUDED.status,
        focus_areas = EXCLUDED.focus_areas,
        version = EXCLUDED.version
    WHERE organizations.version < EXCLUDED.version
),
changed AS (
    UPDATE organizations o
    SET status = CASE WHEN o.version < h.version THEN h.status ELSE o.status END,
        status_changed_at = CASE WHEN o.version < h.version THEN h.changed_at ELSE o.status_changed_at END,
        version = greatest(o.version, h.version),
        ever_registered = o.ever_registered OR h.status IN ('registered', 'active', 'suspended', 'revoked')
    FROM (SELECT organization_id, status, (data->>'version')::integer AS version,
                 (data->>'changed_at')::timestamptz AS changed_at
          FROM head WHERE event_type = ANY(:status_changed::text[])) AS h
    WHERE o.organization_id = h.organization_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_permits
-- Permits granted (organizations.sql project_permit_granted), extended (project_permit_extended), expired
-- (project_permit_expired) and revoked (sanctions.sql project_permit_revoked).
WITH run AS (
    SELECT e.seq, e.event_type, e.data, (e.data->>'permit_id')::uuid AS permit_id,
           row_number() OVER (PARTITION BY (e.data->>'permit_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (SELECT permit_id, event_type, data FROM run WHERE pass = 1),
granted AS (
    INSERT INTO permits (permit_id, organization_id, permit_type, number, issued_on, valid_until, status)
    SELECT permit_id, (data->>'organization_id')::uuid, data->>'permit_type', data->>'number',
           (data->>'issued_on')::date, (data->>'valid_until')::date, 'valid'
    FROM head WHERE event_type = ANY(:granted::text[])
    ON CONFLICT (permit_id) DO NOTHING
),
extended AS (
    UPDATE permits p
    SET valid_until = greatest(p.valid_until, (h.data->>'valid_until')::date),
        status = CASE WHEN p.status = 'revoked' THEN p.status ELSE 'valid' END
    FROM head h WHERE h.event_type = ANY(:extended::text[]) AND p.permit_id = h.permit_id
),
expired AS (
    UPDATE permits p SET status = 'expired'
    FROM head h WHERE h.event_type = ANY(:expired::text[]) AND p.permit_id = h.permit_id AND p.status <> 'revoked'
),
revoked AS (
    UPDATE permits p SET status = 'revoked', revoked_on = (h.data->>'revoked_on')::date
    FROM head h WHERE h.event_type = ANY(:revoked::text[]) AND p.permit_id = h.permit_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_foreign_staff
-- Foreign experts assigned (organizations.sql project_staff_assigned) and whose assignment ended
-- (project_staff_ended).
WITH run AS (
    SELECT e.seq, e.event_type, e.data, (e.data->>'assignment_id')::uuid AS assignment_id,
           row_number() OVER (PARTITION BY (e.data->>'assignment_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (SELECT assignment_id, event_type, data FROM run WHERE pass = 1),
assigned AS (
    INSERT INTO foreign_staff (assignment_id, organization_id, nationality, starts_on, ends_on)
    SELECT assignment_id, (data->>'organization_id')::uuid, data->>'nationality', (data->>'starts_on')::date,
           (data->>'ends_on')::date
    FROM head WHERE event_type = ANY(:assigned::text[])
    ON CONFLICT (assignment_id) DO NOTHING
),
ended AS (
    UPDATE foreign_staff s SET ended_on = (h.data->>'ended_on')::date
    FROM head h WHERE h.event_type = ANY(:ended::text[]) AND s.assignment_id = h.assignment_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_msp_steps
-- MSPs' steps before signature (msps.sql project_msp_status, at the event's time).
WITH run AS (
    SELECT e.seq, e.event_type, e.occurred_at, (e.data->>'msp_id')::uuid AS msp_id,
           row_number() OVER (PARTITION BY (e.data->>'msp_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
stepped AS (
    UPDATE msps m
    SET status = CASE WHEN r.event_type = ANY(:submitted::text[]) THEN 'submitted'
                      WHEN r.event_type = ANY(:approved::text[]) THEN 'approved'
                      WHEN r.event_type = ANY(:rejected::text[]) THEN 'rejected' END,
        updated_at = r.occurred_at
    FROM run r WHERE r.pass = 1 AND m.msp_id = r.msp_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_obligation_steps
-- Obligations' submissions (obligations.sql project_submission), decisions (project_decision) and overdue marks
-- (project_overdue); a report's submission and decision are not among them (they also keep its funding).
WITH run AS (
    SELECT e.seq, e.event_type, e.data, (e.data->>'obligation_id')::uuid AS obligation_id,
           row_number() OVER (PARTITION BY (e.data->>'obligation_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (SELECT obligation_id, event_type, data FROM run WHERE pass = 1),
submitted AS (
    UPDATE obligations o
    SET status = 'submitted',
        submissions = o.submissions + 1,
        first_submitted_on = coalesce(o.first_submitted_on,
                                      ((h.data->>'submitted_at')::timestamptz AT TIME ZONE 'Asia/Jakarta')::date)
    FROM head h WHERE h.event_type = ANY(:submitted::text[]) AND o.obligation_id = h.obligation_id
),
decided AS (
    UPDATE obligations o
    SET status = CASE WHEN h.event_type = ANY(:accepted::text[]) THEN 'accepted' ELSE 'returned' END,
        accepted_on = CASE WHEN h.event_type = ANY(:accepted::text[])
                           THEN ((h.data->>'decided_at')::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END
    FROM head h
    WHERE (h.event_type = ANY(:accepted::text[]) OR h.event_type = ANY(:returned::text[]))
      AND o.obligation_id = h.obligation_id
),
overdue AS (
    UPDATE obligations o SET overdue = true
    FROM head h WHERE h.event_type = ANY(:overdue::text[]) AND o.obligation_id = h.obligation_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_visits
-- Visits announced or changed (visits.sql project_visit; its provinces: those the event names, then those of its
-- regions' codes, each once, in that order) and called off (project_visit_cancelled).
WITH run AS (
    SELECT e.seq, e.event_type, e.data, (e.data->>'visit_id')::uuid AS visit_id,
           row_number() OVER (PARTITION BY (e.data->>'visit_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (SELECT visit_id, event_type, data FROM run WHERE pass = 1),
visited AS (
    INSERT INTO visits (visit_id, msp_id, organization_id, ministry_code, arrives_on, departs_on, region_codes,
                        province_codes, late, status)
    SELECT visit_id, (data->>'msp_id')::uuid, (data->'organization'->>'organization_id')::uuid,
           data->'ministry'->>'code', (data->>'arrives_on')::date, (data->>'departs_on')::date,
           ARRAY(SELECT jsonb_array_elements_text(data->'region_codes')),
           ARRAY(SELECT code FROM (
                     SELECT code, min(place) AS place FROM (
                         SELECT named.code, named.place
                         FROM jsonb_array_elements_text(coalesce(data->'province_codes', '[]'))
                              WITH ORDINALITY AS named(code, place)
                         UNION ALL
                         SELECT left(region.code, 2),
                                jsonb_array_length(coalesce(data->'province_codes', '[]')) + region.place
                         FROM jsonb_array_elements_text(data->'region_codes') WITH ORDINALITY AS region(code, place)
                     ) AS listed GROUP BY code
                 ) AS firsts ORDER BY place),
           coalesce((data->>'late')::boolean, false), 'announced'
    FROM head WHERE event_type = ANY(:visited::text[])
    ON CONFLICT (visit_id) DO UPDATE
    SET arrives_on = EXCLUDED.arrives_on, departs_on = EXCLUDED.departs_on, region_codes = EXCLUDED.region_codes,
        province_codes = EXCLUDED.province_codes
),
cancelled AS (
    UPDATE visits v SET status = 'cancelled'
    FROM head h WHERE h.event_type = ANY(:cancelled::text[]) AND v.visit_id = h.visit_id
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;

-- name: replay_mitigation
-- Mitigation actions opened (mitigation.sql project_mitigation_opened) and changed status
-- (project_mitigation_status).
WITH run AS (
    SELECT e.seq, e.event_type, e.data, (e.data->>'action_id')::uuid AS action_id,
           row_number() OVER (PARTITION BY (e.data->>'action_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
head AS (
    SELECT action_id, event_type, (data->>'msp_id')::uuid AS msp_id,
           (data->'organization'->>'organization_id')::uuid AS organization_id,
           data->'ministry'->>'code' AS ministry_code, (data->>'monitoring_visit_id')::uuid AS monitoring_visit_id,
           data->>'description' AS description, data->>'owner' AS owner, data->>'owner_region_code' AS owner_region_code,
           (data->>'due_on')::date AS due_on, data
    FROM run WHERE pass = 1
),
opened AS (
    INSERT INTO mitigation_actions (action_id, msp_id, organization_id, ministry_code, monitoring_visit_id,
                                    description, owner, owner_region_code, due_on, status, opened_on, changed_at)
    SELECT action_id, msp_id, organization_id, ministry_code, monitoring_visit_id, description, owner,
           owner_region_code, due_on, 'open',
           ((data->>'opened_at')::timestamptz AT TIME ZONE 'Asia/Jakarta')::date, (data->>'opened_at')::timestamptz
    FROM head WHERE event_type = ANY(:opened::text[])
    ON CONFLICT (action_id) DO UPDATE SET opened_on = EXCLUDED.opened_on
),
changed AS (
    INSERT INTO mitigation_actions (action_id, msp_id, organization_id, ministry_code, monitoring_visit_id,
                                    description, owner, owner_region_code, due_on, status, closed_on, changed_at)
    SELECT action_id, msp_id, organization_id, ministry_code, monitoring_visit_id, description, owner,
           owner_region_code, due_on, data->>'status',
           CASE WHEN data->>'status' IN ('done', 'cancelled')
                THEN ((data->>'changed_at')::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END,
           (data->>'changed_at')::timestamptz
    FROM head WHERE event_type = ANY(:status_changed::text[])
    ON CONFLICT (action_id) DO UPDATE
    SET description = EXCLUDED.description, owner = EXCLUDED.owner, owner_region_code = EXCLUDED.owner_region_code,
        due_on = EXCLUDED.due_on, status = EXCLUDED.status, closed_on = EXCLUDED.closed_on,
        changed_at = EXCLUDED.changed_at
    WHERE mitigation_actions.changed_at <= EXCLUDED.changed_at
)
SELECT coalesce(array_agg(seq), '{}') FROM run WHERE pass > 1;
