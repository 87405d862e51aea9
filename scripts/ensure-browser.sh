#!/usr/bin/env bash
# What the browser tests need: headless Chromium from Debian's packages (Playwright drives it; it never downloads a
# browser of its own) and axe-core from npm (tests/browser/package-lock.json). Safe to run again and again; quiet when
# everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
CHROMIUM=${MITRA_CHROMIUM:-/usr/bin/chromium}
APT_UPDATED=""

say() { printf '%s\n' "ensure-browser: $*"; }

apt_install() {
    if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x "$CHROMIUM" ]; then
    say "installing chromium from Debian's packages"
    # Fonts with Latin glyphs so that pages (and their screenshots) render text the same on every machine.
    apt_install chromium fonts-dejavu-core fonts-liberation
fi

if ! command -v npm >/dev/null 2>&1; then
    say "installing npm from Debian's packages"
    apt_install nodejs npm
fi

# axe-core, pinned by the lock file; installed again only when the lock file is newer than what is installed.
AXE=tests/browser/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ] || [ tests/browser/package-lock.json -nt "$AXE" ]; then
    say "installing axe-core from npm (tests/browser/package-lock.json)"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
    touch "$AXE"
fi
