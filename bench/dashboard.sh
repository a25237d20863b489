#!/usr/bin/env bash
# Benchmark of the province dashboard (see docs/benchmarks.md).
#
# Builds the release binary, starts `cchc serve` on a fresh temporary data folder (first start
# loads the embedded Sơn La 2024 plan and fans every activity out into one assignment per
# responsible agency: ~3,061 milestones), creates a viewer with `cchc user add --password-stdin`,
# logs in with curl to get the session cookie, then runs wrk against
#   GET /tong-quan?as_of=2024-07-01        (the HTML dashboard)
#   GET /api/dashboard?as_of=2024-07-01    (the JSON dashboard, when the API serves it)
# with 64 concurrent connections, prints wrk's latency distribution and stops the server.
#
# Needs: cargo, curl, wrk (Debian: apt-get install -y wrk).
# Knobs (environment): CONNECTIONS=64 THREADS=2 DURATION=15s PORT=18080 AS_OF=2024-07-01
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
DURATION="${DURATION:-15s}"
PORT="${PORT:-18080}"
AS_OF="${AS_OF:-2024-07-01}"
BASE="http://127.0.0.1:${PORT}"
PASSWORD="mat-khau-benchmark-2024"

for tool in cargo curl wrk; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing (Debian: apt-get install -y $tool)" >&2; exit 1; }
done

echo "== build (release)"
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/cchc"

DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

echo "== data folder $DATA"
printf '%s\n' "$PASSWORD" | "$BIN" user add --data "$DATA" --username bench --role viewer --password-stdin >/dev/null

"$BIN" serve --addr "127.0.0.1:${PORT}" --data "$DATA" >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$BASE/dang-nhap" 2>/dev/null; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "bench: the server exited:" >&2; cat "$DATA/serve.log" >&2; exit 1; fi
    sleep 0.1
done

COOKIE="$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"${PASSWORD}\"}" "$BASE/api/session" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(cchc_session=[0-9a-f]*\).*/\1/p' | head -n1)"
if [ -z "$COOKIE" ]; then echo "bench: login failed" >&2; exit 1; fi

URLS=("$BASE/tong-quan?as_of=${AS_OF}")
api_status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/api/dashboard?as_of=${AS_OF}")"
if [ "$api_status" = "200" ]; then
    URLS+=("$BASE/api/dashboard?as_of=${AS_OF}")
else
    echo "note: GET /api/dashboard answered $api_status; benchmarking the HTML dashboard only"
fi

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "memory:  $(free -h | awk '/^Mem:/ {print $2}')"
echo "kernel:  $(uname -sr)"
echo "rustc:   $(rustc --version)"
echo "wrk:     $(wrk --version 2>&1 | head -n1)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"

for url in "${URLS[@]}"; do
    status="$(curl -s -o "$DATA/page" -w '%{http_code} %{size_download}' -H "Cookie: $COOKIE" "$url")"
    echo
    echo "== $url"
    echo "warm-up: HTTP ${status% *}, ${status#* } bytes"
    if [ "${status% *}" != "200" ]; then echo "bench: expected 200" >&2; exit 1; fi
    if [[ "$url" == *"/tong-quan"* ]]; then
        echo "milestones on the dashboard: $(grep -o '<span class="n">[0-9]*</span><span>mốc công việc' "$DATA/page" | grep -o '[0-9]\+' | head -n1)"
    fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "$url"
done
