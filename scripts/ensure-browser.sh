#!/usr/bin/env bash
# What the browser and TLS tests need: headless Chromium from Debian's packages (Playwright drives it; it never
# downloads a browser of its own), axe-core from npm (tests/browser/package-lock.json) and Debian's caddy (the TLS
# entry point). Safe to run again and again; quiet when everything is there. Without root or sudo it prints the
# apt-get line for root to run and stops (status 2).
set -euo pipefail
SCRIPT_NAME=ensure-browser
# shellcheck source=scripts/lib/setup.sh
. "$(dirname "$0")/lib/setup.sh"
cd "$(dirname "$0")/.."

CHROMIUM=${MITRA_CHROMIUM:-/usr/bin/chromium}

packages=()
# Fonts with Latin glyphs so that pages (and their screenshots) render text the same on every machine.
if [ ! -x "$CHROMIUM" ]; then packages+=(chromium fonts-dejavu-core fonts-liberation); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
if ! command -v caddy >/dev/null 2>&1; then packages+=(caddy); fi
if [ ${#packages[@]} -gt 0 ]; then
    install_packages --no-install-recommends "${packages[@]}"
fi

# axe-core, pinned by the lock file; installed again only when the lock file is newer than what is installed.
AXE=tests/browser/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ] || [ tests/browser/package-lock.json -nt "$AXE" ]; then
    say "installing axe-core from npm (tests/browser/package-lock.json)"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
    touch "$AXE"
fi
