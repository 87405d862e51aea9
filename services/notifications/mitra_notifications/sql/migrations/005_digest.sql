-- A recipient can ask for one e-mail a day instead of one per event: its e-mails are then held, and the digest
-- worker sends them together once a day.
ALTER TABLE recipients ADD COLUMN digest boolean NOT NULL DEFAULT false;

ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'held', 'delivered', 'failed'));
CREATE INDEX notifications_held ON notifications (recipient_id) WHERE status = 'held';

-- One digest per recipient and day (Asia/Jakarta), whatever the number of replicas: the key is the guarantee.
CREATE TABLE digests (
    id           uuid PRIMARY KEY,
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    digest_date  date NOT NULL,
    items        integer NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (recipient_id, digest_date)
);
