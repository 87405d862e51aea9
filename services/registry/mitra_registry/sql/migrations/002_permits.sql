-- Permits: the principle permit (izin prinsip, given by the Foreign Minister after TPOA review, at most 3 years)
-- and operating permits (izin operasional, resting on an MSP, never valid past the principle permit).
CREATE TABLE permits (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organizations (id),
    permit_type         text NOT NULL CHECK (permit_type IN ('principle', 'operating')),
    number              text NOT NULL,
    issued_on           date NOT NULL,
    valid_until         date NOT NULL,
    principle_permit_id uuid REFERENCES permits (id),
    msp_id              uuid,
    status              text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'expired', 'revoked')),
    version             integer NOT NULL DEFAULT 1,
    granted_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (valid_until >= issued_on),
    CHECK ((permit_type = 'operating') = (principle_permit_id IS NOT NULL)),
    UNIQUE (permit_type, number)
);
CREATE INDEX permits_organization ON permits (organization_id, permit_type);
-- Expiry reminders and the "permit expiring before" filter look only at valid permits by end date.
CREATE INDEX permits_valid_until ON permits (valid_until) WHERE status = 'valid';
