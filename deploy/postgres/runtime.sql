-- A service's runtime role beside its owner role, created or brought up to date; run by roles.sh with psql as the
-- administrator, after roles.sql, with :role the owner (and database) and :runtime the runtime role. The password
-- comes from the environment (MITRA_ROLE_PASSWORD). The runtime role may use every table and sequence the owner has
-- or will create, but a table marked append-only (reporting's audit log) only to add and read rows.
\set ON_ERROR_STOP on
\getenv password MITRA_ROLE_PASSWORD
SELECT set_config('mitra.runtime', :'runtime', false) \g /dev/null

SELECT format('CREATE ROLE %I', :'runtime') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'runtime') \gexec
DO $refuse$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_setting('mitra.runtime')) THEN
        RAISE EXCEPTION '% is a superuser; a service never runs as one', current_setting('mitra.runtime');
    END IF;
END
$refuse$;
ALTER ROLE :"runtime" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"runtime";

\connect :"role"
SELECT set_config('mitra.owner', :'role', false) \g /dev/null
SELECT set_config('mitra.runtime', :'runtime', false) \g /dev/null
-- The same block as mitra_shared.provisioning.GRANT_RUNTIME_ROLE (a test holds them equal).
DO $grant_runtime$
DECLARE
    owner_role text := current_setting('mitra.owner');
    runtime_role text := current_setting('mitra.runtime');
    item record;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owner_role, runtime_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', owner_role, runtime_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime_role);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', runtime_role);
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND coalesce(obj_description(c.oid, 'pg_class'), '') LIKE 'append-only%'
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM %I', item.name, runtime_role);
    END LOOP;
END
$grant_runtime$;
