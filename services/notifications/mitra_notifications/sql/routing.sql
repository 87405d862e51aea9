-- name: candidates_for
-- In one round trip, whom an event's routing rules and the subscriptions name. `:lookups` holds, for each audience
-- the event can reach, the recipients it stands for (`domain.routing.audience_lookup`): a role as such, the Mitra
-- Utama by its registry id or code, the Mitra Utama of an NGO's signed MSPs, ministries by code (the TPOA members a
-- review asks), regional governments, an NGO's own contacts. Each active rule of the event comes with one row per
-- active recipient of its audience (a lateral branch per kind, each on its index); then each recipient subscribed to
-- the event for its NGO (or all NGOs) and one of the regions it concerns (or all regions). An NGO's contact address
-- in the register is left out while a person's account of the NGO has the same address and mails it (an account that
-- switched e-mail off leaves the contact address to be mailed). (A recipient who switched e-mail off has no address
-- to mail: it keeps its inbox and webhook.)
WITH lookup AS (
    SELECT * FROM jsonb_to_recordset(:lookups::jsonb)
        AS l (audience text, kind text, partner_id uuid, code text, organization_id uuid, codes text[])
)
SELECT 'rule' AS origin, g.audience, g.channels, r.id, r.name, CASE WHEN r.email_enabled THEN r.email END AS email,
       r.language, r.webhook_url, r.webhook_disabled_at, r.digest
FROM routing_rules g
JOIN lookup l ON l.audience = g.audience
CROSS JOIN LATERAL (
    SELECT r.* FROM recipients r
    WHERE l.kind = 'role' AND r.active AND r.role = l.code
    UNION ALL
    SELECT r.* FROM recipients r
    WHERE l.kind = 'ministry' AND r.active AND r.role = 'ministry'
      AND (r.partner_id = l.partner_id OR r.partner_code = l.code)
    UNION ALL
    SELECT r.* FROM recipients r
    WHERE l.kind = 'ministry_codes' AND r.active AND r.role = 'ministry' AND r.partner_code = ANY(l.codes)
    UNION ALL
    SELECT r.* FROM recipients r
    WHERE l.kind = 'regions' AND r.active AND r.role IN ('province', 'regency') AND r.region_code = ANY(l.codes)
    UNION ALL
    SELECT r.* FROM recipients r
    WHERE l.kind = 'organization_ministries' AND r.active AND r.role = 'ministry'
      AND EXISTS (SELECT 1 FROM msp_facts m WHERE m.organization_id = l.organization_id
                  AND (m.ministry_partner_id = r.partner_id OR m.ministry_code = r.partner_code))
    UNION ALL
    SELECT r.* FROM recipients r
    WHERE l.kind = 'organization' AND r.active AND r.role = 'ngo' AND r.organization_id = l.organization_id
      AND NOT (r.source = 'registry' AND r.partner_id IS NULL
               AND EXISTS (SELECT 1 FROM recipients a
                           WHERE a.source = 'console' AND a.active AND a.email_enabled AND a.role = 'ngo'
                             AND a.organization_id = r.organization_id AND lower(a.email) = lower(r.email)))
) r
WHERE g.routing_key = :routing_key AND g.active
UNION ALL
SELECT 'subscription', NULL, s.channels, r.id, r.name, CASE WHEN r.email_enabled THEN r.email END, r.language,
       r.webhook_url, r.webhook_disabled_at, r.digest
FROM subscriptions s JOIN recipients r ON r.id = s.recipient_id
WHERE r.active
  AND :routing_key = ANY(s.routing_keys)
  AND (s.organization_ids IS NULL OR :organization_id::uuid = ANY(s.organization_ids))
  AND (s.region_codes IS NULL OR s.region_codes && :region_codes::text[]);

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
