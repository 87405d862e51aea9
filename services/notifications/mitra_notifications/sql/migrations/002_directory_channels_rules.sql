-- Recipients now also come from registry's partner events (one per contact of a ministry, TPOA or regional
-- government), and can take webhooks beside e-mail; every recipient has an in-app inbox.
ALTER TABLE recipients
    ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'registry')),
    ADD COLUMN partner_id uuid,
    ADD COLUMN partner_version integer,
    ADD COLUMN region_code text,
    ADD COLUMN parent_region_code text,
    ADD COLUMN webhook_url text,
    ADD COLUMN webhook_secret text,
    ADD COLUMN webhook_disabled_at timestamptz;
-- A partner's contacts are told apart by name: an update replaces them contact by contact.
CREATE UNIQUE INDEX recipients_partner_contact ON recipients (partner_id, name) WHERE partner_id IS NOT NULL;
CREATE INDEX recipients_region ON recipients (region_code) WHERE active;

-- The event itself travels with a webhook notification; the inbox keeps what was read.
ALTER TABLE notifications
    ADD COLUMN payload jsonb,
    ADD COLUMN read_at timestamptz;
CREATE INDEX notifications_inbox ON notifications (recipient_id, created_at DESC) WHERE channel = 'inbox';

-- Routing rules are data: which audience hears of which event, on which channels. Editable over the API.
CREATE TABLE routing_rules (
    id          uuid PRIMARY KEY,
    routing_key text NOT NULL,
    audience    text NOT NULL CHECK (audience IN ('tpoa', 'mitra_utama', 'regions_of_work', 'regions_visited',
                                                  'ngo', 'ministries', 'provinces', 'regencies')),
    channels    text[] NOT NULL CHECK (channels <@ ARRAY['email', 'webhook', 'inbox']::text[] AND cardinality(channels) > 0),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (routing_key, audience)
);

INSERT INTO routing_rules (id, routing_key, audience, channels) VALUES
    ('6f0c3c0e-0000-4000-8000-000000000001', 'registry.organization.registered', 'tpoa', '{email,webhook,inbox}');
