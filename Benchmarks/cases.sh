#!/usr/bin/env bash
# Consultation requests at platform scale, on loopback only:
#   submissions per second through the JSON API (two photos each: checked, stripped, encrypted; audit; outbox),
#   and the provider inbox list with 1,000,000 stored requests.
#   Benchmarks/cases.sh sqlite            Benchmarks/cases.sh postgres URL
# Env: CASES (default 1000000), PROVIDERS (default 100000), DURATION (default 15s), SKIP_SEED=1, PHOTO_KB (default 200)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-sqlite}
CASES=${CASES:-1000000}
PROVIDERS=${PROVIDERS:-100000}
DURATION=${DURATION:-15s}
PHOTO_KB=${PHOTO_KB:-200}
PORT=${PORT:-18091}
OUT=${OUT:-/tmp/careabroad-bench-cases}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
if [ "$KIND" = postgres ]; then
  export DATABASE_URL=${2:?postgres needs a DATABASE_URL}
else
  unset DATABASE_URL
  export CAREABROAD_SQLITE_PATH=${SQLITE_PATH:-$OUT/cases.sqlite}
fi
export CAREABROAD_MASTER_KEY_FILE=${MASTER_KEY_FILE:-$OUT/master-$KIND.key}
export CAREABROAD_LIMIT_SUBMISSIONS_PER_ACCOUNT=10000000 CAREABROAD_LIMIT_SUBMISSIONS_PER_ADDRESS=10000000

swift build -c release --product careabroad 2>&1 | tail -n 1
BIN=.build/release/careabroad
if [ "${SKIP_SEED:-0}" != 1 ]; then
  [ "$KIND" = sqlite ] && rm -f "$CAREABROAD_SQLITE_PATH"*
  /usr/bin/time -f "directory: %e s" $BIN seed synthetic --providers "$PROVIDERS"
  /usr/bin/time -f "requests: %e s, max RSS %M KB" $BIN seed cases --cases "$CASES" --session-file "$OUT/session" --token-file "$OUT/token"
fi

# The request body: the demo answers and two JPEG photos of PHOTO_KB each, with location metadata to strip.
python3 - "$OUT" "$PHOTO_KB" <<'PY'
import base64, json, sys
out, kb = sys.argv[1], int(sys.argv[2])
def seg(m, p): return bytes([0xFF, m]) + (len(p) + 2).to_bytes(2, "big") + p
def jpeg(seed):
    b = bytes([0xFF, 0xD8]) + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + seg(0xE1, b"Exif\x00\x00GPS 48.85 N 2.35 E")
    b += seg(0xDB, bytes([0]) + bytes(range(1, 65))) + seg(0xC0, bytes([8, 0, 16, 0, 16, 1, 1, 0x11, 0]))
    b += seg(0xC4, bytes([0]) + bytes(15) + bytes([1, 0])) + seg(0xDA, bytes([1, 1, 0, 0, 0x3F, 0]))
    return b + bytes([0x12, seed]) + bytes((i * 7 + seed) % 251 for i in range(kb * 1024)) + bytes([0xFF, 0xD9])
answers = {"procedures": ["microfat-lip-grafting"], "concerns": "Thin upper lip; looking for a natural result.", "goals": "Subtle",
           "blood_thinners": "no", "smoking": "never", "pregnancy": "no", "fillers": "hyaluronic", "height_cm": "168", "weight_kg": "61",
           "budget_min": "2000", "budget_max": "4500", "budget_currency": "EUR", "contact_channel": "email", "language": "en", "time_zone": "Europe/London"}
body = {"provider": "patrick-tonnard-md-phd", "answers": answers, "consent": {"healthData": True, "shareWithProvider": True, "terms": True},
        "photos": [{"filename": "front.jpg", "data": base64.b64encode(jpeg(1)).decode()}, {"filename": "side.jpg", "data": base64.b64encode(jpeg(2)).decode()}]}
open(f"{out}/body.json", "w").write(json.dumps(body))
with open(f"{out}/inbox.txt", "w") as f:
    for p in range(1, 41): f.write(f"/inbox?page={p}\n")
    for s in ["submitted", "in-review", "info-requested", "answered", "declined"]: f.write(f"/inbox?status={s}\n/inbox?status={s}&page=3\n")
    for proc in ["microfat-lip-grafting", "nanofat-grafting", "dental-implants", "hip-replacement"]: f.write(f"/inbox?procedure={proc}\n")
    f.write("/inbox?from=2026-06-01\n/inbox?from=2026-01-01&to=2026-03-31\n")
PY

LOG_LEVEL=warning $BIN serve --hostname 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

report() { # name file
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$2"); p50=$(awk '$1=="50%" {print $2}' "$2"); p99=$(awk '$1=="99%" {print $2}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $4}' "$2")
  printf '%-22s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
SESSION=$(cat "$OUT/session"); TOKEN=$(cat "$OUT/token")
if [ "$KIND" = postgres ]; then CASECOUNT=$(psql "$DATABASE_URL" -Atc 'select count(*) from cases'); else CASECOUNT=$(sqlite3 "$CAREABROAD_SQLITE_PATH" 'select count(*) from cases' 2>/dev/null || echo "?"); fi
echo "kind=$KIND cases=$CASECOUNT duration=$DURATION photo=${PHOTO_KB}KB"
curl -fs -o /dev/null -H "Cookie: careabroad_session=$SESSION" "http://127.0.0.1:$PORT/inbox"
echo "inbox of the featured practice: $(curl -fs -H "Cookie: careabroad_session=$SESSION" "http://127.0.0.1:$PORT/inbox" | grep -oE '[0-9,]+ requests' | head -1)"
for c in 4 32; do
  URLS="$OUT/inbox.txt" COOKIE="careabroad_session=$SESSION" wrk -t2 -c$c -d"$DURATION" --latency -s Benchmarks/rotate.lua "http://127.0.0.1:$PORT" > "$OUT/inbox-c$c.wrk"
  report "inbox list, $c conn." "$OUT/inbox-c$c.wrk"
done
before=$(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")
for c in 4 16; do
  BODY="$OUT/body.json" TOKEN="$TOKEN" wrk -t2 -c$c -d"$DURATION" --latency -s Benchmarks/submit.lua "http://127.0.0.1:$PORT" > "$OUT/submit-c$c.wrk"
  report "submissions, $c conn." "$OUT/submit-c$c.wrk"
done
sleep 3
if [ "$KIND" = postgres ]; then
  psql "$DATABASE_URL" -Atc "select 'stored through the API: ' || count(*) || ' cases, ' || (select count(*) from case_photos) || ' photos, outbox undelivered: ' || (select count(*) from outbox_messages where delivered_at is null) from cases where idempotency_key like 'load-%'"
else
  sqlite3 "$CAREABROAD_SQLITE_PATH" "select 'stored through the API: ' || count(*) || ' cases, ' || (select count(*) from case_photos) || ' photos, outbox undelivered: ' || (select count(*) from outbox_messages where delivered_at is null) from cases where idempotency_key like 'load-%'" 2>/dev/null || true
fi
$BIN audit verify 2>&1 | tail -1
echo "server RSS: $(ps -o rss= -p $PID) KB"
