-- Issue 15 (agreements B): MSPs imported from spreadsheets with their obligations' history. An obligation met on
-- paper before its MSP was recorded in Mitra is `received_outside`, with the date it was received; the deadline
-- engine never looks at it (next_check_on NULL), so no reminder or overdue notice follows.
ALTER TABLE obligations DROP CONSTRAINT obligations_status_check;
ALTER TABLE obligations ADD CONSTRAINT obligations_status_check
    CHECK (status IN ('pending', 'submitted', 'accepted', 'returned', 'overdue', 'closed', 'received_outside'));
ALTER TABLE obligations ADD COLUMN received_outside_on date;
ALTER TABLE obligations ADD CONSTRAINT obligations_received_outside_dated
    CHECK ((status = 'received_outside') = (received_outside_on IS NOT NULL));

-- Whether an MSP was recorded by a bulk import of an MSP signed before Mitra (not signed through Mitra).
ALTER TABLE msps ADD COLUMN imported boolean NOT NULL DEFAULT false;
