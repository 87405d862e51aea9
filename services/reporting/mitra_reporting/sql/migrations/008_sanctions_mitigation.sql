-- Issue 14. Derived from the event log like every projection: a rebuild empties and replays these.
-- `sanctions`: registry's sanctions on an NGO (registry.sanction.imposed and .lifted), for the risk score. A lift that
-- arrives before its imposition makes the row with what it knows (no `starts_on`); the imposition completes it.
CREATE TABLE sanctions (
    sanction_id     uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('warning', 'freeze', 'revocation')),
    category        text NOT NULL,
    reason          text,
    starts_on       date,
    ends_on         date,
    status          text NOT NULL CHECK (status IN ('active', 'lifted', 'expired')),
    imposed_at      timestamptz,
    lifted_on       date,
    lifted_at       timestamptz,
    lift_reason     text
);
COMMENT ON COLUMN sanctions.ends_on IS 'the last day a warning or freeze lasts, if it ends by itself';
COMMENT ON COLUMN sanctions.lifted_on IS 'the day (Asia/Jakarta) it was lifted or expired: not in force from then';
CREATE INDEX sanctions_organization ON sanctions (organization_id);

-- `mitigation_actions`: agreements' mitigation actions per MSP (agreements.mitigation_action.opened and
-- .status_changed), the newest change winning whatever order they arrive in. Open on a day: opened by then and not
-- done or cancelled by then; overdue: open and its due date passed.
CREATE TABLE mitigation_actions (
    action_id           uuid PRIMARY KEY,
    msp_id              uuid NOT NULL,
    organization_id     uuid NOT NULL,
    ministry_code       text NOT NULL,
    monitoring_visit_id uuid,
    description         text NOT NULL,
    owner               text NOT NULL,
    owner_region_code   text,
    due_on              date NOT NULL,
    status              text NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    opened_on           date,
    closed_on           date,
    changed_at          timestamptz NOT NULL
);
COMMENT ON COLUMN mitigation_actions.closed_on IS 'the day (Asia/Jakarta) it was done or cancelled';
CREATE INDEX mitigation_actions_msp ON mitigation_actions (msp_id);

-- An obligation an MSP's termination closed (MspTerminated.closed_obligation_ids): no longer owed from that day.
ALTER TABLE obligations ADD COLUMN closed_on date;
-- A permit revoked by a revocation sanction (registry.permit.revoked): status 'revoked' from that day.
ALTER TABLE permits ADD COLUMN revoked_on date;
