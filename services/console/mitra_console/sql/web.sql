-- name: insert_session
-- A new session after a login; its id is known only by its hash.
INSERT INTO web_sessions (id_hash, account_id, csrf_token, language, created_at, last_seen_at, expires_at)
VALUES (:id_hash, :account_id, :csrf_token, :language, :now, :now, :expires_at);

-- name: get_session
-- A session with the account it belongs to (an inactive account's sessions are not answered) and its preferences.
SELECT s.id_hash, s.account_id, s.csrf_token, s.language, s.created_at, s.last_seen_at, s.expires_at,
       a.username, a.display_name, a.email, a.role, a.ministry_code, a.region_code, a.organization_id,
       p.time_zone
FROM web_sessions s
JOIN accounts a ON a.id = s.account_id AND a.active
LEFT JOIN account_preferences p ON p.account_id = s.account_id
WHERE s.id_hash = :id_hash;

-- name: touch_session
-- The session was used now (the idle timeout counts from here).
UPDATE web_sessions SET last_seen_at = :now WHERE id_hash = :id_hash;

-- name: set_session_language
UPDATE web_sessions SET language = :language WHERE id_hash = :id_hash;

-- name: delete_session
DELETE FROM web_sessions WHERE id_hash = :id_hash;

-- name: delete_account_sessions
-- Every session of an account but one (NULL: all), e.g. after its password changed.
DELETE FROM web_sessions WHERE account_id = :account_id AND (:keep::bytea IS NULL OR id_hash <> :keep::bytea);

-- name: delete_expired_sessions
-- Sessions past their absolute end or idle for longer than the timeout.
DELETE FROM web_sessions WHERE expires_at <= :now OR last_seen_at <= :idle_before;

-- name: save_preferences
-- A NULL keeps the current choice.
INSERT INTO account_preferences (account_id, language, time_zone, updated_at)
VALUES (:account_id, :language, :time_zone, :now)
ON CONFLICT (account_id) DO UPDATE
SET language = coalesce(EXCLUDED.language, account_preferences.language),
    time_zone = coalesce(EXCLUDED.time_zone, account_preferences.time_zone),
    updated_at = EXCLUDED.updated_at;

-- name: get_preferences
SELECT language, time_zone FROM account_preferences WHERE account_id = :account_id;

-- name: find_reset_account
-- The active account a reset request names, by username or e-mail (ignoring case); the oldest when an e-mail
-- is shared.
SELECT id, username, display_name, email, role, ministry_code, region_code, organization_id
FROM accounts
WHERE active AND (lower(username) = lower(:name) OR lower(email) = lower(:name))
ORDER BY (lower(username) = lower(:name)) DESC, created_at
LIMIT 1;

-- name: insert_password_reset
INSERT INTO password_resets (token_hash, account_id, created_at, expires_at)
VALUES (:token_hash, :account_id, :now, :expires_at);

-- name: get_password_reset_for_update
-- A reset link, with the account it is for, locked while it is used.
SELECT r.token_hash, r.account_id, r.expires_at, r.used_at, a.username, a.display_name, a.role, a.active,
       a.ministry_code, a.region_code, a.organization_id
FROM password_resets r JOIN accounts a ON a.id = r.account_id
WHERE r.token_hash = :token_hash
FOR UPDATE OF r;

-- name: get_password_reset
SELECT r.account_id, r.expires_at, r.used_at, a.active
FROM password_resets r JOIN accounts a ON a.id = r.account_id
WHERE r.token_hash = :token_hash;

-- name: use_password_reset
-- A link works once; the account's other unused links stop working too.
UPDATE password_resets SET used_at = :now WHERE account_id = :account_id AND used_at IS NULL;

-- name: count_live_password_resets
-- An account's links that still work (a request beyond a few of them sends no more mail).
SELECT count(*) FROM password_resets WHERE account_id = :account_id AND used_at IS NULL AND expires_at > :now;

-- name: delete_old_password_resets
-- Links expired or used more than a day ago are of no more use.
DELETE FROM password_resets WHERE coalesce(used_at, expires_at) < :before;
