#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on localhost: start them if they are installed but down, install them
# from Debian's packages if they are missing. Safe to run again and again.
set -euo pipefail

PG_PORT=5432
AMQP_PORT=5672
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""

say() { printf '%s\n' "ensure-infra: $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    local port=$1 what=$2 deadline=$((SECONDS + ${3:-90}))
    until port_open "$port"; do
        if [ "$SECONDS" -ge "$deadline" ]; then say "$what did not come up on port $port"; return 1; fi
        sleep 1
    done
}

apt_install() {
    if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

ensure_postgres() {
    if port_open "$PG_PORT"; then return 0; fi
    local fresh=""
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        say "installing PostgreSQL from Debian's packages"
        apt_install postgresql
        fresh=1
    fi
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_port "$PG_PORT" PostgreSQL
    if [ -n "$fresh" ]; then
        # Debian's default asks a password over TCP; give postgres the development one the defaults use.
        $SUDO su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
    fi
}

ensure_rabbitmq() {
    if port_open "$AMQP_PORT"; then return 0; fi
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
        say "installing RabbitMQ from Debian's packages"
        apt_install rabbitmq-server
    fi
    if ! port_open "$AMQP_PORT"; then
        say "starting RabbitMQ"
        $SUDO rabbitmq-server -detached || true
    fi
    wait_port "$AMQP_PORT" RabbitMQ 180
    # Quorum queues need the feature flag; a fresh node has it, an upgraded one may not.
    $SUDO rabbitmqctl -q enable_feature_flag quorum_queue >/dev/null 2>&1 || true
}

ensure_postgres
ensure_rabbitmq
say "PostgreSQL on 127.0.0.1:$PG_PORT and RabbitMQ on 127.0.0.1:$AMQP_PORT are up"
