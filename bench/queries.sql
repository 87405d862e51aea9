-- name: inbox_count
SELECT count(*) FROM inbox WHERE event_type = ANY($1::text[]);

-- name: reporting_events_after
-- Reporting appends the event and updates its projection in one transaction: a visible row means an updated
-- projection.
SELECT seq, subject AS key FROM event_log WHERE seq > $1 ORDER BY seq;

-- name: baseline_insert_row
INSERT INTO baseline_rows (id, legal_name, country_of_origin, focus_areas) VALUES ($1, $2, $3, $4);

-- name: bulk_register_organizations
-- Fills registry's own table directly (no events): the register as it looks with many NGOs, for list latency.
INSERT INTO organizations (id, legal_name, acronym, country_of_origin, status, focus_areas, registered_at, updated_at)
SELECT gen_random_uuid(),
       'Scale NGO ' || i || ' ' || md5(i::text),
       'SN' || i,
       (ARRAY['GB', 'US', 'DE', 'NL', 'CH', 'JP', 'AU', 'FR', 'SE', 'KR'])[1 + i % 10],
       (ARRAY['applicant', 'registered', 'active'])[1 + i % 3],
       CASE i % 4
           WHEN 0 THEN ARRAY['poverty']
           WHEN 1 THEN ARRAY['disaster', 'child_welfare']
           WHEN 2 THEN ARRAY['hiv_aids']
           ELSE '{}'::text[]
       END,
       now() - make_interval(mins => i),
       now() - make_interval(mins => i)
FROM generate_series(1, $1) AS i;

-- name: analyze_organizations
ANALYZE organizations;

-- name: baseline_list_organizations
-- The least a page of the NGO list asks of the database (optional filters, newest first, with the total): the
-- baseline of registry's GET /organizations.
SELECT *, count(*) OVER () AS total
FROM organizations
WHERE ($1::text IS NULL OR status = $1)
  AND ($2::text IS NULL OR country_of_origin = $2)
  AND ($3::text IS NULL OR $3 = ANY(focus_areas))
ORDER BY registered_at DESC, id
LIMIT $4 OFFSET $5;

-- name: bulk_insert_msps
-- $1: how many; $2: today (Asia/Jakarta). Every MSP in force, none due for the engine before next month.
INSERT INTO msps (id, organization_id, organization_name, ministry_partner_id, ministry_name, ministry_code, number,
                  title, starts_on, ends_on, status, obligation_rules, next_check_on, created_at, updated_at)
SELECT gen_random_uuid(), gen_random_uuid(), 'Tick NGO ' || i, gen_random_uuid(), 'Kementerian Sosial', 'kemensos',
       'MSP/BENCH/' || i, 'Bench MSP ' || i, $2::date - 400, $2::date + 700, 'active', '{}'::jsonb,
       $2::date + 30 + i % 300, now(), now()
FROM generate_series(1, $1) AS i;

-- name: bulk_insert_obligations
-- $1: obligations per MSP; $2: today; $3: how many fall due on each of $4 days from the day before today (a 7-day
-- reminder each: the engine's tick of each day, which the benchmark runs one after the other); the others are due
-- on days to come. Each was made before its reminder window, so no look is owed apart from its calendar
-- (next_check_on empty), and the engine's last complete look at reminders was the day before the first tick.
INSERT INTO obligations (id, msp_id, kind, period, due_on, status, next_check_on, created_at, updated_at)
SELECT gen_random_uuid(), o.msp_id,
       (ARRAY['action_plan', 'work_plan', 'semester_report', 'annual_report'])[1 + o.n % 4],
       'P' || o.n,
       CASE WHEN o.day < $4::int THEN $2::date - 1 + o.day + 7 ELSE $2::date + 60 + o.n * 30 END,
       'pending',
       NULL,
       now(), now()
FROM (
    SELECT m.id AS msp_id, n, ((row_number() OVER ()) - 1)::int / $3::int AS day FROM msps m, generate_series(1, $1) AS n
) AS o;

-- name: reminders_looked_through
-- $1: the last day whose reminders all went out (the running engine's, before the benchmark's first tick).
INSERT INTO deadline_looks (look, looked_on) VALUES ('obligation_reminders', $1);

-- name: analyze_deadline_tables
-- The tables as a running database holds them: vacuumed and analysed (autovacuum would otherwise start on a
-- million fresh rows in the middle of the measured tick).
VACUUM (ANALYZE) msps, obligations;

-- name: checkpoint
-- A checkpoint the bulk fill's WAL started ends now, not during the measured tick (one comes every few minutes in
-- any case, so the daily tick writes each page it touches whole into the WAL, as it does here).
CHECKPOINT;

-- name: bulk_log_registrations
-- $1 events of registry.organization.registered ($2: its CloudEvents type) in reporting's event log, as consumption
-- would have appended them.
INSERT INTO event_log (event_id, event_type, source, subject, occurred_at, data)
SELECT gen_random_uuid(), $2, '/mitra/registry', o.id::text, now(),
       jsonb_build_object(
           'organization_id', o.id, 'legal_name', 'Rebuild NGO ' || o.i, 'acronym', 'RN',
           'country_of_origin', (ARRAY['GB', 'US', 'DE', 'NL', 'CH', 'JP'])[1 + o.i % 6], 'status', 'applicant',
           'focus_areas', jsonb_build_array('poverty', 'disaster'), 'registered_at', now()
       )
FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, $1) AS i) AS o;

-- name: event_log_types
-- How many events of each type reporting's log holds (the run's own rebuild says what it replayed).
SELECT event_type, count(*) AS count FROM event_log GROUP BY event_type ORDER BY count(*) DESC;

-- name: bare_inbox_insert
-- The bare pipeline's consumers: the event id recorded once; no row back means a redelivery, already applied.
INSERT INTO inbox (event_id, event_type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING true;

-- name: bare_insert_review
-- The bare registry's review of the applicant by TPOA's member ministries, as Mitra's registration opens it.
INSERT INTO bare_reviews (organization_id, members, answer_by) VALUES ($1, $2, $3);

-- name: bare_member_recipients
-- The bare notifications' recipients of a review request: the member ministries' contacts (none in the benchmark).
SELECT address FROM bare_recipients WHERE ministry_code = ANY($1::text[]);

-- name: bare_audit_lock
-- The bare reporting's audit appenders in line, as reporting's own.
SELECT pg_advisory_xact_lock($1);

-- name: bare_audit_head
-- The last entry of the bare audit log: the next one chains onto its hash.
SELECT seq, hash FROM bare_audit_log ORDER BY seq DESC LIMIT 1;

-- name: bare_audit_append
INSERT INTO bare_audit_log (event_id, entry, previous_hash, hash) VALUES ($1, $2, $3, $4);

-- name: bare_learn_organization
INSERT INTO bare_known_organizations (id, legal_name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING;

-- name: bare_record_delivery
INSERT INTO bare_deliveries (event_id, recipient, subject) VALUES ($1, $2, $3);

-- name: bare_log_event
INSERT INTO event_log (event_id, event_type, subject, data) VALUES ($1, $2, $3, $4);

-- name: clone_msp_as_approved
-- The command mix's MSPs ready to be signed: $2 copies of the submitted MSP $1 (every column, so that the copy
-- is what agreements' own draft and submit made), each approved, with a title of its own.
INSERT INTO msps
SELECT (jsonb_populate_record(
           NULL::msps,
           to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'title', m.title || ' ' || i,
                                             'status', 'approved')
       )).*
FROM msps m, generate_series(1, $2) AS i
WHERE m.id = $1
RETURNING id;

-- name: clone_signed_msp
-- The command mix's signed MSPs: $2 copies of the signed MSP $1, each with a number of its own, not looked at by
-- the deadline engine during the run.
INSERT INTO msps
SELECT (jsonb_populate_record(
           NULL::msps,
           to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'number', m.number || '-' || i,
                                             'title', m.title || ' ' || i, 'next_check_on', $3::date)
       )).*
FROM msps m, generate_series(1, $2) AS i
WHERE m.id = $1
RETURNING id;

-- name: clone_report_obligations
-- The pending reports of the signed MSP $1 copied to each MSP of $2 (its copies): what the NGO submits in the
-- command mix. Not looked at by the deadline engine during the run ($3).
INSERT INTO obligations
SELECT (jsonb_populate_record(
           NULL::obligations,
           to_jsonb(o) || jsonb_build_object('id', gen_random_uuid(), 'msp_id', copy.id, 'next_check_on', $3::date)
       )).*
FROM obligations o, unnest($2::uuid[]) AS copy(id)
WHERE o.msp_id = $1 AND o.status = 'pending' AND o.kind IN ('semester_report', 'annual_report')
RETURNING id;
