-- Issue 14: TPOA's review as a team (of an MSP, or of an extension of one), extensions that wait for TPOA, the
-- sanctions registry imposes on NGOs as agreements learns them, and offices' comments on submissions.

-- A review by the TPOA member ministries: one per submitted MSP or proposed extension. `members` are the codes
-- asked (from MITRA_TPOA_MEMBERS when it opened); after `answer_by` TPOA may decide without the missing answers.
-- At most one review of an MSP is open at a time.
CREATE TABLE msp_reviews (
    id         uuid PRIMARY KEY,
    msp_id     uuid NOT NULL REFERENCES msps (id),
    subject    text NOT NULL CHECK (subject IN ('msp', 'extension')),
    members    text[] NOT NULL,
    answer_by  date NOT NULL,
    status     text NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by  text NOT NULL,
    opened_at  timestamptz NOT NULL,
    closed_at  timestamptz
);
CREATE UNIQUE INDEX msp_reviews_one_open ON msp_reviews (msp_id) WHERE status = 'open';
CREATE INDEX msp_reviews_msp ON msp_reviews (msp_id, opened_at);

-- Each member's answer, once.
CREATE TABLE msp_review_answers (
    review_id   uuid NOT NULL REFERENCES msp_reviews (id),
    member_code text NOT NULL,
    verdict     text NOT NULL CHECK (verdict IN ('cleared', 'objected')),
    note        text,
    answered_by text NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (review_id, member_code)
);

-- An extension the Mitra Utama asked for, waiting for TPOA: {proposed_ends_on, reason, requested_by, requested_at}.
ALTER TABLE msps ADD COLUMN pending_extension jsonb;

-- Registry's sanctions on NGOs as agreements learned them (registry.sanction.imposed / .lifted). A lift may arrive
-- before its imposition: the row then waits, inactive, and the imposition does not revive it.
CREATE TABLE known_sanctions (
    sanction_id     uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    sanction_kind   text NOT NULL,
    category        text NOT NULL,
    reason          text NOT NULL,
    starts_on       date,
    ends_on         date,
    active          boolean NOT NULL,
    learned_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_sanctions_active ON known_sanctions (organization_id) WHERE active;

-- Comments on a submission by an office that reads it (the ministry on a region's work plan, a region's office).
CREATE TABLE submission_comments (
    id            uuid PRIMARY KEY,
    submission_id uuid NOT NULL REFERENCES submissions (id),
    comment       text NOT NULL,
    office_kind   text NOT NULL CHECK (office_kind IN ('ministry', 'region')),
    office_code   text NOT NULL,
    commented_by  text NOT NULL,
    commented_at  timestamptz NOT NULL
);
CREATE INDEX submission_comments_submission ON submission_comments (submission_id, commented_at);
