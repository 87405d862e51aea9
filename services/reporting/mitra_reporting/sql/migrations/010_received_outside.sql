-- Issue 15, imports: an obligation agreements recorded as received outside Mitra (imported history), received on
-- that day. Derived from the event log: a rebuild replays it.
ALTER TABLE obligations ADD COLUMN received_outside_on date;
