-- Registry's sanctions on NGOs (warnings, freezes, revocations), as the risk score weighs them; derived from the event
-- log. A sanction is in force on a day from its `starts_on`, through its `ends_on` if it has one, until the day it was
-- lifted or expired (`lifted_on`).

-- name: project_sanction_imposed
-- A sanction imposed; if its lift arrived first, the lift is kept.
INSERT INTO sanctions (sanction_id, organization_id, kind, category, reason, starts_on, ends_on, status, imposed_at)
VALUES (:sanction_id, :organization_id, :sanction_kind, :category, :reason, :starts_on, :ends_on, 'active',
        :imposed_at)
ON CONFLICT (sanction_id) DO UPDATE
SET reason = EXCLUDED.reason, starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on,
    imposed_at = EXCLUDED.imposed_at;

-- name: project_sanction_lifted
-- A sanction lifted by an official, or `expired` (its end date came); the day is the lift's in Jakarta.
INSERT INTO sanctions (sanction_id, organization_id, kind, category, status, lifted_on, lifted_at, lift_reason)
VALUES (:sanction_id, :organization_id, :sanction_kind, :category,
        CASE WHEN :expired::boolean THEN 'expired' ELSE 'lifted' END,
        (:lifted_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date, :lifted_at, :reason)
ON CONFLICT (sanction_id) DO UPDATE
SET status = EXCLUDED.status, lifted_on = EXCLUDED.lifted_on, lifted_at = EXCLUDED.lifted_at,
    lift_reason = EXCLUDED.lift_reason;

-- name: project_organization_status
-- The NGO's status in the register after a sanction or its lift, unless a later change of status is there already.
UPDATE organizations SET status = :organization_status, status_changed_at = :at
WHERE organization_id = :organization_id AND (status_changed_at IS NULL OR status_changed_at <= :at);

-- name: project_permit_revoked
-- A permit revoked by a revocation: no longer valid (a later extension or expiry does not make it valid again).
UPDATE permits SET status = 'revoked', revoked_on = :revoked_on WHERE permit_id = :permit_id;
