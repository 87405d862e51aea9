-- name: upload_insert
-- A resumable upload begins: nothing received yet; it expires unless finished and attached before expires_at.
INSERT INTO document_uploads (id, created_by, length, received, filename, created_at, expires_at, finished_at)
VALUES (:id, :created_by, :length, 0, :filename, :created_at, :expires_at, NULL)
RETURNING id, created_by, length, received, filename, created_at, expires_at, finished_at;

-- name: upload_of
-- One upload as its creator sees it (another principal's or an expired one reads as absent).
SELECT id, created_by, length, received, filename, created_at, expires_at, finished_at
FROM document_uploads
WHERE id = :id AND created_by = :created_by AND expires_at > :now;

-- name: upload_take
-- A finished upload being attached: its row goes at once, so that a second attach of it finds nothing (the row is
-- put back, by upload_put_back, if the attach fails).
DELETE FROM document_uploads
WHERE id = :id AND created_by = :created_by AND expires_at > :now AND finished_at IS NOT NULL AND received = length
RETURNING id, created_by, length, received, filename, created_at, expires_at, finished_at, chunks;

-- name: upload_put_back
-- The attach of a taken upload failed: the upload is as it was, for the client to try again.
INSERT INTO document_uploads (id, created_by, length, received, filename, created_at, expires_at, finished_at, chunks)
VALUES (:id, :created_by, :length, :received, :filename, :created_at, :expires_at, :finished_at, :chunks::text[])
ON CONFLICT (id) DO NOTHING;

-- name: upload_advance
-- A chunk of `size` bytes starting at `offset` is stored under `chunk_key`: move the offset on (only from where the
-- chunk began: of two PATCHes at one offset one wins), record the chunk, note when the last byte arrived.
UPDATE document_uploads
SET received = received + :size::bigint,
    chunks = array_append(chunks, :chunk_key::text),
    finished_at = CASE WHEN received + :size::bigint = length THEN :now::timestamptz ELSE NULL END
WHERE id = :id AND created_by = :created_by AND expires_at > :now
    AND received = :offset AND received + :size::bigint <= length
RETURNING id, created_by, length, received, filename, created_at, expires_at, finished_at;

-- name: upload_delete
-- The upload is attached or its creator ended it: the row goes (its chunks are deleted after).
DELETE FROM document_uploads WHERE id = :id AND created_by = :created_by
RETURNING id;

-- name: uploads_expired
-- Uploads whose time ran out, oldest first, a batch at a time (the sweeper deletes their chunks, then them).
SELECT id FROM document_uploads
WHERE expires_at <= :now
ORDER BY expires_at
LIMIT :batch_size;

-- name: upload_delete_expired
-- An expired upload whose chunks are gone; still expired, so a row made meanwhile is never touched.
DELETE FROM document_uploads WHERE id = :id AND expires_at <= :now;

-- name: uploads_existing
-- Which of these upload ids still have a row (chunks of the others are orphans).
SELECT id FROM document_uploads WHERE id = ANY(:ids::uuid[]);

-- name: sweeper_try_lock
-- One sweeper runs at a time among a service's replicas: the others skip the run (released by sweeper_unlock).
SELECT pg_try_advisory_lock(:key);

-- name: sweeper_unlock
-- The run is over.
SELECT pg_advisory_unlock(:key);

-- name: uploads_lock_creator
-- Until the transaction ends, one creation of an upload at a time per principal (so the cap on open ones holds).
SELECT pg_advisory_xact_lock(hashtext('mitra.uploads:' || :created_by));

-- name: uploads_open_count
-- How many unexpired uploads a principal has in progress (a cap keeps one caller from filling the store).
SELECT count(*) FROM document_uploads WHERE created_by = :created_by AND expires_at > :now;
