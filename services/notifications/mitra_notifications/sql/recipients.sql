-- name: insert_recipient
-- An office added over the API.
-- A ministry's desk carries the ministry's code where registry's contacts carry theirs (`partner_code`).
INSERT INTO recipients (id, name, role, email, language, webhook_url, webhook_secret, region_code, parent_region_code,
                        organization_id, partner_code, account_subject, created_at)
VALUES (:id, :name, :role, :email, :language, :webhook_url, :webhook_secret, :region_code, :parent_region_code,
        :organization_id, :ministry_code, :account_subject, :now)
RETURNING *;

-- name: list_recipients
-- Every recipient, or those of one role, oldest first; for a scoped caller (`scoped`) only those it owns (the rule
-- of domain/access.py: a linked recipient is its account's alone, another the scope's).
SELECT * FROM recipients
WHERE (:role::text IS NULL OR role = :role)
  AND (NOT :scoped::boolean
       OR (role = ANY(:kinds::text[])
           AND CASE WHEN account_subject IS NOT NULL THEN account_subject = :subject::text
                    ELSE (role = 'tpoa'
                          OR (role = 'ministry' AND partner_code = :ministry_code::text)
                          OR (role IN ('province', 'regency') AND region_code = :region_code::text)
                          OR (role = 'ngo' AND organization_id = :organization_id::uuid))
               END))
ORDER BY created_at, id;

-- name: get_recipient
-- One recipient.
SELECT * FROM recipients WHERE id = :recipient_id;

-- name: lock_recipient
-- One recipient, locked for the change made to it (its values before the change go into the audit trail).
SELECT * FROM recipients WHERE id = :recipient_id FOR UPDATE;

-- name: deactivate_recipient
-- Stop notifying a recipient; its notifications and delivery log stay.
UPDATE recipients SET active = false WHERE id = :recipient_id RETURNING *;

-- name: set_digest
-- Switch a recipient to (or off) the daily digest.
UPDATE recipients SET digest = :digest WHERE id = :recipient_id RETURNING *;

-- name: get_webhook_secret
-- What a recipient's webhook receiver verifies signatures with.
SELECT webhook_url, webhook_secret, webhook_disabled_at FROM recipients WHERE id = :recipient_id;

-- name: disable_webhook
-- The endpoint answered 410 Gone: later notifications skip it until the URL changes.
UPDATE recipients SET webhook_disabled_at = :now WHERE id = :recipient_id;

-- name: partner_version
-- The newest state of a registry partner this service has applied.
SELECT max(partner_version) FROM recipients WHERE partner_id = :partner_id;

-- name: upsert_partner_contact
-- One recipient per contact of a registry partner, as the partner's newest state says.
INSERT INTO recipients (id, name, role, email, language, source, partner_id, partner_version, region_code,
                        parent_region_code, webhook_url, webhook_secret, active, partner_code, created_at)
VALUES (:id, :name, :role, :email, :language, 'registry', :partner_id, :partner_version, :region_code,
        :parent_region_code, :webhook_url, :webhook_secret, :active, :partner_code, :now)
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

-- name: deactivate_partner_contacts_except
-- A partner's contacts that its newest state no longer names stop being notified.
UPDATE recipients SET active = false, partner_version = :partner_version
WHERE partner_id = :partner_id AND NOT (name = ANY(:kept_names::text[]))
  AND (partner_version IS NULL OR partner_version <= :partner_version);

-- name: upsert_account_recipient
-- The recipient of a console account, as the account's newest event says (an older event changes nothing). The
-- person's own choices (language, e-mail on or off, digest) are left as they are. Like every recipient it gets the
-- secret a webhook of its would be signed with, so that GET /recipients/{id}/webhook-secret answers for it too.
INSERT INTO recipients (id, name, role, email, language, source, account_subject, account_version, region_code,
                        parent_region_code, partner_code, organization_id, active, webhook_secret, created_at)
VALUES (:id, :name, :role, :email, 'id', 'console', :account_subject, :account_version, :region_code,
        :parent_region_code, :partner_code, :organization_id, :active, :webhook_secret, :now)
ON CONFLICT (account_subject) WHERE source = 'console' DO UPDATE
SET name = EXCLUDED.name,
    role = EXCLUDED.role,
    email = EXCLUDED.email,
    account_version = EXCLUDED.account_version,
    region_code = EXCLUDED.region_code,
    parent_region_code = EXCLUDED.parent_region_code,
    partner_code = EXCLUDED.partner_code,
    organization_id = EXCLUDED.organization_id,
    active = EXCLUDED.active
WHERE recipients.account_version IS NULL OR recipients.account_version < EXCLUDED.account_version
RETURNING id;

-- name: account_recipient
-- The recipient of the account a token names (`sub`): the one the console's events keep, else one an administrator
-- linked to it.
SELECT * FROM recipients
WHERE account_subject = :subject
ORDER BY source = 'console' DESC, active DESC, created_at DESC, id
LIMIT 1;

-- name: set_preferences
-- A person's own choices: the language of their messages, e-mail on or off, the daily digest.
UPDATE recipients SET language = :language, email_enabled = :email_enabled, digest = :digest
WHERE id = :recipient_id
RETURNING *;

-- name: upsert_organization_contact
-- The recipient of an NGO's contact address (source `registry`, role `ngo`, no partner), as the NGO's newest record
-- version says (an older one changes nothing). It becomes active again only when the address changed or had been
-- removed (`contact_removed`): a recipient an administrator stopped stays stopped through the NGO's other updates.
INSERT INTO recipients (id, name, role, email, language, source, organization_id, organization_version,
                        webhook_secret, active, created_at)
VALUES (:id, :name, 'ngo', :email, :language, 'registry', :organization_id, :version, :webhook_secret, true, :now)
ON CONFLICT (organization_id) WHERE source = 'registry' AND partner_id IS NULL AND organization_id IS NOT NULL
DO UPDATE
SET name = EXCLUDED.name,
    email = EXCLUDED.email,
    language = EXCLUDED.language,
    organization_version = EXCLUDED.organization_version,
    active = recipients.active OR recipients.contact_removed
             OR lower(recipients.email) IS DISTINCT FROM lower(EXCLUDED.email),
    contact_removed = false
WHERE recipients.organization_version IS NULL OR recipients.organization_version <= EXCLUDED.organization_version
RETURNING id;

-- name: remove_organization_contact
-- The NGO's contact address was removed: its recipient stays, inactive, with the last address it had, marked as
-- removed if the removal is what stopped it (an older record version changes nothing; an NGO that never had one gets
-- no recipient).
UPDATE recipients SET active = false, contact_removed = contact_removed OR active, organization_version = :version
WHERE source = 'registry' AND partner_id IS NULL AND organization_id = :organization_id
  AND (organization_version IS NULL OR organization_version <= :version)
RETURNING id;
