-- Visa/stay-permit and tax-exemption recommendations (usecases/recommendations.py).

-- name: insert_recommendation
-- A recommendation requested.
INSERT INTO recommendations (id, kind, msp_id, expert_name, expert_nationality, staff_assignment_id, purpose, status,
                             requested_by, requested_at)
VALUES (:id, :kind, :msp_id, :expert_name, :expert_nationality, :staff_assignment_id, :purpose, 'requested',
        :requested_by, :now)
RETURNING *;

-- name: get_recommendation_for_update
-- One recommendation, locked for its decision.
SELECT * FROM recommendations WHERE id = :recommendation_id FOR UPDATE;

-- name: get_recommendation
-- One recommendation.
SELECT * FROM recommendations WHERE id = :recommendation_id;

-- name: issue_recommendation
-- The ministry's decision under its reference number.
UPDATE recommendations
SET status = 'issued', granted = :granted, reference_number = :reference_number, note = :note,
    issued_by = :issued_by, issued_at = :now
WHERE id = :recommendation_id
RETURNING *;

-- name: reference_number_taken
-- Whether a recommendation already carries this reference number.
SELECT EXISTS (SELECT 1 FROM recommendations WHERE reference_number = :reference_number);

-- name: get_known_assignment
-- A foreign-staff assignment as agreements learned it from registry (consumers/staff_facts.py).
SELECT * FROM known_staff_assignments WHERE assignment_id = :assignment_id;

-- name: learn_staff_assigned
-- registry.foreign_staff.assigned: the assignment's particulars (which never change); an end learned earlier stays.
INSERT INTO known_staff_assignments (assignment_id, organization_id, full_name, nationality, role, starts_on, ends_on,
                                     as_of)
VALUES (:assignment_id, :organization_id, :full_name, :nationality, :role, :starts_on, :ends_on, :as_of)
ON CONFLICT (assignment_id) DO UPDATE
SET full_name = EXCLUDED.full_name, nationality = EXCLUDED.nationality, role = EXCLUDED.role,
    starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, as_of = greatest(known_staff_assignments.as_of, EXCLUDED.as_of),
    learned_at = now();

-- name: learn_staff_ended
-- registry.foreign_staff.ended: the day it ended, whether or not the assignment itself was learned yet.
INSERT INTO known_staff_assignments (assignment_id, organization_id, ended_on, as_of)
VALUES (:assignment_id, :organization_id, :ended_on, :as_of)
ON CONFLICT (assignment_id) DO UPDATE
SET ended_on = EXCLUDED.ended_on, as_of = greatest(known_staff_assignments.as_of, EXCLUDED.as_of), learned_at = now();
