-- Each extension of a permit: the term it replaced and whether a principle permit's request came late
-- (less than 3 months before expiry: accepted, flagged).
CREATE TABLE permit_extensions (
    id                   uuid PRIMARY KEY,
    permit_id            uuid NOT NULL REFERENCES permits (id),
    previous_valid_until date NOT NULL,
    valid_until          date NOT NULL,
    requested_on         date NOT NULL,
    requested_late       boolean NOT NULL,
    extended_at          timestamptz NOT NULL,
    CHECK (valid_until > previous_valid_until)
);
CREATE INDEX permit_extensions_permit ON permit_extensions (permit_id, extended_at);

-- The expiry reminders sent. The key makes each reminder exactly-once across scheduler replicas and restarts:
-- it is inserted in the same transaction as its outbox event, and a second insert finds the key taken.
-- The term (valid_until) is part of the key, so an extended permit is reminded again before its new end.
CREATE TABLE permit_reminders (
    permit_id   uuid NOT NULL REFERENCES permits (id),
    valid_until date NOT NULL,
    days_before integer NOT NULL CHECK (days_before > 0),
    sent_at     timestamptz NOT NULL,
    PRIMARY KEY (permit_id, valid_until, days_before)
);
