-- name: delete_expired_import_files
-- Kept files past their end, of every account (swept whenever the import pages keep or find one).
DELETE FROM web_import_files WHERE expires_at <= :now;

-- name: insert_import_file
-- A file whose dry run found no problem, kept for its confirmation.
INSERT INTO web_import_files (id, account_id, kind, filename, content_type, content, preview, created_at, expires_at)
VALUES (:id, :account_id, :kind, :filename, :content_type, :content, :preview, :now, :expires_at);

-- name: trim_account_import_files
-- The account's kept files beyond its newest `:keep` are forgotten (one being imported is left to finish).
DELETE FROM web_import_files
WHERE account_id = :account_id
  AND status <> 'importing'
  AND id NOT IN (
      SELECT id FROM web_import_files WHERE account_id = :account_id ORDER BY seq DESC LIMIT :keep
  );

-- name: get_import_file
-- The account's kept file of that kind, without its bytes (another account's, or another kind's, is not found).
SELECT id, account_id, kind, filename, content_type, preview, status, result, created_at, taken_at, expires_at
FROM web_import_files
WHERE id = :id AND account_id = :account_id AND kind = :kind AND expires_at > :now;

-- name: take_import_file
-- A confirmation takes the kept file for its import, once: a second confirmation (a double click, another tab)
-- finds it taken and takes nothing. It is kept until `:expires_at` (not swept while the import runs).
UPDATE web_import_files SET status = 'importing', taken_at = :now, expires_at = :expires_at
WHERE id = :id AND account_id = :account_id AND kind = :kind AND status = 'kept' AND expires_at > :now
RETURNING content, content_type, filename;

-- name: finish_import_file
-- The import's outcome: `imported` with the service's report, or `unknown` when it did not answer in time; the
-- same address shows it until `:expires_at`.
UPDATE web_import_files SET status = :status, result = :result, content = NULL, expires_at = :expires_at
WHERE id = :id AND status = 'importing';

-- name: release_import_file
-- The import certainly did not happen (the service was not reached, or failed and rolled back): the file may be
-- confirmed again.
UPDATE web_import_files SET status = 'kept', taken_at = NULL WHERE id = :id AND status = 'importing';

-- name: delete_import_file
-- A file the real import refused (its problems are shown; nothing is kept).
DELETE FROM web_import_files WHERE id = :id;
