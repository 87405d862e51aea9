-- The deadline engine (workers/deadlines.py): what is due today, and the notices sent once each.

-- name: claim_due_obligations
-- Rows another replica holds are skipped, not waited for; the partial index on next_check_on finds what is due.
SELECT o.*, m.organization_id, m.organization_name, m.ministry_code
FROM obligations o JOIN msps m ON m.id = o.msp_id
WHERE o.next_check_on IS NOT NULL AND o.next_check_on <= :today
ORDER BY o.next_check_on
LIMIT :limit
FOR UPDATE OF o SKIP LOCKED;

-- name: due_obligations_plan
-- The due-obligations lookup without the lock, for EXPLAIN (the benchmark checks it uses the index).
SELECT id FROM obligations
WHERE next_check_on IS NOT NULL AND next_check_on <= :today
ORDER BY next_check_on
LIMIT :limit;

-- name: claim_due_msps
-- MSPs to activate, warn of their end or end today; rows another replica holds are skipped.
SELECT * FROM msps
WHERE next_check_on IS NOT NULL AND next_check_on <= :today
ORDER BY next_check_on
LIMIT :limit
FOR UPDATE SKIP LOCKED;

-- name: record_notice
-- NULL when the notice was already sent: the caller then publishes nothing.
INSERT INTO deadline_notices (subject_id, notice, sent_on) VALUES (:subject_id, :notice, :today)
ON CONFLICT DO NOTHING
RETURNING subject_id;

-- name: set_obligation_check
-- The obligation's status after today's look (overdue or as it was) and when to look again.
UPDATE obligations SET status = :status, next_check_on = :next_check_on, updated_at = :now WHERE id = :obligation_id;

-- name: set_msp_check
-- The MSP's status after today's look (active, ended or as it was) and when to look again.
UPDATE msps
SET status = :status, next_check_on = :next_check_on, updated_at = :now,
    version = version + (CASE WHEN status = :status THEN 0 ELSE 1 END)
WHERE id = :msp_id;
