-- The transactional outbox: a service writes its events here in the same transaction as the change they
-- describe; the relay publishes them afterwards. `seq` gives publication order; `id` is the CloudEvents id.
CREATE TABLE outbox (
    seq             bigserial PRIMARY KEY,
    id              uuid NOT NULL UNIQUE,
    event_type      text NOT NULL,
    routing_key     text NOT NULL,
    headers         jsonb NOT NULL,
    body            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);

-- The relay only ever looks for what is still to publish; this index stays as small as that backlog.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, seq) WHERE published_at IS NULL;
-- Housekeeping deletes published rows after the retention period.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- The inbox: ids of the events this service has applied, written in the same transaction as their effect,
-- so that a redelivered event is recognised and has no second effect.
CREATE TABLE inbox (
    event_id    uuid PRIMARY KEY,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
