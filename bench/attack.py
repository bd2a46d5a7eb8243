#!/usr/bin/env python3
"""Bounded loopback attacks on a running egress-guard webhook; prints one line of figures per attack.

    bench/attack.py PID [ADMISSION_PORT] [MANAGEMENT_PORT] [ATTACK,...]

Run it against the packaged application started with the chart's JVM settings (bench/attack.sh does both).
Loopback only, bounded in count and time (about two minutes in all). PID is the webhook's, for its RSS.
"""
import http.client
import json
import socket
import ssl
import sys
import threading
import time

PID = int(sys.argv[1])
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8443
MGMT = int(sys.argv[3]) if len(sys.argv) > 3 else 9000
HOST = "127.0.0.1"
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE
NORMAL = open("src/test/resources/webhook/reviews/create-virtualservice-loop.json", "rb").read()


def rss_mib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def post(body, timeout=30, headers=None):
    c = http.client.HTTPSConnection(HOST, PORT, context=CTX, timeout=timeout)
    try:
        c.request("POST", "/validate", body=body, headers=headers or {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status
    except Exception as e:  # noqa: BLE001 - an attack reports what the client saw
        return type(e).__name__
    finally:
        c.close()


def series():
    c = http.client.HTTPConnection(HOST, MGMT, timeout=30)
    c.request("GET", "/q/metrics")
    r = c.getresponse()
    text = r.read().decode()
    return r.status, sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def probe():
    """Runs in its own process (the attack's threads share one interpreter lock): a normal review started every
    200 ms until a line arrives on stdin, each on a thread of its own so that a slow answer does not hold back
    the next one (the server's slowness shows in the latencies, not in fewer reviews), then one JSON line of
    latencies, failures and RSS samples."""
    import select
    latencies, failures, rss = [], [], []
    lock = threading.Lock()

    def one():
        t = time.monotonic()
        s = post(NORMAL, timeout=10)
        with lock:
            latencies.append(time.monotonic() - t)
            if s != 200:
                failures.append(str(s))

    started = []
    while not select.select([sys.stdin], [], [], 0.2)[0]:
        started.append(threading.Thread(target=one))
        started[-1].start()
        rss.append(rss_mib())
    for t in started:
        t.join(15)
    print(json.dumps({"latencies": latencies, "failures": failures, "rss": rss}), flush=True)


class Probe:
    """Normal reviews from another process while an attack runs: median and worst latency, non-200 answers,
    peak RSS."""

    def __enter__(self):
        import subprocess
        self.process = subprocess.Popen([sys.executable, __file__, str(PID), str(PORT), str(MGMT), "probe"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *a):
        out, _ = self.process.communicate("stop\n", timeout=60)
        self.result = json.loads(out.strip().splitlines()[-1])

    def figures(self):
        lat = sorted(self.result["latencies"])
        failures = self.result["failures"]
        if not lat:
            return "no normal review finished"
        return (f"normal reviews {len(lat)}, worst {lat[-1]:.2f}s, median {lat[len(lat) // 2]:.3f}s, "
                f"failed {len(failures)} {sorted(set(failures))}, peak RSS {max(self.result['rss']):.0f} MiB")


def review(kind, operation="CREATE", name="x"):
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u", "kind": {"group": "", "version": "v1", "kind": kind}, "operation": operation,
        "name": name, "namespace": "shop", "object": {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}}}).encode()


def invent(start, count, seconds):
    """Reviews of invented kinds and operations over one kept-alive connection; returns how many were sent."""
    c = http.client.HTTPSConnection(HOST, PORT, context=CTX, timeout=30)
    deadline = time.monotonic() + seconds
    sent = 0
    while sent < count and time.monotonic() < deadline:
        c.request("POST", "/validate", body=review(f"Invented{start + sent}", f"OP{start + sent}"),
                  headers={"Content-Type": "application/json"})
        c.getresponse().read()
        sent += 1
    c.close()
    return sent


def labels():
    before = series()[1]
    with Probe() as p:
        big = [post(review("K" * 1_500_000, "O" * 500_000)) for _ in range(2)]
        first = invent(0, 1000, 10)
        middle = series()[1]
        second = invent(first, 1000, 10)
        status, after = series()
    print(f"labels: 2 reviews with a 1.5 MB kind (twice in the review) and a 0.5 MB operation -> {big}; invented kinds and operations: "
          f"{first} then {second} more; scrape {status}; series {before} -> {middle} -> {after}; {p.figures()}")


def attacker_priority():
    """ATTACK_NICE=19 runs the calling attack thread at the lowest CPU priority (on Linux a thread's own), as if
    the attacker ran on another machine: on one machine it otherwise takes CPU from the server and the probe."""
    import os
    if int(os.environ.get("ATTACK_NICE", 0)):
        os.nice(int(os.environ["ATTACK_NICE"]))


def large_bodies():
    statuses = []
    lock = threading.Lock()

    def declared_8mb():
        attacker_priority()
        s = post(b" " * (8 << 20))
        with lock:
            statuses.append(f"8MB:{s}")

    def chunked_4mb():
        # No Content-Length: the body is streamed in chunks until just under the 4 MiB limit.
        attacker_priority()
        try:
            sock = CTX.wrap_socket(socket.create_connection((HOST, PORT), timeout=30))
            sock.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b" " * 65536
            for _ in range(63):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
            line = sock.recv(100).split(b"\r\n")[0].decode(errors="replace")
            s = line.split(" ")[1] if " " in line else line
            sock.close()
        except Exception as e:  # noqa: BLE001
            s = type(e).__name__
        with lock:
            statuses.append(f"chunked4MB:{s}")

    with Probe() as p:
        import os
        threads = [threading.Thread(target=declared_8mb) for _ in range(int(os.environ.get("DECLARED_8MB", 60)))]
        threads += [threading.Thread(target=chunked_4mb) for _ in range(int(os.environ.get("CHUNKED_4MB", 60)))]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        took = time.monotonic() - t0
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"large bodies: 60 x 8 MB declared + 60 x 4 MB chunked in {took:.1f}s -> {counts}; {p.figures()}")


def slow_and_idle():
    conns = []
    for _ in range(200):
        conns.append(("idle", CTX.wrap_socket(socket.create_connection((HOST, PORT), timeout=5))))
    header = b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nX-a: " + b"a" * 40
    slow = [CTX.wrap_socket(socket.create_connection((HOST, PORT), timeout=5)) for _ in range(10)]
    start = time.monotonic()
    with Probe() as p:
        i = 0
        while time.monotonic() - start < 40:
            for s in slow:
                try:
                    s.send(header[i % len(header):i % len(header) + 1])
                except OSError:
                    pass
            i += 1
            time.sleep(4)
    def open_(s):
        s.settimeout(0.5)
        try:
            return s.recv(1) != b""
        except socket.timeout:
            return True
        except OSError:
            return False
    idle_open = sum(open_(s) for _, s in conns)
    slow_open = sum(open_(s) for s in slow)
    print(f"slow and idle: after 40 s, idle connections still open {idle_open}/200, "
          f"slowloris (a byte every 4 s) still open {slow_open}/10; {p.figures()}")
    for _, s in conns:
        s.close()
    for s in slow:
        s.close()


def baseline():
    with Probe() as p:
        time.sleep(10)
    print(f"baseline (no attack, 10 s): {p.figures()}")


if __name__ == "__main__":
    attacks = sys.argv[4].split(",") if len(sys.argv) > 4 else ["baseline", "labels", "large_bodies", "slow_and_idle"]
    if attacks != ["probe"]:
        print(f"start: RSS {rss_mib():.0f} MiB, load average {open('/proc/loadavg').read().split()[0]}", flush=True)
    for a in attacks:
        globals()[a]()
        sys.stdout.flush()
    if attacks != ["probe"]:
        print(f"end: RSS {rss_mib():.0f} MiB, metrics scrape {series()[0]}")
