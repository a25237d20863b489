#!/usr/bin/env bash
# Benchmark of every page and API read (see docs/benchmarks.md), with 64 concurrent clients.
#
# 1. Fills a data folder the way a reporting deadline does: every expected agency (241) saves and
#    submits its 2024S1 report (examples/bench_consolidate.rs, release build); 200 000 generated
#    dossiers of 2024 are imported (`cchc dossiers generate|import`, issue 11).
# 2. Starts `cchc serve` on it, creates a viewer and a commune officer, logs in with curl.
# 3. Runs wrk against each page and API read (asking for gzip/br as browsers do), twice: on the
#    server as it runs by default (answers kept until the data changes, "kept") and on a second
#    server started with --no-response-cache ("computed": every request renders the page). Then
#    times the exports and documents with curl (median of 20 runs).
#
# Needs: cargo, curl, wrk (Debian: apt-get install -y wrk curl).
# Knobs: CONNECTIONS=64 THREADS=2 DURATION=10s PORT=18081 ONLY=<substring of the URLs to run>
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-10s}"
PORT="${PORT:-18081}"
COLD_PORT="$((PORT + 1))"
ONLY="${ONLY:-}"
BASE="http://127.0.0.1:${PORT}"
COLD="http://127.0.0.1:${COLD_PORT}"
PASSWORD="mat-khau-benchmark-2024"

for tool in cargo curl wrk; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing (Debian: apt-get install -y $tool)" >&2; exit 1; }
done

echo "== build (release)"
cargo build --release --locked --quiet --bin cchc --example bench_consolidate
TARGET="${CARGO_TARGET_DIR:-target}/release"
BIN="$TARGET/cchc"

DATA="$(mktemp -d)"
SERVER_PID=""
COLD_PID=""
cleanup() {
    for pid in $SERVER_PID $COLD_PID; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$DATA"
}
trap cleanup EXIT

echo "== filling $DATA (241 reports for 2024S1)"
"$TARGET/examples/bench_consolidate" 2024S1 "$DATA" | sed 's/^/   /'
echo "== importing 200 000 generated dossiers of 2024 (issue 11)"
"$BIN" dossiers generate --data "$DATA" --rows 200000 --seed 1 --year 2024 --out "$DATA/dossiers-2024.csv" >/dev/null
"$BIN" dossiers import --data "$DATA" "$DATA/dossiers-2024.csv" | sed 's/^/   /'
printf '%s\n' "$PASSWORD" | "$BIN" user add --data "$DATA" --username bench --role viewer --password-stdin >/dev/null
printf '%s\n' "$PASSWORD" | "$BIN" user add --data "$DATA" --username canbo-xa --role agency --agency ubnd-xa-03646 --password-stdin >/dev/null

"$BIN" serve --addr "127.0.0.1:${PORT}" --data "$DATA" >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
"$BIN" serve --no-response-cache --addr "127.0.0.1:${COLD_PORT}" --data "$DATA" >"$DATA/serve-cold.log" 2>&1 &
COLD_PID=$!
for url in "$BASE" "$COLD"; do
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "$url/dang-nhap" 2>/dev/null; then break; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null || ! kill -0 "$COLD_PID" 2>/dev/null; then
            echo "bench: a server exited:" >&2; cat "$DATA"/serve*.log >&2; exit 1
        fi
        sleep 0.1
    done
done

login() {
    curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"${PASSWORD}\"}" "$BASE/api/session" \
        | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(cchc_session=[0-9a-f]*\).*/\1/p' | head -n1
}
VIEWER="$(login bench)"
OFFICER="$(login canbo-xa)"
[ -n "$VIEWER" ] && [ -n "$OFFICER" ] || { echo "bench: login failed" >&2; exit 1; }
ACTIVITY="$(curl -fsS -H "Cookie: $VIEWER" "$BASE/api/activities?area=III" | grep -o '"id":[0-9]*' | head -n1 | cut -d: -f2)"
MILESTONE="$(curl -fsS -H "Cookie: $VIEWER" "$BASE/api/assignments?agency=so-tu-phap&as_of=2024-07-01" | grep -o '"id":[0-9]*' | sed -n 2p | cut -d: -f2)"

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "rustc:   $(rustc --version)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"

# name|cookie|path
PAGES=(
    "public home|none|/?as_of=2024-07-01"
    "public area|none|/cong-khai/linh-vuc/III?as_of=2024-07-01"
    "public activity|none|/cong-khai/hoat-dong/${ACTIVITY}?as_of=2024-07-01"
    "dashboard|viewer|/tong-quan?as_of=2024-07-01"
    "area|viewer|/linh-vuc/III?as_of=2024-07-01"
    "activity|viewer|/hoat-dong/${ACTIVITY}?as_of=2024-07-01"
    "agencies|viewer|/co-quan?as_of=2024-07-01"
    "agency|viewer|/co-quan/so-tu-phap?as_of=2024-07-01"
    "overdue|viewer|/qua-han?as_of=2024-07-01"
    "upcoming|viewer|/sap-den-han?as_of=2024-07-01"
    "search|viewer|/tim-kiem?q=so+hoa"
    "report periods|viewer|/bao-cao"
    "report period|viewer|/bao-cao/2024S1"
    "report indicator|viewer|/bao-cao/2024S1/chi-tieu/VII.2.1"
    "report form (officer)|officer|/bao-cao/2024S1/ubnd-xa-03646"
    "api dashboard|viewer|/api/dashboard?as_of=2024-07-01"
    "api activities|viewer|/api/activities"
    "api assignments|viewer|/api/assignments?agency=so-tu-phap&as_of=2024-07-01"
    "api agencies|viewer|/api/agencies"
    "api milestone|viewer|/api/milestones/${MILESTONE}"
    "api indicators|viewer|/api/indicators"
    "api report status|viewer|/api/reports?period=2024S1"
    "api report results|viewer|/api/reports/2024S1/results"
    "api report|officer|/api/reports/2024S1/ubnd-xa-03646"
    "hand-over (issue 9)|viewer|/ban-giao?ngay=2025-07-01"
    "hand-over of a unit (issue 9)|viewer|/ban-giao/ubnd-huyen-116?ngay=2025-07-01"
    "indicator years (issue 9)|viewer|/chi-tieu/VII.2.1"
    "api agencies of a day (issue 9)|viewer|/api/agencies?as_of=2025-07-01"
    "SIPAS (issue 10; no responses unless imported)|viewer|/danh-gia/sipas?nam=2024"
    "api SIPAS (issue 10)|viewer|/api/evaluation/sipas?year=2024"
    "PAR Index ranking (issue 10)|viewer|/danh-gia?nam=2024"
    "public PAR Index ranking (issue 10)|none|/danh-gia?nam=2024"
    "PAR Index of an agency (issue 10)|viewer|/danh-gia/2024/so-tu-phap"
    "PAR Index framework (issue 10)|none|/danh-gia/tieu-chi?nam=2024&loai=department"
    "api PAR Index score (issue 10)|viewer|/api/evaluation/score?year=2024"
    "rating (issue 10)|viewer|/danh-gia/xep-loai?nam=2024"
    "api rating (issue 10)|viewer|/api/evaluation/rating?year=2024"
    "inspection plan (issue 10)|viewer|/danh-gia/kiem-tra?nam=2025&seed=1"
    "api inspection plan (issue 10)|viewer|/api/evaluation/inspections/plan?year=2025&seed=1"
    "api inspections (issue 10)|viewer|/api/evaluation/inspections?year=2025"
    "dossier table (issue 11)|viewer|/ho-so-tthc?ky=2024S1"
    "dossier table of a level (issue 11)|viewer|/ho-so-tthc?ky=2024-03&cap=xa"
    "dossier 766 points (issue 11)|viewer|/ho-so-tthc/766?ky=2024S1"
    "late dossiers (issue 11)|viewer|/ho-so-tthc/tre-han?ky=2024S1"
    "wrong appointment dates (issue 11)|viewer|/ho-so-tthc/ngay-hen?ky=2024S1"
    "dossier unit codes (issue 11)|viewer|/ho-so-tthc/ma-don-vi"
    "api dossier indicators (issue 11)|viewer|/api/dossiers/indicators?period=2024S1"
    "api late dossiers (issue 11)|viewer|/api/dossiers/late?period=2024S1"
    "api wrong dates (issue 11)|viewer|/api/dossiers/check-dates?period=2024S1"
)
EXPORTS=(
    "overdue XLSX|viewer|/xuat/qua-han.xlsx?as_of=2024-07-01"
    "overdue CSV|viewer|/xuat/qua-han.csv?as_of=2024-07-01"
    "agency ICS|viewer|/lich/so-tu-phap.ics"
    "report form XLSX|officer|/bao-cao/2024S1/ubnd-xa-03646/bieu-mau.xlsx"
    "consolidated DOCX|viewer|/bao-cao/2024S1/tong-hop.docx"
    "consolidated annex XLSX|viewer|/bao-cao/2024S1/phu-luc.xlsx"
    "PAR Index ranking XLSX (issue 10)|viewer|/danh-gia/2024/xep-hang.xlsx"
    "PAR Index decision annex DOCX (issue 10)|viewer|/danh-gia/2024/quyet-dinh.docx"
    "PAR Index score sheet XLSX (issue 10)|viewer|/danh-gia/2024/so-tu-phap/bang-diem.xlsx"
    "dossier table XLSX (issue 11)|viewer|/ho-so-tthc/bang.xlsx?ky=2024S1"
    "late dossiers XLSX (issue 11)|viewer|/ho-so-tthc/tre-han.xlsx?ky=2024S1"
    "wrong dates XLSX (issue 11)|viewer|/ho-so-tthc/ngay-hen.xlsx?ky=2024S1"
)

cookie_of() { case "$1" in viewer) echo "$VIEWER" ;; officer) echo "$OFFICER" ;; *) echo "" ;; esac; }

# wrk's p50, p99 and req/s against one base URL.
measure() {
    local out
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $2" -H 'Accept-Encoding: gzip, br' "$1")"
    printf '%s %s %s' "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
        "$(echo "$out" | awk '/^Requests\/sec/ {printf "%.0f", $2}')"
}

printf '\n%-24s %6s %7s %6s | %-27s | %-27s\n' "" "" "" "" "kept (default)" "computed (--no-response-cache)"
printf '%-24s %6s %7s %6s | %8s %8s %9s | %8s %8s %9s\n' "page" "status" "bytes" "br" "p50" "p99" "req/s" "p50" "p99" "req/s"
for entry in "${PAGES[@]}"; do
    IFS='|' read -r name who path <<<"$entry"
    if [ -n "$ONLY" ] && [[ "$name $path" != *"$ONLY"* ]]; then continue; fi
    cookie="$(cookie_of "$who")"
    headers=(-H "Cookie: ${cookie}")
    status="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "${headers[@]}" "$BASE$path")"
    br="$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip, br' "${headers[@]}" "$BASE$path")"
    read -r kp50 kp99 krps <<<"$(measure "$BASE$path" "$cookie")"
    read -r cp50 cp99 crps <<<"$(measure "$COLD$path" "$cookie")"
    printf '%-24s %6s %7s %6s | %8s %8s %9s | %8s %8s %9s\n' "$name" "${status% *}" "${status#* }" "$br" \
        "$kp50" "$kp99" "$krps" "$cp50" "$cp99" "$crps"
done

# Median of 20 sequential downloads, in ms.
median_ms() {
    local times=()
    for _ in $(seq 1 20); do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $2" "$1")")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 10p | awk '{printf "%.1f", $1 * 1000}'
}

printf '\n%-26s %8s %8s %12s %12s\n' "export / document" "status" "bytes" "kept (ms)" "computed (ms)"
for entry in "${EXPORTS[@]}"; do
    IFS='|' read -r name who path <<<"$entry"
    if [ -n "$ONLY" ] && [[ "$name $path" != *"$ONLY"* ]]; then continue; fi
    cookie="$(cookie_of "$who")"
    status="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "Cookie: ${cookie}" "$BASE$path")"
    printf '%-26s %8s %8s %12s %12s\n' "$name" "${status% *}" "${status#* }" \
        "$(median_ms "$BASE$path" "$cookie")" "$(median_ms "$COLD$path" "$cookie")"
done
