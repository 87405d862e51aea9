-- The console's own data: accounts of people, OAuth clients of integration systems, and the signing keys.

CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    username text NOT NULL,
    display_name text NOT NULL,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('tpoa', 'ministry', 'region', 'ngo', 'auditor', 'admin')),
    ministry_code text,
    region_code text,
    organization_id uuid,
    password_hash text NOT NULL,
    password_changed_at timestamptz NOT NULL,
    active boolean NOT NULL DEFAULT true,
    -- Failed logins inside the lockout window, and until when the account is locked after too many.
    recent_failures timestamptz[] NOT NULL DEFAULT '{}',
    locked_until timestamptz,
    last_login_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text NOT NULL,
    CHECK ((role = 'ministry') = (ministry_code IS NOT NULL)),
    CHECK ((role = 'region') = (region_code IS NOT NULL)),
    CHECK ((role = 'ngo') = (organization_id IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_username ON accounts (lower(username));
CREATE INDEX accounts_role ON accounts (role, lower(username));

CREATE TABLE oauth_clients (
    client_id text PRIMARY KEY,
    name text NOT NULL,
    secret_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    created_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text NOT NULL
);

-- A key signs from active_from until retire_at, and is published (JWKS) until publish_until, when every token it
-- signed has expired. The private key is encrypted (AES-256-GCM, MITRA_CONSOLE_KEY_ENCRYPTION_KEY).
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    algorithm text NOT NULL,
    public_jwk jsonb NOT NULL,
    private_key_encrypted bytea NOT NULL,
    created_at timestamptz NOT NULL,
    active_from timestamptz NOT NULL,
    retire_at timestamptz NOT NULL,
    publish_until timestamptz NOT NULL,
    CHECK (active_from < retire_at AND retire_at <= publish_until)
);
