#!/usr/bin/env bash
# Each Mitra service's own PostgreSQL role and database (`mitra_<service>`, owned by that role, no superuser, closed
# to the other roles), created or brought up to date as the administrator. Compose runs it on every `up` (the
# one-shot `postgres-roles` service) before the services start; the services never see the administrator's password.
#
# Needs: psql; PGHOST, PGUSER, PGPASSWORD of the administrator (libpq's variables); POSTGRES_<SERVICE>_PASSWORD for
# each service. MITRA_ROLE_PREFIX (default `mitra`) prefixes the names (the tests use their own).
# Reporting also runs as a runtime role, `<prefix>_reporting_app` (POSTGRES_REPORTING_APP_PASSWORD), that may add to
# its audit log and read it, never change or remove an entry (runtime.sql); its owner role only migrates.
set -euo pipefail

prefix=${MITRA_ROLE_PREFIX:-mitra}
here=$(dirname "$0")
for service in console registry agreements notifications reporting; do
    variable="POSTGRES_${service^^}_PASSWORD"
    if [ -z "${!variable:-}" ]; then
        echo "roles.sh: $variable is empty" >&2
        exit 1
    fi
    MITRA_ROLE_PASSWORD=${!variable} psql --no-psqlrc --quiet --dbname=postgres \
        --set=role="${prefix}_${service}" --file="$here/roles.sql"
    echo "roles.sh: ${prefix}_${service} is ready"
done
for service in reporting; do
    variable="POSTGRES_${service^^}_APP_PASSWORD"
    if [ -z "${!variable:-}" ]; then
        echo "roles.sh: $variable is empty" >&2
        exit 1
    fi
    MITRA_ROLE_PASSWORD=${!variable} psql --no-psqlrc --quiet --dbname=postgres \
        --set=role="${prefix}_${service}" --set=runtime="${prefix}_${service}_app" --file="$here/runtime.sql"
    echo "roles.sh: ${prefix}_${service}_app is ready"
done
