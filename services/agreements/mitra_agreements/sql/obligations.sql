-- Obligations an MSP creates (work plans, reports, Action Plans, the extension decision) and their submissions
-- (usecases/obligations.py).

-- name: insert_obligation
-- One planned obligation; one that exists already (same MSP, kind, period and region) is left as it is.
INSERT INTO obligations (id, msp_id, kind, period, region_code, province_code, due_on, status, next_check_on,
                         created_at, updated_at)
VALUES (:id, :msp_id, :kind, :period, :region_code, :province_code, :due_on, 'pending', :next_check_on, :now, :now)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: obligations_of_msp
-- An MSP's obligations by due date; for a region's officer (:scope_region_code) the MSP-wide ones and those of a
-- region that touches its own (the same code or one a province of the other).
SELECT * FROM obligations
WHERE msp_id = :msp_id
  AND (:scope_region_code::text IS NULL OR region_code IS NULL OR region_code = :scope_region_code
       OR (length(:scope_region_code) = 2 AND left(region_code, 2) = :scope_region_code)
       OR (length(region_code) = 2 AND left(:scope_region_code, 2) = region_code))
ORDER BY due_on, kind, region_code NULLS FIRST;

-- name: close_open_obligations
-- An MSP that ends or is terminated leaves nothing to remind of; an overdue obligation stays on record as overdue.
-- Returns the obligations closed, with their status and next check before (for the audit trail).
UPDATE obligations o SET status = 'closed', next_check_on = NULL, updated_at = :now
FROM obligations prior
WHERE o.id = prior.id AND o.msp_id = :msp_id AND o.status IN ('pending', 'returned')
RETURNING o.*, prior.status AS previous_status, prior.next_check_on AS previous_next_check_on;

-- name: close_obligations_on_revocation
-- A revocation ends the MSP: its open obligations and its overdue ones (they can no longer be submitted) are
-- closed. Returns them, with their status and next check before (for the audit trail and MspTerminated).
UPDATE obligations o SET status = 'closed', next_check_on = NULL, updated_at = :now
FROM obligations prior
WHERE o.id = prior.id AND o.msp_id = :msp_id AND o.status IN ('pending', 'returned', 'overdue')
RETURNING o.*, prior.status AS previous_status, prior.next_check_on AS previous_next_check_on;

-- name: close_extension_decision
-- The decision to extend is made: the open extension decision of the old end date is closed. Returns it, with its
-- status and next check before (for the audit trail).
UPDATE obligations o SET status = 'closed', next_check_on = NULL, updated_at = :now
FROM obligations prior
WHERE o.id = prior.id AND o.msp_id = :msp_id AND o.kind = 'extension_decision'
  AND o.status IN ('pending', 'returned', 'overdue')
RETURNING o.*, prior.status AS previous_status, prior.next_check_on AS previous_next_check_on;

-- name: get_obligation_for_update
-- One obligation with what its events say of its MSP, locked for a submission or a decision.
SELECT o.*, m.organization_id, m.organization_name, m.ministry_code, m.work_locations, m.status AS msp_status
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.id = :obligation_id
FOR UPDATE OF o;

-- name: get_obligation
-- One obligation, with its MSP's parties and places (who may read it).
SELECT o.*, m.organization_id, m.ministry_code, m.work_locations
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.id = :obligation_id;

-- name: set_obligation_status
-- A submission or a decision moved the obligation on; next_check_on is when the engine looks at it again.
UPDATE obligations SET status = :status, next_check_on = :next_check_on, updated_at = :now
WHERE id = :obligation_id
RETURNING *;

-- name: latest_submission
-- The last submission of an obligation, to number the next attempt.
SELECT * FROM submissions WHERE obligation_id = :obligation_id ORDER BY attempt DESC LIMIT 1;

-- name: insert_submission
-- A work plan, report or Action Plan submitted.
INSERT INTO submissions (id, obligation_id, attempt, summary, document_ref, funding, status, late, submitted_by,
                         submitted_at)
VALUES (:id, :obligation_id, :attempt, :summary, :document_ref, :funding, 'submitted', :late, :submitted_by, :now)
RETURNING *;

-- name: get_submission_for_update
-- One submission, locked for its decision.
SELECT * FROM submissions WHERE id = :submission_id FOR UPDATE;

-- name: decide_submission
-- A submission accepted or returned, with the comments.
UPDATE submissions SET status = :decision, comments = :comments, decided_by = :decided_by, decided_at = :now
WHERE id = :submission_id
RETURNING *;

-- name: submissions_of
-- Every submission of an obligation, first to last.
SELECT * FROM submissions WHERE obligation_id = :obligation_id ORDER BY attempt;

-- name: get_submission
-- One submission.
SELECT * FROM submissions WHERE id = :submission_id;

-- name: insert_comment
-- An office's comment on a submission it reads but may not decide (or alongside its decision).
INSERT INTO submission_comments (id, submission_id, comment, office_kind, office_code, commented_by, commented_at)
VALUES (:id, :submission_id, :comment, :office_kind, :office_code, :commented_by, :now)
RETURNING *;

-- name: comments_of
-- A submission's comments, first to last.
SELECT * FROM submission_comments WHERE submission_id = :submission_id ORDER BY commented_at, id;
