-- name: insert_client
-- Registers an integration client; no row when the id is taken.
INSERT INTO oauth_clients (client_id, name, secret_hash, created_at, created_by, updated_at, updated_by)
VALUES (:client_id, :name, :secret_hash, :now, :actor, :now, :actor)
ON CONFLICT (client_id) DO NOTHING
RETURNING client_id, name, active, version, created_at, created_by, updated_at, updated_by;

-- name: get_client
-- One client, with its secret's hash.
SELECT client_id, name, active, version, created_at, created_by, updated_at, updated_by, secret_hash
FROM oauth_clients WHERE client_id = :client_id;

-- name: get_client_for_update
-- One client, locked for the change made to it.
SELECT client_id, name, active, version, created_at, created_by, updated_at, updated_by, secret_hash
FROM oauth_clients WHERE client_id = :client_id
FOR UPDATE;

-- name: update_client
-- A NULL parameter keeps the current value.
UPDATE oauth_clients
SET name = coalesce(:name, name),
    active = coalesce(:active, active),
    secret_hash = coalesce(:secret_hash, secret_hash),
    version = version + 1,
    updated_at = :now,
    updated_by = :actor
WHERE client_id = :client_id
RETURNING client_id, name, active, version, created_at, created_by, updated_at, updated_by;

-- name: list_clients
-- Every client, by id.
SELECT client_id, name, active, version, created_at, created_by, updated_at, updated_by
FROM oauth_clients ORDER BY client_id;
