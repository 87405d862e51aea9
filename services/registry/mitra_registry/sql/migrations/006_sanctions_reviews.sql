-- Issue 14: sanctions on NGOs, TPOA's member ministries' review of applications, and an NGO's contact language.

-- The language an NGO's contact (contact_email) is written to.
ALTER TABLE organizations
    ADD COLUMN contact_language text NOT NULL DEFAULT 'en' CHECK (contact_language IN ('id', 'en'));

-- Sanctions imposed by TPOA: a warning, a freeze (the NGO suspended while it lasts) or a revocation (final).
-- `previous_status` is the NGO's status before a freeze, to which lifting it returns the NGO.
-- `ends_on` is the last day a warning or freeze is in effect; the day after it, it expires by itself.
CREATE TABLE sanctions (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    kind            text NOT NULL CHECK (kind IN ('warning', 'freeze', 'revocation')),
    category        text NOT NULL CHECK (category IN ('political_activity', 'proselytising', 'commercial_activity',
                                                       'fundraising', 'reporting_failure', 'other')),
    reason          text NOT NULL,
    starts_on       date NOT NULL,
    ends_on         date,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lifted', 'expired')),
    previous_status text,
    imposed_by      text NOT NULL,
    imposed_at      timestamptz NOT NULL,
    lifted_by       text,
    lifted_at       timestamptz,
    lift_reason     text,
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK (kind <> 'revocation' OR (ends_on IS NULL AND status = 'active'))
);
CREATE INDEX sanctions_by_organization ON sanctions (organization_id, imposed_at DESC, id);
-- The expiry worker looks only at active sanctions with an end date.
CREATE INDEX sanctions_ending ON sanctions (ends_on) WHERE status = 'active' AND ends_on IS NOT NULL;
-- At most one active freeze per NGO.
CREATE UNIQUE INDEX sanctions_one_active_freeze ON sanctions (organization_id) WHERE kind = 'freeze' AND status = 'active';

-- A revoked permit: when, why, and by which sanction.
ALTER TABLE permits
    ADD COLUMN revoked_on date,
    ADD COLUMN revoked_reason text,
    ADD COLUMN revoked_by_sanction_id uuid REFERENCES sanctions (id);

-- The review of an NGO's application by TPOA's member ministries, opened when it enters the register as an
-- applicant (none when no members are configured). `members` is the list asked, as it was then.
CREATE TABLE application_reviews (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id),
    members         text[] NOT NULL,
    answer_by       date NOT NULL,
    requested_by    text NOT NULL,
    requested_at    timestamptz NOT NULL
);

-- Each member's answer: cleared or objected, once.
CREATE TABLE application_review_answers (
    organization_id uuid NOT NULL REFERENCES application_reviews (organization_id),
    member_code     text NOT NULL,
    verdict         text NOT NULL CHECK (verdict IN ('cleared', 'objected')),
    note            text,
    answered_by     text NOT NULL,
    answered_at     timestamptz NOT NULL,
    PRIMARY KEY (organization_id, member_code)
);

-- A foreign expert's assignments with every NGO, for their 5 years in all.
CREATE INDEX foreign_staff_assignments_by_passport ON foreign_staff_assignments (passport_number);
