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
-- Obligations of signed MSPs (obligations.sql project_obligation, each listed in :signed's events, the first of a
-- repeated one), submissions (project_submission, also a report's), decisions (project_decision) and overdue marks
-- (project_overdue); a report's decision is not among them (it also keeps its funding). A signature is the event of
-- each of its obligations: applied again in a later pass for another of them, its insert of those done changes
-- nothing (ON CONFLICT DO NOTHING, and nothing in the replay deletes an obligation).
WITH logged AS (
    SELECT e.seq, e.event_type, e.data FROM event_log e WHERE e.seq = ANY(:seqs::bigint[])
),
run AS (
    SELECT seq, event_type, (data->>'obligation_id')::uuid AS obligation_id, NULL::jsonb AS due,
           NULL::jsonb AS signed, data->>'submitted_at' AS submitted_at, data->>'decided_at' AS decided_at
    FROM logged WHERE NOT event_type = ANY(:signed::text[])
    UNION ALL
    (SELECT DISTINCT ON (l.seq, (item.due->>'obligation_id')::uuid)
            l.seq, l.event_type, (item.due->>'obligation_id')::uuid, item.due,
            jsonb_build_object('msp_id', l.data->'msp_id', 'organization_id', l.data->'organization'->'organization_id',
                               'ministry_code', l.data->'ministry'->'code'),
            NULL, NULL
     FROM logged l, jsonb_array_elements(l.data->'obligations') WITH ORDINALITY AS item(due, place)
     WHERE l.event_type = ANY(:signed::text[])
     ORDER BY l.seq, (item.due->>'obligation_id')::uuid, item.place)
),
ranked AS (
    SELECT run.*, row_number() OVER (PARTITION BY obligation_id ORDER BY seq) AS pass FROM run
),
head AS (SELECT obligation_id, event_type, due, signed, submitted_at, decided_at FROM ranked WHERE pass = 1),
signed AS (
    INSERT INTO obligations (obligation_id, msp_id, organization_id, ministry_code, kind, period, region_code,
                             due_on, status, first_submitted_on, received_outside_on)
    SELECT obligation_id, (signed->>'msp_id')::uuid, (signed->>'organization_id')::uuid, signed->>'ministry_code',
           due->>'kind', coalesce(due->>'period', ''), due->>'region_code', (due->>'due_on')::date,
           CASE WHEN due->>'received_outside_mitra_on' IS NULL THEN 'pending' ELSE 'received_outside' END,
           (due->>'received_outside_mitra_on')::date, (due->>'received_outside_mitra_on')::date
    FROM head WHERE event_type = ANY(:signed::text[])
    ON CONFLICT (obligation_id) DO NOTHING
),
submitted AS (
    UPDATE obligations o
    SET status = 'submitted',
        submissions = o.submissions + 1,
        first_submitted_on = coalesce(o.first_submitted_on,
                                      (h.submitted_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date)
    FROM head h WHERE h.event_type = ANY(:submitted::text[]) AND o.obligation_id = h.obligation_id
),
decided AS (
    UPDATE obligations o
    SET status = CASE WHEN h.event_type = ANY(:accepted::text[]) THEN 'accepted' ELSE 'returned' END,
        accepted_on = CASE WHEN h.event_type = ANY(:accepted::text[])
                           THEN (h.decided_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END
    FROM head h
    WHERE (h.event_type = ANY(:accepted::text[]) OR h.event_type = ANY(:returned::text[]))
      AND o.obligation_id = h.obligation_id
),
overdue AS (
    UPDATE obligations o SET overdue = true
    FROM head h WHERE h.event_type = ANY(:overdue::text[]) AND o.obligation_id = h.obligation_id
)
SELECT coalesce(array_agg(DISTINCT seq), '{}') FROM ranked WHERE pass > 1;

-- name: replay_msp_signatures
-- MSPs signed (msps.sql project_msp_signed, at the event's time) and their regions of work (clear_msp_regions then
-- project_msp_regions: the first of each code listed, written over what was there); their obligations are
-- replay_obligation_steps'.
WITH run AS (
    SELECT e.seq, e.occurred_at, e.data, (e.data->>'msp_id')::uuid AS msp_id,
           row_number() OVER (PARTITION BY (e.data->>'msp_id')::uuid ORDER BY e.seq) AS pass
    FROM event_log e WHERE e.seq = ANY(:seqs::bigint[]) AND e.event_type = ANY(:signed::text[])
),
head AS (SELECT msp_id, occurred_at, data FROM run WHERE pass = 1),
signed AS (
    INSERT INTO msps (msp_id, number, title, organization_id, organization_name, ministry_partner_id, ministry_code,
                      ministry_name, status, starts_on, ends_on, signed_on, focus_areas, forms_of_cooperation,
                      signed_document_ref, updated_at)
    SELECT msp_id, data->>'number', data->>'title', (data->'organization'->>'organization_id')::uuid,
           data->'organization'->>'name', (data->'ministry'->>'partner_id')::uuid, data->'ministry'->>'code',
           data->'ministry'->>'name', 'signed', (data->>'starts_on')::date, (data->>'ends_on')::date,
           (data->>'signed_on')::date, ARRAY(SELECT jsonb_array_elements_text(coalesce(data->'focus_areas', '[]'))),
           ARRAY(SELECT jsonb_array_elements_text(coalesce(data->'forms_of_cooperation', '[]'))),
           data->>'signed_document_ref', occurred_at
    FROM head
    ON CONFLICT (msp_id) DO UPDATE
    SET number = EXCLUDED.number, title = EXCLUDED.title, status = 'signed', starts_on = EXCLUDED.starts_on,
        ends_on = EXCLUDED.ends_on, signed_on = EXCLUDED.signed_on, focus_areas = EXCLUDED.focus_areas,
        forms_of_cooperation = EXCLUDED.forms_of_cooperation, signed_document_ref = EXCLUDED.signed_document_ref,
        updated_at = EXCLUDED.updated_at
),
located AS (
    SELECT DISTINCT ON (h.msp_id, l.item->>'code')
           h.msp_id, l.item->>'code' AS region_code, l.item->>'kind' AS region_kind, l.item->>'name' AS region_name,
           l.item->>'province_code' AS province_code
    FROM head h, jsonb_array_elements(coalesce(h.data->'work_locations', '[]')) WITH ORDINALITY AS l(item, place)
    ORDER BY h.msp_id, l.item->>'code', l.place
),
dropped AS (
    DELETE FROM msp_regions r USING head h
    WHERE r.msp_id = h.msp_id
      AND NOT EXISTS (SELECT 1 FROM located l WHERE l.msp_id = r.msp_id AND l.region_code = r.region_code)
),
placed AS (
    INSERT INTO msp_regions (msp_id, region_code, region_kind, region_name, province_code)
    SELECT msp_id, region_code, region_kind, region_name, province_code FROM located
    ON CONFLICT (msp_id, region_code) DO UPDATE
    SET region_kind = EXCLUDED.region_kind, region_name = EXCLUDED.region_name,
        province_code = EXCLUDED.province_code
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

-- name: replay_report_submissions
-- Reports' submissions, one per submission id (funding.sql project_report_submitted and clear_funding_lines), from
-- parallel arrays of what `consumers/funding_events.py` computes from each event; their lines come next.
WITH submitted AS (
    INSERT INTO funding_reports (submission_id, obligation_id, msp_id, report_kind, period, period_origin,
                                 period_offset_months, period_months, submitted_at)
    SELECT * FROM unnest(:submission_ids::uuid[], :obligation_ids::uuid[], :msp_ids::uuid[], :report_kinds::text[],
                         :periods::text[], :period_origins::date[], :period_offsets::integer[],
                         :period_months::integer[], :submitted_ats::timestamptz[])
    ON CONFLICT (submission_id) DO UPDATE SET submitted_at = EXCLUDED.submitted_at
)
DELETE FROM funding_lines WHERE submission_id = ANY(:submission_ids::uuid[]);

-- name: replay_funding_lines
-- The funding lines of the submissions replay_report_submissions wrote (funding.sql project_funding_lines), each
-- numbered in its submission's order.
INSERT INTO funding_lines (submission_id, line_no, source, source_key, amount, currency, use)
SELECT * FROM unnest(:submission_ids::uuid[], :line_nos::integer[], :sources::text[], :source_keys::text[],
                     :amounts::numeric[], :currencies::text[], :uses::text[]);
