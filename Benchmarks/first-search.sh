#!/usr/bin/env bash
# Latency of searches whose words have not been searched before (no cached full-text result), one at a time.
#   Benchmarks/first-search.sh [DATABASE_URL]   (SQLite file of run.sh when no URL is given)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18091}
if [ -n "${1:-}" ]; then export DATABASE_URL=$1; else export CAREABROAD_SQLITE_PATH=${SQLITE_PATH:-/tmp/careabroad-bench/bench.sqlite}; fi
export CAREABROAD_RENDER_CACHE=false LOG_LEVEL=warning
.build/release/careabroad serve --hostname 127.0.0.1 --port "$PORT" > /dev/null 2>&1 &
PID=$!; trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/providers?q=warmup"   # loads the filter index
for w in nanofat microfat implants facelift ivf lasik hair rhinoplasty dental cataract knee hip veneers eyelid filler surgery weber silva rossi bangkok; do
  curl -fs -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$PORT/providers?q=$w&country=TR&language=en"
done | sort -n | awk '{a[NR]=$1} END {printf "first searches of 20 new words: min %.1f ms, median %.1f ms, max %.1f ms\n", a[1]*1000, a[int((NR+1)/2)]*1000, a[NR]*1000}'
