-- name: insert_sanction
-- Records a sanction imposed on an NGO (the use case holds the NGO's row lock and has checked the rules).
INSERT INTO sanctions (
    id, organization_id, kind, category, reason, starts_on, ends_on, previous_status, imposed_by, imposed_at
) VALUES (
    :id, :organization_id, :kind, :category, :reason, :starts_on, :ends_on, :previous_status, :imposed_by, :now
)
RETURNING *;

-- name: get_sanction
-- One sanction.
SELECT * FROM sanctions WHERE id = :sanction_id;

-- name: lock_sanction
-- One sanction, locked for the change being made to it.
SELECT * FROM sanctions WHERE id = :sanction_id FOR UPDATE;

-- name: has_active_freeze
-- Whether the NGO has a freeze in effect.
SELECT EXISTS (
    SELECT 1 FROM sanctions WHERE organization_id = :organization_id AND kind = 'freeze' AND status = 'active'
);

-- name: active_freeze
-- The id of the NGO's freeze in effect, if any (at most one: sanctions_one_active_freeze).
SELECT id FROM sanctions WHERE organization_id = :organization_id AND kind = 'freeze' AND status = 'active';

-- name: supersede_sanctions
-- Ends the NGO's active warnings and freezes as lifted by its revocation (the use case holds the NGO's row lock).
UPDATE sanctions SET status = 'lifted', lifted_by = :lifted_by, lifted_at = :now, lift_reason = :reason
WHERE organization_id = :organization_id AND status = 'active' AND kind <> 'revocation'
RETURNING *;

-- name: list_sanctions
-- An NGO's sanctions, newest first; the filters are optional (NULL matches everything). Each row carries the total.
SELECT *, count(*) OVER () AS total
FROM sanctions
WHERE organization_id = :organization_id
  AND (:status::text IS NULL OR status = :status)
  AND (:kind::text IS NULL OR kind = :kind)
ORDER BY imposed_at DESC, id
LIMIT :limit OFFSET :offset;

-- name: end_sanction
-- Ends an active warning or freeze (lifted or expired); the status condition makes it happen once.
UPDATE sanctions SET status = :status, lifted_by = :lifted_by, lifted_at = :now, lift_reason = :reason
WHERE id = :sanction_id AND status = 'active'
RETURNING *;

-- name: claim_ended_sanctions
-- Active warnings and freezes whose last day is before :today, a batch of candidates read without a lock: each is
-- ended in its own transaction that re-checks it is still active under the NGO's row lock, so replicas reading the
-- same candidates end each sanction once.
SELECT id, organization_id FROM sanctions
WHERE status = 'active' AND ends_on < :today
ORDER BY ends_on, id
LIMIT :batch_size;

-- name: lock_valid_permits
-- The NGO's valid permits, locked for their revocation.
SELECT id, organization_id, permit_type, number FROM permits
WHERE organization_id = :organization_id AND status = 'valid'
ORDER BY permit_type DESC, granted_at, id
FOR UPDATE;

-- name: revoke_permit
-- Revokes a valid permit by a revocation sanction.
UPDATE permits SET status = 'revoked', revoked_on = :revoked_on, revoked_reason = :reason,
                   revoked_by_sanction_id = :sanction_id, version = version + 1, updated_at = :now
WHERE id = :permit_id AND status = 'valid'
RETURNING id;
