-- name: database_now
-- The database's clock: events committed after this moment must all reach the outside subscriber.
SELECT now();

-- name: registered_organizations
-- Registry: the NGOs the run registered (named "<prefix><token>"), committed, whatever the client heard.
SELECT legal_name, count(*) AS copies FROM organizations WHERE legal_name LIKE :prefix || '%' GROUP BY legal_name;

-- name: outbox_events
-- Any service: the events it committed since :since (the outbox keeps published ones for the retention days).
SELECT id::text AS id, routing_key, published_at IS NOT NULL AS published FROM outbox WHERE created_at >= :since;

-- name: registration_events
-- Registry: each registration event with the NGO name it carries, to follow it downstream.
SELECT id::text AS id, convert_from(body, 'UTF8')::jsonb #>> '{data,legal_name}' AS legal_name
FROM outbox
WHERE routing_key = :routing_key;

-- name: inbox_events
-- A consuming service: the events it applied (its inbox, written in the transaction of their effect).
SELECT event_id::text AS event_id FROM inbox WHERE event_type = :event_type;

-- name: reporting_log
-- Reporting: how many times each event was appended to its event log (its projection updates in that transaction).
SELECT event_id::text AS event_id, count(*) AS copies FROM event_log WHERE event_type = :event_type GROUP BY event_id;

-- name: reporting_organizations
-- Reporting: its projection's rows per NGO name (one each expected, as in registry).
SELECT legal_name, count(*) AS copies FROM organizations WHERE legal_name LIKE :prefix || '%' GROUP BY legal_name;

-- name: notifications_per_event
-- Notifications: the notifications made for each event (per recipient and channel), one each expected.
SELECT event_id::text AS event_id, address, channel, count(*) AS copies
FROM notifications
WHERE event_type = :event_type
GROUP BY event_id, address, channel;
