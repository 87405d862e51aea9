# shellcheck shell=bash disable=SC2034
# Sourced by the scripts/ensure-*.sh scripts (set SCRIPT_NAME first): acting as root, and installing Debian packages.
#
# Root is this user if it is root, otherwise sudo if sudo works (without a password, or asking for it on the
# terminal). With neither, a script that needs root prints the exact command for someone with root to run and stops
# with status 2; it never half-installs. apt waits up to MITRA_APT_LOCK_TIMEOUT seconds (300) for another apt or
# unattended-upgrades to let go of its lock instead of failing at once.

APT_LOCK_TIMEOUT=${MITRA_APT_LOCK_TIMEOUT:-300}
ROOT_HOW=""
ROOT_WHY=""
SUDO=()

# Debian gives users other than root a PATH without the sbin directories, where rabbitmq-server lives.
# MITRA_SBIN_PATH says which to add (empty: none).
SBIN_PATH=${MITRA_SBIN_PATH-/usr/sbin:/sbin}
if [ -n "$SBIN_PATH" ]; then PATH="$PATH:$SBIN_PATH"; fi

say() { printf '%s\n' "$SCRIPT_NAME: $*"; }

fail() {
    say "$*" >&2
    exit 1
}

# Sets ROOT_HOW to root, sudo or none (with ROOT_WHY), once.
resolve_root() {
    [ -z "$ROOT_HOW" ] || return 0
    if [ "$(id -u)" -eq 0 ]; then
        ROOT_HOW=root
    elif ! command -v sudo >/dev/null 2>&1; then
        ROOT_HOW=none
        ROOT_WHY="this user ($(id -un)) is not root and there is no sudo (sudo: command not found)"
    elif sudo -n true 2>/dev/null || { [ -t 0 ] && sudo -v; }; then
        ROOT_HOW=sudo
        SUDO=(sudo)
    else
        ROOT_HOW=none
        ROOT_WHY="this user ($(id -un)) is not root and sudo does not let it act as root here"
    fi
}

# need_root WHAT COMMAND-FOR-ROOT: stop with status 2 and the command to run as root, unless we can act as root.
need_root() {
    resolve_root
    [ "$ROOT_HOW" = none ] || return 0
    {
        say "$1 needs root: $ROOT_WHY."
        say "ask someone with root on this machine to run:"
        printf '    %s\n' "$2"
        say "then run make again."
    } >&2
    exit 2
}

as_root() {
    resolve_root
    "${SUDO[@]}" "$@"
}

# install_packages [APT-OPTION...] PACKAGE...: apt-get update once, then apt-get install, as root.
APT_UPDATED=""
install_packages() {
    local arg names=()
    for arg in "$@"; do [[ $arg == -* ]] || names+=("$arg"); done
    need_root "installing ${names[*]}" "apt-get update && apt-get install -y $*"
    say "installing ${names[*]} from Debian's packages"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT")
    if [ -z "$APT_UPDATED" ]; then
        as_root "${apt[@]}" update -qq || fail "apt-get update failed (its message is above)"
        APT_UPDATED=1
    fi
    as_root "${apt[@]}" install -y -qq "$@" || fail "apt-get install $* failed (its message is above)"
}

# show_log FILE [LINES]: the end of a service's own log, read as root when this user may not read it.
show_log() {
    local file=$1 lines=${2:-30}
    if [ -r "$file" ]; then
        tail -n "$lines" "$file" | sed 's/^/    /' >&2
    elif [ -e "$file" ] && resolve_root && [ "$ROOT_HOW" != none ]; then
        as_root tail -n "$lines" "$file" | sed 's/^/    /' >&2
    else
        say "($file: missing or not readable by $(id -un))" >&2
    fi
}
