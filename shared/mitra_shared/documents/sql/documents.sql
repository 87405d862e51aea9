-- name: insert_document
-- Record a stored file as a document of its owner; the object was written before.
INSERT INTO documents (
    id, owner_type, owner_id, purpose, filename, content_type, size, sha256, storage_key,
    thumbnail_key, thumbnail_sha256, thumbnail_size, generated, uploaded_by, uploaded_at
) VALUES (
    :id, :owner_type, :owner_id, :purpose, :filename, :content_type, :size, :sha256, :storage_key,
    :thumbnail_key, :thumbnail_sha256, :thumbnail_size, :generated, :uploaded_by, :uploaded_at
)
RETURNING *;

-- name: documents_of
-- The documents of one owner, oldest first.
SELECT * FROM documents
WHERE owner_type = :owner_type AND owner_id = :owner_id
ORDER BY uploaded_at, id;

-- name: documents_of_many
-- The documents of several owners of one type (a page of a list), oldest first.
SELECT * FROM documents
WHERE owner_type = :owner_type AND owner_id = ANY(:owner_ids::uuid[])
ORDER BY uploaded_at, id;

-- name: document_row
-- One document by its id.
SELECT * FROM documents WHERE id = :id;

-- name: set_document_public
-- Mark a document public or not; `published_at` is when it first became public (kept while it stays public).
UPDATE documents
SET public = :public::boolean,
    published_at = CASE
        WHEN NOT :public::boolean THEN NULL
        WHEN public THEN published_at
        ELSE :now::timestamptz
    END
WHERE id = :id
RETURNING *;

-- name: storage_keys_named
-- Which of these keys a document names (as its file or its thumbnail): the sweeper keeps those.
SELECT storage_key AS key FROM documents WHERE storage_key = ANY(:keys::text[])
UNION
SELECT thumbnail_key AS key FROM documents WHERE thumbnail_key = ANY(:keys::text[]);
