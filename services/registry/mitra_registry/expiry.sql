-- name: claim_lapsed_permits
-- Valid permits whose last valid day is before $1; rows another replica holds are left to it.
SELECT p.id, p.organization_id, o.legal_name AS organization_name, p.permit_type, p.number, p.valid_until
FROM permits p
JOIN organizations o ON o.id = p.organization_id
WHERE p.status = 'valid' AND p.valid_until < $1
ORDER BY p.valid_until, p.id
LIMIT $2
FOR UPDATE OF p SKIP LOCKED;

-- name: mark_expired
-- The status condition makes the change (and so its event) happen once even if two replicas got here.
UPDATE permits SET status = 'expired', version = version + 1, updated_at = $2
WHERE id = $1 AND status = 'valid'
RETURNING id;

-- name: claim_due_reminders
-- Valid permits ending in [$1, $2] that have not had this reminder, nor a more urgent one, for their current term.
-- The lock waits (no SKIP LOCKED): a replica that waited for another's batch, or for an extension, re-reads the
-- permit's term; whether that other replica already sent the reminder is decided by the key of permit_reminders.
SELECT p.id, p.organization_id, o.legal_name AS organization_name, p.permit_type, p.number, p.valid_until
FROM permits p
JOIN organizations o ON o.id = p.organization_id
WHERE p.status = 'valid' AND p.valid_until BETWEEN $1 AND $2
  AND NOT EXISTS (
      SELECT 1 FROM permit_reminders r
      WHERE r.permit_id = p.id AND r.valid_until = p.valid_until AND r.days_before <= $3
  )
ORDER BY p.valid_until, p.id
LIMIT $4
FOR UPDATE OF p;

-- name: record_reminder
-- Exactly once per (permit, term, lead time): a replica that comes second finds the key taken and sends nothing.
INSERT INTO permit_reminders (permit_id, valid_until, days_before, sent_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING true;
