-- Notifications' own copy of what it needs of each signed MSP, so that later events about the MSP (extended,
-- terminated, an overdue report) reach the regions of work without asking agreements.
CREATE TABLE msp_facts (
    msp_id              uuid PRIMARY KEY,
    number              text NOT NULL,
    organization_id     uuid NOT NULL,
    organization_name   text NOT NULL,
    ministry_partner_id uuid,
    ministry_code       text,
    ministry_name       text,
    region_codes        text[] NOT NULL DEFAULT '{}'
);
