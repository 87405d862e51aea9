-- The web console's import pages: a file kept between its preview (the service's dry run) and its confirmation,
-- so that the confirmation imports exactly the bytes previewed, on whichever console replica answers it. Kept
-- 30 minutes from the upload (the pages sweep expired rows whenever they are used), at most a few per account.

CREATE TABLE web_import_files (
    id text PRIMARY KEY,                 -- random, in the page's address; the account is checked too
    seq bigint GENERATED ALWAYS AS IDENTITY,  -- upload order, for the per-account cap (timestamps may tie)
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind text NOT NULL,                  -- the API's kind: organizations, permits, staff, partners, msps
    filename text NOT NULL,
    content_type text NOT NULL,
    -- The file as uploaded; NULL once the import answered (or did not in time).
    content bytea CHECK (octet_length(content) <= 5242880),
    preview jsonb NOT NULL,              -- the dry run's ImportReport
    -- kept: previewed; importing: taken by a confirmation (a second one does not import again); imported: result
    -- holds the ImportReport; unknown: the service did not answer in time (the import may have happened).
    status text NOT NULL DEFAULT 'kept' CHECK (status IN ('kept', 'importing', 'imported', 'unknown')),
    result jsonb,
    created_at timestamptz NOT NULL,
    taken_at timestamptz,
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_import_files_account ON web_import_files (account_id, seq);
CREATE INDEX web_import_files_expires ON web_import_files (expires_at);
