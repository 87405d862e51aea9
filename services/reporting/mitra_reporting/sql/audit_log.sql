-- The audit trail: append-only, hash-chained (domain/audit.py); entries only ever come in through append_entry.

-- name: audit_lock
-- One appender at a time, so each entry chains onto the last one (reporting consumes in order anyway).
SELECT pg_advisory_xact_lock(:lock);

-- name: chain_head
-- In one round trip, after audit_lock (its own statement, so this one's snapshot sees the last appender's commit):
-- whether this event's entry is in the log already (a redelivery or a second publication adds nothing); the newest
-- entry's seq and hash (NULL in an empty log), which the next one chains onto; and the values as the log will give
-- them back (jsonb's own form of numbers), so the hash is computed over those.
SELECT EXISTS (SELECT 1 FROM audit_log WHERE event_id = :event_id) AS known, last.seq, last.hash,
       :actor_scope::jsonb AS actor_scope, :before::jsonb AS before, :after::jsonb AS after
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS last ON true;

-- name: append_entry_onto_tip
-- The usual append in one round trip: one entry chained onto the entry the appender added last (:seq - 1 with
-- :previous_hash), under audit_lock taken in the statement. Adds nothing (and returns no row) if that entry is not in
-- the log as remembered (its transaction rolled back), if the log moved on (another appender's :seq, committed or
-- not, is refused by the unique seq, whatever this statement's snapshot saw) or if this event's entry is there
-- already; the appender then takes the long way (audit_lock, chain_head, append_entry).
INSERT INTO audit_log (seq, event_id, entry_id, at, actor_subject, actor_name, actor_role, actor_scope, action,
                       object_type, object_id, before, after, request_id, service, recorded_at, previous_hash, hash)
SELECT :seq::bigint, :event_id, :entry_id, :at, :actor_subject, :actor_name, :actor_role, :actor_scope, :action,
       :object_type, :object_id, :before, :after, :request_id, :service, :recorded_at, :previous_hash::text, :hash
FROM (SELECT pg_advisory_xact_lock(:lock)) AS appenders_lock
WHERE EXISTS (SELECT 1 FROM audit_log WHERE seq = :seq::bigint - 1 AND hash = :previous_hash::text)
ON CONFLICT DO NOTHING
RETURNING seq;

-- name: append_entry
-- One entry, chained.
INSERT INTO audit_log (seq, event_id, entry_id, at, actor_subject, actor_name, actor_role, actor_scope, action,
                       object_type, object_id, before, after, request_id, service, recorded_at, previous_hash, hash)
VALUES (:seq, :event_id, :entry_id, :at, :actor_subject, :actor_name, :actor_role, :actor_scope, :action,
        :object_type, :object_id, :before, :after, :request_id, :service, :recorded_at, :previous_hash, :hash)
ON CONFLICT (event_id) DO NOTHING;

-- name: list_entries
-- A page of entries, filtered by object, actor (subject) and time (`at` from :at_from, before :at_to), oldest or
-- newest first; with how many match in all.
SELECT a.*, count(*) OVER () AS total FROM audit_log a
WHERE (:object_id::text IS NULL OR a.object_id = :object_id)
  AND (:actor::text IS NULL OR a.actor_subject = :actor)
  AND (:at_from::timestamptz IS NULL OR a.at >= :at_from)
  AND (:at_to::timestamptz IS NULL OR a.at < :at_to)
ORDER BY CASE WHEN :oldest_first::boolean THEN a.seq END ASC,
         CASE WHEN NOT :oldest_first::boolean THEN a.seq END DESC
LIMIT :limit OFFSET :offset;

-- name: chain
-- Every entry in chain order, for verify-audit.
SELECT * FROM audit_log ORDER BY seq;

-- name: privileges_beyond_appending
-- What the role the service runs as may do to the log beyond adding and reading entries (it must be nothing):
-- change, remove, empty it, or own it (an owner may grant itself anything).
SELECT privilege FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) AS privilege
WHERE has_table_privilege(current_user, 'audit_log', privilege)
UNION ALL
SELECT 'OWNER' WHERE pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'audit_log'::regclass), 'USAGE');
