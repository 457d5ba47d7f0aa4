#!/usr/bin/env python3
"""Static files: eventcore against nginx (sendfile on), one core each.

    bench/files.py [-n PASSES] [--duration S] [--series NAME] [--quick] [--only NAME ...]

Also eventcore-read, the same server with every file read into memory and
written from there (final/examples/read_files.rs): sendfile against
read+write. Writes a site to $TMPDIR/eventcore-files (a 1 KiB, a 1 MiB and a 100 MiB
file of random bytes) and serves it with each server pinned to CPU 0, wrk
on CPU 1 (the harness's rules, bench/harness.py). Per pass and server, each
on a freshly started server:

  small     GET /1k.bin at 64 keep-alive connections: requests per second,
            latency, server CPU per request (user and system).
  medium    GET /1m.bin at 8 connections: bytes per second, server CPU
            per GB sent, and the whole machine's (both cores: the server's
            and wrk's, since on loopback the kernel may do a sender's work
            on the receiver's core), the server's RSS sampled every 0.2 s
            during the run (its largest value, and the value before).
  large     GET /100m.bin at 100 connections (100 concurrent downloads):
            the same.
  syscalls  strace -c on the server while 5,000 keep-alive requests for
            /1k.bin are made one at a time on 8 connections: syscalls per
            request, by name.

Results: one JSON line each in bench/results/SERIES.jsonl, raw tool output
in bench/results/raw/SERIES/, and a markdown summary on stdout. Loopback
only, bounded in time; only the processes it started are signalled.
"""

import argparse
import json
import os
import random
import subprocess
import tempfile
import threading
import time

import harness as h

SITE = os.path.join(os.environ.get("TMPDIR", tempfile.gettempdir()), "eventcore-files")
FILES = {"1k.bin": 1 << 10, "1m.bin": 1 << 20, "100m.bin": 100 << 20}
SERVERS = [
    ("eventcore", "target/release/eventcore --port {port} --workers 1 --root " + SITE),
    # The same, with each file read into memory and written from there.
    ("eventcore-read",
     "target/release/examples/read_files --port {port} --workers 1 --root " + SITE),
    ("nginx", "bench/peers/nginx/run.sh {port} " + SITE),
    # nginx without TCP_CORK around its head and sendfile: what the cork
    # is worth. Measured only when asked for (--only).
    ("nginx-nopush", "env NGINX_TCP_NOPUSH=off bench/peers/nginx/run.sh {port} " + SITE),
]
DEFAULT = ["eventcore", "eventcore-read", "nginx"]
# 100 downloads of 100 MiB read into memory would hold 10 GiB: not run.
SKIP = {("eventcore-read", "large")}
SCENARIOS = [("small", "/1k.bin", 64), ("medium", "/1m.bin", 8), ("large", "/100m.bin", 100)]


def make_site():
    """The files, written once (random bytes, so no layer can compress them)."""
    os.makedirs(SITE, exist_ok=True)
    rng = random.Random(1)
    for name, size in FILES.items():
        path = os.path.join(SITE, name)
        if os.path.exists(path) and os.path.getsize(path) == size:
            continue
        block = rng.randbytes(min(size, 1 << 20))
        with open(path, "wb") as f:
            for _ in range(size // len(block)):
                f.write(block)


class RssSampler:
    """The largest RSS of a process tree, sampled every 0.2 s while running."""

    def __init__(self, pid):
        self.pid, self.largest, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.2):
            self.largest = max(self.largest, h.rss_bytes(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()


def measure(server, raw_dir, tag, duration, warmup):
    results = []
    for scenario, path, conns in SCENARIOS:
        if (server.name, scenario) in SKIP:
            continue
        stem = os.path.join(raw_dir, f"{server.name}-{tag}-{scenario}")
        if warmup:
            h.wrk(server.port, path, conns, 1, warmup, stem + ".warmup.txt", timeout="30s")
        rss_before = h.rss_bytes(server.pid)
        user0, sys0 = h.cpu_seconds(server.pid)
        machine0 = h.machine_cpu_seconds()
        with RssSampler(server.pid) as rss:
            report = h.wrk(server.port, path, conns, 1, duration, stem + ".txt", timeout="30s")
        user1, sys1 = h.cpu_seconds(server.pid)
        machine1 = h.machine_cpu_seconds()
        gigabytes = max(report["bytes"] / 1e9, 1e-9)
        requests = max(report["requests"], 1)
        seconds = report["duration_us"] / 1e6
        errors = {k: v for k, v in report["errors"].items() if v}
        results.append({
            "kind": "files", "scenario": scenario, "path": path, "conns": conns,
            "requests": report["requests"], "rps": report["requests"] / seconds,
            "bytes_per_s": report["bytes"] / seconds, "errors": report["errors"],
            "latency_us": report["latency_us"],
            "cpu_us_per_request": (user1 - user0 + sys1 - sys0) * 1e6 / requests,
            "user_us_per_request": (user1 - user0) * 1e6 / requests,
            "cpu_s": user1 - user0 + sys1 - sys0,
            # What a throughput scenario is judged by: few of its requests
            # finish within a run (100 MiB at 100 connections: none may).
            "cpu_ms_per_gb": (user1 - user0 + sys1 - sys0) * 1e3 / gigabytes,
            # The server's and wrk's together (and anything else running):
            # where the kernel charges a byte's work depends on timing.
            "machine_cpu_ms_per_gb": (machine1 - machine0) * 1e3 / gigabytes,
            "rss_before": rss_before, "rss_largest": rss.largest,
        })
        r = results[-1]
        h.log(f"{server.name} {scenario}: {r['rps']:,.0f} req/s, {r['bytes_per_s'] / 1e9:.2f} GB/s, "
              f"{r['cpu_us_per_request']:.2f} µs CPU/req, RSS {r['rss_largest'] / 2**20:.1f} MiB"
              + (f", errors {errors}" if errors else ""))
    return results


def syscalls(server, raw_dir, tag, total=5000, conns=8):
    raw = os.path.join(raw_dir, f"{server.name}-{tag}-strace.txt")
    counts = h.traced(h.tree(server.pid), raw,
                      lambda: h.keep_alive_requests(server.port, total, conns, "/1k.bin"))
    by_name = {name: calls / total for name, calls in sorted(counts.items())}
    result = {"kind": "syscalls", "path": "/1k.bin", "requests": total, "conns": conns,
              "per_request": sum(by_name.values()), "by_name": by_name}
    h.log(f"{server.name} syscalls: {result['per_request']:.2f} per /1k.bin request: "
          + ", ".join(f"{n} {c:.2f}" for n, c in by_name.items() if c >= 0.01))
    return result


def summarize(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    servers = [name for name, _ in SERVERS if any(r.get("server") == name for r in rows)]
    out = ["| scenario | " + " | ".join(servers) + " |",
           "|---|" + "---|" * len(servers)]

    def cell(scenario, key, scale, digits, server):
        values = [r[key] * scale for r in rows
                  if r.get("server") == server and r.get("scenario") == scenario and key in r]
        return h.fmt(h.median_spread(values), digits)

    small = [("rps", "requests/s", 1, 0), ("cpu_us_per_request", "server CPU µs per request", 1, 2),
             ("user_us_per_request", "of which user", 1, 2)]
    large = [("bytes_per_s", "MB/s", 1e-6, 0), ("cpu_ms_per_gb", "server CPU ms per GB", 1, 0),
             ("machine_cpu_ms_per_gb", "both cores' CPU ms per GB", 1, 0),
             ("rss_largest", "largest RSS, MiB", 2**-20, 1)]
    for scenario, path, conns in SCENARIOS:
        for key, label, scale, digits in small if scenario == "small" else large:
            out.append(f"| {path} c{conns}: {label} | "
                       + " | ".join(cell(scenario, key, scale, digits, s) for s in servers) + " |")
        if scenario == "small":
            p99 = [h.fmt(h.median_spread([r["latency_us"]["p99"] for r in rows
                                          if r.get("server") == s and r.get("scenario") == scenario]), 0)
                   for s in servers]
            out.append(f"| {path} c{conns}: p99 µs | " + " | ".join(p99) + " |")
    calls = [h.fmt(h.median_spread([r["per_request"] for r in rows
                                    if r.get("server") == s and r.get("kind") == "syscalls"]), 2)
             for s in servers]
    out.append("| syscalls per /1k.bin request | " + " | ".join(calls) + " |")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--passes", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--series", help="the series' name (default: files-TIME)")
    parser.add_argument("--quick", action="store_true", help="1 pass of 2 s runs: a smoke test")
    parser.add_argument("--summary", metavar="FILE", help="only print FILE's tables")
    parser.add_argument("--only", nargs="*", default=DEFAULT,
                        choices=[name for name, _ in SERVERS],
                        help=f"the servers to measure (default: {' '.join(DEFAULT)})")
    args = parser.parse_args()
    servers = [(name, cmd) for name, cmd in SERVERS if name in args.only]
    if args.summary:
        print(summarize(args.summary), end="")
        return
    passes, duration, warmup = args.passes, args.duration, args.warmup
    if args.quick:
        passes, duration, warmup = 1, 2, 1
    make_site()
    name = args.series or "files-" + time.strftime("%Y%m%dT%H%M%S")
    out_dir = os.path.join(h.HERE, "results")
    raw_dir = os.path.join(out_dir, "raw", name)
    os.makedirs(raw_dir, exist_ok=True)
    out_path = os.path.join(out_dir, f"{name}.jsonl")
    quiet = h.wait_for_quiet() if not args.quick else None
    head = {"kind": "series", "series": name, "passes": passes, "duration_s": duration,
            "warmup_s": warmup, "machine": h.machine(), "load_at_start": quiet,
            "servers": dict(servers), "files": FILES,
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=h.ROOT,
                                  capture_output=True, text=True).stdout.strip()}
    with open(out_path, "a") as out:
        out.write(json.dumps(head) + "\n")
        for n in range(1, passes + 1):
            for i, (server_name, cmd) in enumerate(servers):
                port = h.FIRST_PORT + i
                common = {"series": name, "server": server_name, "pass": n}
                tag = f"pass{n}"
                try:
                    with h.Server(server_name, cmd, port, raw_dir) as server:
                        for r in measure(server, raw_dir, tag, duration, warmup):
                            out.write(json.dumps({**common, **r}) + "\n")
                    with h.Server(server_name, cmd, port, raw_dir) as server:
                        out.write(json.dumps({**common, **syscalls(server, raw_dir, tag)}) + "\n")
                except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                    h.log(f"{server_name} pass {n}: {e}")
                    out.write(json.dumps({**common, "kind": "error", "error": str(e)}) + "\n")
                out.flush()
    h.log(f"results: {out_path}")
    print(summarize(out_path), end="")


if __name__ == "__main__":
    main()
