#!/usr/bin/env bash
# Python 3.11+ with venv and pip, from Debian's packages if the machine lacks them.
set -euo pipefail
SCRIPT_NAME=ensure-python
# shellcheck source=scripts/lib/setup.sh
. "$(dirname "$0")/lib/setup.sh"

python_ok() { command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; }

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
venv_ok() { rm -rf "$probe/venv" && python3 -m venv "$probe/venv" >/dev/null 2>&1; }

if ! python_ok; then
    install_packages python3 python3-venv python3-pip
    python_ok || fail "python3 is still missing or older than 3.11 after installing it: $(python3 --version 2>&1)"
fi
if ! venv_ok; then
    install_packages python3-venv python3-pip
    venv_ok || fail "python3 -m venv still fails after installing python3-venv: $(python3 -m venv "$probe/venv" 2>&1)"
fi
