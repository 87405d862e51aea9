-- The chunk objects of a resumable upload, in offset order. A PATCH writes its chunk under a key of its own (offset
-- and a random suffix) before it moves the offset on; only the chunk of the PATCH that moved it is recorded here, so
-- the join reads exactly these keys (a losing or interrupted PATCH may leave another object under the prefix).
ALTER TABLE document_uploads ADD COLUMN chunks text[] NOT NULL DEFAULT '{}';
