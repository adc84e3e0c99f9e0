#!/usr/bin/env bash
# What one hostile request costs now (loopback only): the issue's reproductions against a release server.
#   Benchmarks/hostile-text.sh            # SQLite file in $OUT
# Prints: the answer to the 20 MB combining-mark request, and the time to render the staff case page of a
# request whose answer is as hostile as the limits allow, next to an ordinary one (median of N requests).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18097}
N=${N:-50}
OUT=${OUT:-/tmp/careabroad-hostile}
rm -rf "$OUT"; mkdir -p "$OUT"
unset DATABASE_URL
export CAREABROAD_SQLITE_PATH="$OUT/h.sqlite" CAREABROAD_MASTER_KEY_FILE="$OUT/master.key" LOG_LEVEL=warning
export CAREABROAD_LIMIT_SUBMISSIONS_PER_ACCOUNT=1000
swift build -c release --product careabroad 2>&1 | tail -n 1
BIN=.build/release/careabroad
$BIN serve --hostname 127.0.0.1 --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
$BIN seed cases --cases 1 --session-file "$OUT/staff.session" --token-file "$OUT/patient.token" > /dev/null

python3 - "$PORT" "$OUT" "$N" <<'PY'
import json, statistics, sys, time, urllib.error, urllib.request, uuid
port, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = f"http://127.0.0.1:{port}"
token = open(f"{out}/patient.token").read().strip()
session = open(f"{out}/staff.session").read().strip()
answers = {"procedures": ["microfat-lip-grafting"], "blood_thinners": "no", "smoking": "never", "pregnancy": "no", "fillers": "none",
           "contact_channel": "email", "language": "en", "time_zone": "UTC", "budget_currency": "EUR"}

def submit(concerns):
    body = json.dumps({"provider": "patrick-tonnard-md-phd", "idempotencyKey": f"h-{uuid.uuid4()}", "answers": dict(answers, concerns=concerns),
                       "consent": {"healthData": True, "shareWithProvider": True, "terms": True}}).encode()
    req = urllib.request.Request(base + "/api/v1/consultations", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            return res.status, json.load(res).get("reference"), time.perf_counter() - start, len(body)
    except urllib.error.HTTPError as e:
        return e.code, None, time.perf_counter() - start, len(body)

# The review's reproduction: '&' and 2,000 letters with 5,000 combining marks each (about 20 MB).
bomb = "&" + ("a" + "\u0301" * 5000) * 2000
status, _, seconds, size = submit(bomb)
print(f"20 MB combining-mark answer ({size / 1e6:.1f} MB body): HTTP {status} in {seconds * 1000:.0f} ms")

# As hostile as the limits allow: 4,000 characters and 16,000 bytes, '&' then letters carrying marks.
worst = "&" + ("a" + "\u0301" * 7) * 1000
_, hostile_ref, _, _ = submit(worst)
_, plain_ref, _, _ = submit("Thin upper lip since 2019; looking for a natural result. " * 40)

def page_times(ref):
    times = []
    for _ in range(n):
        req = urllib.request.Request(f"{base}/inbox/{ref}", headers={"Cookie": f"careabroad_session={session}"})
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as res:
            res.read()
            assert res.status == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)

for name, ref in [("ordinary answer", plain_ref), ("hostile answer at the limits", hostile_ref)]:
    median, worst_ms = page_times(ref)
    print(f"staff case page, {name}: median {median:.2f} ms, max {worst_ms:.2f} ms over {n} requests")
PY
