-- Issue 14 (agreements B): registry's foreign-staff assignments as agreements learns them (a visa recommendation
-- names one), monitoring visits per MSP and the mitigation actions that follow them.

-- Registry's foreign-staff assignments, from registry.foreign_staff.assigned and .ended (no passport numbers).
-- The end may arrive before the assignment: then only the end is known (full_name NULL) until the assignment comes.
CREATE TABLE known_staff_assignments (
    assignment_id   uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    full_name       text,
    nationality     text,
    role            text,
    starts_on       date,
    ends_on         date,
    ended_on        date,
    as_of           timestamptz NOT NULL,
    learned_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_staff_assignments_organization ON known_staff_assignments (organization_id);

-- A visa recommendation names the expert's assignment; its name and nationality are copied from it.
ALTER TABLE recommendations ADD COLUMN staff_assignment_id uuid;

-- A government office's monitoring visit to an MSP's work (administration, field implementation, monitoring and
-- evaluation), with its rating and findings. region_code NULL: MSP-wide.
CREATE TABLE monitoring_visits (
    id            uuid PRIMARY KEY,
    msp_id        uuid NOT NULL REFERENCES msps (id),
    office_kind   text NOT NULL CHECK (office_kind IN ('ministry', 'region')),
    office_code   text NOT NULL,
    region_code   text,
    province_code text,
    visited_on    date NOT NULL,
    aspects       text[] NOT NULL,
    rating        text NOT NULL CHECK (rating IN ('satisfactory', 'needs_improvement', 'unsatisfactory')),
    findings      text NOT NULL,
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL
);
CREATE INDEX monitoring_visits_msp ON monitoring_visits (msp_id, visited_on);

-- A mitigation action: who must act (the NGO, the ministry or a region's office), by when, and how far it got.
-- region_code: the region it concerns (the owning office's, else its monitoring visit's; NULL: MSP-wide), which
-- decides which region's officers read it. next_check_on: the deadline engine's next look (reminders, overdue).
CREATE TABLE mitigation_actions (
    id                  uuid PRIMARY KEY,
    msp_id              uuid NOT NULL REFERENCES msps (id),
    monitoring_visit_id uuid REFERENCES monitoring_visits (id),
    description         text NOT NULL,
    owner               text NOT NULL CHECK (owner IN ('ngo', 'ministry', 'region')),
    owner_region_code   text,
    region_code         text,
    due_on              date NOT NULL,
    status              text NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    overdue             boolean NOT NULL DEFAULT false,
    status_note         text,
    opened_by           text NOT NULL,
    opened_at           timestamptz NOT NULL,
    status_changed_by   text,
    status_changed_at   timestamptz,
    next_check_on       date,
    version             integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL,
    CHECK ((owner = 'region') = (owner_region_code IS NOT NULL))
);
CREATE INDEX mitigation_actions_msp ON mitigation_actions (msp_id, due_on);
CREATE INDEX mitigation_actions_status_due ON mitigation_actions (status, due_on, id);
CREATE INDEX mitigation_actions_next_check ON mitigation_actions (next_check_on) WHERE next_check_on IS NOT NULL;
