#!/usr/bin/env bash
# Dossier analytics benchmark (issue 11): cchc against DuckDB, in the same run, on the same
# cores, computing the same per-agency table (bench/dossiers.sql; every field of
# cchc_domain::dossier::Counts) with the same working-day due dates from the same generated CSV.
# The script CHECKS that every engine gives identical numbers and exits non-zero otherwise.
#
# 1. Installs DuckDB from PyPI (pinned, DUCKDB_VERSION) into a private venv ($VENV); nothing
#    else installs it. Installs GNU time (apt-get) if /usr/bin/time is missing.
# 2. Builds the release examples of cchc-dossiers (and the cchc binary when CCHC_SIDE=cli).
# 3. Generates ROWS + APPEND_ROWS dossiers (seed SEED, year YEAR); the first ROWS are the base
#    file, the last APPEND_ROWS the "one day" appended later. Exports the working-day calendar
#    (years YEAR-1..YEAR+1) for DuckDB.
# 4. DuckDB, DUCKDB_THREADS (2) threads: end to end from the CSV (fresh process per run, best
#    of REPEAT), and from its own in-memory table (loaded once, query timed, best of REPEAT).
# 5. cchc side (CCHC_SIDE):
#      reference  crates/dossiers/examples/dossier_reference.rs (the domain's `tally` over the
#                 crate's reader), end to end, best of REPEAT;
#      cli        `cchc dossiers indicators --file F --json` (end to end), `cchc dossiers import F`
#                 then `cchc dossiers indicators --json` (from the store, a whole CLI process),
#                 the same table from a running `cchc serve --no-response-cache` through
#                 GET /api/dossiers/indicators (when curl is present; PORT=18091), then importing
#                 the APPEND_ROWS file and asking again (append + refresh);
#      auto       cli when the binary has a `dossiers` command, else reference (default).
#    The reference always runs once per window as the yardstick of the comparisons.
# 6. Compares every table with the reference (first differences printed), prints the summary
#    (tool, phase, window, seconds, peak MiB, speed-up vs DuckDB).
#
# Needs: cargo, python3 with venv (Debian: apt-get install -y python3-venv), GNU time.
# Knobs: ROWS=10000000 SEED=2024 YEAR=2024 APPEND_ROWS=30000 REPEAT=3 DUCKDB_THREADS=2
#        DUCKDB_VERSION=2.0.1 VENV=target/bench-venv CCHC_SIDE=auto|reference|cli
#        CCHC_BIN=<a cchc binary; default: built here>
#        WINDOWS="NAME:FROM:TO …" (default: the plan's 6-month window YEAR S1, 15/12 of the year
#        before to 13/06, and March of the year) WORK=<dir, kept> (default: a temporary dir,
#        deleted at the end; the 10M-row CSV is about 1.3 GB).
# Example, small: ROWS=200000 bench/dossiers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-10000000}"
SEED="${SEED:-2024}"
YEAR="${YEAR:-2024}"
APPEND_ROWS="${APPEND_ROWS:-30000}"
REPEAT="${REPEAT:-3}"
export DUCKDB_THREADS="${DUCKDB_THREADS:-2}"
DUCKDB_VERSION="${DUCKDB_VERSION:-2.0.1}"
VENV="${VENV:-target/bench-venv}"
CCHC_SIDE="${CCHC_SIDE:-auto}"
WINDOWS="${WINDOWS:-${YEAR}S1:$((YEAR - 1))-12-15:${YEAR}-06-13 ${YEAR}-03:${YEAR}-03-01:${YEAR}-03-31}"
THREADS="$DUCKDB_THREADS"

for tool in cargo python3; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
    echo "== installing GNU time (apt-get)"
    apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

echo "== DuckDB $DUCKDB_VERSION from PyPI into $VENV"
if ! "$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
fi
PY="$VENV/bin/python"
DRIVER="bench/dossiers_duckdb.py"

echo "== build (release)"
cargo build --release --locked --quiet -p cchc-dossiers --examples
TARGET="${CARGO_TARGET_DIR:-target}/release"
EXAMPLES="$TARGET/examples"
BIN="${CCHC_BIN:-$TARGET/cchc}"
if [ "$CCHC_SIDE" != reference ] && [ -z "${CCHC_BIN:-}" ]; then
    cargo build --release --locked --quiet --bin cchc
    if [ "$CCHC_SIDE" = auto ]; then
        if "$BIN" dossiers --help >/dev/null 2>&1; then CCHC_SIDE=cli; else CCHC_SIDE=reference; fi
    fi
fi
echo "   cchc side: $CCHC_SIDE"

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
    KEEP=1
else
    WORK="$(mktemp -d /tmp/cchc-dossier-bench.XXXXXX)"
    KEEP=0
fi
cleanup() { if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
BASE="$WORK/dossiers.csv"
APPEND="$WORK/append.csv"
CAL="$WORK/calendar.csv"
SUMMARY="$WORK/summary.tsv"
: >"$SUMMARY"

# measure NAME CMD…: runs CMD under GNU time; sets SECONDS_TAKEN (wall) and PEAK_MIB; CMD's
# stdout goes to $WORK/NAME.out, stderr to $WORK/NAME.err.
measure() {
    local name="$1"
    shift
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        echo "bench: $name failed:" >&2
        tail -20 "$WORK/$name.err" >&2
        exit 1
    }
    end=$(date +%s%N)
    SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    PEAK_MIB=$(awk 'END { printf "%.0f", $1 / 1024 }' "$WORK/$name.time")
}
# json_field FILE KEY [LINE_FILTER]: a number from the driver's JSON lines.
json_field() {
    "$PY" -c "import json,sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if len(sys.argv) < 4 or d.get('phase') == sys.argv[3] and d.get('window', '').startswith(sys.argv[4] if len(sys.argv) > 4 else ''):
        v = d[sys.argv[2]]
print(f'{v:.3f}' if isinstance(v, float) else v)" "$@"
}
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$SUMMARY"; }
check() {
    echo -n "   $1: "
    "$PY" "$DRIVER" compare "$2" "$3" || { echo "bench: numbers differ ($1)" >&2; exit 1; }
}
best() { awk 'NR == 1 || $1 < m { m = $1; p = $2 } END { print m, p }'; }

echo "== generating $ROWS + $APPEND_ROWS dossiers (seed $SEED, year $YEAR) into $WORK"
ALL="$WORK/all.csv"
if [ "$CCHC_SIDE" = cli ]; then
    # The CLI's generator draws DonViXuLy from the directory (agency ids), which cchc resolves; the
    # reference and DuckDB take the codes as they come, so the tables line up agency by agency.
    CCHC_DATA="$WORK/gen-data" "$BIN" dossiers generate --rows "$((ROWS + APPEND_ROWS))" --seed "$SEED" \
        --year "$YEAR" --out "$ALL"
    rm -rf "$WORK/gen-data"
else
    "$EXAMPLES/dossier_generate" --rows "$((ROWS + APPEND_ROWS))" --seed "$SEED" --year "$YEAR" --out "$ALL"
fi
head -n "$((ROWS + 1))" "$ALL" >"$BASE"
{ head -n 1 "$ALL"; tail -n "$APPEND_ROWS" "$ALL"; } >"$APPEND"
rm -f "$ALL"
"$EXAMPLES/workday_calendar" "$((YEAR - 1))" "$((YEAR + 1))" >"$CAL"
YEARS="$((YEAR - 1))-$((YEAR + 1))"
echo "   $(du -h "$BASE" | cut -f1) base file, $(wc -l <"$CAL") calendar days; df: $(df -h / | awk 'NR == 2 { print $4 }') free"

WINDOW_NAMES=()
for w in $WINDOWS; do
    IFS=: read -r name from to <<<"$w"
    WINDOW_NAMES+=("$name")
    echo "== window $name: $from .. $to"
    ref="$WORK/ref_$name.csv"
    "$EXAMPLES/dossier_reference" --file "$BASE" --from "$from" --to "$to" --years "$YEARS" --threads "$THREADS" \
        --out "$ref" 2>/dev/null

    # DuckDB end to end: a fresh process per run.
    : >"$WORK/duck_e2e_$name.runs"
    for i in $(seq 1 "$REPEAT"); do
        measure "duck_e2e_${name}_$i" "$PY" "$DRIVER" e2e --csv "$BASE" --cal "$CAL" --window "$w" \
            --out "$WORK/duck_e2e_$name.csv"
        echo "$(json_field "$WORK/duck_e2e_${name}_$i.out" seconds) $PEAK_MIB $SECONDS_TAKEN" >>"$WORK/duck_e2e_$name.runs"
    done
    read -r s peak <<<"$(best <"$WORK/duck_e2e_$name.runs")"
    row duckdb "e2e (CSV)" "$name" "$s" "$peak" "1.00"
    eval "DUCK_E2E_${name//[^A-Za-z0-9]/_}=$s"
    check "DuckDB e2e = reference" "$ref" "$WORK/duck_e2e_$name.csv"
done

echo "== DuckDB from its in-memory table"
mem_args=()
for w in $WINDOWS; do mem_args+=(--window "$w"); done
measure duck_mem "$PY" "$DRIVER" mem --csv "$BASE" --cal "$CAL" "${mem_args[@]}" --out-dir "$WORK" --repeat "$REPEAT"
DUCK_PEAK="$PEAK_MIB"
VERSION="$(json_field "$WORK/duck_mem.out" version load)"
row duckdb "load table" "-" "$(json_field "$WORK/duck_mem.out" seconds load)" "$DUCK_PEAK" "-"
for w in $WINDOWS; do
    IFS=: read -r name _ _ <<<"$w"
    s="$(json_field "$WORK/duck_mem.out" seconds query "$name:")"
    row duckdb "query (in memory)" "$name" "$s" "$DUCK_PEAK" "1.00"
    eval "DUCK_MEM_${name//[^A-Za-z0-9]/_}=$s"
    check "DuckDB in-memory = reference" "$WORK/ref_$name.csv" "$WORK/duckdb_mem_$name.csv"
done

speedup() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# The arguments that select a window in the CLI: a reporting period id (2024S1, 2024Q1, 2024) or
# a month (2024-03) as --period; the CLI knows no other windows.
window_args() {
    local name="$1" from="$2" to="$3"
    if [[ "$name" =~ ^[0-9]{4}(Q[1-4]|S[12])?$ || "$name" =~ ^[0-9]{4}-[0-9]{2}$ ]]; then
        echo "--period $name"
    else
        echo "--from $from --to $to"
    fi
}

if [ "$CCHC_SIDE" = reference ]; then
    echo "== cchc side: the reference example (domain tally), end to end"
    for w in $WINDOWS; do
        IFS=: read -r name from to <<<"$w"
        : >"$WORK/ref_$name.runs"
        for i in $(seq 1 "$REPEAT"); do
            measure "ref_${name}_$i" "$EXAMPLES/dossier_reference" --file "$BASE" --from "$from" --to "$to" \
                --years "$YEARS" --threads "$THREADS" --out "$WORK/ref_run_$name.csv"
            echo "$SECONDS_TAKEN $PEAK_MIB" >>"$WORK/ref_$name.runs"
        done
        read -r s peak <<<"$(best <"$WORK/ref_$name.runs")"
        key="DUCK_E2E_${name//[^A-Za-z0-9]/_}"
        row "reference (example)" "e2e (CSV)" "$name" "$s" "$peak" "$(speedup "${!key}" "$s")"
        check "reference run = reference" "$WORK/ref_$name.csv" "$WORK/ref_run_$name.csv"
    done
else
    echo "== cchc side: the CLI"
    export CCHC_DATA="$WORK/data"
    rm -rf "$CCHC_DATA"
    for w in $WINDOWS; do
        IFS=: read -r name from to <<<"$w"
        : >"$WORK/cli_e2e_$name.runs"
        for i in $(seq 1 "$REPEAT"); do
            # shellcheck disable=SC2046
            measure "cli_e2e_${name}_$i" "$BIN" dossiers indicators --file "$BASE" $(window_args "$name" "$from" "$to") --json
            echo "$SECONDS_TAKEN $PEAK_MIB" >>"$WORK/cli_e2e_$name.runs"
        done
        read -r s peak <<<"$(best <"$WORK/cli_e2e_$name.runs")"
        key="DUCK_E2E_${name//[^A-Za-z0-9]/_}"
        row cchc "e2e (CSV)" "$name" "$s" "$peak" "$(speedup "${!key}" "$s")"
        "$PY" "$DRIVER" from-json "$WORK/cli_e2e_${name}_1.out" --out "$WORK/cli_e2e_$name.csv"
        check "cchc e2e = reference" "$WORK/ref_$name.csv" "$WORK/cli_e2e_$name.csv"
    done
    measure cli_import "$BIN" dossiers import "$BASE"
    row cchc "import (store)" "-" "$SECONDS_TAKEN" "$PEAK_MIB" "-"
    for w in $WINDOWS; do
        IFS=: read -r name from to <<<"$w"
        : >"$WORK/cli_store_$name.runs"
        for i in $(seq 1 "$REPEAT"); do
            # shellcheck disable=SC2046
            measure "cli_store_${name}_$i" "$BIN" dossiers indicators $(window_args "$name" "$from" "$to") --json
            echo "$SECONDS_TAKEN $PEAK_MIB" >>"$WORK/cli_store_$name.runs"
        done
        read -r s peak <<<"$(best <"$WORK/cli_store_$name.runs")"
        key="DUCK_MEM_${name//[^A-Za-z0-9]/_}"
        row cchc "query (store)" "$name" "$s" "$peak" "$(speedup "${!key}" "$s")"
        "$PY" "$DRIVER" from-json "$WORK/cli_store_${name}_1.out" --out "$WORK/cli_store_$name.csv"
        check "cchc store = reference" "$WORK/ref_$name.csv" "$WORK/cli_store_$name.csv"
    done
    # The same table from the running server (`cchc serve --no-response-cache`, so every request
    # computes it from the store): GET /api/dossiers/indicators, curl's total time, the first
    # request (which builds the working-day index once) excluded, best of REPEAT.
    if command -v curl >/dev/null; then
        PORT="${PORT:-18091}"
        printf '%s\n' "bench-dossiers-2024" | "$BIN" user add --username bench --role viewer --password-stdin >/dev/null
        "$BIN" serve --no-response-cache --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
        SERVE_PID=$!
        for _ in $(seq 1 100); do
            curl -fsS -o /dev/null "http://127.0.0.1:$PORT/dang-nhap" 2>/dev/null && break
            sleep 0.1
        done
        COOKIE="$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
            -d '{"username":"bench","password":"bench-dossiers-2024"}' "http://127.0.0.1:$PORT/api/session" \
            | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(cchc_session=[0-9a-f]*\).*/\1/p' | head -n1)"
        for w in $WINDOWS; do
            IFS=: read -r name from to <<<"$w"
            url="http://127.0.0.1:$PORT/api/dossiers/indicators?period=$name"
            curl -fsS -o "$WORK/api_$name.json" -H "Cookie: $COOKIE" "$url"
            : >"$WORK/api_$name.runs"
            for i in $(seq 1 "$REPEAT"); do
                curl -fsS -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$url" >>"$WORK/api_$name.runs"
            done
            s="$(sort -g "$WORK/api_$name.runs" | head -n1)"
            s="$(awk -v s="$s" 'BEGIN { printf "%.3f", s }')"
            key="DUCK_MEM_${name//[^A-Za-z0-9]/_}"
            row cchc "query (server API)" "$name" "$s" "-" "$(speedup "${!key}" "$s")"
            "$PY" "$DRIVER" from-json "$WORK/api_$name.json" --out "$WORK/api_$name.csv"
            check "cchc server API = reference" "$WORK/ref_$name.csv" "$WORK/api_$name.csv"
        done
        kill "$SERVE_PID" 2>/dev/null || true
        wait "$SERVE_PID" 2>/dev/null || true
    fi
    # Append one day and refresh: timed together (import of the day, then the table).
    first="${WINDOW_NAMES[0]}"
    IFS=: read -r name from to <<<"${WINDOWS%% *}"
    # shellcheck disable=SC2046
    measure cli_append bash -c "\"$BIN\" dossiers import \"$APPEND\" >/dev/null && \"$BIN\" dossiers indicators $(window_args "$name" "$from" "$to") --json"
    row cchc "append $APPEND_ROWS + refresh" "$first" "$SECONDS_TAKEN" "$PEAK_MIB" "-"
    "$EXAMPLES/dossier_reference" --file "$BASE" --file "$APPEND" --from "$from" --to "$to" --years "$YEARS" \
        --threads "$THREADS" --out "$WORK/ref_appended.csv" 2>/dev/null
    "$PY" "$DRIVER" from-json "$WORK/cli_append.out" --out "$WORK/cli_append.csv"
    check "cchc after append = reference over both files" "$WORK/ref_appended.csv" "$WORK/cli_append.csv"
fi

echo
echo "== summary: $ROWS dossiers, seed $SEED, year $YEAR; DuckDB $VERSION ($DUCKDB_THREADS threads); $(nproc) cores"
echo "   (DuckDB seconds are measured inside its process, from connect to the fetched table; cchc seconds"
echo "    are the whole process. Speed-up = DuckDB's e2e or in-memory figure for the window ÷ this one.)"
{
    printf 'tool\tphase\twindow\tseconds\tpeak MiB\tspeed-up vs DuckDB\n'
    cat "$SUMMARY"
} | column -t -s $'\t'
echo "All tables identical to the reference."
