-- More of the register, as reporting needs it for its dashboards and risk scores.
ALTER TABLE organizations
    ADD COLUMN acronym text,
    ADD COLUMN version integer NOT NULL DEFAULT 0,
    ADD COLUMN status_changed_at timestamptz;

CREATE TABLE permits (
    permit_id       uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    permit_type     text NOT NULL,
    number          text NOT NULL,
    issued_on       date NOT NULL,
    valid_until     date NOT NULL,
    status          text NOT NULL
);
CREATE INDEX permits_organization ON permits (organization_id);
CREATE INDEX permits_valid_until ON permits (valid_until) WHERE status = 'valid';

CREATE TABLE foreign_staff (
    assignment_id   uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    nationality     char(2) NOT NULL,
    starts_on       date NOT NULL,
    ends_on         date NOT NULL,
    ended_on        date
);
CREATE INDEX foreign_staff_organization ON foreign_staff (organization_id);

-- Good practices and success stories (Praktik Baik dan Kisah Sukses): written here, not derived from events,
-- so a rebuild of the projections leaves them alone.
CREATE TABLE stories (
    id              uuid PRIMARY KEY,
    title           text NOT NULL,
    body            text NOT NULL,
    organization_id uuid,
    msp_id          uuid,
    region_code     text,
    story_date      date NOT NULL,
    media           jsonb NOT NULL DEFAULT '[]',
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    version         integer NOT NULL DEFAULT 1,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX stories_published ON stories (story_date DESC) WHERE status = 'published';
