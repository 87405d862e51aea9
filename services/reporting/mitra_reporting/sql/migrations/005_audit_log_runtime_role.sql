-- The audit log is append-only for the role reporting runs as (issue 11): when the service runs as a runtime role
-- of its own (MITRA_DATABASE_URL) while this owner role only migrates (MITRA_MIGRATION_DATABASE_URL), that role may
-- add entries and read them, never change or remove one. The comment marks the table for the administrator's
-- runtime grants (mitra_shared.provisioning, deploy/postgres/runtime.sql); what was granted before is taken back.
COMMENT ON TABLE audit_log IS 'append-only: the audit trail; entries are added and read, never changed or removed';
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
DO $append_only$
DECLARE
    grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT pg_get_userbyid(acl.grantee) FROM pg_class c, aclexplode(c.relacl) acl
        WHERE c.oid = 'audit_log'::regclass AND acl.grantee <> 0 AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', grantee_name);
    END LOOP;
END
$append_only$;
