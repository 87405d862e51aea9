-- MSPs, their obligations and the visits under them, as reporting counts them. Derived from the event log.
CREATE TABLE msps (
    msp_id              uuid PRIMARY KEY,
    number              text,
    title               text NOT NULL,
    organization_id     uuid NOT NULL,
    organization_name   text NOT NULL,
    ministry_partner_id uuid,
    ministry_code       text NOT NULL,
    ministry_name       text NOT NULL,
    status              text NOT NULL,
    starts_on           date NOT NULL,
    ends_on             date NOT NULL,
    signed_on           date,
    focus_areas         text[] NOT NULL DEFAULT '{}',
    forms_of_cooperation text[] NOT NULL DEFAULT '{}',
    signed_document_ref text,
    closed_on           date,
    closing_reason      text,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX msps_ministry ON msps (ministry_code, status);
CREATE INDEX msps_organization ON msps (organization_id);
CREATE INDEX msps_ends_on ON msps (ends_on) WHERE status IN ('signed', 'extended');

CREATE TABLE msp_regions (
    msp_id        uuid NOT NULL,
    region_code   text NOT NULL,
    region_kind   text NOT NULL,
    region_name   text NOT NULL,
    province_code text NOT NULL,
    PRIMARY KEY (msp_id, region_code)
);
CREATE INDEX msp_regions_province ON msp_regions (province_code);

CREATE TABLE obligations (
    obligation_id   uuid PRIMARY KEY,
    msp_id          uuid NOT NULL,
    organization_id uuid NOT NULL,
    ministry_code   text NOT NULL,
    kind            text NOT NULL,
    period          text NOT NULL,
    region_code     text,
    due_on          date NOT NULL,
    status          text NOT NULL DEFAULT 'pending',
    first_submitted_on date,
    submissions     integer NOT NULL DEFAULT 0,
    accepted_on     date,
    overdue         boolean NOT NULL DEFAULT false
);
CREATE INDEX obligations_msp ON obligations (msp_id);
CREATE INDEX obligations_due ON obligations (due_on);
CREATE INDEX obligations_ministry ON obligations (ministry_code, due_on);

CREATE TABLE visits (
    visit_id        uuid PRIMARY KEY,
    msp_id          uuid NOT NULL,
    organization_id uuid NOT NULL,
    ministry_code   text,
    arrives_on      date NOT NULL,
    departs_on      date NOT NULL,
    region_codes    text[] NOT NULL,
    province_codes  text[] NOT NULL,
    late            boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'announced'
);
CREATE INDEX visits_arrives ON visits (arrives_on);
