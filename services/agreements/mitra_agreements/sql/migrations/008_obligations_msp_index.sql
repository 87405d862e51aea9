-- Issue 16: every write of an obligation writes each of its indexes, and the deadline engine writes every
-- obligation it looks at (its next check moves, and next_check_on is indexed, so the update is never HOT).
-- obligations_unique leads with msp_id as obligations_msp did: it finds an MSP's obligations (a few dozen, put in
-- due-date order in memory), so obligations_msp only cost writes.
DROP INDEX obligations_msp;
