-- The files a service keeps (uploaded or generated), each named by one row; the bytes are in the document store
-- under `storage_key`. A row is written only after its object: an object no row names is an orphan the sweeper
-- deletes once it is older than the grace period.
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    owner_type text NOT NULL,
    owner_id uuid NOT NULL,
    purpose text NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key text NOT NULL UNIQUE,
    thumbnail_key text UNIQUE,
    thumbnail_sha256 text CHECK (thumbnail_sha256 ~ '^[0-9a-f]{64}$'),
    thumbnail_size bigint CHECK (thumbnail_size >= 0),
    public boolean NOT NULL DEFAULT false,
    generated boolean NOT NULL DEFAULT false,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    published_at timestamptz,
    CHECK ((thumbnail_key IS NULL) = (thumbnail_sha256 IS NULL) AND (thumbnail_key IS NULL) = (thumbnail_size IS NULL)),
    CHECK (public OR published_at IS NULL)
);

CREATE INDEX documents_owner ON documents (owner_type, owner_id);

-- Resumable uploads (tus) in progress: the chunks received so far are objects `{service}/uploads/{id}/{offset}`.
-- Deleted when the upload is attached to an object (its bytes became a document) or when it expired.
CREATE TABLE document_uploads (
    id uuid PRIMARY KEY,
    created_by text NOT NULL,
    length bigint NOT NULL CHECK (length >= 0),
    received bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= length),
    filename text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    finished_at timestamptz
);

CREATE INDEX document_uploads_expires ON document_uploads (expires_at);
