#!/usr/bin/env python3
"""The whole-server benchmark harness: one server at a time on one core,
the load generator on the other, and what the book's tables quote.

    bench/harness.py series [-n PASSES] [--only NAME ...] [--add NAME=CMD ...]
                            [--servers FILE] [--out DIR] [--series NAME]
                            [--duration S] [--warmup S] [--idle N] [--quick]
    bench/harness.py summary FILE.jsonl
    bench/harness.py ab NAME=CMD NAME=CMD [--rounds N] [--series NAME]
    bench/harness.py instructions NAME=CMD ...
    bench/harness.py idle NAME=CMD [-n CONNECTIONS]
    bench/harness.py idle-wakeups NAME=CMD [--seconds S]
    bench/harness.py churn NAME=CMD [-n CONNECTIONS]
    bench/harness.py start NAME=CMD ... [--runs N]
    bench/harness.py slowloris NAME=CMD [-n CONNECTIONS] [--every S] [--seconds S] [--rounds R]
    bench/harness.py idle-close NAME=CMD [-n CONNECTIONS]

A server is a command line with `{port}` in it (bench/servers.toml lists
ours and the peers'). For each pass and each server the series measures,
each on a freshly started server pinned to CPU 0:

  http      wrk pinned to CPU 1: plaintext keep-alive at 64 and 512
            connections and 16-deep pipelining at 256; each a warm-up run,
            then a measured run. Requests per second, latency percentiles
            (50, 90, 99, 99.9) and the server's CPU time per request (user
            and system, from /proc/PID/stat, summed over its processes).
  idle      N keep-alive connections (from several 127.0.0.x source
            addresses), one request each, then held: the server's RSS and
            the kernel's memory (Slab, TCP pages) per connection, and 20
            requests on fresh connections beside them, each timed.
  syscalls  strace -c on the server while a client makes K keep-alive
            requests one at a time on 8 connections, then 1,000 batches of
            16 pipelined requests on one: syscalls per request and per
            batch, by name.

`instructions` runs each server under valgrind's callgrind and counts the
instructions it executes per request: 20,000 keep-alive requests on 64
connections (one request per event), and 1,000 batches of 16 pipelined
requests on one connection. Unlike time, the count is the same for the same
binary and input whatever else the machine is doing. The dumps are per
instruction (--dump-instr=yes), for bench/attribute.py.

`churn` opens and closes connections, one request each (wrk with
`Connection: close`, 16 at a time), until N have been made, and samples the
server's RSS every 5 s: memory that grows with connections served, not
held, shows there. `start` times each server from exec to its first
accepted connection, and reads its RSS then (what pre-allocating costs).

`slowloris` measures a normal client (wrk, 8 keep-alive connections) alone,
then while N connections (from 127.0.0.2-9) each trickle a request head
one byte every S seconds and never finish it (one the server closes is
replaced at once), then after, in R rounds of 5 s windows: requests per
second, p99 and the server's CPU per normal request each time, and when
the server closed each trickling connection (seconds after its first
byte), or that it did not. `idle-close`
opens N keep-alive connections, one request each, and records how long
after its answer the server closed each one: the idle timeout as served.

`ab` compares two servers closely: each round runs every http scenario on
both, in alternating order (ABBA), so that a drift of the machine during
the run falls on both alike; it reports the mean and the spread of each.

Every result is one JSON line in DIR/SERIES.jsonl, the raw output of every
tool beside it in DIR/raw/SERIES/. Loopback only; every run is bounded in
time; only the processes this harness started are signalled.
"""

import argparse
import json
import os
import resource
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
SERVER_CPU, CLIENT_CPU = "0", "1"
FIRST_PORT = 28180


def log(*args):
    print("[harness]", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def children():
    """Every process's children, from /proc."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(root):
    """`root` and its descendants (nginx's master and workers, say)."""
    kids, out, todo = children(), [], [root]
    while todo:
        pid = todo.pop()
        if os.path.exists(f"/proc/{pid}"):
            out.append(pid)
            todo.extend(kids.get(pid, []))
    return out


def machine_cpu_seconds():
    """Busy CPU seconds of the whole machine, every core (user, nice,
    system, irq, softirq and steal time from /proc/stat; steal is time the
    hypervisor gave the core to another guest): what a server and its
    client, and anything else running, cost together. On loopback the kernel may do a sender's work
    in the receiver's context (an ACK that arrives on the client's core
    sends the server's queued data from there), which a per-process count
    charges to the client."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK


def cpu_seconds(root):
    """User and system CPU seconds of a process tree, all threads."""
    user = system = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        user += int(fields[11])
        system += int(fields[12])
    return user / CLK, system / CLK


def status_bytes(root, field):
    """A /proc/PID/status size (VmRSS, VmHWM) summed over a process tree."""
    total = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def rss_bytes(root):
    return status_bytes(root, "VmRSS")


def peak_rss_bytes(root):
    return status_bytes(root, "VmHWM")


def kernel_memory():
    """Bytes the kernel holds in its slab caches, and in TCP buffers."""
    slab = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                slab = int(line.split()[1]) * 1024
    tcp_pages = 0
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                fields = line.split()[1:]
                values = dict(zip(fields[::2], fields[1::2]))
                tcp_pages = int(values.get("mem", 0))
    return slab, tcp_pages * PAGE


class Server:
    """A server started by this harness, pinned to SERVER_CPU."""

    def __init__(self, name, cmd, port, raw_dir):
        self.name, self.port = name, port
        self.command = cmd.format(port=port, root=ROOT)
        self.log_path = os.path.join(raw_dir, f"{name}.log")
        self.process = None

    def __enter__(self):
        log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, "bash", "-c", "exec " + self.command],
            stdout=log_file, stderr=log_file, cwd=ROOT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start (see {self.log_path})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"{self.name} did not listen on {self.port} in 15 s")
        status, body = request_once(self.port, "/plaintext")
        if status != 200 or body != b"Hello, World!":
            raise RuntimeError(f"{self.name}: /plaintext answered {status} {body[:40]!r}")
        return self

    @property
    def pid(self):
        return self.process.pid

    def __exit__(self, *_):
        if self.process is not None:
            stop_tree(self.process, 10)


def stop_tree(process, timeout):
    """SIGTERM to `process` (a Popen), up to `timeout` s for it to exit
    (then SIGKILL), and SIGKILL to whatever it started and left behind:
    it started them, so they are ours to end, and nothing else is."""
    if process.poll() is not None:
        return
    pids = tree(process.pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
    for pid in pids[1:]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def request_once(port, path):
    """One GET on a new connection: (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = content_length(head)
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return status, body[:length]


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


# ---------------------------------------------------------------- http (wrk)

WRK_SCRIPT = os.path.join(HERE, "wrk", "report.lua")
SCENARIOS = [("plaintext-c64", 64, 1), ("plaintext-c512", 512, 1), ("pipelined16-c256", 256, 16)]


def run_wrk(server, conns, depth, seconds, raw_path):
    return wrk(server.port, "/plaintext", conns, depth, seconds, raw_path)


def wrk(port, path, conns, depth, seconds, raw_path, timeout="5s"):
    """wrk on CLIENT_CPU for `seconds` against `path`, DEPTH requests per
    write; the JSON line of wrk/report.lua, its whole output kept in
    `raw_path`."""
    url = f"http://127.0.0.1:{port}{path}"
    command = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
               "--latency", "--timeout", timeout, "-s", WRK_SCRIPT, url, "--", str(depth)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 90)
    with open(raw_path, "w") as f:
        f.write(" ".join(command) + "\n" + out.stdout + out.stderr)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"wrk printed no report (see {raw_path})")


def measure_http(server, raw_dir, tag, duration, warmup):
    results = []
    for scenario, conns, depth in SCENARIOS:
        stem = os.path.join(raw_dir, f"{server.name}-{tag}-{scenario}")
        if warmup:
            run_wrk(server, conns, depth, warmup, stem + ".warmup.txt")
        user0, sys0 = cpu_seconds(server.pid)
        machine0 = machine_cpu_seconds()
        report = run_wrk(server, conns, depth, duration, stem + ".txt")
        user1, sys1 = cpu_seconds(server.pid)
        machine1 = machine_cpu_seconds()
        requests = max(report["requests"], 1)
        seconds = report["duration_us"] / 1e6
        results.append({
            "kind": "http", "scenario": scenario, "conns": conns, "pipeline": depth,
            "requests": report["requests"], "rps": report["requests"] / seconds,
            "errors": report["errors"], "latency_us": report["latency_us"],
            "cpu_us_per_request": (user1 - user0 + sys1 - sys0) * 1e6 / requests,
            "user_us_per_request": (user1 - user0) * 1e6 / requests,
            # Both cores, wrk's included: what a request costs the machine,
            # wherever the kernel charged its work.
            "machine_us_per_request": (machine1 - machine0) * 1e6 / requests,
            "peak_rss": peak_rss_bytes(server.pid),
        })
        log(f"{server.name} {scenario}: {results[-1]['rps']:,.0f} req/s, "
            f"{results[-1]['cpu_us_per_request']:.2f} µs CPU/req")
    return results


# ---------------------------------------------------------------- idle memory

IP_BIND_ADDRESS_NO_PORT = 24


def open_idle(port, count, sources, timeout):
    """`count` connections, one request answered on each, kept open."""
    deadline = time.monotonic() + timeout
    request = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    selector = selectors.DefaultSelector()
    conns, done = [], 0
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Ports are chosen at connect, per source address: more than 28,000
        # connections to one server port need several sources.
        s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        s.bind((f"127.0.0.{2 + i % sources}", 0))
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        conns.append(s)
        selector.register(s, selectors.EVENT_WRITE, [b"", False])
        # Keep the connects in flight bounded, and answer what is ready.
        while len(conns) - done > 512 or (i == count - 1 and done < count):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{done} of {count} connections answered in {timeout} s")
            for key, events in selector.select(timeout=1):
                state = key.data
                if events & selectors.EVENT_WRITE and not state[1]:
                    key.fileobj.send(request)
                    state[1] = True
                    selector.modify(key.fileobj, selectors.EVENT_READ, state)
                    continue
                chunk = key.fileobj.recv(4096)
                if not chunk:
                    raise RuntimeError("the server closed an idle connection")
                state[0] += chunk
                head, sep, body = state[0].partition(b"\r\n\r\n")
                if sep and len(body) >= content_length(head):
                    selector.unregister(key.fileobj)
                    done += 1
    return conns


def measure_idle(server, count, sources=8, hold=3.0):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    request_once(server.port, "/plaintext")
    time.sleep(0.5)  # let the warm-up connection close
    rss0, (slab0, tcp0) = rss_bytes(server.pid), kernel_memory()
    started = time.monotonic()
    conns = open_idle(server.port, count, sources, timeout=180)
    opened = time.monotonic() - started
    time.sleep(hold)
    rss1, (slab1, tcp1) = rss_bytes(server.pid), kernel_memory()
    # Is a new client still answered promptly beside all of them? (One
    # connection at a time, each timed from connect to the whole answer.)
    fresh = []
    for _ in range(20):
        t0 = time.monotonic()
        status, body = request_once(server.port, "/plaintext")
        fresh.append((time.monotonic() - t0) * 1e3 if status == 200 else None)
    # Still open? A server that dropped idle connections would look frugal.
    alive = sum(1 for c in conns if peek_open(c))
    for c in conns:
        c.close()
    result = {
        "kind": "idle", "connections": count, "still_open": alive, "open_seconds": opened,
        "rss_before": rss0, "rss_after": rss1,
        "user_bytes_per_connection": (rss1 - rss0) / count,
        # Both ends of every connection live in this machine's kernel.
        "kernel_slab_bytes_per_connection_pair": (slab1 - slab0) / count,
        "kernel_tcp_buffer_bytes_per_connection_pair": (tcp1 - tcp0) / count,
        "fresh_request_ms": fresh,
    }
    log(f"{server.name} idle x{count}: {result['user_bytes_per_connection']:,.0f} B/conn user, "
        f"{result['kernel_slab_bytes_per_connection_pair']:,.0f} B/pair kernel slab, {alive} open")
    return result


def peek_open(conn):
    try:
        conn.setblocking(False)
        return conn.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- syscalls

def keep_alive_requests(port, total, conns, path="/plaintext"):
    """Exactly `total` requests, one at a time per connection, on `conns`
    connections: what a syscall count per request is divided by."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    selector = selectors.DefaultSelector()
    left = total
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        s.send(request)
        left -= 1
        selector.register(s, selectors.EVENT_READ, [b""])
    answered, deadline = 0, time.monotonic() + 300
    while answered < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{answered} of {total} answered in 300 s")
        for key, _ in selector.select(timeout=1):
            state = key.data
            chunk = key.fileobj.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a keep-alive connection")
            state[0] += chunk
            while True:
                head, sep, body = state[0].partition(b"\r\n\r\n")
                length = content_length(head)
                if not sep or len(body) < length:
                    break
                state[0] = body[length:]
                answered += 1
                if left > 0:
                    key.fileobj.send(request)
                    left -= 1
    for key in list(selector.get_map().values()):
        key.fileobj.close()


def strace_counts(text):
    """{syscall: calls} from `strace -c`'s table. Its errors column is blank
    when a call never failed, so fields are counted from both ends."""
    counts = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5 or not fields[0][0].isdigit() or fields[-1] == "total":
            continue
        try:
            counts[fields[-1]] = int(fields[3])
        except ValueError:
            continue
    return counts


def traced(pids, raw_path, action):
    """Runs `action` under `strace -c -f` attached to `pids`; returns counts."""
    command = ["strace", "-c", "-f", "-o", raw_path]
    for pid in pids:
        command += ["-p", str(pid)]
    tracer = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # strace attaches to every thread before the load starts
    try:
        action()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=30)
    with open(raw_path) as f:
        return strace_counts(f.read())


def measure_syscalls(server, raw_dir, tag, total=20000, conns=8):
    raw = os.path.join(raw_dir, f"{server.name}-{tag}-strace.txt")
    counts = traced(tree(server.pid), raw, lambda: keep_alive_requests(server.port, total, conns))
    per_request = {name: calls / total for name, calls in sorted(counts.items())}
    # And pipelined: batches of 16 on one connection, each batch's answers
    # read before the next is sent. The ideal is one read and one write per
    # batch (and no epoll_wait when the next batch is already there).
    batches = 1000
    raw = os.path.join(raw_dir, f"{server.name}-{tag}-pipelined-strace.txt")
    counts = traced(tree(server.pid), raw, lambda: pipelined_batches(server.port, batches))
    per_batch = {name: calls / batches for name, calls in sorted(counts.items())}
    result = {"kind": "syscalls", "requests": total, "conns": conns,
              "per_request": sum(per_request.values()), "by_name": per_request,
              "batches": batches, "per_batch": sum(per_batch.values()),
              "per_batch_by_name": per_batch}
    log(f"{server.name} syscalls: {result['per_request']:.2f} per request, "
        f"{result['per_batch']:.2f} per pipelined batch of 16")
    return result


def idle_wakeups(server, raw_dir, seconds):
    raw = os.path.join(raw_dir, f"{server.name}-idle-strace.txt")
    counts = traced(tree(server.pid), raw, lambda: time.sleep(seconds))
    return {"kind": "idle_wakeups", "seconds": seconds, "syscalls": sum(counts.values()),
            "by_name": counts}


# ---------------------------------------------------------------- churn, start

def churn(server, raw_dir, total, chunk_seconds=5, limit=600):
    """Connections made and closed, one request each, until `total`: the
    server's RSS after each chunk of `chunk_seconds`."""
    url = f"http://127.0.0.1:{server.port}/plaintext"
    command = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", "-c16", f"-d{chunk_seconds}s",
               "-H", "Connection: close", url]
    done, samples, errors = 0, [rss_bytes(server.pid)], 0
    deadline = time.monotonic() + limit
    with open(os.path.join(raw_dir, f"{server.name}-churn.txt"), "w") as raw:
        while done < total and time.monotonic() < deadline:
            out = subprocess.run(command, capture_output=True, text=True,
                                 timeout=chunk_seconds + 60)
            raw.write(" ".join(command) + "\n" + out.stdout + out.stderr)
            made = [int(line.split()[0]) for line in out.stdout.splitlines()
                    if " requests in " in line]
            if not made:
                raise RuntimeError(f"wrk printed no request count: {out.stderr[:200]}")
            done += made[0]
            errors += sum(int(n) for line in out.stdout.splitlines()
                          if line.strip().startswith("Non-2xx") for n in line.split()[-1:])
            samples.append(rss_bytes(server.pid))
            log(f"{server.name} churn: {done:,} connections, RSS {samples[-1]:,} B")
    return {"kind": "churn", "connections": done, "non_2xx": errors,
            "rss_samples": samples, "rss_first_chunk": samples[1] if len(samples) > 1 else None,
            "rss_last": samples[-1], "rss_max": max(samples)}


def measure_start(name, cmd, port, runs):
    """Seconds from exec to the first accepted connection, and the RSS then,
    for `runs` fresh starts: medians, and every run."""
    times, rss = [], []
    for _ in range(runs):
        command = cmd.format(port=port, root=ROOT)
        started = time.monotonic()
        process = subprocess.Popen(["taskset", "-c", SERVER_CPU, "bash", "-c", "exec " + command],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            deadline = started + 15
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.001)
            times.append(time.monotonic() - started)
            request_once(port, "/plaintext")
            rss.append(rss_bytes(process.pid))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    return {"kind": "start", "runs": runs, "seconds_median": statistics.median(times),
            "rss_median": statistics.median(rss), "seconds": times, "rss": rss}


# ---------------------------------------------------------------- slowloris, idle-close

def trickle(port, count, every, seconds, ready, sources=8):
    """Keeps `count` connections open for `seconds`, each sending a request
    head's first line and then one more byte every `every` s, never ending
    it; one the server closes is replaced at once, as a real attacker does.
    Sets `ready` once the first `count` are open. Returns, per connection,
    the seconds from its first byte until the server closed it (None if it
    was still open at the end), its age at the end, and the first bytes the
    server sent."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    # On the client's core, with wrk: the server's core is the server's.
    os.sched_setaffinity(0, {int(CLIENT_CPU)})
    selector = selectors.DefaultSelector()
    conns, opened = [], 0

    def open_one():
        nonlocal opened
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        s.bind((f"127.0.0.{2 + opened % sources}", 0))
        opened += 1
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        s.setblocking(False)
        c = {"sock": s, "start": time.monotonic(), "closed": None, "got": b""}
        conns.append(c)
        selector.register(s, selectors.EVENT_READ, c)

    for _ in range(count):
        open_one()
    ready.set()
    deadline = time.monotonic() + seconds
    next_byte = time.monotonic() + every
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.05):
            c = key.data
            try:
                chunk = c["sock"].recv(4096)
            except OSError:
                chunk = b""
            c["got"] = (c["got"] + chunk)[:64]
            if not chunk:
                c["closed"] = time.monotonic() - c["start"]
                selector.unregister(c["sock"])
                c["sock"].close()
                open_one()
        if time.monotonic() >= next_byte:
            next_byte += every
            for c in conns:
                if c["closed"] is None:
                    try:
                        c["sock"].send(b"X")
                    except OSError:
                        pass
    end = time.monotonic()
    for c in conns:
        if c["closed"] is None:
            c["sock"].close()
        c["age"] = end - c["start"]
        del c["sock"]
    return conns


def slowloris(server, raw_dir, count, every, seconds, rounds=3, window=5):
    """Rounds of: the normal client alone, then while the attack runs (one
    window after another until it ends), then after it. Each window: the
    normal client's requests per second and p99, and the server's CPU per
    normal request (what the attack costs the server for each request it
    still serves; throughput alone also measures the client's core, which
    the attacker shares with wrk)."""
    import threading
    stem = os.path.join(raw_dir, f"{server.name}-slowloris")
    run_wrk(server, 8, 1, 3, stem + "-warmup.txt")

    def measure(label):
        user0, system0 = cpu_seconds(server.pid)
        report = run_wrk(server, 8, 1, window, f"{stem}-{label}.txt")
        user1, system1 = cpu_seconds(server.pid)
        requests = max(report["requests"], 1)
        return {"rps": report["requests"] / (report["duration_us"] / 1e6),
                "p99_us": report["latency_us"]["p99"],
                "cpu_us_per_request": (user1 - user0 + system1 - system0) * 1e6 / requests,
                "errors": report["errors"]}

    out_rounds, conns = [], []
    for r in range(rounds):
        before = measure(f"{r}-before")
        result, ready = {}, threading.Event()
        attack = threading.Thread(target=lambda: result.update(
            conns=trickle(server.port, count, every, seconds, ready)))
        attack.start()
        ready.wait()
        during, w = [], 0
        # Windows that end before the attack does (wrk takes a moment more).
        while attack.is_alive() and len(during) < int(seconds // window) - 1:
            during.append(measure(f"{r}-during-{w}"))
            w += 1
        attack.join()
        after = measure(f"{r}-after")
        conns += result["conns"]
        out_rounds.append({"before": before, "during": during, "after": after})
        log(f"{server.name} slowloris round {r}: {before['rps']:,.0f} / "
            f"{statistics.median(d['rps'] for d in during):,.0f} / {after['rps']:,.0f} req/s, "
            f"{before['cpu_us_per_request']:.2f} / "
            f"{statistics.median(d['cpu_us_per_request'] for d in during):.2f} / "
            f"{after['cpu_us_per_request']:.2f} CPU us per request before/during/after")
    closed = sorted(c["closed"] for c in conns if c["closed"] is not None)
    answered_408 = sum(1 for c in conns if c["got"].startswith(b"HTTP/1.1 408"))
    # Open at the end: only those younger than the slowest close is fine.
    oldest_open = max((c["age"] for c in conns if c["closed"] is None), default=None)

    def ratio(phase, key):
        values = []
        for rd in out_rounds:
            phase_values = rd[phase] if phase == "during" else [rd[phase]]
            values += [v[key] / rd["before"][key] for v in phase_values]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    out = {"kind": "slowloris", "connections": count, "byte_every_s": every,
           "attack_seconds": seconds, "window_s": window, "rounds": out_rounds,
           "during_vs_before": {"rps": ratio("during", "rps"),
                                "cpu_us_per_request": ratio("during", "cpu_us_per_request")},
           "after_vs_before": {"rps": ratio("after", "rps"),
                               "cpu_us_per_request": ratio("after", "cpu_us_per_request")},
           "p99_us_max": max([rd["before"]["p99_us"] for rd in out_rounds]
                             + [d["p99_us"] for rd in out_rounds for d in rd["during"]]
                             + [rd["after"]["p99_us"] for rd in out_rounds]),
           "trickling_connections": len(conns), "closed": len(closed),
           "answered_408": answered_408, "oldest_open_s": oldest_open,
           "closed_after_s": {"min": closed[0], "median": statistics.median(closed),
                              "max": closed[-1]} if closed else None}
    log(f"{server.name} slowloris: during/before req/s x{out['during_vs_before']['rps']['median']:.3f}, "
        f"CPU per request x{out['during_vs_before']['cpu_us_per_request']['median']:.3f}; "
        f"{len(closed)} of {len(conns)} trickling connections closed")
    return out


def idle_close(server, count, limit=200):
    """Seconds from each answer until the server closed the connection."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    conns = open_idle(server.port, count, 8, timeout=60)
    answered = time.monotonic()
    selector = selectors.DefaultSelector()
    for c in conns:
        selector.register(c, selectors.EVENT_READ)
    closed = []
    deadline = answered + limit
    while len(closed) < count and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed.append(time.monotonic() - answered)
                selector.unregister(key.fileobj)
    for c in conns:
        c.close()
    closed.sort()
    out = {"kind": "idle_close", "connections": count, "closed": len(closed),
           "closed_after_s": {"min": closed[0], "median": statistics.median(closed),
                              "max": closed[-1]} if closed else None}
    log(f"{server.name} idle close: {out}")
    return out


# ---------------------------------------------------------------- series

def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": os.cpu_count(), "kernel": os.uname().release,
            "loadavg": open("/proc/loadavg").read().split()[:3]}


def load_servers(path, only, added):
    with open(path, "rb") as f:
        servers = [(s["name"], s["cmd"]) for s in tomllib.load(f)["server"]]
    if only:
        servers = [s for s in servers if s[0] in only]
        missing = set(only) - {s[0] for s in servers}
        if missing:
            sys.exit(f"harness: no server named {', '.join(sorted(missing))}")
    # --only picks from the file; servers added on the command line are
    # always measured.
    for spec in added:
        name, _, cmd = spec.partition("=")
        servers.append((name, cmd))
    return servers


def wait_for_quiet(limit=300):
    """Waits (at most `limit` s) for the 1-minute load average to fall below
    0.5, so that a series does not start on a busy machine."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        load = float(open("/proc/loadavg").read().split()[0])
        if load < 0.5:
            return load
        log(f"load average {load}: waiting for a quiet machine")
        time.sleep(15)
    return float(open("/proc/loadavg").read().split()[0])


def series(args):
    for tool in ("wrk", "strace", "taskset"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            sys.exit(f"harness: {tool} is missing (bench/setup.sh installs it)")
    servers = load_servers(args.servers, args.only, args.add)
    name = args.series or time.strftime("%Y%m%dT%H%M%S")
    raw_dir = os.path.join(args.out, "raw", name)
    os.makedirs(raw_dir, exist_ok=True)
    out_path = os.path.join(args.out, f"{name}.jsonl")
    duration, warmup, idle = args.duration, args.warmup, args.idle
    if args.quick:
        duration, warmup, idle = 2, 1, 1000
    quiet = wait_for_quiet() if not args.quick else None
    head = {"kind": "series", "series": name, "passes": args.passes, "duration_s": duration,
            "warmup_s": warmup, "idle_connections": idle, "machine": machine(),
            "load_at_start": quiet, "servers": dict(servers),
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                  capture_output=True, text=True).stdout.strip()}
    with open(out_path, "a") as out:
        out.write(json.dumps(head) + "\n")
        for n in range(1, args.passes + 1):
            tag = f"pass{n}"
            for i, (server_name, cmd) in enumerate(servers):
                port = FIRST_PORT + i
                common = {"series": name, "server": server_name, "pass": n}
                try:
                    with Server(server_name, cmd, port, raw_dir) as server:
                        for r in measure_http(server, raw_dir, tag, duration, warmup):
                            out.write(json.dumps({**common, **r}) + "\n")
                    with Server(server_name, cmd, port, raw_dir) as server:
                        out.write(json.dumps({**common, **measure_idle(server, idle)}) + "\n")
                    with Server(server_name, cmd, port, raw_dir) as server:
                        out.write(json.dumps({**common, **measure_syscalls(server, raw_dir, tag)}) + "\n")
                except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
                    log(f"{server_name} pass {n}: {e}")
                    out.write(json.dumps({**common, "kind": "error", "error": str(e)}) + "\n")
                out.flush()
    log(f"results: {out_path}")
    print(summarize(out_path))


def ab(args):
    pair = [spec.partition("=")[::2] for spec in args.servers]
    name = args.series or "ab-" + time.strftime("%Y%m%dT%H%M%S")
    raw_dir = os.path.join(args.out, "raw", name)
    os.makedirs(raw_dir, exist_ok=True)
    out_path = os.path.join(args.out, f"{name}.jsonl")
    head = {"kind": "series", "series": name, "rounds": args.rounds, "duration_s": args.duration,
            "warmup_s": args.warmup, "machine": machine(), "load_at_start": wait_for_quiet(),
            "servers": dict(pair), "git": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                text=True).stdout.strip()}
    with open(out_path, "a") as out:
        out.write(json.dumps(head) + "\n")
        for n in range(args.rounds):
            order = pair if n % 2 == 0 else pair[::-1]
            for server_name, cmd in order:
                with Server(server_name, cmd, FIRST_PORT, raw_dir) as server:
                    for r in measure_http(server, raw_dir, f"round{n + 1}", args.duration,
                                          args.warmup):
                        out.write(json.dumps({"series": name, "server": server_name,
                                              "pass": n + 1, **r}) + "\n")
                out.flush()
    rows = [json.loads(line) for line in open(out_path)][1:]
    print(f"| scenario | {pair[0][0]} CPU µs/req (user) | {pair[1][0]} | difference "
          f"| {pair[0][0]}, both cores | {pair[1][0]}, both cores | difference |")
    print("|---|---|---|---|---|---|---|")
    for scenario, _, _ in SCENARIOS:
        cells, means, machine_cells, machine_means = [], [], [], []
        for server_name, _ in pair:
            runs = [r for r in rows if r["server"] == server_name and r["scenario"] == scenario]
            total = [r["cpu_us_per_request"] for r in runs]
            user = [r["user_us_per_request"] for r in runs]
            means.append(statistics.mean(total))
            cells.append(f"{statistics.mean(total):.3f} ± {statistics.stdev(total):.3f} "
                         f"({statistics.mean(user):.3f})")
            # Series from before the harness counted both cores have none.
            both = [r["machine_us_per_request"] for r in runs if "machine_us_per_request" in r]
            machine_means.append(statistics.mean(both) if both else None)
            machine_cells.append(f"{statistics.mean(both):.3f} ± {statistics.stdev(both):.3f}"
                                 if len(both) > 1 else "-")
        machine_diff = (f"{100 * (machine_means[0] / machine_means[1] - 1):+.1f}%"
                        if None not in machine_means else "-")
        print(f"| {scenario} | {cells[0]} | {cells[1]} | {100 * (means[0] / means[1] - 1):+.1f}% "
              f"| {machine_cells[0]} | {machine_cells[1]} | {machine_diff} |")


def pipelined_batches(port, batches, depth=16):
    """`batches` writes of `depth` requests on one connection, each batch's
    answers read before the next is sent."""
    request = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * depth
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for _ in range(batches):
            s.sendall(request)
            data, answered = b"", 0
            while answered < depth:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("the server closed the connection")
                data += chunk
                while True:
                    head, sep, body = data.partition(b"\r\n\r\n")
                    length = content_length(head)
                    if not sep or len(body) < length:
                        break
                    data, answered = body[length:], answered + 1


def callgrind_allocations(dump):
    """Calls to the C allocator's entry points in a callgrind dump, by
    name: every Rust allocation reaches one of them. (In the dump, a call
    is a `cfn=` line naming the callee, by `(id) name` the first time and
    by `(id)` after, then a `calls=COUNT` line.)"""
    counts = dict.fromkeys(("malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc"), 0)
    names, callee = {}, None
    with open(dump, errors="ignore") as f:
        for line in f:
            if line.startswith(("fn=", "cfn=")):
                ident, _, name = line.partition("=")[2].strip().partition(" ")
                if name:
                    names[ident] = name
                callee = names.get(ident) if line.startswith("cfn=") else None
            elif callee in counts and line.startswith("calls="):
                counts[callee] += int(line.split()[0].removeprefix("calls="))
                callee = None
    return counts


def callgrind_total(dump):
    with open(dump) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def instructions(args):
    raw_dir = os.path.join(args.out, "raw", "instructions")
    os.makedirs(raw_dir, exist_ok=True)
    loads = [("keep-alive c64", 20000, lambda port: keep_alive_requests(port, 20000, 64)),
             ("pipelined 16", 16000, lambda port: pipelined_batches(port, 1000))]
    results = []
    for spec in args.servers:
        name, _, cmd = spec.partition("=")
        for load, requests, run in loads:
            out = os.path.join(raw_dir, f"{name}-{load.split()[0]}.callgrind")
            # Per instruction, so that bench/attribute.py can look each
            # address's inlined frames up.
            traced_cmd = (f"valgrind --tool=callgrind --dump-instr=yes "
                          f"--callgrind-out-file={out} " + cmd)
            with Server(name, traced_cmd, FIRST_PORT, raw_dir) as server:
                keep_alive_requests(server.port, 200, 8)  # warm-up
                subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True,
                               capture_output=True)
                run(server.port)
                subprocess.run(["callgrind_control", "-d", "measured", str(server.pid)],
                               check=True, capture_output=True)
                dumps = sorted(f for f in os.listdir(raw_dir)
                               if f.startswith(os.path.basename(out)) and "measured" in
                               open(os.path.join(raw_dir, f), errors="ignore").read(2000))
                total = callgrind_total(os.path.join(raw_dir, dumps[-1]))
                allocations = callgrind_allocations(os.path.join(raw_dir, dumps[-1]))
            result = {"server": name, "kind": "instructions", "load": load,
                      "requests": requests, "per_request": total / requests,
                      "allocations": allocations}
            log(f"{name} {load}: {result['per_request']:,.0f} instructions per request; "
                f"{sum(allocations.values())} calls to malloc, calloc or realloc "
                f"in {requests:,} requests")
            results.append(result)
    with open(os.path.join(args.out, "instructions.jsonl"), "a") as f:
        for r in results:
            f.write(json.dumps({"machine": machine(), **r}) + "\n")


# ---------------------------------------------------------------- summary

def median_spread(values):
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt(stat, digits=2, unit=""):
    if stat is None:
        return "-"
    median, low, high = stat
    if len({round(v, digits) for v in (median, low, high)}) == 1 or low == high:
        return f"{median:,.{digits}f}{unit}"
    return f"{median:,.{digits}f}{unit} ({low:,.{digits}f}-{high:,.{digits}f})"


def summarize(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    head = next((r for r in rows if r["kind"] == "series"), {})
    servers = list(dict.fromkeys(r["server"] for r in rows if "server" in r))
    lines = [f"# Series {head.get('series', '?')}",
             "",
             f"Machine: {head.get('machine', {}).get('cpu', '?')}, "
             f"{head.get('machine', {}).get('cores', '?')} cores, Linux "
             f"{head.get('machine', {}).get('kernel', '?')}; commit {head.get('git', '?')}; "
             f"{head.get('passes', '?')} passes of {head.get('duration_s', '?')} s runs after "
             f"{head.get('warmup_s', '?')} s warm-ups; server on CPU {SERVER_CPU}, wrk on CPU "
             f"{CLIENT_CPU}. Medians, with the range over passes in parentheses.",
             ""]
    by = lambda server, kind, **match: [r for r in rows if r.get("server") == server  # noqa: E731
                                        and r["kind"] == kind
                                        and all(r.get(k) == v for k, v in match.items())]
    lines += ["| server | CPU µs/req c64 (user) | c512 (user) | pipelined 16, c256 (user) |"
              " req/s c64 | req/s pipelined | p50 / p99 / p99.9 c64 (µs) | p50 / p99 c512 (µs) |",
              "|---|---|---|---|---|---|---|---|"]
    for s in servers:
        cells = [s]
        for scenario in ("plaintext-c64", "plaintext-c512", "pipelined16-c256"):
            runs = by(s, "http", scenario=scenario)
            total = median_spread([r["cpu_us_per_request"] for r in runs])
            user = median_spread([r["user_us_per_request"] for r in runs])
            cells.append(f"{fmt(total)} ({user[0]:.2f})" if total else "-")
        for scenario in ("plaintext-c64", "pipelined16-c256"):
            cells.append(fmt(median_spread([r["rps"] for r in by(s, "http", scenario=scenario)]), 0))
        c64 = by(s, "http", scenario="plaintext-c64")
        c512 = by(s, "http", scenario="plaintext-c512")
        pct = lambda runs, p: median_spread([r["latency_us"][p] for r in runs])  # noqa: E731
        cells.append(" / ".join(fmt(pct(c64, p), 0) for p in ("p50", "p99", "p999")))
        cells.append(" / ".join(fmt(pct(c512, p), 0) for p in ("p50", "p99")))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| server | user bytes per idle connection | kernel slab bytes per connection pair |"
              " still open | fresh request beside them, ms (median, slowest) |"
              " syscalls per request | by name (median pass) |"
              " syscalls per pipelined batch of 16 | by name (median pass) | errors |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for s in servers:
        idle = by(s, "idle")
        calls = by(s, "syscalls")
        names = ""
        if calls:
            mid = sorted(calls, key=lambda r: r["per_request"])[len(calls) // 2]
            names = ", ".join(f"{k} {v:.2f}" for k, v in sorted(mid["by_name"].items(),
                                                               key=lambda kv: -kv[1]) if v >= 0.01)
        # Series before the pipelined count was added have none.
        piped = [r for r in calls if "per_batch" in r]
        batch_names = ""
        if piped:
            mid = sorted(piped, key=lambda r: r["per_batch"])[len(piped) // 2]
            batch_names = ", ".join(f"{k} {v:.2f}" for k, v in sorted(
                mid["per_batch_by_name"].items(), key=lambda kv: -kv[1]) if v >= 0.01)
        errors = len(by(s, "error")) + sum(1 for r in by(s, "http")
                                           if any(r["errors"].values()))
        lines.append("| " + " | ".join([
            s,
            fmt(median_spread([r["user_bytes_per_connection"] for r in idle]), 0),
            fmt(median_spread([r["kernel_slab_bytes_per_connection_pair"] for r in idle]), 0),
            fmt(median_spread([r["still_open"] for r in idle]), 0),
            fresh_cell(idle),
            fmt(median_spread([r["per_request"] for r in calls])),
            names,
            fmt(median_spread([r["per_batch"] for r in piped])) if piped else "-",
            batch_names, str(errors)]) + " |")
    return "\n".join(lines) + "\n"


def fresh_cell(idle):
    """The fresh requests' median and slowest over every pass (series
    before they were timed have none)."""
    times = [t for r in idle for t in r.get("fresh_request_ms", []) if t is not None]
    failed = sum(1 for r in idle for t in r.get("fresh_request_ms", []) if t is None)
    if not times:
        return "-"
    cell = f"{statistics.median(times):.2f}, {max(times):.2f}"
    return cell + (f" ({failed} failed)" if failed else "")


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("series", help="measure every server, PASSES times")
    s.add_argument("-n", "--passes", type=int, default=3)
    s.add_argument("--servers", default=os.path.join(HERE, "servers.toml"))
    s.add_argument("--only", nargs="*", default=[])
    s.add_argument("--add", nargs="*", default=[], metavar="NAME=CMD")
    s.add_argument("--out", default=os.path.join(HERE, "results"))
    s.add_argument("--series", help="the series' name (default: the time)")
    s.add_argument("--duration", type=int, default=10)
    s.add_argument("--warmup", type=int, default=3)
    s.add_argument("--idle", type=int, default=10000, help="idle connections to hold")
    s.add_argument("--quick", action="store_true", help="2 s runs, 1,000 idle: a smoke test")
    m = commands.add_parser("summary", help="the markdown tables of a series")
    m.add_argument("file")
    c = commands.add_parser("instructions", help="instructions per request, under callgrind")
    c.add_argument("servers", nargs="+", metavar="NAME=CMD")
    c.add_argument("--out", default=os.path.join(HERE, "results"))
    a = commands.add_parser("ab", help="two servers, alternating, every http scenario")
    a.add_argument("servers", nargs=2, metavar="NAME=CMD")
    a.add_argument("--rounds", type=int, default=6)
    a.add_argument("--series", help="the comparison's name (default: the time)")
    a.add_argument("--duration", type=int, default=10)
    a.add_argument("--warmup", type=int, default=3)
    a.add_argument("--out", default=os.path.join(HERE, "results"))
    i = commands.add_parser("idle", help="memory per idle connection, one server")
    i.add_argument("server", metavar="NAME=CMD")
    i.add_argument("-n", "--connections", type=int, default=10000)
    i.add_argument("--out", default=os.path.join(HERE, "results"))
    h = commands.add_parser("churn", help="RSS while connections come and go")
    h.add_argument("server", metavar="NAME=CMD")
    h.add_argument("-n", "--connections", type=int, default=1_000_000)
    h.add_argument("--out", default=os.path.join(HERE, "results"))
    t = commands.add_parser("start", help="start-up time and RSS")
    t.add_argument("servers", nargs="+", metavar="NAME=CMD")
    t.add_argument("--runs", type=int, default=5)
    t.add_argument("--out", default=os.path.join(HERE, "results"))
    sl = commands.add_parser("slowloris", help="a normal client beside N trickled heads")
    sl.add_argument("server", metavar="NAME=CMD")
    sl.add_argument("-n", "--connections", type=int, default=2000)
    sl.add_argument("--every", type=float, default=2.0)
    sl.add_argument("--seconds", type=float, default=25.0)
    sl.add_argument("--rounds", type=int, default=3)
    sl.add_argument("--out", default=os.path.join(HERE, "results"))
    ic = commands.add_parser("idle-close", help="when idle connections are closed")
    ic.add_argument("server", metavar="NAME=CMD")
    ic.add_argument("-n", "--connections", type=int, default=100)
    ic.add_argument("--out", default=os.path.join(HERE, "results"))
    w = commands.add_parser("idle-wakeups", help="syscalls of an idle server")
    w.add_argument("server", metavar="NAME=CMD")
    w.add_argument("--seconds", type=float, default=3.0)
    w.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    if args.command == "series":
        series(args)
    elif args.command == "ab":
        ab(args)
    elif args.command == "instructions":
        instructions(args)
    elif args.command == "summary":
        print(summarize(args.file), end="")
    elif args.command == "start":
        with open(os.path.join(args.out, "start.jsonl"), "a") as out:
            for spec in args.servers:
                name, _, cmd = spec.partition("=")
                result = {"server": name, "machine": machine(),
                          **measure_start(name, cmd, FIRST_PORT, args.runs)}
                log(f"{name}: started in {result['seconds_median'] * 1e3:.1f} ms, "
                    f"RSS {result['rss_median']:,} B")
                out.write(json.dumps(result) + "\n")
    else:
        name, _, cmd = args.server.partition("=")
        raw_dir = os.path.join(args.out, "raw", args.command)
        os.makedirs(raw_dir, exist_ok=True)
        with Server(name, cmd, FIRST_PORT, raw_dir) as server:
            time.sleep(0.5)
            if args.command == "idle":
                result = measure_idle(server, args.connections)
            elif args.command == "churn":
                result = churn(server, raw_dir, args.connections)
            elif args.command == "slowloris":
                result = slowloris(server, raw_dir, args.connections, args.every, args.seconds,
                                   args.rounds)
            elif args.command == "idle-close":
                result = idle_close(server, args.connections)
            else:
                result = idle_wakeups(server, raw_dir, args.seconds)
        result = {"server": name, "machine": machine(), **result}
        with open(os.path.join(args.out, f"{args.command}.jsonl"), "a") as out:
            out.write(json.dumps(result) + "\n")
        print(json.dumps(result))


if __name__ == "__main__":
    main()
