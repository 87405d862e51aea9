-- name: outbox_insert
-- The events of the change being committed, in the order it published them, and the relay's wake-up, in one round
-- trip whatever their number. The NOTIFY is delivered only when the surrounding transaction commits (a rolled-back
-- change wakes nobody); the INSERT in the WITH runs whether or not the outer SELECT reads it. Headers travel as
-- JSON text, so the statement needs no array codec of the connection's.
WITH added AS (
    INSERT INTO outbox (id, event_type, routing_key, headers, body)
    SELECT e.id, e.event_type, e.routing_key, e.headers::jsonb, e.body
    FROM unnest(:ids::uuid[], :event_types::text[], :routing_keys::text[], :headers::text[], :bodies::bytea[])
        WITH ORDINALITY AS e (id, event_type, routing_key, headers, body, position)
    ORDER BY e.position
)
SELECT pg_notify(:channel, '');

-- name: outbox_wake
-- Delivered to listeners only when the surrounding transaction commits: a rolled-back change wakes nobody.
SELECT pg_notify(:channel, '');

-- name: outbox_claim
-- SKIP LOCKED lets several relay replicas work side by side, each on rows the others have not claimed.
SELECT seq, id, event_type, routing_key, headers, body, attempts
FROM outbox
WHERE published_at IS NULL AND next_attempt_at <= now()
ORDER BY seq
LIMIT :batch_size
FOR UPDATE SKIP LOCKED;

-- name: outbox_mark_published
-- The broker confirmed these rows' events.
UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
WHERE seq = ANY(:seqs::bigint[]);

-- name: outbox_mark_failed
-- The broker refused or did not confirm the event: try again after the backoff.
UPDATE outbox
SET attempts = attempts + 1,
    last_error = :error,
    next_attempt_at = now() + make_interval(secs => :delay_seconds)
WHERE seq = :seq;

-- name: outbox_seconds_until_due
-- How long the relay may sleep before the next pending event falls due.
SELECT extract(epoch FROM (min(next_attempt_at) - now()))::float8 FROM outbox WHERE published_at IS NULL;

-- name: outbox_pending_count
-- Events not yet published, for readiness and the metrics.
SELECT count(*) FROM outbox WHERE published_at IS NULL;

-- name: outbox_backlog
-- The metrics' view of the outbox: events not yet published, and how old the oldest of them is (0 when none).
SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
FROM outbox WHERE published_at IS NULL;

-- name: outbox_delete_published
-- Housekeeping: published rows older than the retention, a bounded batch at a time.
DELETE FROM outbox
WHERE seq IN (
    SELECT seq FROM outbox
    WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => :retention_days)
    LIMIT :limit
);

-- name: inbox_record
-- Blocks while another transaction holds the same id; returns nothing if the event was applied before.
INSERT INTO inbox (event_id, event_type) VALUES (:event_id, :event_type)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;

-- name: outbox_republish_batch
-- `republish`: the next batch of events published from :since on (rows are kept for the retention days), in the
-- order they were recorded, after the last seq sent; only the given routing keys, or every key if none is given.
SELECT seq, id, event_type, routing_key, headers, body
FROM outbox
WHERE published_at >= :since
  AND seq > :after
  AND (cardinality(:routing_keys::text[]) = 0 OR routing_key = ANY(:routing_keys::text[]))
ORDER BY seq
LIMIT :batch_size;

-- name: outbox_republish_count
-- `republish --dry-run`: how many events a republish from :since on would send.
SELECT count(*)
FROM outbox
WHERE published_at >= :since
  AND (cardinality(:routing_keys::text[]) = 0 OR routing_key = ANY(:routing_keys::text[]));
