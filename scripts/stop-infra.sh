#!/usr/bin/env bash
# Stop the services listed in FILE, the MITRA_INFRA_STARTED_FILE of scripts/ensure-infra.sh: the ones a `make run`
# brought up (PostgreSQL and RabbitMQ that were running before it are not in it and keep running). Last started,
# first stopped; a service that does not stop is reported and the others are still stopped (status 1).
set -uo pipefail
SCRIPT_NAME=stop-infra
# shellcheck source=scripts/lib/setup.sh
. "$(dirname "$0")/lib/setup.sh"

[ $# -eq 1 ] || fail "usage: $0 FILE"
[ -s "$1" ] || exit 0
lines=()
while read -r line; do lines=("$line" "${lines[@]}"); done <"$1"
status=0
for line in "${lines[@]}"; do
    read -r service version cluster <<<"$line"
    case $service in
    rabbitmq)
        say "stopping RabbitMQ (make run started it)"
        as_root rabbitmqctl -q stop || { say "rabbitmqctl stop failed (its message is above)" >&2; status=1; }
        ;;
    postgresql)
        say "stopping PostgreSQL $version/$cluster (make run started it)"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop ||
            { say "pg_ctlcluster $version $cluster stop failed (its message is above)" >&2; status=1; }
        ;;
    *)
        say "$1: unknown line '$line'" >&2
        status=1
        ;;
    esac
done
exit "$status"
