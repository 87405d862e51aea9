-- The audit trail: every change any service made on someone's behalf, as its entry arrived
-- (`audit.<service>.recorded`), in arrival order. Append-only and hash-chained: each entry's `hash` is the sha256 of
-- the previous entry's hash and the canonical JSON of this entry (domain/audit.py); `verify-audit` recomputes it.
-- Not a projection: a rebuild never touches it.
CREATE TABLE audit_log (
    seq            bigint PRIMARY KEY CHECK (seq > 0),
    event_id       uuid NOT NULL UNIQUE,
    entry_id       uuid NOT NULL,
    at             timestamptz NOT NULL,
    actor_subject  text NOT NULL,
    actor_name     text,
    actor_role     text NOT NULL,
    actor_scope    jsonb NOT NULL DEFAULT '{}',
    action         text NOT NULL,
    object_type    text NOT NULL,
    object_id      text NOT NULL,
    before         jsonb,
    after          jsonb,
    request_id     text NOT NULL,
    service        text NOT NULL,
    recorded_at    timestamptz NOT NULL,
    previous_hash  text NOT NULL,
    hash           text NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_subject, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- Nobody changes or removes an entry, whatever their grants: UPDATE, DELETE and TRUNCATE are refused.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
