-- One Mitra service's PostgreSQL role and database, created or brought up to date; run by roles.sh with psql as
-- the administrator, once per service, with :role the name of both. The password comes from the environment
-- (MITRA_ROLE_PASSWORD), never from the command line. Safe to run again: the role gets the password of now, and what
-- the administrator created in the database earlier (a deployment from before the roles) passes to the role.
\set ON_ERROR_STOP on
\getenv password MITRA_ROLE_PASSWORD
SELECT set_config('mitra.owner', :'role', false) \g /dev/null

SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
DO $refuse$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_setting('mitra.owner')) THEN
        RAISE EXCEPTION '% is a superuser; a service never runs as one', current_setting('mitra.owner');
    END IF;
END
$refuse$;
-- Log in and own its database; nothing on the server besides.
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';

SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') \gexec
ALTER DATABASE :"role" OWNER TO :"role";
-- No other service's role may connect to it (superusers still may).
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;

\connect :"role"
SELECT set_config('mitra.owner', :'role', false) \g /dev/null
ALTER SCHEMA public OWNER TO :"role";
-- The same block as mitra_shared.db.TAKE_OVER_PUBLIC_SCHEMA (a test holds them equal).
DO $take_over$
DECLARE
    target text := current_setting('mitra.owner');
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> target
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('e', 'a', 'i'))
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, target);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> target
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, target);
    END LOOP;
END
$take_over$;
