#!/usr/bin/env bash
# A long conversation opens as fast as a short one (loopback only): cases with MESSAGES, 30 (one full page) and 5
# messages, each opened N times by the team (`/inbox/{reference}/messages`, the latest page) and by the patient through
# the API (`/api/v1/cases/{reference}/messages`), one request at a time; median and max.
#   Benchmarks/conversation.sh sqlite            Benchmarks/conversation.sh postgres URL
# Env: MESSAGES (default 5000), N (default 50)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
KIND=${1:-sqlite}
MESSAGES=${MESSAGES:-5000}
N=${N:-50}
PORT=${PORT:-18098}
OUT=${OUT:-/tmp/careabroad-conversation}
rm -rf "$OUT"; mkdir -p "$OUT"
if [ "$KIND" = postgres ]; then
  export DATABASE_URL=${2:?postgres needs a DATABASE_URL}
else
  unset DATABASE_URL
  export CAREABROAD_SQLITE_PATH="$OUT/c.sqlite"
fi
export CAREABROAD_MASTER_KEY_FILE="$OUT/master.key" LOG_LEVEL=warning CAREABROAD_LIMIT_SUBMISSIONS_PER_ACCOUNT=1000
swift build -c release --product careabroad 2>&1 | tail -n 1
BIN=.build/release/careabroad
$BIN serve --hostname 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
$BIN seed cases --cases 1 --session-file "$OUT/staff.session" --token-file "$OUT/patient.token" > /dev/null

refs=$(python3 - "$PORT" "$OUT" <<'PY'
import json, sys, urllib.request, uuid
port, out = sys.argv[1], sys.argv[2]
token = open(f"{out}/patient.token").read().strip()
answers = {"procedures": ["microfat-lip-grafting"], "concerns": "Thin upper lip (sample)", "blood_thinners": "no", "smoking": "never",
           "pregnancy": "no", "fillers": "none", "contact_channel": "email", "language": "en", "time_zone": "UTC", "budget_currency": "EUR"}
refs = []
for _ in range(3):
    body = json.dumps({"provider": "patrick-tonnard-md-phd", "idempotencyKey": f"c-{uuid.uuid4()}", "answers": answers,
                       "consent": {"healthData": True, "shareWithProvider": True, "terms": True}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/consultations", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as res: refs.append(json.load(res)["reference"])
print(" ".join(refs))
PY
)
set -- $refs
LONG=$1; PAGE=$2; SHORT=$3
$BIN seed conversation --reference "$LONG" --messages "$MESSAGES" > /dev/null
$BIN seed conversation --reference "$PAGE" --messages 30 > /dev/null
$BIN seed conversation --reference "$SHORT" --messages 5 > /dev/null

python3 - "$PORT" "$OUT" "$N" "$LONG" "$PAGE" "$SHORT" "$MESSAGES" <<'PY'
import statistics, sys, time, urllib.request
port, out, n, long_ref, page_ref, short_ref, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
base = f"http://127.0.0.1:{port}"
session = open(f"{out}/staff.session").read().strip()
token = open(f"{out}/patient.token").read().strip()
def times(path, headers):
    result = []
    for _ in range(n):
        req = urllib.request.Request(base + path, headers=headers)
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as res:
            res.read()
            assert res.status == 200
        result.append((time.perf_counter() - start) * 1000)
    return statistics.median(result), max(result)
for label, ref in [(f"{count} messages", long_ref), ("30 messages", page_ref), ("5 messages", short_ref)]:
    m, x = times(f"/inbox/{ref}/messages", {"Cookie": f"careabroad_session={session}"})
    print(f"team page, {label}: median {m:.2f} ms, max {x:.2f} ms over {n} requests")
    m, x = times(f"/api/v1/cases/{ref}/messages", {"Authorization": "Bearer " + token})
    print(f"patient API, {label}: median {m:.2f} ms, max {x:.2f} ms over {n} requests")
PY
