-- Who can be notified. Later issues fill this from registry's partner events as well; for now offices are
-- added over the API (TPOA's secretariat, a ministry's desk, a regional government's Kesbangpol).
CREATE TABLE recipients (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('tpoa', 'ministry', 'province', 'regency', 'ngo')),
    email      text,
    language   text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipients_role ON recipients (role) WHERE active;

-- One row per (event, recipient, channel): the unique key is what makes a redelivered event notify nobody twice.
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    recipient_id    uuid NOT NULL REFERENCES recipients (id),
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook', 'inbox')),
    address         text NOT NULL,
    language        text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (event_id, recipient_id, channel)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_recipient ON notifications (recipient_id, created_at DESC);

-- Every delivery attempt and how it went: the delivery log.
CREATE TABLE delivery_attempts (
    id              bigserial PRIMARY KEY,
    notification_id uuid NOT NULL REFERENCES notifications (id),
    attempted_at    timestamptz NOT NULL DEFAULT now(),
    succeeded       boolean NOT NULL,
    error           text
);
CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, attempted_at);
