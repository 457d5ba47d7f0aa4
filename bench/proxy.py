#!/usr/bin/env python3
"""eventcore behind nginx as a reverse proxy (upstream keep-alive on).

    bench/proxy.py [--backends 2] [--duration S] [--churn-seconds S] [--series NAME]

Three parts, all on 127.0.0.1, every server process pinned to CPU 0 and
every client to CPU 1 (the harness's rule, bench/harness.py):

  correct   through the proxy, to BACKENDS eventcore processes: 100
            keep-alive requests on one connection, 16 pipelined in one
            write, a 100 KiB body with Content-Length and a chunked one
            echoed back byte for byte, a 404 from a backend, a body past
            the backends' limit (413), and every backend used. Any
            failure stops the script.
  load      wrk on /plaintext at 64 connections, and pipelining 16 deep at
            256: nginx alone (serving /plaintext itself), nginx in front of
            the backends, and one eventcore alone. Requests per second and
            the CPU per request of every server process (proxy and
            backends together).
  churn     what the idle timeouts must be: clients that keep 64
            connections to the proxy and send a request on each after a
            random pause of 0.2 to 2.5 s, for S seconds, with the backends'
            idle timeout (keepalive_timeout_sec) below nginx's upstream
            keepalive_timeout (1 s against 2 s) and above it (3 s against
            2 s). Counted by status: a 502 is nginx sending a request on a
            connection the backend was closing. POST (which nginx does not
            retry on another connection) and GET (which it does) apart.

Results: bench/results/SERIES.jsonl, raw output in bench/results/raw/SERIES/.
Bounded in time; only the processes it started are signalled.
"""

import argparse
import json
import os
import random
import selectors
import socket
import subprocess
import time

import harness as h

BIN = "target/release/eventcore"
FIRST_BACKEND = h.FIRST_PORT + 10
PROXY_PORT = h.FIRST_PORT + 20


def backend_cmd(idle_s, access_log=None):
    cmd = f"{BIN} --port {{port}} --workers 1 --keepalive-timeout-sec {idle_s}"
    if access_log:
        cmd += f" --access-log {access_log}"
    return cmd


class Backends:
    """BACKENDS eventcore processes, each a harness Server."""

    def __init__(self, count, raw_dir, idle_s, logs=False):
        self.servers = []
        for i in range(count):
            log_path = os.path.join(raw_dir, f"backend{i}-access.log") if logs else None
            if log_path and os.path.exists(log_path):
                os.remove(log_path)
            self.servers.append(h.Server(f"backend{i}", backend_cmd(idle_s, log_path),
                                         FIRST_BACKEND + i, raw_dir))
        self.logs = logs

    def __enter__(self):
        for server in self.servers:
            server.__enter__()
        return self

    def __exit__(self, *exc):
        for server in self.servers:
            server.__exit__(*exc)

    @property
    def ports(self):
        return [s.port for s in self.servers]

    @property
    def pids(self):
        return [s.pid for s in self.servers]


def proxy(raw_dir, upstream_idle, ports):
    cmd = f"bench/peers/nginx/proxy.sh {{port}} {upstream_idle} " + " ".join(map(str, ports))
    return h.Server("nginx-proxy", cmd, PROXY_PORT, raw_dir)


# ---------------------------------------------------------------- correct

def read_response(s, buf=b""):
    """One response from socket `s`: (status, body, rest of the buffer)."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("closed before a response head")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = h.content_length(head)
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("closed within a body")
        rest += chunk
    return status, rest[:length], rest[length:]


def check(what, ok):
    if not ok:
        raise RuntimeError(f"through the proxy: {what}")
    h.log(f"through the proxy: {what}: ok")


def correctness(port, backends):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        buf, good = b"", 0
        for _ in range(100):
            s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
            status, body, buf = read_response(s, buf)
            good += status == 200 and body == b"Hello, World!"
        check("100 keep-alive requests on one connection", good == 100)
        s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n" * 16)
        answers = []
        for _ in range(16):
            status, body, buf = read_response(s, buf)
            answers.append((status, body))
        check("16 pipelined in one write", answers == [(200, b"Hello, World!")] * 16)
        body = bytes(random.Random(2).randbytes(100 * 1024))
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-test\r\n"
                  + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, echoed, buf = read_response(s, buf)
        check("a 100 KiB body with Content-Length, echoed", (status, echoed) == (200, body))
        chunks = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n"
                          for part in (body[:1000], body[1000:50000], body[50000:])) + b"0\r\n\r\n"
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        status, echoed, buf = read_response(s, buf)
        check("a chunked body, echoed", (status, echoed) == (200, body))
        s.sendall(b"GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
        status, _, buf = read_response(s, buf)
        check("a backend's 404", status == 404)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        big = 2 * 1024 * 1024
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\n"
                  + f"Content-Length: {big}\r\n\r\n".encode())
        try:
            s.sendall(b"x" * big)
        except OSError:
            pass  # the backend may answer and close before all of it is sent
        status, _, _ = read_response(s)
        check("a body past the backends' 1 MiB limit: 413", status == 413)


def every_backend_used(backends):
    """After the backends stopped (their access logs flushed): each served
    requests from the proxy, beyond the harness's own check at start."""
    served = []
    for server in backends.servers:
        path = os.path.join(os.path.dirname(server.log_path), f"{server.name}-access.log")
        lines = sum(1 for _ in open(path)) if os.path.exists(path) else 0
        served.append(lines - 1)
    check(f"every backend used ({served} requests through the proxy)", all(n > 0 for n in served))


# ---------------------------------------------------------------- load

def load(name, port, pids, raw_dir, tag, duration, warmup):
    results = []
    for scenario, conns, depth in [("plaintext-c64", 64, 1), ("pipelined16-c256", 256, 16)]:
        stem = os.path.join(raw_dir, f"{name}-{tag}-{scenario}")
        h.wrk(port, "/plaintext", conns, depth, warmup, stem + ".warmup.txt")
        before = [h.cpu_seconds(pid) for pid in pids]
        report = h.wrk(port, "/plaintext", conns, depth, duration, stem + ".txt")
        after = [h.cpu_seconds(pid) for pid in pids]
        cpu = sum(a[0] + a[1] - b[0] - b[1] for a, b in zip(after, before))
        requests = max(report["requests"], 1)
        results.append({"kind": "load", "setup": name, "scenario": scenario,
                        "rps": report["requests"] / (report["duration_us"] / 1e6),
                        "errors": report["errors"], "latency_us": report["latency_us"],
                        "cpu_us_per_request": cpu * 1e6 / requests})
        r = results[-1]
        h.log(f"{name} {scenario}: {r['rps']:,.0f} req/s, {r['cpu_us_per_request']:.2f} µs CPU/req")
    return results


# ---------------------------------------------------------------- churn

def churn(port, seconds, conns=64, seed=3):
    """Requests with random pauses between them, on `conns` connections;
    counts by (method, status). A connection the proxy closed is reopened."""
    rng = random.Random(seed)
    sel = selectors.DefaultSelector()
    counts, end = {}, time.monotonic() + seconds

    def open_one():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        return s

    state = []
    for i in range(conns):
        state.append({"sock": open_one(), "due": time.monotonic() + rng.uniform(0, 1),
                      "buf": b"", "method": None, "waiting": False})
    while time.monotonic() < end:
        now = time.monotonic()
        for st in state:
            if not st["waiting"] and st["due"] <= now:
                st["method"] = "POST" if rng.random() < 0.5 else "GET"
                request = (b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx"
                           if st["method"] == "POST"
                           else b"GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
                try:
                    st["sock"].sendall(request)
                except OSError:
                    st["sock"].close()
                    st["sock"] = open_one()
                    st["sock"].sendall(request)
                st["waiting"], st["buf"] = True, b""
                sel.register(st["sock"], selectors.EVENT_READ, st)
        for key, _ in sel.select(timeout=0.05):
            st = key.data
            try:
                chunk = st["sock"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                sel.unregister(st["sock"])
                counts[(st["method"], "closed")] = counts.get((st["method"], "closed"), 0) + 1
                st["sock"].close()
                st["sock"], st["waiting"] = open_one(), False
                st["due"] = time.monotonic() + rng.uniform(0.2, 2.5)
                continue
            st["buf"] += chunk
            head, sep, body = st["buf"].partition(b"\r\n\r\n")
            if sep and len(body) >= h.content_length(head):
                sel.unregister(st["sock"])
                status = int(head.split(b" ", 2)[1])
                counts[(st["method"], status)] = counts.get((st["method"], status), 0) + 1
                st["waiting"] = False
                st["due"] = time.monotonic() + rng.uniform(0.2, 2.5)
    for st in state:
        st["sock"].close()
    return {f"{m} {s}": n for (m, s), n in sorted(counts.items(), key=str)}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--churn-seconds", type=int, default=60)
    parser.add_argument("--series", default="proxy-" + time.strftime("%Y%m%d"))
    args = parser.parse_args()
    raw_dir = os.path.join(h.HERE, "results", "raw", args.series)
    os.makedirs(raw_dir, exist_ok=True)
    out_path = os.path.join(h.HERE, "results", f"{args.series}.jsonl")
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=h.ROOT,
                         capture_output=True, text=True).stdout.strip()
    with open(out_path, "a") as out:
        def write(row):
            out.write(json.dumps({"series": args.series, **row}) + "\n")
            out.flush()

        write({"kind": "series", "machine": h.machine(), "git": git, "backends": args.backends})
        with Backends(args.backends, raw_dir, 60, logs=True) as backends:
            with proxy(raw_dir, "50s", backends.ports) as p:
                correctness(p.port, backends)
        every_backend_used(backends)
        write({"kind": "correct", "ok": True})
        for n in range(1, args.passes + 1):
            tag = f"pass{n}"
            with h.Server("nginx", "bench/peers/nginx/run.sh {port}", PROXY_PORT, raw_dir) as s:
                for r in load("nginx", s.port, [s.pid], raw_dir, tag, args.duration, args.warmup):
                    write({"pass": n, **r})
            with Backends(args.backends, raw_dir, 60) as backends:
                with proxy(raw_dir, "50s", backends.ports) as p:
                    pids = [p.pid] + backends.pids
                    for r in load(f"nginx+{args.backends}x eventcore", p.port, pids, raw_dir,
                                  tag, args.duration, args.warmup):
                        write({"pass": n, **r})
            with h.Server("eventcore", backend_cmd(60), PROXY_PORT, raw_dir) as s:
                for r in load("eventcore", s.port, [s.pid], raw_dir, tag, args.duration,
                              args.warmup):
                    write({"pass": n, **r})
        for ours, nginx in [(1.0, "2s"), (3.0, "2s")]:
            with Backends(args.backends, raw_dir, ours) as backends:
                with proxy(raw_dir, nginx, backends.ports) as p:
                    counts = churn(p.port, args.churn_seconds)
            row = {"kind": "churn", "backend_idle_s": ours, "nginx_upstream_idle": nginx,
                   "seconds": args.churn_seconds, "counts": counts}
            h.log(f"churn, backends idle {ours} s, nginx upstream {nginx}: {counts}")
            write(row)
    h.log(f"results: {out_path}")


if __name__ == "__main__":
    main()
