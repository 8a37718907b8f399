# shellcheck shell=bash
# Shared by packaging/deb.sh and packaging/windows.sh (sourced, not run):
# installing what is missing, timing the steps, a private X server, and
# waiting for the window before its screenshot. Both scripts run as root on
# a Debian machine with the Rust toolchain (see README, "Prerequisites").

# Debian packages, installed only when missing (`apt-get update` once).
apt_updated=""
need_apt() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    if [[ -z $apt_updated ]]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

script_started=$(date +%s)
step_started=$script_started
say() { printf '[%s %4ds] %s\n' "$(basename "$0")" "$(($(date +%s) - script_started))" "$*" >&2; }
step() {
    say "$*"
    step_started=$(date +%s)
}
step_seconds() { echo $(($(date +%s) - step_started)); }
die() {
    say "FAILED: $*"
    exit 1
}

# A private X server (Xvfb) on the first free display from $1 (default 16,
# this machine's display for packaging), of size $2; sets DISPLAY and
# xvfb_pid; stopped by stop_xvfb (also on exit).
xvfb_pid=""
start_xvfb() {
    local n=${1:-16} size=${2:-1400x900x24}
    while [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 "$size" -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=":$n"
    for _ in $(seq 50); do
        [[ -e /tmp/.X11-unix/X$n ]] && return 0
        sleep 0.2
    done
    die "Xvfb did not start on :$n"
}
stop_xvfb() {
    if [[ -n $xvfb_pid ]]; then
        kill "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
        xvfb_pid=""
    fi
}

# Waits up to $2 seconds (default 120) for a window whose title contains
# $1 to be mapped on $DISPLAY; returns non-zero when none came.
wait_for_window() {
    local title=$1 limit=${2:-120} waited=0
    while ! xdotool search --onlyvisible --name "$title" >/dev/null 2>&1; do
        sleep 1
        waited=$((waited + 1))
        ((waited < limit)) || return 1
    done
}

# Stops the process $1 (one we started), then its group if it lingers.
stop_pid() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 20); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.25
    done
    kill -9 "$1" 2>/dev/null || true
}

# A path for the summary line: relative to the repository ($root, set by
# the script) when inside it.
shown_path() {
    local root=${root:-$PWD}
    case $1 in
    "$root"/*) echo "${1#"$root"/}" ;;
    *) echo "$1" ;;
    esac
}
