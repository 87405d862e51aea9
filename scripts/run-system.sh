#!/usr/bin/env bash
# `make run`: PostgreSQL and RabbitMQ up (scripts/ensure-infra.sh), then the system in the foreground
# (mitra_devtools.run, with PY the virtualenv's python) until Ctrl-C or SIGTERM. On the way out, whatever the reason,
# it stops what this run started: the system first, then PostgreSQL and RabbitMQ if they were not answering before
# (scripts/stop-infra.sh); those that were already running keep running.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export MITRA_INFRA_STARTED_FILE
MITRA_INFRA_STARTED_FILE=$(mktemp)
system=""
finished=""

# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
    local status=$?
    [ -z "$finished" ] || return 0
    finished=1
    trap '' INT TERM # a second Ctrl-C does not cut the stopping short
    if [ -n "$system" ]; then
        # SIGTERM: the system may not have set its handlers yet, and a background job ignores SIGINT.
        kill -TERM "$system" 2>/dev/null || true
        wait "$system" || true
    fi
    scripts/stop-infra.sh "$MITRA_INFRA_STARTED_FILE" || status=1
    rm -f "$MITRA_INFRA_STARTED_FILE"
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

scripts/ensure-infra.sh
# In the background so that a signal reaches this script's traps at once rather than after the system exits.
"$PY" -m mitra_devtools.run "$@" &
system=$!
wait "$system" && status=0 || status=$?
system=""
exit "$status"
