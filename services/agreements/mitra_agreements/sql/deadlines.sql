-- The deadline engine (workers/deadlines.py): what is due today, and the notices sent once each. A batch is
-- claimed (or, for reminders, read) with one statement, its notices recorded with one, and its rows' next checks
-- written with one.

-- name: claim_due_obligations
-- Obligations the engine changes or owes a look today: a look owed apart from the due date's calendar
-- (next_check_on: created inside its reminder window, or returned) and each open one past its due date (it becomes
-- overdue), up to :limit of each. Reminders change no obligation and are read by due date instead (due_reminders).
-- Rows another replica holds are skipped, not waited for. Each kind is read in the order of its own partial index
-- (the open statuses are written out as in obligations_open_due's predicate: domain.obligations.OPEN_OBLIGATION);
-- one OR of both would have the planner guess that a quarter of a mature register is open and past due (most open
-- obligations are due later, most past ones are done) and walk every past due date. Each one's MSP is looked up by
-- its key (OFFSET 0 keeps the lookup apart: joined, the planner may read every MSP to hash them).
WITH owed AS MATERIALIZED (
    SELECT o.* FROM obligations o
    WHERE o.next_check_on IS NOT NULL AND o.next_check_on <= :today
    ORDER BY o.next_check_on
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), late AS MATERIALIZED (
    SELECT o.* FROM obligations o
    WHERE o.status IN ('pending', 'returned') AND o.due_on < :today AND o.kind = ANY(:overdue_kinds::text[])
    ORDER BY o.due_on, o.id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), claimed AS (
    SELECT * FROM owed
    UNION ALL
    SELECT * FROM late WHERE late.id NOT IN (SELECT owed.id FROM owed)
)
SELECT claimed.*, m.organization_id, m.organization_name, m.ministry_code
FROM claimed CROSS JOIN LATERAL (
    SELECT organization_id, organization_name, ministry_code FROM msps WHERE msps.id = claimed.msp_id OFFSET 0
) AS m
ORDER BY claimed.due_on, claimed.id;

-- name: due_reminders
-- Open obligations owed a reminder today: due on a date of the engine's calendar (:due_dates, a reminder day ahead
-- of each day since its last complete look) and not yet sent the reminder that applies today (the most urgent: the
-- smallest of :leads not below the days left; :lead_keys are their notices' keys). Nothing is locked or written:
-- deadline_notices' key sends each notice once, whichever replica reads the row. The notice and the MSP are each
-- looked up by key per obligation (OFFSET 0 keeps the planner from scanning every notice or MSP to hash them).
WITH due AS MATERIALIZED (
    SELECT o.* FROM obligations o
    WHERE o.status IN ('pending', 'returned') AND o.kind = ANY(:due_kinds::text[])
      AND o.due_on = ANY(:due_dates::date[]) AND o.due_on >= :today
      AND NOT EXISTS (
          SELECT 1 FROM deadline_notices n
          WHERE n.subject_id = o.id
            AND n.notice = (
                SELECT r.key FROM unnest(:leads::int[], :lead_keys::text[]) AS r(lead, key)
                WHERE r.lead >= o.due_on - :today::date ORDER BY r.lead LIMIT 1
            )
          OFFSET 0
      )
    ORDER BY o.due_on, o.id
    LIMIT :limit
)
SELECT due.*, m.organization_id, m.organization_name, m.ministry_code
FROM due CROSS JOIN LATERAL (
    SELECT organization_id, organization_name, ministry_code FROM msps WHERE msps.id = due.msp_id OFFSET 0
) AS m
ORDER BY due.due_on, due.id;

-- name: reminders_looked_on
-- The last day whose reminders all went out; before the engine's first look, the day before the first obligation
-- was made (so that none made meanwhile misses its reminders), or nothing.
SELECT coalesce(
    (SELECT looked_on FROM deadline_looks WHERE look = 'obligation_reminders'),
    (SELECT (min(created_at) AT TIME ZONE 'Asia/Jakarta')::date - 1 FROM obligations)
);

-- name: record_reminders_look
-- Every reminder due by :today went out; a replica that finished a later day first keeps its day.
INSERT INTO deadline_looks (look, looked_on) VALUES ('obligation_reminders', :today)
ON CONFLICT (look) DO UPDATE SET looked_on = greatest(deadline_looks.looked_on, excluded.looked_on);

-- name: claim_due_msps
-- MSPs to activate, warn of their end or end today; rows another replica holds are skipped.
SELECT * FROM msps
WHERE next_check_on IS NOT NULL AND next_check_on <= :today
ORDER BY next_check_on
LIMIT :limit
FOR UPDATE SKIP LOCKED;

-- name: record_reminders
-- record_notices for reminders, which lock no obligation: only for those still open (one submitted, or closed by
-- its MSP's end, since the reminders were read gets none).
INSERT INTO deadline_notices (subject_id, notice, sent_on)
SELECT n.subject_id, n.notice, :today::date
FROM unnest(:subject_ids::uuid[], :notices::text[]) AS n(subject_id, notice)
JOIN obligations o ON o.id = n.subject_id AND o.status IN ('pending', 'returned')
ON CONFLICT DO NOTHING
RETURNING subject_id, notice;

-- name: record_notices
-- The (subject, notice) pairs of a batch that go out today; only those not sent before come back, and only those
-- are published.
INSERT INTO deadline_notices (subject_id, notice, sent_on)
SELECT n.subject_id, n.notice, :today::date
FROM unnest(:subject_ids::uuid[], :notices::text[]) AS n(subject_id, notice)
ON CONFLICT DO NOTHING
RETURNING subject_id, notice;

-- name: set_obligation_checks
-- Each obligation's status after today's look (overdue or as it was); any look owed is done, and its calendar
-- (reminders by due date, overdue the day after) goes on without one.
UPDATE obligations o SET status = c.status, next_check_on = NULL, updated_at = :now
FROM unnest(:ids::uuid[], :statuses::text[]) AS c(id, status)
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
