-- Visa/stay-permit and tax-exemption recommendations (usecases/recommendations.py).

-- name: insert_recommendation
-- A recommendation requested.
INSERT INTO recommendations (id, kind, msp_id, expert_name, expert_nationality, purpose, status, requested_by,
                             requested_at)
VALUES (:id, :kind, :msp_id, :expert_name, :expert_nationality, :purpose, 'requested', :requested_by, :now)
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
