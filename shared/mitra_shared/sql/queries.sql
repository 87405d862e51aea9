-- name: outbox_insert
INSERT INTO outbox (id, event_type, routing_key, headers, body)
VALUES ($1, $2, $3, $4, $5);

-- name: outbox_wake
-- Delivered to listeners only when the surrounding transaction commits: a rolled-back change wakes nobody.
SELECT pg_notify($1, '');

-- name: outbox_claim
-- SKIP LOCKED lets several relay replicas work side by side, each on rows the others have not claimed.
SELECT seq, id, event_type, routing_key, headers, body, attempts
FROM outbox
WHERE published_at IS NULL AND next_attempt_at <= now()
ORDER BY seq
LIMIT $1
FOR UPDATE SKIP LOCKED;

-- name: outbox_mark_published
UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
WHERE seq = ANY($1::bigint[]);

-- name: outbox_mark_failed
UPDATE outbox
SET attempts = attempts + 1,
    last_error = $2,
    next_attempt_at = now() + make_interval(secs => $3)
WHERE seq = $1;

-- name: outbox_seconds_until_due
SELECT extract(epoch FROM (min(next_attempt_at) - now()))::float8 FROM outbox WHERE published_at IS NULL;

-- name: outbox_pending_count
SELECT count(*) FROM outbox WHERE published_at IS NULL;

-- name: outbox_delete_published
DELETE FROM outbox
WHERE seq IN (
    SELECT seq FROM outbox
    WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => $1)
    LIMIT $2
);

-- name: inbox_record
-- Blocks while another transaction holds the same id; returns nothing if the event was applied before.
INSERT INTO inbox (event_id, event_type) VALUES ($1, $2)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id;
