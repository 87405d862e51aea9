-- name: wake_delivery
-- Wakes the delivery workers when the transaction commits.
SELECT pg_notify('mitra_notifications', '');

-- name: lease_due_notifications
-- A batch of due notifications, leased to this pass until :leased_until and committed at once, so that they are sent
-- with no transaction open: a database that drops the session mid-batch cannot undo a claim whose mails the server
-- already took. SKIP LOCKED: replicas lease different rows; a lease left by a replica that died runs out.
WITH due AS (
    SELECT id FROM notifications
    WHERE status = 'pending' AND next_attempt_at <= :now
    ORDER BY next_attempt_at
    LIMIT :batch_size
    FOR UPDATE SKIP LOCKED
)
UPDATE notifications n SET next_attempt_at = :leased_until
FROM due, recipients r
WHERE n.id = due.id AND r.id = n.recipient_id
RETURNING n.*, r.webhook_secret;

-- name: mark_accepted
-- The server (or the receiver) took this notification's attempt: recorded at once, on its own, while this pass still
-- holds the lease, so that a pass dying before it settles the batch does not get the notification sent twice.
UPDATE notifications SET accepted_at = :accepted_at
WHERE id = :notification_id AND status = 'pending' AND next_attempt_at = :leased_until;

-- name: seconds_until_next_due
-- How long the delivery worker may sleep before the next pending notification falls due.
SELECT extract(epoch FROM (min(next_attempt_at) - :now::timestamptz))::float8 FROM notifications
WHERE status = 'pending';

-- name: settle_attempts
-- The outcomes of one batch of attempts in one statement: each notification delivered, tried again after its
-- backoff, or given up (`failed`), with its attempt counted and in the delivery log; the notifications' new state,
-- and, with `:look_ahead` (a batch that was not full: the worker sleeps next), when the earliest other pending
-- notification falls due, so that the worker need not ask before it sleeps (one committed later wakes it with its
-- NOTIFY). A full batch skips that scan, which passes the index entries of every notification settled since the last
-- vacuum. Only notifications still under this pass's lease (:leased_until) are settled: run again after a commit
-- whose answer was lost, it settles nothing twice; one an operator sent again meanwhile is left to that attempt.
WITH outcome AS (
    SELECT * FROM unnest(:notification_ids::uuid[], :outcomes::text[], :errors::text[], :delays::float8[])
                  WITH ORDINALITY AS o (notification_id, outcome, error, delay_seconds, position)
), others AS (
    SELECT min(next_attempt_at) AS next_attempt_at FROM notifications
    WHERE :look_ahead::boolean AND status = 'pending' AND id <> ALL(:notification_ids::uuid[])
), settled AS (
    UPDATE notifications n
    SET status = CASE o.outcome WHEN 'retry' THEN n.status ELSE o.outcome END,
        attempts = n.attempts + 1,
        last_error = o.error,
        accepted_at = NULL,
        delivered_at = CASE WHEN o.outcome = 'delivered' THEN :now::timestamptz ELSE n.delivered_at END,
        -- Settled for good (delivered, given up, skipped): the lease ends with the attempt.
        next_attempt_at = CASE WHEN o.outcome = 'retry'
                               THEN :now::timestamptz + make_interval(secs => o.delay_seconds)
                               ELSE :now::timestamptz END
    FROM outcome o
    WHERE n.id = o.notification_id AND n.status = 'pending' AND n.next_attempt_at = :leased_until
    RETURNING n.id, n.attempts, n.delivered_at, n.next_attempt_at
), logged AS (
    INSERT INTO delivery_attempts (notification_id, attempted_at, succeeded, error)
    SELECT o.notification_id, :now::timestamptz, o.outcome = 'delivered', o.error
    FROM outcome o JOIN settled s ON s.id = o.notification_id
    ORDER BY o.position
)
SELECT settled.*, (SELECT next_attempt_at FROM others) AS others_next_attempt_at FROM settled;

-- name: list_notifications
-- A page of the delivery log, newest first, with the total of the filter.
SELECT n.id, n.event_id, n.event_type, n.recipient_id, n.channel, n.address, n.language, n.subject, n.status,
       n.attempts, n.last_error, n.created_at, n.delivered_at, count(*) OVER () AS total
FROM notifications n
WHERE (:notification_id::uuid IS NULL OR n.id = :notification_id)
  AND (:event_id::uuid IS NULL OR n.event_id = :event_id)
  AND (:recipient_id::uuid IS NULL OR n.recipient_id = :recipient_id)
  AND (:status::text IS NULL OR n.status = :status)
ORDER BY n.created_at DESC, n.id
LIMIT :limit OFFSET :offset;

-- name: list_attempts
-- The attempts of these notifications, oldest first.
SELECT notification_id, attempted_at, succeeded, error FROM delivery_attempts
WHERE notification_id = ANY(:notification_ids::uuid[])
ORDER BY attempted_at;

-- name: lock_for_resend
-- An e-mail or webhook notification as the delivery log shows it, locked to be sent again.
SELECT id, event_id, event_type, recipient_id, channel, address, language, subject, status, attempts, last_error,
       next_attempt_at, created_at, delivered_at
FROM notifications WHERE id = :notification_id AND channel <> 'inbox'
FOR UPDATE;

-- name: resend
-- A new attempt at once, with a fresh retry period; the notification stays the same one (same id, same key).
UPDATE notifications
SET status = 'pending', next_attempt_at = :now, created_at = :now, last_error = NULL, accepted_at = NULL
WHERE id = :notification_id AND channel <> 'inbox'
RETURNING id, event_id, event_type, recipient_id, channel, address, language, subject, status, attempts, last_error,
          next_attempt_at, created_at, delivered_at;
