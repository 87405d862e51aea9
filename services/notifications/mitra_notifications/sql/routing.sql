-- name: active_rules_for
-- The audiences and channels the routing rules name for an event. (In the recipient lookups below, a recipient who
-- switched e-mail off has no address to mail: it keeps its inbox and webhook.)
SELECT audience, channels FROM routing_rules WHERE routing_key = :routing_key AND active;

-- name: recipients_by_role
-- An audience that is a role as such (TPOA, the ministries, the provinces, the regencies).
SELECT id, name, CASE WHEN email_enabled THEN email END AS email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role = :role;

-- name: recipients_of_ministry
-- The Mitra Utama an event names, by its registry id or its code.
SELECT id, name, CASE WHEN email_enabled THEN email END AS email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role = 'ministry' AND (partner_id = :partner_id OR partner_code = :code);

-- name: recipients_of_regions
-- The regional governments of the regions an event concerns.
SELECT id, name, CASE WHEN email_enabled THEN email END AS email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role IN ('province', 'regency') AND region_code = ANY(:region_codes::text[]);

-- name: recipients_of_organization
-- An NGO's own contacts: its people's accounts, offices added over the API, and the contact address registry keeps
-- (source `registry`, no partner), the latter left out while a person's account of the NGO has the same address and
-- mails it (an account that switched e-mail off leaves the contact address to be mailed).
SELECT r.id, r.name, CASE WHEN r.email_enabled THEN r.email END AS email, r.language, r.webhook_url, r.webhook_disabled_at, r.digest FROM recipients r
WHERE r.active AND r.role = 'ngo' AND r.organization_id = :organization_id
  AND NOT (r.source = 'registry' AND r.partner_id IS NULL
           AND EXISTS (SELECT 1 FROM recipients a
                       WHERE a.source = 'console' AND a.active AND a.email_enabled AND a.role = 'ngo'
                         AND a.organization_id = r.organization_id AND lower(a.email) = lower(r.email)));

-- name: recipients_of_organization_ministries
-- The Mitra Utama of an NGO's signed MSPs, for events that name the NGO but no ministry (a permit expiring).
SELECT r.id, r.name, CASE WHEN r.email_enabled THEN r.email END AS email, r.language, r.webhook_url, r.webhook_disabled_at, r.digest FROM recipients r
WHERE r.active AND r.role = 'ministry'
  AND EXISTS (SELECT 1 FROM msp_facts m WHERE m.organization_id = :organization_id
              AND (m.ministry_partner_id = r.partner_id OR m.ministry_code = r.partner_code));

-- name: recipients_of_ministry_codes
-- Ministries named by code in the event: the TPOA member ministries a review asks.
SELECT id, name, CASE WHEN email_enabled THEN email END AS email, language, webhook_url, webhook_disabled_at, digest FROM recipients
WHERE active AND role = 'ministry' AND partner_code = ANY(:codes::text[]);

-- name: matching_subscriptions
-- Subscriptions to an event: for its NGO (or all NGOs) and one of the regions it concerns (or all regions).
SELECT s.channels, r.id, r.name, CASE WHEN r.email_enabled THEN r.email END AS email, r.language, r.webhook_url, r.webhook_disabled_at, r.digest
FROM subscriptions s JOIN recipients r ON r.id = s.recipient_id
WHERE r.active
  AND :routing_key = ANY(s.routing_keys)
  AND (s.organization_ids IS NULL OR :organization_id::uuid = ANY(s.organization_ids))
  AND (s.region_codes IS NULL OR s.region_codes && :region_codes::text[]);

-- name: insert_inbox_notification
-- The in-app inbox is a channel that needs no sending: the notification is delivered when it is stored.
INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject, body_text,
                           body_html, payload, status, created_at, next_attempt_at, delivered_at)
VALUES (:id, :event_id, :event_type, :recipient_id, 'inbox', 'inbox', :language, :subject, :body_text, :body_html,
        :payload, 'delivered', :now, :now, :now)
ON CONFLICT (event_id, recipient_id, channel) DO NOTHING
RETURNING id;

-- name: insert_outgoing_notification
-- An e-mail or a webhook to deliver (or, for a digest recipient, to hold); once per event, recipient and channel.
INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject, body_text,
                           body_html, payload, status, created_at, next_attempt_at)
VALUES (:id, :event_id, :event_type, :recipient_id, :channel, :address, :language, :subject, :body_text, :body_html,
        :payload, :status, :now, :now)
ON CONFLICT (event_id, recipient_id, channel) DO NOTHING
RETURNING id;

-- name: remember_msp
-- Notifications' own copy of a signed MSP, so that later events about it reach its regions and Mitra Utama.
INSERT INTO msp_facts (msp_id, number, organization_id, organization_name, ministry_partner_id, ministry_code,
                       ministry_name, region_codes)
VALUES (:msp_id, :number, :organization_id, :organization_name, :ministry_partner_id, :ministry_code,
        :ministry_name, :region_codes)
ON CONFLICT (msp_id) DO UPDATE
SET number = EXCLUDED.number, organization_name = EXCLUDED.organization_name,
    ministry_partner_id = EXCLUDED.ministry_partner_id, ministry_code = EXCLUDED.ministry_code,
    ministry_name = EXCLUDED.ministry_name, region_codes = EXCLUDED.region_codes;

-- name: msp_regions
-- The regions of work of a signed MSP, for its events that name none.
SELECT region_codes FROM msp_facts WHERE msp_id = :msp_id;

-- name: msp_parties
-- The Mitra Utama and regions of work of a signed MSP, for its events that name neither (a story).
SELECT ministry_partner_id, ministry_code, region_codes FROM msp_facts WHERE msp_id = :msp_id;

-- name: organization_regions
-- The regions of work of all of an NGO's signed MSPs, for events about the NGO (a sanction).
SELECT coalesce(array_agg(DISTINCT code ORDER BY code), '{}') FROM msp_facts, unnest(region_codes) AS code
WHERE organization_id = :organization_id;
