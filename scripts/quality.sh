#!/bin/sh
# Matching quality on the hard labelled set (tests/data/hard): builds a
# workspace with the full referential (a CODEX extract rebuilt from the BDPM
# of June 2022 with the 2017 names as history, and the BDPM of June 2022
# itself), imports the hard set's BNPV extract, matches it and evaluates it
# against the development and the held-out truths.
#
# Usage: scripts/quality.sh [DATAMED_BINARY] [SHARED_DATA_DIR] [WORK_DIR]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/target/release/datamed}
SHARED=${2:-$ROOT/../shared/data}
WORK=${3:-$(mktemp -d)}
mkdir -p "$WORK"
W="$WORK/hard.sqlite"
if [ ! -f "$WORK/codex/dbo_VU.xlsx" ]; then
    "$BIN" sample --out "$WORK/codex" --cases 100 --seed 42 \
        --bdpm "$SHARED/bdpm/2022-06" --bdpm-former "$SHARED/bdpm/2017-03" \
        --datamed "$SHARED/datamed" >/dev/null
fi
rm -f "$W" "$W-wal" "$W-shm"
mkdir -p "$WORK/bnpv"
cp "$ROOT/tests/data/hard/Cas-Patients.csv" "$ROOT/tests/data/hard/Médicaments.csv" "$WORK/bnpv/"
"$BIN" import -w "$W" "$WORK"/codex/dbo_*.xlsx "$WORK"/codex/HDH_*.xlsx "$SHARED/bdpm/2022-06" "$WORK/bnpv" >/dev/null 2>&1
"$BIN" match -w "$W" 2>/dev/null | head -3
for part in dev heldout; do
    echo "== $part =="
    "$BIN" evaluate -w "$W" --truth "$ROOT/tests/data/hard/truth-$part.csv"
done
