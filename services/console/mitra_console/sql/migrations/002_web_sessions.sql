-- The web console: sessions of people in a browser, their preferences, and password reset links.
-- Only hashes (SHA-256) of the session ids and reset tokens are stored: the database alone opens no session.

CREATE TABLE web_sessions (
    id_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    language text NOT NULL CHECK (language IN ('id', 'en')),
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    -- The absolute end (login + MITRA_CONSOLE_SESSION_HOURS); the idle timeout counts from last_seen_at.
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- What a person chose in the settings page (no row: Bahasa Indonesia, and the zone of the account's region).
CREATE TABLE account_preferences (
    account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    language text CHECK (language IN ('id', 'en')),
    time_zone text CHECK (time_zone IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura')),
    updated_at timestamptz NOT NULL
);

CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_resets_account ON password_resets (account_id);
