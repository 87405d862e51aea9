-- name: recipients_with_held_mail
-- The recipients due a digest today; SKIP LOCKED lets replicas share them, the digests key makes it once a day.
SELECT r.id, r.email, r.language FROM recipients r
WHERE r.digest AND r.email IS NOT NULL AND r.email_enabled
  AND EXISTS (SELECT 1 FROM notifications n WHERE n.recipient_id = r.id AND n.status = 'held')
  AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.recipient_id = r.id AND d.digest_date = :digest_date)
LIMIT :limit
FOR UPDATE OF r SKIP LOCKED;

-- name: held_mail
-- A recipient's held e-mails, oldest first.
SELECT id, subject, body_text, created_at FROM notifications
WHERE recipient_id = :recipient_id AND status = 'held' AND channel = 'email'
ORDER BY created_at, id;

-- name: record_digest
-- The recipient's digest of the day; nothing if another replica sent it already.
INSERT INTO digests (id, recipient_id, digest_date, items, sent_at) VALUES (:id, :recipient_id, :digest_date, :items, :now)
ON CONFLICT (recipient_id, digest_date) DO NOTHING
RETURNING id;

-- name: mark_digested
-- The held e-mails went out in the digest.
UPDATE notifications SET status = 'delivered', delivered_at = :now, attempts = attempts + 1
WHERE id = ANY(:notification_ids::uuid[])
RETURNING id, event_id, event_type, recipient_id, attempts, delivered_at;

-- name: skip_held_mail
-- With the mail disabled (MITRA_MAIL_DISABLED=true) no digest goes out: held e-mails are recorded as skipped, with
-- the reason, a batch at a time; SKIP LOCKED lets replicas share them.
UPDATE notifications SET status = 'skipped', attempts = attempts + 1, last_error = :reason
WHERE id IN (SELECT id FROM notifications WHERE status = 'held' AND channel = 'email' ORDER BY created_at
             LIMIT :limit FOR UPDATE SKIP LOCKED)
RETURNING id;
