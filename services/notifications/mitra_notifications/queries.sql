-- name: insert_recipient
INSERT INTO recipients (id, name, role, email, language) VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: list_recipients
SELECT * FROM recipients WHERE ($1::text IS NULL OR role = $1) ORDER BY created_at, id;

-- name: get_recipient
SELECT * FROM recipients WHERE id = $1;

-- name: deactivate_recipient
UPDATE recipients SET active = false WHERE id = $1 RETURNING *;

-- name: active_email_recipients_by_role
SELECT id, name, email, language FROM recipients WHERE active AND role = $1 AND email IS NOT NULL;

-- name: insert_notification
INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject, body_text,
                           body_html)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (event_id, recipient_id, channel) DO NOTHING;

-- name: wake_delivery
SELECT pg_notify('mitra_notifications', '');

-- name: claim_due_notifications
-- SKIP LOCKED: several replicas deliver side by side, never the same notification at once.
SELECT * FROM notifications
WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY next_attempt_at
LIMIT $1
FOR UPDATE SKIP LOCKED;

-- name: seconds_until_next_due
SELECT extract(epoch FROM (min(next_attempt_at) - now()))::float8 FROM notifications WHERE status = 'pending';

-- name: mark_delivered
UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL
WHERE id = $1
RETURNING attempts, delivered_at;

-- name: mark_retry
UPDATE notifications
SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
WHERE id = $1;

-- name: mark_failed
UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = $2
WHERE id = $1
RETURNING attempts, now() AS failed_at;

-- name: record_attempt
INSERT INTO delivery_attempts (notification_id, succeeded, error) VALUES ($1, $2, $3);

-- name: list_notifications
SELECT n.id, n.event_id, n.event_type, n.recipient_id, n.channel, n.address, n.language, n.subject, n.status,
       n.attempts, n.last_error, n.created_at, n.delivered_at, count(*) OVER () AS total
FROM notifications n
WHERE ($1::uuid IS NULL OR n.event_id = $1)
  AND ($2::uuid IS NULL OR n.recipient_id = $2)
  AND ($3::text IS NULL OR n.status = $3)
ORDER BY n.created_at DESC, n.id
LIMIT $4 OFFSET $5;

-- name: list_attempts
SELECT notification_id, attempted_at, succeeded, error FROM delivery_attempts
WHERE notification_id = ANY($1::uuid[])
ORDER BY attempted_at;
