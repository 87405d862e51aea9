-- name: organization_for_permit
-- Shared lock: the NGO's status cannot change under a permit being granted or extended.
SELECT id, legal_name, status FROM organizations WHERE id = :organization_id FOR SHARE;

-- name: principle_facts
-- The principle permit an operating permit rests on, as its rules look at it.
SELECT id, organization_id, permit_type, status, issued_on, valid_until FROM permits WHERE id = :permit_id FOR SHARE;

-- name: insert_permit
-- Records a granted permit; no row when a permit of that type with that number is recorded.
INSERT INTO permits (
    id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id,
    granted_at, updated_at
) VALUES (
    :id, :organization_id, :permit_type, :number, :issued_on, :valid_until, :principle_permit_id, :msp_id,
    :now, :now
)
ON CONFLICT (permit_type, number) DO NOTHING
RETURNING id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
          version, granted_at;

-- name: get_permit
-- One permit.
SELECT id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
       version, granted_at
FROM permits WHERE id = :permit_id;

-- name: get_permit_for_update
-- One permit, locked for the extension being made to it.
SELECT p.id, p.organization_id, p.permit_type, p.number, p.issued_on, p.valid_until, p.principle_permit_id,
       p.msp_id, p.status, p.version, p.granted_at
FROM permits p WHERE p.id = :permit_id
FOR UPDATE;

-- name: list_permits
-- Filters are optional: a NULL parameter matches everything. :expiring_before looks at valid permits only.
-- :scope_organization_id is the caller's scope (an NGO sees only its own permits; NULL: all of them).
SELECT id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
       version, granted_at, count(*) OVER () AS total
FROM permits
WHERE (:scope_organization_id::uuid IS NULL OR organization_id = :scope_organization_id)
  AND (:organization_id::uuid IS NULL OR organization_id = :organization_id)
  AND (:permit_type::text IS NULL OR permit_type = :permit_type)
  AND (:status::text IS NULL OR status = :status)
  AND (:expiring_before::date IS NULL OR (status = 'valid' AND valid_until < :expiring_before))
ORDER BY valid_until, id
LIMIT :limit OFFSET :offset;

-- name: insert_extension
-- One extension of a permit: the term it replaced, the new one, and whether it was asked for late.
INSERT INTO permit_extensions (id, permit_id, previous_valid_until, valid_until, requested_on, requested_late,
                               extended_at)
VALUES (:id, :permit_id, :previous_valid_until, :valid_until, :requested_on, :requested_late, :now);

-- name: extend_permit
-- Gives a permit its new last valid day.
UPDATE permits SET valid_until = :valid_until, version = version + 1, updated_at = :now
WHERE id = :permit_id
RETURNING id, organization_id, permit_type, number, issued_on, valid_until, principle_permit_id, msp_id, status,
          version, granted_at;

-- name: wake_expiry_scheduler
-- Wakes the expiry scheduler when the transaction commits, so that a permit inside a reminder window is seen at once.
SELECT pg_notify(:channel, '');

-- name: claim_lapsed_permits
-- Valid permits whose last valid day is before :today; rows another replica holds are left to it.
SELECT p.id, p.organization_id, o.legal_name AS organization_name, p.permit_type, p.number, p.valid_until
FROM permits p
JOIN organizations o ON o.id = p.organization_id
WHERE p.status = 'valid' AND p.valid_until < :today
ORDER BY p.valid_until, p.id
LIMIT :batch_size
FOR UPDATE OF p SKIP LOCKED;

-- name: mark_expired
-- A claimed batch marked expired in one statement. The status condition makes each change (and so its event)
-- happen once even if two replicas got here: only the permits changed now come back.
UPDATE permits SET status = 'expired', version = version + 1, updated_at = :now
WHERE id = ANY(:permit_ids::uuid[]) AND status = 'valid'
RETURNING id;

-- name: claim_due_reminders
-- Valid permits ending in [:first, :last] that have not had this reminder, nor a more urgent one, for their current
-- term. The lock waits (no SKIP LOCKED): a replica that waited for another's batch, or for an extension, re-reads
-- the permit's term; whether that other replica already sent the reminder is decided by the key of permit_reminders.
SELECT p.id, p.organization_id, o.legal_name AS organization_name, p.permit_type, p.number, p.valid_until
FROM permits p
JOIN organizations o ON o.id = p.organization_id
WHERE p.status = 'valid' AND p.valid_until BETWEEN :first AND :last
  AND NOT EXISTS (
      SELECT 1 FROM permit_reminders r
      WHERE r.permit_id = p.id AND r.valid_until = p.valid_until AND r.days_before <= :days_before
  )
ORDER BY p.valid_until, p.id
LIMIT :batch_size
FOR UPDATE OF p;

-- name: record_reminders
-- A claimed batch's reminders of one lead time in one statement, exactly once per (permit, term, lead time): the
-- permits a replica that came first already reminded do not come back, and get nothing from this one.
INSERT INTO permit_reminders (permit_id, valid_until, days_before, sent_at)
SELECT r.permit_id, r.valid_until, :days_before::integer, :now::timestamptz
FROM unnest(:permit_ids::uuid[], :valid_untils::date[]) AS r(permit_id, valid_until)
ON CONFLICT DO NOTHING
RETURNING permit_id;

-- name: record_reminder
-- Exactly once per (permit, term, lead time): a replica that comes second finds the key taken and sends nothing.
INSERT INTO permit_reminders (permit_id, valid_until, days_before, sent_at)
VALUES (:permit_id, :valid_until, :days_before, :now)
ON CONFLICT DO NOTHING
RETURNING true;
