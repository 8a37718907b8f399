#!/usr/bin/env bash
# Builds the portable Windows version of DataMed Workbench and tries it
# under Wine:
#  1. cross-compiles a release build for x86_64-pc-windows-gnu (rustup's
#     target and Debian's mingw-w64 as linker, installed when missing), with
#     the icon and version information embedded in datamed.exe;
#  2. zips datamed-workbench-VERSION-windows-x64.zip: datamed.exe, the
#     bundled sample (sample-data\), LISEZ-MOI.txt (French, for agents), the
#     licence;
#  3. unzips it into a folder with an accent in its name inside a fresh Wine
#     prefix and runs, with Windows paths: datamed.exe --version, demo (its
#     workspace in %APPDATA%), import, match, export transcoding, export
#     portal; the same commands with the Linux build; compares the outputs
#     (transcoding table byte for byte, line ends aside if they ever
#     differed; portal files byte for byte, the manifest apart from its
#     tool fields: generation time, workspace path, import times, source
#     folders);
#  4. starts the window as a double-click on an extract does
#     (`datamed.exe WS.sqlite Médicaments.csv`) under Xvfb + Wine and takes
#     the screenshot docs/windows.png.
# Wine 8 (Debian 12) lacks ProcessPrng, which Rust's standard library
# imports: for the try-out only, a shim DLL built from packaging/wine/ is
# placed next to datamed.exe in the test folder; it is never in the zip.
# Artefacts go to $CARGO_TARGET_DIR/packaging/windows (target/ by default).
# Ends with one summary line; exit 0 when everything held.
#
#   bash packaging/windows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=packaging/common.sh
source packaging/common.sh

triple=x86_64-pc-windows-gnu
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out=$CARGO_TARGET_DIR/packaging/windows
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
name=datamed-workbench-$version-windows-x64
zip=$out/$name.zip
rm -rf "$out"
mkdir -p "$out"
wine_pid=""
cleanup() {
    [[ -z $wine_pid ]] || stop_pid "$wine_pid"
    if [[ -n ${WINEPREFIX:-} && -x ${WINESERVER:-} ]]; then "$WINESERVER" -k 2>/dev/null || true; fi
    stop_xvfb
}
trap cleanup EXIT

step "tools"
need_apt gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine wine64 zip unzip xvfb xdotool imagemagick python3
if ! rustup target list --installed | grep -qx "$triple"; then
    step "rustup target add $triple"
    rustup target add "$triple"
fi
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar

step "icon and version information for datamed.exe"
mkdir -p "$out/res"
convert -background none assets/datamed-workbench-256.png -define icon:auto-resize=256,64,48,32,16 "$out/res/datamed.ico"
IFS=. read -r v_major v_minor v_patch <<<"${version%%-*}"
cat >"$out/res/datamed.rc" <<RC
1 ICON "datamed.ico"
1 VERSIONINFO
FILEVERSION $v_major,$v_minor,$v_patch,0
PRODUCTVERSION $v_major,$v_minor,$v_patch,0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040C04B0"
    BEGIN
      VALUE "CompanyName", "DataMed Workbench"
      VALUE "FileDescription", "DataMed Workbench"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "datamed"
      VALUE "OriginalFilename", "datamed.exe"
      VALUE "ProductName", "DataMed Workbench"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x040C, 1200
  END
END
RC
(cd "$out/res" && x86_64-w64-mingw32-windres -c 65001 datamed.rc -O coff -o datamed-res.o)
# The resource object is linked into datamed.exe only (a link argument of
# the binary, not of the library or the tests).
res_arg="-Clink-arg=$out/res/datamed-res.o"

step "cross build for $triple (release, nice -n 10)"
nice -n 10 cargo rustc --locked --release --target "$triple" --bin datamed -- "$res_arg" >"$out/build-windows.log" 2>&1 ||
    { tail -20 "$out/build-windows.log" >&2; die "the Windows build failed (see $out/build-windows.log)"; }
build_win_s=$(step_seconds)
exe=$CARGO_TARGET_DIR/$triple/release/datamed.exe
[[ -f $exe ]] || die "no $exe"
x86_64-w64-mingw32-strip -o "$out/datamed.exe" "$exe"
x86_64-w64-mingw32-objdump -p "$out/datamed.exe" >"$out/exe-headers.txt"
grep -q "Subsystem.*(Windows GUI)" "$out/exe-headers.txt" || die "datamed.exe is not a GUI-subsystem program"
grep -q "DLL Name: bcryptprimitives.dll" "$out/exe-headers.txt" || say "note: datamed.exe no longer imports bcryptprimitives.dll"
say "datamed.exe: $(du -k "$out/datamed.exe" | cut -f1) KiB stripped, GUI subsystem, built in ${build_win_s} s"

step "the zip"
stage=$out/stage/$name
mkdir -p "$stage"
cp "$out/datamed.exe" "$stage/"
cp -r sample-data "$stage/sample-data"
# Notepad-friendly: CRLF line ends (and UTF-8 with a BOM for the French).
crlf() { sed 's/\r*$/\r/' "$1"; }
{ printf '\xef\xbb\xbf'; crlf packaging/windows/LISEZ-MOI.txt; } >"$stage/LISEZ-MOI.txt"
crlf LICENSE-MIT >"$stage/LICENCE-MIT.txt"
crlf LICENSE-APACHE >"$stage/LICENCE-APACHE.txt"
(cd "$out/stage" && zip -q -r -X "$zip" "$name")
unzip -l "$zip" >"$out/zip-contents.txt"
for f in datamed.exe LISEZ-MOI.txt LICENCE-MIT.txt sample-data/Médicaments.csv sample-data/bdpm/CIS_bdpm.txt; do
    grep -qF "$name/$f" "$out/zip-contents.txt" || die "$f is not in the zip"
done
! grep -q bcryptprimitives "$out/zip-contents.txt" || die "the Wine shim must not be in the zip"
say "$(basename "$zip"): $(du -k "$zip" | cut -f1) KiB, $(($(wc -l <"$out/zip-contents.txt") - 5)) files"

step "Linux build of the same sources, for the reference outputs"
nice -n 10 cargo build --locked --release --bin datamed >"$out/build-linux.log" 2>&1 ||
    { tail -20 "$out/build-linux.log" >&2; die "the Linux build failed"; }
linux_exe=$CARGO_TARGET_DIR/release/datamed

step "a fresh Wine prefix, the zip unpacked under C:\\Pharmacovigilance été"
export WINEPREFIX=$out/wineprefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b"
WINE=/usr/lib/wine/wine64
export WINESERVER=/usr/lib/wine/wineserver64
[[ -x $WINE ]] || WINE=$(command -v wine64 || command -v wine)
[[ -x $WINESERVER ]] || WINESERVER=$(command -v wineserver64 || command -v wineserver || echo /usr/lib/wine/wineserver)
start_xvfb 16 1440x960x24
timeout 300 "$WINE" wineboot --init >"$out/wineboot.log" 2>&1 || die "wineboot failed (see $out/wineboot.log)"
"$WINESERVER" -w
folder="Pharmacovigilance été"
unix_dir=$WINEPREFIX/drive_c/$folder
mkdir -p "$unix_dir"
unzip -q "$zip" -d "$unix_dir"
win_dir="C:\\$folder"
win_app="$win_dir\\$name"
x86_64-w64-mingw32-gcc -O2 -s -shared -o "$unix_dir/$name/bcryptprimitives.dll" \
    packaging/wine/bcryptprimitives-shim.c packaging/wine/bcryptprimitives-shim.def -ladvapi32
wine_run() { # log-name, then datamed.exe's arguments
    local log=$1
    shift
    (cd "$unix_dir" && timeout 600 "$WINE" "$win_app\\datamed.exe" "$@" >"$out/wine-$log.out" 2>"$out/wine-$log.err")
}

step "datamed.exe under Wine: --version, demo, import, match, export transcoding, export portal"
wine_run version --version || die "datamed.exe --version failed"
grep -q "datamed $version" "$out/wine-version.out" || die "datamed.exe --version printed nothing on stdout"
wine_run demo demo || { cat "$out/wine-demo.err" >&2; die "datamed.exe demo failed"; }
grep -q 'sample workspace: C:\\users\\[^\\]*\\AppData\\Roaming\\ANSM\\datamed-workbench\\data\\sample.sqlite' "$out/wine-demo.out" ||
    die "demo's workspace is not in %APPDATA%: $(head -1 "$out/wine-demo.out")"
[[ -f $(echo "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/ANSM/datamed-workbench/data/sample.sqlite) ]] ||
    die "no sample.sqlite under %APPDATA%"
ws="$win_dir\\espace été.sqlite"
wine_run import import -w "$ws" "$win_app\\sample-data" || { cat "$out/wine-import.err" >&2; die "import failed"; }
wine_run match match -w "$ws" || { cat "$out/wine-match.err" >&2; die "match failed"; }
mkdir -p "$unix_dir/exports"
wine_run transcoding export transcoding -w "$ws" --out "$win_dir\\exports\\transcodage.csv" ||
    { cat "$out/wine-transcoding.err" >&2; die "export transcoding failed"; }
wine_run portal export portal -w "$ws" --out "$win_dir\\exports\\portail" ||
    { cat "$out/wine-portal.err" >&2; die "export portal failed"; }
wine_status=$(grep -m1 -E '^ +auto ' "$out/wine-match.out" | tr -d '\r' |
    awk '{print "auto " $2 " names, " $3 " observations"}') || die "match printed no summary"

step "the same with the Linux build"
linux_dir="$out/linux/$folder"
mkdir -p "$linux_dir/exports" "$out/linux/home"
linux_run() {
    local log=$1
    shift
    (cd "$linux_dir" && env HOME="$out/linux/home" XDG_DATA_HOME= "$linux_exe" "$@" >"$out/linux-$log.out" 2>"$out/linux-$log.err")
}
linux_run import import -w "espace été.sqlite" "$unix_dir/$name/sample-data" || die "Linux import failed"
linux_run match match -w "espace été.sqlite" || die "Linux match failed"
linux_run transcoding export transcoding -w "espace été.sqlite" --out exports/transcodage.csv || die "Linux export transcoding failed"
linux_run portal export portal -w "espace été.sqlite" --out exports/portail || die "Linux export portal failed"

step "comparing Windows and Linux outputs"
# The summaries' figures (the timings aside).
strip_times() { sed -E 's/ in [0-9]+ ms//; s/finished in [0-9.]+ s//' "$1"; }
diff <(strip_times "$out/wine-match.out" | tr -d '\r') <(strip_times "$out/linux-match.out") >"$out/diff-match.txt" ||
    die "match summaries differ (see $out/diff-match.txt)"
win_csv=$unix_dir/exports/transcodage.csv
lin_csv=$linux_dir/exports/transcodage.csv
if cmp -s "$win_csv" "$lin_csv"; then
    transcoding_verdict="byte-identical ($(wc -l <"$lin_csv") lines, $(grep -c $'\r$' "$lin_csv" || true) CRLF)"
elif cmp -s <(tr -d '\r' <"$win_csv") <(tr -d '\r' <"$lin_csv"); then
    transcoding_verdict="identical apart from line ends"
else
    diff <(tr -d '\r' <"$win_csv") <(tr -d '\r' <"$lin_csv") | head -20 >&2
    die "the transcoding tables differ"
fi
python3 packaging/wine/compare_portal.py "$unix_dir/exports/portail" "$linux_dir/exports/portail" >"$out/portal-compare.txt" ||
    { cat "$out/portal-compare.txt" >&2; die "the portal exports differ"; }
portal_verdict=$(tail -1 "$out/portal-compare.txt")
say "transcoding: $transcoding_verdict; portal: $portal_verdict"

step "the window under Xvfb + Wine, opened as a double-click on an extract"
mkdir -p "$unix_dir/Extraits BNPV"
cp "sample-data/Médicaments.csv" "$unix_dir/Extraits BNPV/"
(cd "$unix_dir" && exec "$WINE" "$win_app\\datamed.exe" "$ws" "$win_dir\\Extraits BNPV\\Médicaments.csv" \
    >"$out/wine-window.out" 2>"$out/wine-window.err") &
wine_pid=$!
wait_for_window "DataMed Workbench" 180 || { cat "$out/wine-window.err" >&2; die "no window within 180 s"; }
wait_for_window "sqlite" 120 || die "the workspace did not open within 120 s"
sleep 5
# The window alone: without a window manager, Wine places it below the
# screen's top edge.
window_id=$(xdotool search --onlyvisible --name "sqlite" | head -1)
import -window "$window_id" docs/windows.png
stop_pid "$wine_pid"
wine_pid=""
"$WINESERVER" -k 2>/dev/null || true
stop_xvfb
say "screenshot docs/windows.png"

total=$(($(date +%s) - script_started))
echo "windows.sh: built $(shown_path "$zip") ($(du -k "$zip" | cut -f1) KiB; cross build ${build_win_s} s); tried under Wine $("$WINE" --version 2>/dev/null): --version, demo (workspace in %APPDATA%), import, match ($wine_status, as on Linux), export transcoding ($transcoding_verdict with Linux), export portal ($portal_verdict), the window on a double-clicked extract (docs/windows.png) — all passed in ${total} s"
