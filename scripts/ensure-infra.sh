#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on 127.0.0.1: install them from Debian's packages if they are missing,
# start them if they are down, and when one does not come up, show why (its own log) and stop with a non-zero status.
# Safe to run again and again; a service that already answers is left alone.
#
#   MITRA_PG_PORT, MITRA_AMQP_PORT       the ports to check and bring up (5432, 5672)
#   MITRA_PG_WAIT_SECONDS, MITRA_AMQP_WAIT_SECONDS   how long a starting service may take (60, 180); a service whose
#                                        process died is reported at once
#   MITRA_INFRA_STARTED_FILE             a file to add a line to for each service this run brought up (`make run`
#                                        stops those on exit with scripts/stop-infra.sh)
#   RABBITMQ_LOG_BASE                    RabbitMQ's log directory (/var/log/rabbitmq), shown when it fails
set -euo pipefail
SCRIPT_NAME=ensure-infra
# shellcheck source=scripts/lib/setup.sh
. "$(dirname "$0")/lib/setup.sh"

PG_PORT=${MITRA_PG_PORT:-5432}
AMQP_PORT=${MITRA_AMQP_PORT:-5672}
PG_WAIT=${MITRA_PG_WAIT_SECONDS:-60}
AMQP_WAIT=${MITRA_AMQP_WAIT_SECONDS:-180}
RABBITMQ_LOGS=${RABBITMQ_LOG_BASE:-/var/log/rabbitmq}
STARTED_FILE=${MITRA_INFRA_STARTED_FILE:-}
# The seconds a freshly started RabbitMQ may take before its Erlang VM shows in the process list.
AMQP_GRACE=10

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

started() { if [ -n "$STARTED_FILE" ]; then printf '%s\n' "$*" >>"$STARTED_FILE"; fi; }

# wait_port PORT SECONDS ALIVE-COMMAND: until the port answers (0), the deadline passes or ALIVE-COMMAND fails (1).
wait_port() {
    local port=$1 deadline=$((SECONDS + $2)) alive=$3
    until port_open "$port"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "nothing answers on port $port after $2 s" >&2
            return 1
        fi
        if ! "$alive"; then
            say "its process is gone" >&2
            return 1
        fi
        sleep 1
    done
}

# --- PostgreSQL ----------------------------------------------------------------------------------------------------

PG_VERSION="" PG_CLUSTER="" PG_STATUS="" PG_LOG=""

# The cluster configured for PG_PORT, from Debian's pg_lsclusters (version, name, port, status, owner, data, log).
find_cluster() {
    local version name port status log
    while read -r version name port status _ _ log _; do
        if [ "$port" = "$PG_PORT" ]; then
            PG_VERSION=$version PG_CLUSTER=$name PG_STATUS=$status PG_LOG=$log
            return 0
        fi
    done < <(pg_lsclusters -h)
    return 1
}

postgres_alive() { find_cluster && [[ $PG_STATUS == online* ]]; }

postgres_failed() {
    say "PostgreSQL $PG_VERSION/$PG_CLUSTER did not come up on port $PG_PORT; the end of its log ($PG_LOG):" >&2
    show_log "$PG_LOG" 15
    exit 1
}

ensure_postgres() {
    local fresh=$1
    if ! find_cluster; then
        local newest
        newest=$(pg_lsclusters -h | sort -V | tail -n 1)
        if [ -n "$fresh" ] && [ -n "$newest" ]; then
            # A cluster Debian has just created listens on the first free port of its own list: give it ours.
            read -r PG_VERSION PG_CLUSTER _ <<<"$newest"
            say "setting the new cluster $PG_VERSION/$PG_CLUSTER to port $PG_PORT"
            as_root pg_conftool "$PG_VERSION" "$PG_CLUSTER" set port "$PG_PORT"
            find_cluster || fail "pg_lsclusters does not show $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
            if [[ $PG_STATUS == online* ]]; then
                as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" restart || postgres_failed
            fi
        else
            {
                say "no PostgreSQL cluster is configured for port $PG_PORT; pg_lsclusters shows:"
                pg_lsclusters | sed 's/^/    /'
                say "set MITRA_PG_PORT to a cluster's port, or create one (as root: pg_createcluster --start --port $PG_PORT <version> main)"
            } >&2
            exit 1
        fi
    fi
    if [[ $PG_STATUS != online* ]]; then
        need_root "starting PostgreSQL" "pg_ctlcluster $PG_VERSION $PG_CLUSTER start"
        say "starting PostgreSQL $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
        as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start || postgres_failed
    fi
    wait_port "$PG_PORT" "$PG_WAIT" postgres_alive || postgres_failed
    started postgresql "$PG_VERSION" "$PG_CLUSTER"
    if [ -n "$fresh" ]; then
        # Debian's default asks a password over TCP; give postgres the development one the defaults use.
        # (From / : the postgres user may not enter the directory make runs in.)
        (cd / && as_root runuser -u postgres -- psql -p "$PG_PORT" -q -c "ALTER USER postgres PASSWORD 'postgres'")
    fi
}

# --- RabbitMQ ------------------------------------------------------------------------------------------------------

BEAM_BEFORE=" "
AMQP_STARTED_AT=0
AMQP_SEEN=""
AMQP_OUTPUT=""

# The pids of the Erlang VMs running now (RabbitMQ runs in one, beam.smp).
beam_pids() {
    local dir comm
    for dir in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$dir/comm" || continue
        if [ "$comm" = beam.smp ]; then printf '%s ' "${dir#/proc/}"; fi
    done
}

# Alive while an Erlang VM that was not running before the start runs; before one shows, for AMQP_GRACE seconds.
rabbitmq_alive() {
    local pid
    for pid in $(beam_pids); do
        if [[ $BEAM_BEFORE != *" $pid "* ]]; then
            AMQP_SEEN=1
            return 0
        fi
    done
    [ -z "$AMQP_SEEN" ] && [ $((SECONDS - AMQP_STARTED_AT)) -lt "$AMQP_GRACE" ]
}

rabbitmq_failed() {
    {
        say "RabbitMQ did not come up on port $AMQP_PORT."
        if [ -s "$AMQP_OUTPUT" ]; then sed 's/^/    /' "$AMQP_OUTPUT"; fi
        # What the node printed while starting: Debian's wrapper keeps it in startup_log and startup_err, where the
        # first errors say why (a wrong setting, a port in use).
        local log=$RABBITMQ_LOGS/startup_log
        if [ -s "$log" ] && [ "$log" -nt "$AMQP_OUTPUT" ]; then
            say "the first errors in $log:"
            grep -m 12 -F '[error]' "$log" | sed 's/^/    /' || show_log "$log" 20
        fi
        for log in "$RABBITMQ_LOGS"/startup_err "$RABBITMQ_LOGS"/*.log; do
            if [ -s "$log" ] && [ "$log" -nt "$AMQP_OUTPUT" ]; then
                say "the end of $log:"
                show_log "$log" 12
            fi
        done
    } >&2
    exit 1
}

ensure_rabbitmq() {
    need_root "starting RabbitMQ" "rabbitmq-server -detached"
    local env=()
    # RabbitMQ listens on 5672 unless told otherwise.
    if [ "$AMQP_PORT" != 5672 ] && [ -z "${RABBITMQ_NODE_PORT:-}" ]; then env=(env "RABBITMQ_NODE_PORT=$AMQP_PORT"); fi
    AMQP_OUTPUT=$(mktemp)
    trap 'rm -f "$AMQP_OUTPUT"' EXIT
    BEAM_BEFORE=" $(beam_pids)"
    AMQP_STARTED_AT=$SECONDS
    say "starting RabbitMQ on port $AMQP_PORT"
    # As the rabbitmq user, Debian's rabbitmq-server keeps what the node prints while it starts (a wrong setting,
    # a port in use) in startup_log and startup_err, which `-detached` would lose; in a session of its own, so that
    # a Ctrl-C in this terminal does not reach it.
    as_root "${env[@]}" setsid -f runuser -u rabbitmq -- rabbitmq-server </dev/null >"$AMQP_OUTPUT" 2>&1 ||
        rabbitmq_failed
    wait_port "$AMQP_PORT" "$AMQP_WAIT" rabbitmq_alive || rabbitmq_failed
    # Quorum queues need the feature flag; a fresh node has it, an upgraded one may not.
    as_root rabbitmqctl -q enable_feature_flag quorum_queue >/dev/null ||
        fail "rabbitmqctl enable_feature_flag quorum_queue failed (its message is above)"
}

# --- both ----------------------------------------------------------------------------------------------------------

pg_up="" amqp_up="" missing=()
if port_open "$PG_PORT"; then pg_up=1; fi
if port_open "$AMQP_PORT"; then amqp_up=1; fi
if [ -z "$pg_up" ] && ! command -v pg_lsclusters >/dev/null 2>&1; then missing+=(postgresql); fi
if [ -z "$amqp_up" ] && ! command -v rabbitmq-server >/dev/null 2>&1; then missing+=(rabbitmq-server); fi
if [ ${#missing[@]} -gt 0 ]; then
    install_packages "${missing[@]}"
fi
if [ -z "$pg_up" ]; then
    if [[ " ${missing[*]-} " == *" postgresql "* ]]; then ensure_postgres fresh; else ensure_postgres ""; fi
fi
if [ -z "$amqp_up" ]; then
    # Installing the package may have started it already (where systemd runs).
    port_open "$AMQP_PORT" || ensure_rabbitmq
    started rabbitmq
fi
say "PostgreSQL on 127.0.0.1:$PG_PORT and RabbitMQ on 127.0.0.1:$AMQP_PORT are up"
