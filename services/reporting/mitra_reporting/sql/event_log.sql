-- The event log: every consumed event, in the order it was applied; the projections are a function of it alone.

-- name: append_event
-- Keeps one consumed event in the log (a redelivered one is there already).
INSERT INTO event_log (event_id, event_type, source, subject, occurred_at, data)
VALUES (:event_id, :event_type, :source, :subject, :occurred_at, :data)
ON CONFLICT (event_id) DO NOTHING;

-- name: append_event_live
-- append_event for live consumption, in one round trip with the lock live consumers share (a rebuild takes it
-- exclusively, see usecases/rebuild.py): the lock is taken before the row is, and the projector's own statement that
-- follows sees what a rebuild that held it committed.
INSERT INTO event_log (event_id, event_type, source, subject, occurred_at, data)
SELECT :event_id, :event_type, :source, :subject, :occurred_at, :data
FROM (SELECT pg_advisory_xact_lock_shared(:lock)) AS shared_lock
ON CONFLICT (event_id) DO NOTHING;

-- name: projection_lock_exclusive
-- A rebuild's lock: events arriving meanwhile wait for it rather than interleave with it.
SELECT pg_advisory_xact_lock(:lock);
