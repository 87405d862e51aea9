-- A recipient's own subscriptions, beside the routing rules: which events it wants, for which NGOs or regions
-- (none named: all), on which channels.
CREATE TABLE subscriptions (
    id               uuid PRIMARY KEY,
    recipient_id     uuid NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
    routing_keys     text[] NOT NULL CHECK (cardinality(routing_keys) > 0),
    organization_ids uuid[],
    region_codes     text[],
    channels         text[] NOT NULL CHECK (channels <@ ARRAY['email', 'webhook', 'inbox']::text[] AND cardinality(channels) > 0),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_routing_keys ON subscriptions USING gin (routing_keys);
CREATE INDEX subscriptions_recipient ON subscriptions (recipient_id);
