-- Registry's facts agreements needs to guard MSPs, learned from events so that agreements works while registry
-- is down. Particulars and status of an NGO arrive in different events, possibly out of order: each half keeps
-- the time of the event it reflects, and an older event never overwrites a newer one.
ALTER TABLE known_organizations ALTER COLUMN country_of_origin DROP NOT NULL;
ALTER TABLE known_organizations ADD COLUMN status_as_of timestamptz;
UPDATE known_organizations SET status_as_of = as_of;
ALTER TABLE known_organizations ALTER COLUMN status_as_of SET NOT NULL;

CREATE TABLE known_permits (
    permit_id       uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    permit_type     text NOT NULL,
    number          text NOT NULL,
    issued_on       date NOT NULL,
    valid_until     date NOT NULL,
    expired         boolean NOT NULL DEFAULT false,
    as_of           timestamptz NOT NULL,
    learned_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_permits_organization ON known_permits (organization_id, permit_type);

CREATE TABLE known_partners (
    partner_id   uuid PRIMARY KEY,
    partner_kind text NOT NULL,
    name         text NOT NULL,
    code         text NOT NULL,
    parent_code  text,
    active       boolean NOT NULL DEFAULT true,
    version      integer NOT NULL,
    learned_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_partners_code ON known_partners (code);

-- MSPs (Memorandum Saling Pengertian). The parties' names are copied in at drafting so that every event about
-- the MSP can carry them without a lookup.
CREATE TABLE msps (
    id                   uuid PRIMARY KEY,
    organization_id      uuid NOT NULL,
    organization_name    text NOT NULL,
    ministry_partner_id  uuid NOT NULL,
    ministry_name        text NOT NULL,
    ministry_code        text NOT NULL,
    number               text,
    title                text NOT NULL,
    focus_areas          text[] NOT NULL DEFAULT '{}',
    forms_of_cooperation text[] NOT NULL DEFAULT '{}',
    work_locations       jsonb NOT NULL DEFAULT '[]',
    starts_on            date NOT NULL,
    ends_on              date NOT NULL,
    status               text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'signed',
                                                         'active', 'extended', 'ended', 'terminated')),
    obligation_rules     jsonb NOT NULL,
    signatories          jsonb NOT NULL DEFAULT '[]',
    signed_document_ref  text,
    signed_on            date,
    principle_permit_id  uuid,
    decision_note        text,
    terminated_on        date,
    termination_reason   text,
    -- the deadline engine's next look at this MSP (activation, expiry warnings, end); NULL: nothing to do
    next_check_on        date,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CHECK (ends_on > starts_on)
);
CREATE UNIQUE INDEX msps_number ON msps (number) WHERE number IS NOT NULL;
CREATE INDEX msps_organization ON msps (organization_id);
CREATE INDEX msps_next_check ON msps (next_check_on) WHERE next_check_on IS NOT NULL;

CREATE TABLE obligations (
    id            uuid PRIMARY KEY,
    msp_id        uuid NOT NULL REFERENCES msps (id),
    kind          text NOT NULL CHECK (kind IN ('action_plan', 'work_plan', 'semester_report', 'annual_report',
                                                'extension_decision')),
    period        text NOT NULL,
    region_code   text,
    province_code text,
    due_on        date NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitted', 'accepted', 'returned',
                                                                    'overdue', 'closed')),
    -- the deadline engine's next look (a reminder's date, or the day after the due date); NULL: nothing to do.
    -- The engine reads only rows with a date up to today, through the partial index: its work grows with what
    -- falls due, not with the number of MSPs or obligations.
    next_check_on date,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX obligations_unique ON obligations (msp_id, kind, period, coalesce(region_code, ''));
CREATE INDEX obligations_next_check ON obligations (next_check_on) WHERE next_check_on IS NOT NULL;
CREATE INDEX obligations_msp ON obligations (msp_id, due_on);

-- Every deadline notice sent, once per subject (obligation or MSP) and notice ("due:30", "overdue",
-- "expiring:90:2029-06-30", "ended"); written in the same transaction as the event's outbox row, so that two
-- engine replicas, or one restarted, never send the same notice twice.
CREATE TABLE deadline_notices (
    subject_id uuid NOT NULL,
    notice     text NOT NULL,
    sent_on    date NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject_id, notice)
);

CREATE TABLE submissions (
    id              uuid PRIMARY KEY,
    obligation_id   uuid NOT NULL REFERENCES obligations (id),
    attempt         integer NOT NULL,
    summary         text NOT NULL,
    document_ref    text,
    funding         jsonb NOT NULL DEFAULT '[]',
    status          text NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned')),
    late            boolean NOT NULL,
    submitted_by    text NOT NULL,
    submitted_at    timestamptz NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    comments        text,
    UNIQUE (obligation_id, attempt)
);

CREATE TABLE visits (
    id             uuid PRIMARY KEY,
    msp_id         uuid NOT NULL REFERENCES msps (id),
    visitors       jsonb NOT NULL,
    purpose        text NOT NULL,
    arrives_on     date NOT NULL,
    departs_on     date NOT NULL,
    region_codes   text[] NOT NULL,
    province_codes text[] NOT NULL,
    programme      text,
    announced_on   date NOT NULL,
    late           boolean NOT NULL,
    status         text NOT NULL CHECK (status IN ('announced', 'cancelled')),
    cancel_reason  text,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CHECK (departs_on >= arrives_on)
);
CREATE INDEX visits_msp ON visits (msp_id, arrives_on);

CREATE TABLE recommendations (
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('visa', 'tax_exemption')),
    msp_id             uuid NOT NULL REFERENCES msps (id),
    expert_name        text,
    expert_nationality text,
    purpose            text NOT NULL,
    status             text NOT NULL CHECK (status IN ('requested', 'issued')),
    granted            boolean,
    reference_number   text UNIQUE,
    note               text,
    requested_by       text NOT NULL,
    requested_at       timestamptz NOT NULL,
    issued_by          text,
    issued_at          timestamptz
);
CREATE INDEX recommendations_msp ON recommendations (msp_id);
