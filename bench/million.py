#!/usr/bin/env python3
"""How many keep-alive connections this machine holds: the seed's "1M+".

    bench/million.py [--steps 100000,250000,500000,750000,1000000]
                     [--processes 80] [--clients 64] [--sources 100]
                     [--reserve-gib 3] [--deadline 1200] [--series NAME]

Starts the final binary in multi-process mode (PROCESSES server processes
with one worker each, on one port by SO_REUSEPORT; one process may open
20,000 descriptors here, so a million needs fifty and more), and CLIENTS
client processes that open keep-alive connections from SOURCES loopback
addresses (127.0.0.2 and up, so that no source runs out of its 28,000
ports), send one request on each and read its answer, and hold them.

It grows the total step by step. After each step, with every connection
open: connections established and answered, the time the step took, the
server processes' RSS, the kernel's slab and TCP memory (both ends of every
connection live in this machine's kernel: per connection *pair*), the
memory left, sockets per server process, and three requests on fresh
connections, timed. It stops early, and says why, when the memory left
would fall below RESERVE_GIB, when more than 1% of a step's connections
fail (with the errors the clients saw, by name), or at the deadline.

Talks only to 127.0.0.x; every wait has a deadline; it ends every process
it started (SIGTERM to the supervisor, then SIGKILL to what is left).
Results: bench/results/SERIES.jsonl, one line per step.
"""

import argparse
import errno
import json
import multiprocessing
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import ROOT, kernel_memory, log, machine, rss_bytes, stop_tree, tree  # noqa: E402

BINARY = os.path.join(ROOT, "target", "release", "eventcore")
REQUEST = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
ANSWER_END = b"Hello, World!"
IP_BIND_ADDRESS_NO_PORT = 24


def client(index, port, sources, commands, reports):
    """Holds connections; on ("grow", N) opens until it holds N (one request
    and answer on each) and reports; on ("close",) closes all and exits."""
    socks = []
    errors = {}
    while True:
        command = commands.get()
        if command[0] == "close":
            break
        target, deadline = command[1], time.monotonic() + command[2]
        started, opened, answered, failed = time.monotonic(), 0, 0, 0
        sel = selectors.DefaultSelector()
        pending = 0
        while len(socks) < target and time.monotonic() < deadline:
            s = socket.socket()
            try:
                s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                s.bind((sources[(index + len(socks)) % len(sources)], 0))
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
            except OSError as e:
                s.close()
                name = errno.errorcode.get(e.errno, str(e.errno))
                errors[name] = errors.get(name, 0) + 1
                failed += 1
                if failed > max(100, target // 100):
                    break
                continue
            socks.append(s)
            opened += 1
            sel.register(s, selectors.EVENT_WRITE, [b"", False])
            pending += 1
            # Keep the listen queues short: pump what is ready as we go.
            if pending >= 256:
                a, f = pump(sel, errors, 0)
                answered, failed, pending = answered + a, failed + f, pending - a - f
        while pending > 0 and time.monotonic() < deadline:
            a, f = pump(sel, errors, 0.5)
            answered, failed, pending = answered + a, failed + f, pending - a - f
        sel.close()
        reports.put({"client": index, "held": len(socks), "opened": opened,
                     "answered": answered, "failed": failed + pending,
                     "seconds": time.monotonic() - started, "errors": dict(errors)})
    for s in socks:
        s.close()


def pump(sel, errors, timeout):
    answered = failed = 0
    for key, _ in sel.select(timeout):
        s, state = key.fileobj, key.data
        try:
            if not state[1]:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, os.strerror(err))
                s.send(REQUEST)
                state[1] = True
                sel.modify(s, selectors.EVENT_READ, state)
                continue
            chunk = s.recv(4096)
            if not chunk:
                raise OSError(errno.ECONNRESET, "closed")
        except OSError as e:
            sel.unregister(s)
            name = errno.errorcode.get(e.errno, str(e.errno))
            errors[name] = errors.get(name, 0) + 1
            failed += 1
            continue
        state[0] += chunk
        if state[0].endswith(ANSWER_END):
            sel.unregister(s)
            answered += 1
    return answered, failed


def fresh_requests(port, n=3):
    """Milliseconds for a request on a new connection (from 127.0.0.1)."""
    times = []
    for _ in range(n):
        t0 = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(REQUEST)
            data = b""
            while not data.endswith(ANSWER_END):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        times.append(round((time.monotonic() - t0) * 1000, 2) if data.endswith(ANSWER_END)
                     else None)
    return times


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def sockets_of(pid):
    count = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
            except OSError:
                pass
    except OSError:
        pass
    return count


def start_server(processes):
    supervisor = subprocess.Popen(
        [BINARY, "--port", "0", "--processes", str(processes), "--workers", "1",
         # Held connections must outlive the whole run.
         "--keepalive-timeout-sec", "3600", "--log-level", "info"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT)
    port, children, listening = None, [], 0
    deadline = time.monotonic() + 60
    while listening < processes and time.monotonic() < deadline:
        line = supervisor.stderr.readline()
        if not line:
            raise RuntimeError("the supervisor exited at start")
        if m := re.search(r"supervising \d+ processes on http://[\d.]+:(\d+)", line):
            port = int(m.group(1))
        if m := re.search(r"started: pid (\d+)", line):
            children.append(int(m.group(1)))
        listening += "listening on" in line
    if listening < processes or port is None:
        raise RuntimeError(f"{listening} of {processes} server processes listening in 60 s")
    # Its log is not read any more: drained by a thread so that it never blocks.
    threading.Thread(target=lambda: [None for _ in supervisor.stderr], daemon=True).start()
    return supervisor, port, children


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="100000,250000,500000,750000,1000000")
    parser.add_argument("--processes", type=int, default=80)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--reserve-gib", type=float, default=3.0)
    parser.add_argument("--deadline", type=float, default=1200)
    parser.add_argument("--series", default="million-" + time.strftime("%Y%m%d"))
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    sources = [f"127.0.0.{2 + i % 250}" for i in range(min(args.sources, 250))]
    end = time.monotonic() + args.deadline
    out_path = os.path.join(HERE, "results", f"{args.series}.jsonl")
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                         capture_output=True, text=True).stdout.strip()
    slab0, tcp0 = kernel_memory()
    available0 = mem_available()
    supervisor, port, children = start_server(args.processes)
    server_rss0 = rss_bytes(supervisor.pid)
    clients, commands = [], []
    reports = multiprocessing.Queue()
    head = {"kind": "million", "series": args.series, "machine": machine(), "git": git,
            "processes": args.processes, "clients": args.clients, "sources": len(sources),
            "steps": steps, "reserve_gib": args.reserve_gib,
            "mem_available_before": available0, "server_rss_before": server_rss0}
    log(json.dumps(head))
    stop = None
    try:
        for i in range(args.clients):
            q = multiprocessing.Queue()
            p = multiprocessing.Process(target=client, args=(i, port, sources, q, reports))
            p.start()
            clients.append(p)
            commands.append(q)
        with open(out_path, "a") as out:
            out.write(json.dumps(head) + "\n")
            held = 0
            for step in steps:
                # What the next step would take, at the last step's rate.
                if held:
                    used = available0 - mem_available()
                    needed = used / held * (step - held)
                    if mem_available() - needed < args.reserve_gib * 2**30:
                        stop = (f"memory: the step to {step:,} would leave less than "
                                f"{args.reserve_gib} GiB ({mem_available() / 2**30:.1f} GiB "
                                f"left, {used / held:,.0f} B per connection so far)")
                        break
                left = end - time.monotonic()
                if left < 60:
                    stop = "the deadline"
                    break
                t0 = time.monotonic()
                share = -(-step // args.clients)
                for q in commands:
                    q.put(("grow", share, min(left - 30, 600)))
                got = [reports.get(timeout=left) for _ in clients]
                seconds = time.monotonic() - t0
                held = sum(r["held"] for r in got)
                errors = {}
                for r in got:
                    for name, n in r["errors"].items():
                        errors[name] = errors.get(name, 0) + n
                slab, tcp = kernel_memory()
                server_pids = tree(supervisor.pid)
                server_rss = sum(rss_bytes(pid) for pid in server_pids)
                client_rss = sum(rss_bytes(p.pid) for p in clients)
                per_process = sorted(sockets_of(pid) for pid in children)
                row = {
                    "kind": "step", "series": args.series, "target": step, "held": held,
                    "answered_this_step": sum(r["answered"] for r in got),
                    "failed_this_step": sum(r["failed"] for r in got), "errors": errors,
                    "seconds": round(seconds, 2),
                    "server_rss": server_rss,
                    "server_user_bytes_per_connection": (server_rss - server_rss0) / max(held, 1),
                    "kernel_slab_bytes_per_pair": (slab - slab0) / max(held, 1),
                    "kernel_tcp_bytes_per_pair": (tcp - tcp0) / max(held, 1),
                    "client_rss": client_rss,
                    "mem_available": mem_available(),
                    "sockets_per_process_min_max": [per_process[0], per_process[-1]],
                    "fresh_request_ms": fresh_requests(port),
                }
                log(f"{held:,} held ({row['failed_this_step']} failed {errors}) in {seconds:.1f} s; "
                    f"server {row['server_user_bytes_per_connection']:,.0f} B/conn, kernel "
                    f"{row['kernel_slab_bytes_per_pair']:,.0f} B/pair; "
                    f"{row['mem_available'] / 2**30:.1f} GiB left; fresh {row['fresh_request_ms']} ms")
                out.write(json.dumps(row) + "\n")
                out.flush()
                if row["failed_this_step"] > max(100, step // 100):
                    stop = f"failures: {row['failed_this_step']:,} connections failed, errors {errors}"
                    break
            out.write(json.dumps({"kind": "stop", "series": args.series,
                                  "reason": stop or "every step done"}) + "\n")
        log(f"stopped: {stop or 'every step done'}; results in {out_path}")
    finally:
        for q in commands:
            q.put(("close",))
        for p in clients:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
        stop_tree(supervisor, 60)
        log(f"supervisor exited {supervisor.returncode}")


if __name__ == "__main__":
    main()
