-- name: insert_account
-- Adds an account; no row when the username is taken (ignoring case).
INSERT INTO accounts (id, username, display_name, email, role, ministry_code, region_code, organization_id,
                      password_hash, password_changed_at, created_at, created_by, updated_at, updated_by)
VALUES (:id, :username, :display_name, :email, :role, :ministry_code, :region_code, :organization_id,
        :password_hash, :now, :now, :actor, :now, :actor)
ON CONFLICT (lower(username)) DO NOTHING
RETURNING id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
          locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by;

-- name: get_account
-- One account, as the API shows it.
SELECT id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
       locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by
FROM accounts WHERE id = :account_id;

-- name: get_account_for_update
-- One account with its password hash and login state, locked for the change made to it.
SELECT id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
       locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by,
       password_hash, recent_failures
FROM accounts WHERE id = :account_id
FOR UPDATE;

-- name: get_password_hash
-- The stored hash of an account's password.
SELECT password_hash FROM accounts WHERE id = :account_id;

-- name: find_login
-- The account a login names (ignoring case), with its password hash and login state.
SELECT id, username, display_name, role, ministry_code, region_code, organization_id, active, password_hash,
       recent_failures, locked_until
FROM accounts WHERE lower(username) = lower(:username);

-- name: update_account
-- A NULL parameter keeps the current value, except the scope, which is always written (it follows the role).
UPDATE accounts
SET display_name = coalesce(:display_name, display_name),
    email = coalesce(:email, email),
    role = :role,
    ministry_code = :ministry_code,
    region_code = :region_code,
    organization_id = :organization_id,
    active = coalesce(:active, active),
    recent_failures = CASE WHEN :unlock::boolean THEN '{}' ELSE recent_failures END,
    locked_until = CASE WHEN :unlock::boolean THEN NULL ELSE locked_until END,
    version = version + 1,
    updated_at = :now,
    updated_by = :actor
WHERE id = :account_id
RETURNING id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
          locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by;

-- name: set_password
-- A new password (by its owner or a manager): the failures and any lockout are cleared.
UPDATE accounts
SET password_hash = :password_hash,
    password_changed_at = :now,
    recent_failures = '{}',
    locked_until = NULL,
    version = version + 1,
    updated_at = :now,
    updated_by = :actor
WHERE id = :account_id
RETURNING id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
          locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by;

-- name: record_login_failure
-- The login state after a failed login.
UPDATE accounts SET recent_failures = :recent_failures, locked_until = :locked_until WHERE id = :account_id;

-- name: record_login_success
-- A successful login: the failures are forgotten; a hash made with old parameters is replaced (NULL keeps it).
UPDATE accounts
SET recent_failures = '{}',
    locked_until = NULL,
    last_login_at = :now,
    password_hash = coalesce(:password_hash, password_hash)
WHERE id = :account_id;

-- name: list_accounts
-- Filters are optional (NULL matches everything); `roles` limits to the roles the caller manages (NULL: all).
SELECT id, username, display_name, email, role, ministry_code, region_code, organization_id, active,
       locked_until, last_login_at, password_changed_at, version, created_at, created_by, updated_at, updated_by,
       count(*) OVER () AS total
FROM accounts
WHERE (:roles::text[] IS NULL OR role = ANY(:roles::text[]))
  AND (:role::text IS NULL OR role = :role)
  AND (:organization_id::uuid IS NULL OR organization_id = :organization_id)
  AND (:active::boolean IS NULL OR active = :active)
  AND (:q::text IS NULL OR strpos(lower(username || ' ' || display_name || ' ' || email), lower(:q::text)) > 0)
ORDER BY lower(username)
LIMIT :limit OFFSET :offset;

-- name: display_names
-- The display names of the accounts among these ids (who uploaded a document, as the console's pages show it).
SELECT id, display_name FROM accounts WHERE id = ANY(:account_ids::uuid[]);
