-- Issue 16: a reminder changes nothing of its obligation, so the deadline engine no longer writes the obligation
-- (and each of its indexes) to send one: it finds who is owed a reminder by due date, from the days since its last
-- complete look at reminders, which it keeps here. next_check_on now only holds a look owed apart from that
-- calendar (an obligation created inside its reminder window, or returned for revision); the values the engine
-- wrote before are looked at once on their day and then cleared.
CREATE TABLE deadline_looks (
    look      text PRIMARY KEY,
    looked_on date NOT NULL
);

-- Where the engine before stood: every open obligation carried its next look, so every day before the earliest
-- one had been looked at. (A database without obligations has no look yet: the engine starts from the day before
-- its first obligation.)
INSERT INTO deadline_looks (look, looked_on)
SELECT 'obligation_reminders', min(next_check_on) - 1 FROM obligations
WHERE next_check_on IS NOT NULL AND status IN ('pending', 'returned') AND kind <> 'extension_decision'
HAVING min(next_check_on) IS NOT NULL;

-- The open obligations in due-date order: reminders read by due date, and the claim of those past it (all but the
-- few not yet marked overdue are behind today). The statuses are domain.obligations.OPEN_OBLIGATION; the queries
-- name them as written here, so that the planner can use the index.
CREATE INDEX obligations_open_due ON obligations (due_on, id) WHERE status IN ('pending', 'returned');
