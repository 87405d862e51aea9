-- The rest of a registration's work in the bare pipeline (issue 16): the TPOA members' review registry opens, the
-- recipients notifications looks up for its request, and reporting's hash-chained audit log.
CREATE TABLE bare_reviews (
    organization_id uuid PRIMARY KEY,
    members         text[] NOT NULL,
    answer_by       date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bare_recipients (
    ministry_code text NOT NULL,
    address       text NOT NULL
);
CREATE INDEX bare_recipients_ministry ON bare_recipients (ministry_code);

CREATE TABLE bare_audit_log (
    seq           bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE,
    entry         jsonb NOT NULL,
    previous_hash text NOT NULL,
    hash          text NOT NULL
);
