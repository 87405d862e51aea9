-- Every event reporting receives, as received, in arrival order. Append-only: projections are derived from it
-- and can be rebuilt from it at any time.
CREATE TABLE event_log (
    seq         bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    source      text NOT NULL,
    subject     text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_log_type ON event_log (event_type, seq);

-- Projection: foreign NGOs as reporting counts them.
CREATE TABLE organizations (
    organization_id   uuid PRIMARY KEY,
    legal_name        text NOT NULL,
    country_of_origin char(2) NOT NULL,
    status            text NOT NULL,
    focus_areas       text[] NOT NULL DEFAULT '{}',
    registered_at     timestamptz NOT NULL
);
CREATE INDEX organizations_status ON organizations (status);
CREATE INDEX organizations_country ON organizations (country_of_origin);
