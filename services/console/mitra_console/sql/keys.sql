-- name: lock_keys
-- Serialises key rotation between replicas for the rest of the transaction ("keys" in ASCII).
SELECT pg_advisory_xact_lock(1801812339);

-- name: list_keys
-- Every stored key's windows (not the private keys).
SELECT kid, algorithm, public_jwk, active_from, retire_at, publish_until FROM signing_keys ORDER BY active_from;

-- name: get_private_key
-- The encrypted private key of one key.
SELECT private_key_encrypted FROM signing_keys WHERE kid = :kid;

-- name: insert_key
-- A new signing key.
INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_encrypted, created_at, active_from, retire_at,
                          publish_until)
VALUES (:kid, :algorithm, :public_jwk, :private_key_encrypted, :now, :active_from, :retire_at, :publish_until);

-- name: delete_expired_keys
-- Keys no token can still need.
DELETE FROM signing_keys WHERE publish_until <= :now;
