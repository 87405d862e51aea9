-- Mitigation actions per MSP (from agreements' monitoring), as the risk score weighs them; derived from the event log.
-- Each event carries the action's facts, so whichever arrives first makes the row; the newest change wins.

-- name: project_mitigation_opened
-- An action opened (its day in Jakarta); a change of status that arrived first is kept.
INSERT INTO mitigation_actions (action_id, msp_id, organization_id, ministry_code, monitoring_visit_id, description,
                                owner, owner_region_code, due_on, status, opened_on, changed_at)
VALUES (:action_id, :msp_id, :organization_id, :ministry_code, :monitoring_visit_id, :description, :owner,
        :owner_region_code, :due_on, 'open', (:opened_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date, :opened_at)
ON CONFLICT (action_id) DO UPDATE SET opened_on = EXCLUDED.opened_on;

-- name: project_mitigation_status
-- An action's new status (done or cancelled: closed that day in Jakarta), unless a newer change is there already.
INSERT INTO mitigation_actions (action_id, msp_id, organization_id, ministry_code, monitoring_visit_id, description,
                                owner, owner_region_code, due_on, status, closed_on, changed_at)
VALUES (:action_id, :msp_id, :organization_id, :ministry_code, :monitoring_visit_id, :description, :owner,
        :owner_region_code, :due_on, :status,
        CASE WHEN :status IN ('done', 'cancelled')
             THEN (:changed_at::timestamptz AT TIME ZONE 'Asia/Jakarta')::date END,
        :changed_at)
ON CONFLICT (action_id) DO UPDATE
SET description = EXCLUDED.description, owner = EXCLUDED.owner, owner_region_code = EXCLUDED.owner_region_code,
    due_on = EXCLUDED.due_on, status = EXCLUDED.status, closed_on = EXCLUDED.closed_on,
    changed_at = EXCLUDED.changed_at
WHERE mitigation_actions.changed_at <= EXCLUDED.changed_at;
