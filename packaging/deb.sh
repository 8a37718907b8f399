#!/usr/bin/env bash
# Builds the Debian package of DataMed Workbench with cargo-deb, installs it
# on this machine with dpkg -i, and tries it as a user would: `datamed demo`
# from a fresh HOME as an unprivileged user, then the window under Xvfb
# (screenshot docs/deb-installed.png) with the libraries it loaded checked
# against the package's Depends; then removes the package. Installs what is
# missing (Debian packages, cargo-deb). The package and the logs go to
# $CARGO_TARGET_DIR/packaging/deb (target/ by default), the screenshot to
# docs/. Ends with one summary line; exit 0 when everything held.
#
#   bash packaging/deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=packaging/common.sh
source packaging/common.sh

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out=$CARGO_TARGET_DIR/packaging/deb
rm -rf "$out"
mkdir -p "$out"
installed=""
cleanup() {
    stop_xvfb
    if [[ -n $installed ]]; then dpkg -r datamed-workbench >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "tools"
need_apt xvfb xdotool imagemagick desktop-file-utils file util-linux
if ! cargo deb --version >/dev/null 2>&1; then
    step "installing cargo-deb from crates.io (a few minutes)"
    env -u CARGO_TARGET_DIR nice -n 10 cargo install cargo-deb --locked >"$out/cargo-install.log" 2>&1 ||
        die "cargo install cargo-deb failed (see $out/cargo-install.log)"
fi

step "building the package: release build (nice -n 10) and cargo deb"
desktop-file-validate packaging/datamed-workbench.desktop || die "desktop entry not valid"
nice -n 10 cargo deb --locked --strip --output "$out/" >"$out/build.log" 2>&1 ||
    { tail -20 "$out/build.log" >&2; die "cargo deb failed (see $out/build.log)"; }
build_s=$(step_seconds)
deb=$(find "$out" -maxdepth 1 -name '*.deb' | head -1)
[[ -f $deb ]] || die "no .deb in $out"
dpkg-deb --info "$deb" >"$out/info.txt"
dpkg-deb --contents "$deb" >"$out/contents.txt"
for f in usr/bin/datamed \
    usr/share/datamed-workbench/sample-data/Médicaments.csv \
    usr/share/datamed-workbench/sample-data/dbo_VU.xlsx \
    usr/share/datamed-workbench/sample-data/bdpm/CIS_bdpm.txt \
    usr/share/applications/datamed-workbench.desktop \
    usr/share/icons/hicolor/scalable/apps/datamed-workbench.svg \
    usr/share/icons/hicolor/256x256/apps/datamed-workbench.png \
    usr/share/doc/datamed-workbench/README.md \
    usr/share/doc/datamed-workbench/copyright; do
    grep -qF " ./$f" "$out/contents.txt" || die "$f is not in the package"
done
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in ${build_s} s"

step "installing with dpkg -i"
if dpkg-query -W -f='${Status}' datamed-workbench 2>/dev/null | grep -q "ok installed"; then
    say "datamed-workbench was already installed: it is replaced, then removed at the end"
fi
installed=1
if ! dpkg -i "$deb" >"$out/dpkg-i.log" 2>&1; then
    say "dependencies missing: apt-get -f install"
    [[ -n $apt_updated ]] || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >>"$out/dpkg-i.log" 2>&1 ||
        die "the package did not install (see $out/dpkg-i.log)"
fi
dpkg-query -W -f='${Status}' datamed-workbench | grep -q "ok installed" || die "not installed"
desktop-file-validate /usr/share/applications/datamed-workbench.desktop || die "installed desktop entry not valid"
file -L /usr/bin/datamed | grep -q ", stripped" || die "/usr/bin/datamed is not stripped"
say "installed: $(dpkg-query -W -f='${Package} ${Version}' datamed-workbench); /usr/bin/datamed $(du -k /usr/bin/datamed | cut -f1) KiB, stripped"

# An unprivileged user (nobody) with a fresh HOME and a bare environment,
# started from that HOME: nothing of the source tree or of root's setup.
try=$(mktemp -d /tmp/datamed-deb-try.XXXXXX)
chmod 755 "$try"
mkdir "$try/home"
chown 65534:65534 "$try/home"
as_user() {
    (cd "$try/home" && exec env -i HOME="$try/home" USER=nobody LANG=C.UTF-8 PATH=/usr/bin:/bin \
        ${DISPLAY:+DISPLAY=$DISPLAY} setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

step "datamed demo from a fresh HOME, as nobody"
as_user datamed demo >"$out/demo.txt" 2>"$out/demo.err" || { cat "$out/demo.err" >&2; die "datamed demo failed"; }
workspace=$try/home/.local/share/datamed-workbench/sample.sqlite
grep -qF "sample workspace: $workspace" "$out/demo.txt" || die "demo did not use $workspace"
as_user datamed status -w "$workspace" >"$out/status.txt" 2>&1 || die "datamed status failed"
grep -q "/usr/share/datamed-workbench/sample-data/" "$out/status.txt" ||
    die "the sample was not imported from /usr/share/datamed-workbench"
demo_auto=$(grep -m1 -E '^ +auto ' "$out/demo.txt" | awk '{print "auto " $2 " names, " $3 " observations"}') ||
    die "demo printed no summary"
say "demo: $(sed -n 2p "$out/demo.txt"); $demo_auto"

step "the window under Xvfb, as nobody"
start_xvfb 16 1400x900x24
as_user datamed >"$out/window.log" 2>&1 &
window_pid=$!
wait_for_window "DataMed Workbench" 120 || { cat "$out/window.log" >&2; die "no window within 120 s"; }
# The title names the workspace once it is read.
wait_for_window "sample.sqlite" 120 || die "the sample workspace did not open within 120 s"
sleep 3
import -window root docs/deb-installed.png
datamed_pid=$(pgrep -n -u 65534 -x datamed) || die "no datamed process"
grep -oE '/[^ ]+\.so[.0-9]*' "/proc/$datamed_pid/maps" | sort -u >"$out/loaded-libs.txt"
stop_pid "$datamed_pid"
stop_pid "$window_pid"
stop_xvfb
say "screenshot docs/deb-installed.png; $(wc -l <"$out/loaded-libs.txt") libraries loaded"

step "every library the window loaded comes with Depends"
depends=$(dpkg-query -W -f='${Depends}' datamed-workbench | sed 's/([^)]*)//g; s/|/,/g; s/,/ /g')
# shellcheck disable=SC2086
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $depends 2>/dev/null | grep -v '^ ' | grep -v '^<' | sort -u >"$out/depends-closure.txt"
uncovered=()
owners=()
while read -r lib; do
    # dpkg knows a library by the path its package ships (/lib or /usr/lib,
    # merged /usr or not).
    owner=""
    for candidate in "$lib" "${lib/#\/usr\/lib\//\/lib\/}" "$(readlink -f "$lib")"; do
        owner=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && break
    done
    [[ -n $owner ]] || { uncovered+=("$lib (no package)"); continue; }
    owners+=("$owner")
    grep -qx "$owner" "$out/depends-closure.txt" || uncovered+=("$lib ($owner)")
done <"$out/loaded-libs.txt"
printf '%s\n' "${owners[@]}" | sort -u >"$out/loaded-packages.txt"
((${#uncovered[@]} == 0)) || die "loaded but not pulled by Depends: ${uncovered[*]}"
say "$(wc -l <"$out/loaded-packages.txt") packages own them, all within Depends' closure"

step "removing the package"
dpkg -r datamed-workbench >"$out/dpkg-r.log" 2>&1 || die "dpkg -r failed"
installed=""
[[ ! -e /usr/bin/datamed ]] || die "/usr/bin/datamed is still there"
rm -rf "$try"

total=$(($(date +%s) - script_started))
echo "deb.sh: built $(shown_path "$deb") (release build and packaging ${build_s} s); tried: dpkg -i, desktop-file-validate, datamed demo from a fresh HOME as nobody (sample from /usr/share/datamed-workbench; $demo_auto), the window under Xvfb (docs/deb-installed.png, $(wc -l <"$out/loaded-libs.txt") libraries loaded, all covered by Depends), dpkg -r — all passed in ${total} s"
