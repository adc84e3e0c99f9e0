#!/usr/bin/env bash
# The facilitator pipeline at scale, on loopback only: the board and the table of an organisation following
# PIPELINE requests (stages, owners, next tasks, late work), through the real pages with a signed-in session.
#   Benchmarks/pipeline.sh sqlite            Benchmarks/pipeline.sh postgres URL
# Env: PIPELINE (default 10000), CASES (default 20000), PROVIDERS (default 2000), DURATION (default 15s), SKIP_SEED=1
set -Eeuo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-sqlite}
PIPELINE=${PIPELINE:-10000}
CASES=${CASES:-20000}
PROVIDERS=${PROVIDERS:-2000}
DURATION=${DURATION:-15s}
PORT=${PORT:-18092}
OUT=${OUT:-/tmp/careabroad-bench-pipeline}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
if [ "$KIND" = postgres ]; then
  export DATABASE_URL=${2:?postgres needs a DATABASE_URL}
else
  unset DATABASE_URL
  export CAREABROAD_SQLITE_PATH=${SQLITE_PATH:-$OUT/pipeline.sqlite}
fi
export CAREABROAD_MASTER_KEY_FILE=${MASTER_KEY_FILE:-$OUT/master-$KIND.key}

swift build -c release --product careabroad 2>&1 | tail -n 1
BIN=.build/release/careabroad
if [ "${SKIP_SEED:-0}" != 1 ]; then
  [ "$KIND" = sqlite ] && rm -f "$CAREABROAD_SQLITE_PATH"*
  /usr/bin/time -f "directory: %e s" $BIN seed synthetic --providers "$PROVIDERS"
  /usr/bin/time -f "requests: %e s" $BIN seed cases --cases "$CASES"
  /usr/bin/time -f "pipeline: %e s" $BIN seed pipeline --cases "$PIPELINE" --session-file "$OUT/session"
fi

cat > "$OUT/pipeline.txt" <<'URLS'
/pipeline
/pipeline?overdue=1
/pipeline?view=table
/pipeline?view=table&page=2
/pipeline?view=table&page=40
/pipeline?view=table&stage=quoted
/pipeline?view=table&stage=travelling&page=3
/pipeline?view=table&overdue=1
/pipeline?stage=accepted
URLS

LOG_LEVEL=warning $BIN serve --hostname 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

report() { # name file
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$2"); p50=$(awk '$1=="50%" {print $2}' "$2"); p99=$(awk '$1=="99%" {print $2}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $4}' "$2")
  printf '%-26s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
SESSION=$(cat "$OUT/session")
echo "kind=$KIND pipeline=$PIPELINE duration=$DURATION"
curl -fs -H "Cookie: careabroad_session=$SESSION" "http://127.0.0.1:$PORT/pipeline?view=table" | grep -oE 'Sent to providers \([0-9]+\)' | head -1
for c in 4 32; do
  URLS="$OUT/pipeline.txt" COOKIE="careabroad_session=$SESSION" wrk -t2 -c$c -d"$DURATION" --latency -s Benchmarks/rotate.lua "http://127.0.0.1:$PORT" > "$OUT/pipeline-c$c.wrk"
  report "pipeline pages, $c conn." "$OUT/pipeline-c$c.wrk"
done
wrk -t2 -c32 -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" > "$OUT/healthz.wrk"
report "/healthz, 32 conn." "$OUT/healthz.wrk"
echo "server RSS: $(ps -o rss= -p $PID) KB"
