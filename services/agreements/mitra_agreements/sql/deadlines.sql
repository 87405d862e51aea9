-- The deadline engine (workers/deadlines.py): what is due today, and the notices sent once each. A batch is
-- claimed with one statement, its notices recorded with one, and its next checks written with one.

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

-- name: record_notices
-- The (subject, notice) pairs of a batch that go out today; only those not sent before come back, and only those
-- are published.
INSERT INTO deadline_notices (subject_id, notice, sent_on)
SELECT n.subject_id, n.notice, :today::date
FROM unnest(:subject_ids::uuid[], :notices::text[]) AS n(subject_id, notice)
ON CONFLICT DO NOTHING
RETURNING subject_id, notice;

-- name: set_obligation_checks
-- Each obligation's status after today's look (overdue or as it was) and when to look again.
UPDATE obligations o SET status = c.status, next_check_on = c.next_check_on, updated_at = :now
FROM unnest(:ids::uuid[], :statuses::text[], :next_check_ons::date[]) AS c(id, status, next_check_on)
WHERE o.id = c.id;

-- name: set_msp_checks
-- Each MSP's status after today's look (active, ended or as it was) and when to look again.
UPDATE msps m
SET status = c.status, next_check_on = c.next_check_on, updated_at = :now,
    version = m.version + (CASE WHEN m.status = c.status THEN 0 ELSE 1 END)
FROM unnest(:ids::uuid[], :statuses::text[], :next_check_ons::date[]) AS c(id, status, next_check_on)
WHERE m.id = c.id;

-- name: clear_pending_extension
-- An MSP that ends leaves nothing to extend: an extension still waiting for TPOA is dropped with it.
UPDATE msps SET pending_extension = NULL WHERE id = :msp_id;

-- name: claim_due_mitigation_actions
-- Mitigation actions to remind of or to mark overdue today, with their MSP's parties; rows another replica holds
-- are skipped.
SELECT a.*, m.organization_id, m.organization_name, m.ministry_partner_id, m.ministry_name, m.ministry_code,
       m.status AS msp_status
FROM mitigation_actions a JOIN msps m ON m.id = a.msp_id
WHERE a.next_check_on IS NOT NULL AND a.next_check_on <= :today
ORDER BY a.next_check_on
LIMIT :limit
FOR UPDATE OF a SKIP LOCKED;

-- name: set_mitigation_action_checks
-- Whether each action is overdue now (it stays so once found) and when to look again.
UPDATE mitigation_actions a SET overdue = a.overdue OR c.overdue, next_check_on = c.next_check_on
FROM unnest(:ids::uuid[], :overdue::boolean[], :next_check_ons::date[]) AS c(id, overdue, next_check_on)
WHERE a.id = c.id;
