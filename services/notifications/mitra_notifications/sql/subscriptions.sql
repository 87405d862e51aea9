-- name: insert_subscription
-- A recipient's own subscription to events, beside the routing rules.
INSERT INTO subscriptions (id, recipient_id, routing_keys, organization_ids, region_codes, channels, created_at)
VALUES (:id, :recipient_id, :routing_keys, :organization_ids, :region_codes, :channels, :now)
RETURNING *;

-- name: list_subscriptions
-- A recipient's subscriptions, oldest first.
SELECT * FROM subscriptions WHERE recipient_id = :recipient_id ORDER BY created_at, id;

-- name: delete_subscription
-- End one of a recipient's subscriptions; the deleted row goes into the audit trail.
DELETE FROM subscriptions WHERE id = :subscription_id AND recipient_id = :recipient_id RETURNING *;

-- name: organizations_of_ministry
-- The NGOs of the signed MSPs whose Mitra Utama has this code: what a ministry may subscribe to.
SELECT coalesce(array_agg(DISTINCT organization_id), '{}') FROM msp_facts WHERE ministry_code = :ministry_code;
