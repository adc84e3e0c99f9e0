#!/usr/bin/env python3
"""Durability check: submit consultation requests in a loop, kill the server with SIGKILL in the middle, start it
again, and check that every request the server acknowledged (201) is stored with its photos, that nothing is
half-stored, and that the database and the audit chain are intact.

  python3 Benchmarks/durability.py BINARY   (environment: the database settings of the server to test)
"""
import base64, json, os, signal, subprocess, sys, time, urllib.error, urllib.request, uuid

binary = sys.argv[1]
port = int(os.environ.get("DURABILITY_PORT", "18095"))
work = os.environ.get("DURABILITY_DIR", "/tmp/careabroad-durability")
os.makedirs(work, exist_ok=True)
base = f"http://127.0.0.1:{port}"
env = dict(os.environ, CAREABROAD_LIMIT_SUBMISSIONS_PER_ACCOUNT="1000000", LOG_LEVEL="warning")

def start():
    log = open(f"{work}/server.log", "a")
    proc = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log)
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=2)
            return proc
        except Exception:
            if proc.poll() is not None: sys.exit("server did not start: see " + work + "/server.log")
            time.sleep(0.5)
    sys.exit("server did not become ready")

def seg(m, p): return bytes([0xFF, m]) + (len(p) + 2).to_bytes(2, "big") + p
def jpeg(seed):
    b = bytes([0xFF, 0xD8]) + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + seg(0xE1, b"Exif\x00\x00GPS 1 N")
    b += seg(0xDB, bytes([0]) + bytes(range(1, 65))) + seg(0xC0, bytes([8, 0, 16, 0, 16, 1, 1, 0x11, 0]))
    b += seg(0xC4, bytes([0]) + bytes(15) + bytes([1, 0])) + seg(0xDA, bytes([1, 1, 0, 0, 0x3F, 0]))
    # Scan data as encoders write it: every 0xFF byte of the image data is followed by a stuffed 0x00.
    return b + bytes([0x12, seed % 256]) + os.urandom(30_000).replace(b"\xff", b"\xff\x00") + bytes([0xFF, 0xD9])

server = start()
# A token for the demo patient (written by the seeding command).
subprocess.run([binary, "seed", "cases", "--cases", "1", "--token-file", f"{work}/token"], env=env, check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
token = open(f"{work}/token").read().strip()
answers = {"procedures": ["microfat-lip-grafting"], "concerns": "durability check", "blood_thinners": "no", "smoking": "never",
           "pregnancy": "no", "fillers": "none", "contact_channel": "email", "language": "en", "time_zone": "UTC", "budget_currency": "EUR"}

acknowledged, errors = [], 0

def send_quietly(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            if res.status == 201: acknowledged.append(json.load(res)["reference"])
    except Exception:
        pass
killed_at = None
start_time = time.time()
i = 0
while time.time() - start_time < 60 and (killed_at is None or i < killed_at + 5):
    i += 1
    body = json.dumps({"provider": "patrick-tonnard-md-phd", "idempotencyKey": f"dur-{uuid.uuid4()}", "answers": answers,
                       "consent": {"healthData": True, "shareWithProvider": True, "terms": True},
                       "photos": [{"data": base64.b64encode(jpeg(i)).decode()}, {"data": base64.b64encode(jpeg(i + 1)).decode()}]}).encode()
    req = urllib.request.Request(base + "/api/v1/consultations", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    if killed_at is None and i == 40:
        # Kill while a request is in flight: a thread sends it, the process dies under it.
        import threading
        t = threading.Thread(target=lambda: (lambda r: None)(send_quietly(req)))
        t.start(); time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        killed_at = i
        print(f"killed the server with SIGKILL after {len(acknowledged)} acknowledged requests")
        continue
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            if res.status == 201: acknowledged.append(json.load(res)["reference"])
    except Exception:
        errors += 1
print(f"sent {i} requests, {len(acknowledged)} acknowledged, {errors} failed while the server was down")

server = start()
ok = True
def db_query(sql):
    if os.environ.get("DATABASE_URL"):
        return subprocess.run(["psql", os.environ["DATABASE_URL"], "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()
    import sqlite3
    con = sqlite3.connect(env.get("CAREABROAD_SQLITE_PATH", "var/careabroad.sqlite"))
    return "\n".join("|".join(str(c) for c in row) for row in con.execute(sql))
stored = set(db_query("select reference from cases where idempotency_key like 'dur-%'").split("\n")) - {""}
missing = [r for r in acknowledged if r not in stored]
print(f"stored after restart: {len(stored)}; acknowledged but missing: {len(missing)}")
ok &= not missing
half = db_query("select count(*) from cases c where c.idempotency_key like 'dur-%' and (select count(*) from case_photos p where p.case_id = c.id) <> 2")
print(f"requests without both photos (half-stored): {half}")
ok &= half == "0"
orphans = db_query("select count(*) from case_photos p where not exists (select 1 from cases c where c.id = p.case_id)")
print(f"photos without a request: {orphans}")
ok &= orphans == "0"
if not os.environ.get("DATABASE_URL"):
    integrity = db_query("pragma integrity_check")
    print(f"SQLite integrity check: {integrity}")
    ok &= integrity == "ok"
server.send_signal(signal.SIGTERM); server.wait()
audit = subprocess.run([binary, "audit", "verify"], env=env, capture_output=True, text=True)
print((audit.stdout + audit.stderr).strip().splitlines()[-1])
ok &= audit.returncode == 0
print("durability: " + ("ok" if ok else "FAILED"))
sys.exit(0 if ok else 1)
