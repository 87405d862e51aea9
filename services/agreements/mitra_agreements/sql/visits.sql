-- Announcements of foreign guests' visits (usecases/visits.py).

-- name: insert_visit
-- A visit announced, with the regions and provinces it goes to.
INSERT INTO visits (id, msp_id, visitors, purpose, arrives_on, departs_on, region_codes, province_codes, programme,
                    announced_on, late, status, created_at, updated_at)
VALUES (:id, :msp_id, :visitors, :purpose, :arrives_on, :departs_on, :region_codes, :province_codes, :programme,
        :announced_on, :late, 'announced', :now, :now)
RETURNING *;

-- name: get_visit_for_update
-- One visit, locked for a change.
SELECT * FROM visits WHERE id = :visit_id FOR UPDATE;

-- name: get_visit
-- One visit.
SELECT * FROM visits WHERE id = :visit_id;

-- name: update_visit
-- The whole new state of a changed visit.
UPDATE visits
SET visitors = :visitors, purpose = :purpose, arrives_on = :arrives_on, departs_on = :departs_on,
    region_codes = :region_codes, province_codes = :province_codes, programme = :programme, late = :late,
    version = version + 1, updated_at = :now
WHERE id = :visit_id
RETURNING *;

-- name: cancel_visit
-- A visit cancelled, with the reason.
UPDATE visits SET status = 'cancelled', cancel_reason = :reason, version = version + 1, updated_at = :now
WHERE id = :visit_id
RETURNING *;
