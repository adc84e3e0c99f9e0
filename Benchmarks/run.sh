#!/usr/bin/env bash
# Load benchmark of the public site at platform scale, on loopback only.
#   Benchmarks/run.sh sqlite            # SQLite file with 100k practitioners
#   Benchmarks/run.sh postgres URL      # PostgreSQL (DATABASE_URL), same data
# Env: PROVIDERS (default 100000), DURATION (default 20s), CONNECTIONS (default 32), THREADS (default 2),
#      SKIP_SEED=1 to reuse a database seeded earlier, CACHE=false to measure without the render cache.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-sqlite}
PROVIDERS=${PROVIDERS:-100000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
OUT=${OUT:-/tmp/careabroad-bench}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

export CAREABROAD_RENDER_CACHE=${CACHE:-true}
if [ "$KIND" = postgres ]; then
  export DATABASE_URL=${2:?postgres needs a DATABASE_URL}
else
  unset DATABASE_URL
  export CAREABROAD_SQLITE_PATH=${SQLITE_PATH:-$OUT/bench.sqlite}
fi

swift build -c release --product careabroad 2>&1 | tail -n 1
BIN=.build/release/careabroad

if [ "${SKIP_SEED:-0}" != 1 ]; then
  [ "$KIND" = sqlite ] && rm -f "$CAREABROAD_SQLITE_PATH"*
  /usr/bin/time -f "seed: %e s, max RSS %M KB" $BIN seed synthetic --providers "$PROVIDERS"
fi

LOG_LEVEL=warning $BIN serve --hostname 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

# Request lists: varied searches (text + two filters) and profiles across the whole directory.
python3 - "$OUT" "$PROVIDERS" <<'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
words = ["nanofat", "microfat", "implants", "facelift", "ivf", "lasik", "hair", "rhinoplasty", "dental", "cataract",
         "knee", "hip", "veneers", "eyelid", "filler", "fertility", "surgery", "weber", "silva", "rossi"]
countries = ["TR", "MX", "TH", "KR", "ES", "DE", "PL", "HU", "CZ", "IN", "CR", "CO", "AE", "PT", "GR", "HR", "MY", "BR", "BE"]
langs = ["en", "es", "tr", "de", "pt", "ar", "fr"]
with open(f"{out}/search.txt", "w") as f:
    for _ in range(4000):
        f.write(f"/providers?q={random.choice(words)}&country={random.choice(countries)}&language={random.choice(langs)}\n")
with open(f"{out}/api-search.txt", "w") as f:
    for _ in range(4000):
        f.write(f"/api/v1/providers?q={random.choice(words)}&country={random.choice(countries)}&language={random.choice(langs)}\n")
PY
if [ "$KIND" = postgres ]; then
  psql "$DATABASE_URL" -Atc "SELECT '/providers/' || slug FROM practitioners ORDER BY random() LIMIT 4000" > "$OUT/profiles.txt"
else
  python3 -c "
import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
print('\n'.join('/providers/'+r[0] for r in c.execute('SELECT slug FROM practitioners ORDER BY random() LIMIT 4000')))" "$CAREABROAD_SQLITE_PATH" > "$OUT/profiles.txt"
fi
# Load the in-process search index once (as the first search after a start or an index change does).
/usr/bin/time -f "first search (loads the filter index): %e s" curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/providers?q=warmup"
echo "/magazine/natural-lip-rejuvenation-microfat-nanofat" > "$OUT/article.txt"
echo "/procedures/microfat-lip-grafting" > "$OUT/guide.txt"
echo "/healthz" > "$OUT/healthz.txt"

bench() { # name [connections] [list]
  local name=$1 conns=${2:-$CONNECTIONS} list=${3:-$1}
  URLS="$OUT/$list.txt" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s Benchmarks/rotate.lua "http://127.0.0.1:$PORT" > "$OUT/$name.wrk"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$name.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/$name.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$name.wrk")
  local non2xx; non2xx=$(awk '/Non-2xx/ {print $4}' "$OUT/$name.wrk")
  printf '%-12s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" > "$OUT/$name.rps"
}
echo "kind=$KIND providers=$PROVIDERS cache=$CAREABROAD_RENDER_CACHE connections=$CONNECTIONS threads=$THREADS duration=$DURATION"
bench healthz
# Cold: 4,000 different searches and profiles, mostly rendered for the first time.
bench search
bench api-search
bench search-c4 4 search
bench profiles-cold 32 profiles
bench profiles-c4 4 profiles
# Warm: every profile of the list requested once more (what a second visit costs), then measured again.
URLS="$OUT/profiles.txt" wrk -t2 -c8 -d20s -s Benchmarks/rotate.lua "http://127.0.0.1:$PORT" >/dev/null
bench profiles-warm 32 profiles
bench article
bench guide
h=$(cat "$OUT/healthz.rps")
for n in search api-search search-c4 profiles-cold profiles-warm article guide; do
  awk -v a="$(cat "$OUT/$n.rps")" -v h="$h" -v n="$n" 'BEGIN { printf "%-12s %5.1f%% of /healthz\n", n, 100*a/h }'
done
echo "server RSS: $(ps -o rss= -p $PID) KB"
