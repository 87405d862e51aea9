-- name: inbox
-- A page of a recipient's in-app inbox, newest first, each with the event it is about (for its link), with the
-- total of the filter.
SELECT id, event_id, event_type, subject, body_text, created_at, read_at, payload, count(*) OVER () AS total
FROM notifications
WHERE recipient_id = :recipient_id AND channel = 'inbox' AND (:unread::boolean IS NULL OR (read_at IS NULL) = :unread)
ORDER BY created_at DESC, id
LIMIT :limit OFFSET :offset;

-- name: inbox_unread_count
-- How many of a recipient's inbox notifications are unread.
SELECT count(*) FROM notifications WHERE recipient_id = :recipient_id AND channel = 'inbox' AND read_at IS NULL;

-- name: lock_inbox_item
-- One of a recipient's inbox notifications as the inbox shows it, locked to be marked read.
SELECT id, event_id, event_type, subject, body_text, created_at, read_at FROM notifications
WHERE id = :notification_id AND recipient_id = :recipient_id AND channel = 'inbox'
FOR UPDATE;

-- name: mark_read
-- Mark one inbox notification read (the first reading counts) and return it with the event it is about.
UPDATE notifications SET read_at = coalesce(read_at, :now)
WHERE id = :notification_id AND recipient_id = :recipient_id AND channel = 'inbox'
RETURNING id, event_id, event_type, subject, body_text, created_at, read_at, payload;

-- name: mark_all_read
-- Mark every unread inbox notification of a recipient read; one row per notification marked.
UPDATE notifications SET read_at = :now
WHERE recipient_id = :recipient_id AND channel = 'inbox' AND read_at IS NULL
RETURNING id;
