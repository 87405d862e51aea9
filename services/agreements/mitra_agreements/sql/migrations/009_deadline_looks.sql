-- Issue 16: a reminder changes nothing of its obligation, so the deadline engine no longer writes the obligation
-- (and each of its five indexes) to send one: it finds who is owed a reminder by due date, from the days since its
-- last complete look at reminders, which it keeps here. next_check_on now only holds a look owed apart from that
-- calendar (an obligation created inside its reminder window, or returned for revision); the values the engine wrote before
-- are looked at once on their day and then cleared.
CREATE TABLE deadline_looks (
    look      text PRIMARY KEY,
    looked_on date NOT NULL
);
