#!/usr/bin/env bash
# Python 3.11+ with venv and pip, from Debian's packages if the machine lacks them.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "ensure-python: installing python3 from Debian's packages"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv python3-pip
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if ! python3 -m venv "$probe/venv" >/dev/null 2>&1; then
    echo "ensure-python: installing python3-venv from Debian's packages"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv python3-pip
fi
