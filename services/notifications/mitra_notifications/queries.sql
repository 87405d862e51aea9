-- name: insert_recipient
INSERT INTO recipients (id, name, role, email, language, webhook_url, webhook_secret, region_code, parent_region_code,
                        organization_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: list_recipients
SELECT * FROM recipients WHERE ($1::text IS NULL OR role = $1) ORDER BY created_at, id;

-- name: get_recipient
SELECT * FROM recipients WHERE id = $1;

-- name: deactivate_recipient
UPDATE recipients SET active = false WHERE id = $1 RETURNING *;

-- name: wake_delivery
SELECT pg_notify('mitra_notifications', '');

-- name: claim_due_notifications
-- SKIP LOCKED: several replicas deliver side by side, never the same notification at once.
SELECT n.*, r.webhook_secret FROM notifications n JOIN recipients r ON r.id = n.recipient_id
WHERE n.status = 'pending' AND n.next_attempt_at <= now()
ORDER BY n.next_attempt_at
LIMIT $1
FOR UPDATE OF n SKIP LOCKED;

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
WHERE ($1::uuid IS NULL OR n.id = $1)
  AND ($2::uuid IS NULL OR n.event_id = $2)
  AND ($3::uuid IS NULL OR n.recipient_id = $3)
  AND ($4::text IS NULL OR n.status = $4)
ORDER BY n.created_at DESC, n.id
LIMIT $5 OFFSET $6;

-- name: list_attempts
SELECT notification_id, attempted_at, succeeded, error FROM delivery_attempts
WHERE notification_id = ANY($1::uuid[])
ORDER BY attempted_at;

-- name: active_rules_for
SELECT audience, channels FROM routing_rules WHERE routing_key = $1 AND active;

-- name: recipients_by_role
SELECT id, name, email, language, webhook_url, webhook_disabled_at, digest FROM recipients WHERE active AND role = $1;

-- name: recipients_of_ministry
SELECT id, name, email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role = 'ministry' AND (partner_id = $1 OR partner_code = $2);

-- name: recipients_of_regions
SELECT id, name, email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role IN ('province', 'regency') AND region_code = ANY($1::text[]);

-- name: recipients_of_organization
SELECT id, name, email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role = 'ngo' AND organization_id = $1;

-- name: insert_inbox_notification
-- The in-app inbox is a channel that needs no sending: the notification is delivered when it is stored.
INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject, body_text,
                           body_html, payload, status, delivered_at)
VALUES ($1, $2, $3, $4, 'inbox', 'inbox', $5, $6, $7, $8, $9, 'delivered', now())
ON CONFLICT (event_id, recipient_id, channel) DO NOTHING;

-- name: insert_outgoing_notification
INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject, body_text,
                           body_html, payload, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (event_id, recipient_id, channel) DO NOTHING
RETURNING id;

-- name: upsert_partner_contact
INSERT INTO recipients (id, name, role, email, language, source, partner_id, partner_version, region_code,
                        parent_region_code, webhook_url, webhook_secret, active, partner_code)
VALUES ($1, $2, $3, $4, $5, 'registry', $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (partner_id, name) WHERE partner_id IS NOT NULL DO UPDATE
SET role = EXCLUDED.role,
    email = EXCLUDED.email,
    language = EXCLUDED.language,
    partner_version = EXCLUDED.partner_version,
    region_code = EXCLUDED.region_code,
    parent_region_code = EXCLUDED.parent_region_code,
    partner_code = EXCLUDED.partner_code,
    -- a changed URL is a new endpoint: it gets another chance even if the old one answered 410
    webhook_disabled_at = CASE WHEN recipients.webhook_url IS DISTINCT FROM EXCLUDED.webhook_url
                               THEN NULL ELSE recipients.webhook_disabled_at END,
    webhook_url = EXCLUDED.webhook_url,
    active = EXCLUDED.active
WHERE recipients.partner_version IS NULL OR recipients.partner_version <= EXCLUDED.partner_version;

-- name: partner_version
SELECT max(partner_version) FROM recipients WHERE partner_id = $1;

-- name: deactivate_partner_contacts_except
UPDATE recipients SET active = false, partner_version = $3
WHERE partner_id = $1 AND NOT (name = ANY($2::text[])) AND (partner_version IS NULL OR partner_version <= $3);

-- name: disable_webhook
UPDATE recipients SET webhook_disabled_at = now() WHERE id = $1;

-- name: get_webhook_secret
SELECT webhook_url, webhook_secret, webhook_disabled_at FROM recipients WHERE id = $1;

-- name: list_rules
SELECT * FROM routing_rules ORDER BY routing_key, audience;

-- name: upsert_rule
INSERT INTO routing_rules (id, routing_key, audience, channels, active) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (routing_key, audience) DO UPDATE
SET channels = EXCLUDED.channels, active = EXCLUDED.active, updated_at = now()
RETURNING *;

-- name: delete_rule
DELETE FROM routing_rules WHERE id = $1 RETURNING id;

-- name: inbox
SELECT id, event_id, event_type, subject, body_text, created_at, read_at, count(*) OVER () AS total
FROM notifications
WHERE recipient_id = $1 AND channel = 'inbox' AND ($2::boolean IS NULL OR (read_at IS NULL) = $2)
ORDER BY created_at DESC, id
LIMIT $3 OFFSET $4;

-- name: inbox_unread_count
SELECT count(*) FROM notifications WHERE recipient_id = $1 AND channel = 'inbox' AND read_at IS NULL;

-- name: mark_read
UPDATE notifications SET read_at = coalesce(read_at, now())
WHERE id = $1 AND recipient_id = $2 AND channel = 'inbox'
RETURNING id, read_at;

-- name: resend
-- A new attempt at once, with a fresh retry period; the notification stays the same one (same id, same key).
UPDATE notifications
SET status = 'pending', next_attempt_at = now(), created_at = now(), last_error = NULL
WHERE id = $1 AND channel <> 'inbox'
RETURNING id;

-- name: matching_subscriptions
-- $2: the event's NGO (or NULL), $3: the region codes it concerns (a regency's province included).
SELECT s.channels, r.id, r.name, r.email, r.language, r.webhook_url, r.webhook_disabled_at, r.digest
FROM subscriptions s JOIN recipients r ON r.id = s.recipient_id
WHERE r.active
  AND $1 = ANY(s.routing_keys)
  AND (s.organization_ids IS NULL OR $2::uuid = ANY(s.organization_ids))
  AND (s.region_codes IS NULL OR s.region_codes && $3::text[]);

-- name: insert_subscription
INSERT INTO subscriptions (id, recipient_id, routing_keys, organization_ids, region_codes, channels)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: list_subscriptions
SELECT * FROM subscriptions WHERE recipient_id = $1 ORDER BY created_at, id;

-- name: delete_subscription
DELETE FROM subscriptions WHERE id = $1 AND recipient_id = $2 RETURNING id;

-- name: set_digest
UPDATE recipients SET digest = $2 WHERE id = $1 RETURNING *;

-- name: recipients_with_held_mail
-- The recipients due a digest today; SKIP LOCKED lets replicas share them, the digests key makes it once a day.
SELECT r.id, r.email, r.language FROM recipients r
WHERE r.digest AND r.email IS NOT NULL
  AND EXISTS (SELECT 1 FROM notifications n WHERE n.recipient_id = r.id AND n.status = 'held')
  AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.recipient_id = r.id AND d.digest_date = $1)
LIMIT $2
FOR UPDATE OF r SKIP LOCKED;

-- name: held_mail
SELECT id, subject, body_text, created_at FROM notifications
WHERE recipient_id = $1 AND status = 'held' AND channel = 'email'
ORDER BY created_at, id;

-- name: record_digest
INSERT INTO digests (id, recipient_id, digest_date, items) VALUES ($1, $2, $3, $4)
ON CONFLICT (recipient_id, digest_date) DO NOTHING
RETURNING id;

-- name: mark_digested
UPDATE notifications SET status = 'delivered', delivered_at = now(), attempts = attempts + 1
WHERE id = ANY($1::uuid[]);

-- name: digested
SELECT id, event_id, event_type, recipient_id, attempts, delivered_at FROM notifications WHERE id = ANY($1::uuid[]);

-- name: remember_msp
INSERT INTO msp_facts (msp_id, number, organization_id, organization_name, ministry_partner_id, ministry_code,
                       ministry_name, region_codes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (msp_id) DO UPDATE
SET number = EXCLUDED.number, organization_name = EXCLUDED.organization_name,
    ministry_partner_id = EXCLUDED.ministry_partner_id, ministry_code = EXCLUDED.ministry_code,
    ministry_name = EXCLUDED.ministry_name, region_codes = EXCLUDED.region_codes;

-- name: msp_regions
SELECT region_codes FROM msp_facts WHERE msp_id = $1;

-- name: recipients_of_organization_ministries
-- The Mitra Utama of an NGO's signed MSPs, for events that name the NGO but no ministry (a permit expiring).
SELECT r.id, r.name, r.email, r.language, r.webhook_url, r.webhook_disabled_at, r.digest FROM recipients r
WHERE r.active AND r.role = 'ministry'
  AND EXISTS (SELECT 1 FROM msp_facts m WHERE m.organization_id = $1
              AND (m.ministry_partner_id = r.partner_id OR m.ministry_code = r.partner_code));
