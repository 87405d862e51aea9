-- The bare pipeline's consumers (bench/bare.py), one row each per event besides the inbox row: what agreements
-- learns of an NGO, the delivery notifications records before it mails, and reporting's log (`seq` for the
-- benchmark's poller, as reporting's own event_log).
CREATE TABLE bare_known_organizations (
    id         uuid PRIMARY KEY,
    legal_name text NOT NULL,
    learned_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bare_deliveries (
    id         bigserial PRIMARY KEY,
    event_id   uuid NOT NULL,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_log (
    seq        bigserial PRIMARY KEY,
    event_id   uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    subject    text NOT NULL,
    data       jsonb NOT NULL
);
