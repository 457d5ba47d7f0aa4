#!/usr/bin/env python3
"""Multi-process mode holds more connections than one process may open.

    bench/processes.py [--processes 2] [--connections 30000] [--clients 2]

Starts the final binary with `--processes P` (one worker each) on a free
port of 127.0.0.1, opens CONNECTIONS keep-alive connections from CLIENTS
client processes (a process may open 20,000 fds here, the clients too),
spread over the source addresses 127.0.0.2 to .9 so that no source runs out
of ports, sends one request on every connection and reads its answer, and
then, with all of them open, counts the sockets each server process holds
(from /proc/PID/fd) and times one request on a fresh connection. Then it
sends SIGTERM to the supervisor and waits for it to exit.

Bounded: every step has a deadline, and the script ends every process it
started. The result is appended to bench/results/processes.jsonl.
"""

import argparse
import json
import multiprocessing
import os
import re
import resource
import selectors
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import ROOT, log, machine, request_once, stop_tree  # noqa: E402

BINARY = os.path.join(ROOT, "target", "release", "eventcore")
SOURCES = [f"127.0.0.{i}" for i in range(2, 10)]
REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
DEADLINE_S = 120


def client(port, count, first, ready, release):
    """Opens `count` connections, one request and answer on each, then
    reports and holds them until `release` is set."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    deadline = time.monotonic() + DEADLINE_S
    sel = selectors.DefaultSelector()
    socks, answered, failed = [], 0, 0
    started = time.monotonic()
    for i in range(count):
        s = socket.socket()
        s.bind((SOURCES[(first + i) % len(SOURCES)], 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE, [b"", False])
        # Keep the listen queues short: pump what is ready as we go.
        if i % 256 == 255:
            answered, failed = pump(sel, answered, failed, 0)
    while answered + failed < count and time.monotonic() < deadline:
        answered, failed = pump(sel, answered, failed, 1)
    ready.put({"answered": answered, "failed": failed,
               "open_s": time.monotonic() - started})
    release.wait(DEADLINE_S)
    for s in socks:
        s.close()


def pump(sel, answered, failed, timeout):
    for key, events in sel.select(timeout):
        s, state = key.fileobj, key.data
        try:
            if not state[1]:
                s.send(REQUEST)  # 45 bytes: one send on a new socket
                state[1] = True
                sel.modify(s, selectors.EVENT_READ, state)
                continue
            chunk = s.recv(4096)
        except OSError:
            sel.unregister(s)
            failed += 1
            continue
        if not chunk:
            sel.unregister(s)
            failed += 1
            continue
        state[0] += chunk
        if state[0].endswith(b"Hello, World!"):
            sel.unregister(s)
            answered += 1
    return answered, failed


def sockets_of(pid):
    """Open TCP sockets of process `pid`."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=30000)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    log(f"one process may open {limit} fds; opening {args.connections} connections")
    supervisor = subprocess.Popen(
        [BINARY, "--port", "0", "--processes", str(args.processes), "--workers", "1",
         "--log-level", "info"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT)
    children, clients = [], []
    try:
        port, listening = None, 0
        deadline = time.monotonic() + 30
        while listening < args.processes and time.monotonic() < deadline:
            line = supervisor.stderr.readline()
            if not line:
                raise RuntimeError("the supervisor exited at start")
            if m := re.search(r"supervising \d+ processes on http://[\d.]+:(\d+)", line):
                port = int(m.group(1))
            if m := re.search(r"started: pid (\d+)", line):
                children.append(int(m.group(1)))
            listening += "listening on" in line
        ready, release = multiprocessing.Queue(), multiprocessing.Event()
        share = args.connections // args.clients
        for n in range(args.clients):
            p = multiprocessing.Process(target=client,
                                        args=(port, share, n * share, ready, release))
            p.start()
            clients.append(p)
        reports = [ready.get(timeout=DEADLINE_S + 10) for _ in clients]
        held = {pid: sockets_of(pid) for pid in children}
        t0 = time.monotonic()
        status, body = request_once(port, "/plaintext")
        fresh_ms = (time.monotonic() - t0) * 1000
        release.set()
        result = {
            "kind": "processes", "machine": machine(), "fd_limit": limit,
            "processes": args.processes, "connections": args.connections,
            "answered": sum(r["answered"] for r in reports),
            "failed": sum(r["failed"] for r in reports),
            "open_s": max(r["open_s"] for r in reports),
            # Each process's sockets: its connections and its listener.
            "sockets_per_process": list(held.values()),
            "fresh_request_ms": round(fresh_ms, 2),
            "fresh_status": status, "fresh_ok": body == b"Hello, World!",
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                  capture_output=True, text=True).stdout.strip(),
        }
        log(json.dumps(result))
        with open(os.path.join(HERE, "results", "processes.jsonl"), "a") as f:
            f.write(json.dumps(result) + "\n")
        if result["answered"] != args.connections or max(held.values()) > limit:
            sys.exit("not every connection was answered")
    finally:
        for p in clients:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        stop_tree(supervisor, 30)
        log(f"supervisor exited {supervisor.returncode}")


if __name__ == "__main__":
    main()
