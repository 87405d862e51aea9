#!/bin/sh
# Starts a RabbitMQ node of docker-compose.yml (the container's command): writes the cluster's Erlang cookie, then
# hands over to the image's own entry point, which gives the data folder (the cookie with it) to the rabbitmq user.
#
# The nodes of a cluster authenticate each other (and the CLI tools, the healthchecks) with a shared secret, the
# Erlang cookie, kept in the node's data folder. The one-node deployment keeps the cookie its node made at first boot
# unless RABBITMQ_ERLANG_COOKIE is set in .env; the `cluster` profile's nodes (MITRA_RABBITMQ_CLUSTER_NODE=true)
# refuse to start without it. Compose passes it as MITRA_RABBITMQ_COOKIE: the image itself refuses the variable
# RABBITMQ_ERLANG_COOKIE that older images read.
set -eu

cookie_file="${MITRA_RABBITMQ_HOME:-/var/lib/rabbitmq}/.erlang.cookie"
if [ -n "${MITRA_RABBITMQ_COOKIE:-}" ]; then
	if [ "${#MITRA_RABBITMQ_COOKIE}" -lt 20 ]; then
		echo "rabbitmq: RABBITMQ_ERLANG_COOKIE in .env is too short: use 20 or more characters (a long random value)" >&2
		exit 1
	fi
	umask 077
	rm -f "$cookie_file"
	printf '%s' "$MITRA_RABBITMQ_COOKIE" >"$cookie_file"
	chmod 400 "$cookie_file"
elif [ "${MITRA_RABBITMQ_CLUSTER_NODE:-false}" = true ]; then
	echo "rabbitmq: the cluster profile needs RABBITMQ_ERLANG_COOKIE in .env (one long random value for every node)" >&2
	exit 1
fi
unset MITRA_RABBITMQ_COOKIE
exec "${MITRA_RABBITMQ_ENTRYPOINT:-docker-entrypoint.sh}" rabbitmq-server
