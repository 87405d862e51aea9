-- Monitoring visits and mitigation actions per MSP (usecases/monitoring.py).

-- name: insert_monitoring_visit
-- A monitoring visit recorded by a government office.
INSERT INTO monitoring_visits (id, msp_id, office_kind, office_code, region_code, province_code, visited_on, aspects,
                               rating, findings, recorded_by, recorded_at)
VALUES (:id, :msp_id, :office_kind, :office_code, :region_code, :province_code, :visited_on, :aspects, :rating,
        :findings, :recorded_by, :now)
RETURNING *;

-- name: get_monitoring_visit
-- One monitoring visit.
SELECT * FROM monitoring_visits WHERE id = :monitoring_visit_id;

-- name: monitoring_visits_of_msp
-- An MSP's monitoring visits, newest first; for a region's officer (:scope_region_code) the MSP-wide ones and those
-- of a region touching its own.
SELECT * FROM monitoring_visits
WHERE msp_id = :msp_id
  AND (:scope_region_code::text IS NULL OR region_code IS NULL
       OR agreements_region_touches(region_code, :scope_region_code))
ORDER BY visited_on DESC, recorded_at DESC, id;

-- name: insert_mitigation_action
-- A mitigation action opened, with the deadline engine's first look.
INSERT INTO mitigation_actions (id, msp_id, monitoring_visit_id, description, owner, owner_region_code, region_code,
                                due_on, status, opened_by, opened_at, next_check_on, updated_at)
VALUES (:id, :msp_id, :monitoring_visit_id, :description, :owner, :owner_region_code, :region_code, :due_on, 'open',
        :opened_by, :now, :next_check_on, :now)
RETURNING *;

-- name: get_mitigation_action
-- One mitigation action.
SELECT * FROM mitigation_actions WHERE id = :action_id;

-- name: get_mitigation_action_for_update
-- One mitigation action, locked for a change of status.
SELECT * FROM mitigation_actions WHERE id = :action_id FOR UPDATE;

-- name: change_mitigation_action_status
-- A new status (done or cancelled: no more reminders), with who, when and the note.
UPDATE mitigation_actions
SET status = :status, status_note = :note, status_changed_by = :changed_by, status_changed_at = :now,
    next_check_on = CASE WHEN :status::text IN ('done', 'cancelled') THEN NULL ELSE next_check_on END,
    version = version + 1, updated_at = :now
WHERE id = :action_id
RETURNING *;

-- name: mitigation_actions_of_msp
-- An MSP's mitigation actions, soonest due first; for a region's officer the MSP-wide ones and those of a region
-- touching its own.
SELECT * FROM mitigation_actions
WHERE msp_id = :msp_id
  AND (:scope_region_code::text IS NULL OR region_code IS NULL
       OR agreements_region_touches(region_code, :scope_region_code))
ORDER BY due_on, id;
