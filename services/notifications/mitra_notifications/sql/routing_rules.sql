-- name: list_rules
-- Every routing rule, by event and audience.
SELECT * FROM routing_rules ORDER BY routing_key, audience;

-- name: lock_rule
-- The rule for an event and an audience, if there is one, locked for the change made to it.
SELECT * FROM routing_rules WHERE routing_key = :routing_key AND audience = :audience FOR UPDATE;

-- name: upsert_rule
-- Add the rule for an event and an audience, or change its channels and whether it applies.
INSERT INTO routing_rules (id, routing_key, audience, channels, active, created_at, updated_at)
VALUES (:id, :routing_key, :audience, :channels, :active, :now, :now)
ON CONFLICT (routing_key, audience) DO UPDATE
SET channels = EXCLUDED.channels, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at
RETURNING *;

-- name: delete_rule
-- Remove a routing rule; the deleted row goes into the audit trail.
DELETE FROM routing_rules WHERE id = :rule_id RETURNING *;
