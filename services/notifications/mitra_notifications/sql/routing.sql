-- name: candidates_for
-- In one round trip, whom an event's routing rules and the subscriptions name: each active rule (an audience that is
-- a role as such, `:role_audiences` to `:roles`, comes with its recipients; any other is looked up from the event's
-- facts below), and each recipient subscribed to the event for its NGO (or all NGOs) and one of the regions it
-- concerns (or all regions). (A recipient who switched e-mail off has no address to mail: it keeps its inbox and
-- webhook.)
SELECT 'rule' AS origin, g.audience, g.channels, r.id, r.name, CASE WHEN r.email_enabled THEN r.email END AS email,
       r.language, r.webhook_url, r.webhook_disabled_at, r.digest
FROM routing_rules g
LEFT JOIN unnest(:role_audiences::text[], :roles::text[]) AS a (audience, role) ON a.audience = g.audience
LEFT JOIN recipients r ON r.active AND r.role = a.role
WHERE g.routing_key = :routing_key AND g.active
UNION ALL
SELECT 'subscription', NULL, s.channels, r.id, r.name, CASE WHEN r.email_enabled THEN r.email END, r.language,
       r.webhook_url, r.webhook_disabled_at, r.digest
FROM subscriptions s JOIN recipients r ON r.id = s.recipient_id
WHERE r.active
  AND :routing_key = ANY(s.routing_keys)
  AND (s.organization_ids IS NULL OR :organization_id::uuid = ANY(s.organization_ids))
  AND (s.region_codes IS NULL OR s.region_codes && :region_codes::text[]);

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

-- name: insert_notifications
-- An event's notifications in one statement, once per event, recipient and channel: an in-app inbox entry needs no
-- sending, so it is delivered when it is stored; an e-mail or a webhook is to deliver (or, for a digest recipient,
-- to hold). How many were new, and the delivery workers woken (when the transaction commits) if any was.
WITH created AS (
    INSERT INTO notifications (id, event_id, event_type, recipient_id, channel, address, language, subject,
                               body_text, body_html, payload, status, created_at, next_attempt_at, delivered_at)
    SELECT n.id, :event_id::uuid, :event_type::text, n.recipient_id, n.channel, n.address, n.language, n.subject,
           n.body_text, n.body_html, :payload::jsonb, n.status, :now::timestamptz, :now::timestamptz,
           CASE WHEN n.channel = 'inbox' THEN :now::timestamptz END
    FROM unnest(:ids::uuid[], :recipient_ids::uuid[], :channels::text[], :addresses::text[], :languages::text[],
                :subjects::text[], :bodies_text::text[], :bodies_html::text[], :statuses::text[])
         AS n (id, recipient_id, channel, address, language, subject, body_text, body_html, status)
    ON CONFLICT (event_id, recipient_id, channel) DO NOTHING
    RETURNING 1
), counted AS (SELECT count(*) AS created FROM created)
SELECT created, CASE WHEN created > 0 THEN pg_notify('mitra_notifications', '')::text END AS woken FROM counted;

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
