#!/usr/bin/env python3
"""What each server answers to requests that break HTTP/1.1's rules.

    bench/strictness.py [--series NAME] [--only NAME ...] [--add NAME=CMD ...]

The CPU per request that the Benchmarks chapter compares is the cost of
what a server checks as well as of how fast it checks it. This script
shows the first part: every server of bench/servers.toml (or those named
with --only, and any added with --add) gets the same twelve requests that
the RFCs tell a server to refuse (or, for two of them, to repair), each
on a new connection, and what comes back is recorded: the status code,
"closed" (the server closed without answering), or "none" (no answer
within a second). Each
case names the rule it breaks and what the rule asks a server to do; the
table counts the answers that do what it asks, and the requests refused
in any way (an error status, or a close).

Results: bench/results/SERIES.jsonl, one line per server and case, and a
markdown table on standard output. Only 127.0.0.1; each server is started
and stopped by the harness, which signals only the processes it started.
"""

import argparse
import json
import os
import socket
import subprocess
import time

import harness as h

# (name, the rule and what it asks for, the statuses it allows, the request)
CASES = [
    ("no Host",
     "RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1 request without Host",
     {400}, b"GET /plaintext HTTP/1.1\r\n\r\n"),
    ("two Host lines",
     "RFC 9112 section 3.2: MUST answer 400 to more than one Host line",
     {400}, b"GET /plaintext HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ("invalid Host",
     "RFC 9112 section 3.2: MUST answer 400 to an invalid Host value",
     {400}, b"GET /plaintext HTTP/1.1\r\nHost: a b\r\n\r\n"),
    ("two Content-Lengths",
     "RFC 9112 section 6.3: an invalid Content-Length is an unrecoverable error, 400",
     {400}, b"POST /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
            b"Content-Length: 2\r\n\r\nab"),
    ("Content-Length and chunked",
     "RFC 9112 section 6.1: the smuggling pair (section 6.3); MAY be refused, or read "
     "as chunked, and then the server MUST close",
     {400, "200, closed"}, b"POST /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("space before colon",
     "RFC 9112 section 5.1: a server MUST reject it with 400",
     {400}, b"GET /plaintext HTTP/1.1\r\nHost : a\r\n\r\n"),
    ("obs-fold",
     "RFC 9112 section 5.2: MUST reject with 400 or replace the fold by a space",
     {400, 200}, b"GET /plaintext HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"),
    ("NUL in a value",
     "RFC 9110 section 5.5: MUST reject the message or replace the NUL by a space",
     {400, 200}, b"GET /plaintext HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n"),
    ("broken escape",
     "RFC 9112 section 3: an invalid request-line (RFC 3986 section 2.1) SHOULD get 400, "
     "or a 301 to the target properly encoded",
     {400, 301}, b"GET /plain%zztext HTTP/1.1\r\nHost: a\r\n\r\n"),
    ("HTTP/2.0 in a request-line",
     "RFC 9110 sections 2.5 and 15.6.6: refused; 505 says it is the major version",
     {505, 400}, b"GET /plaintext HTTP/2.0\r\nHost: a\r\n\r\n"),
    ("gzip, chunked",
     "RFC 9112 section 6.1: SHOULD answer 501 to a coding it does not understand",
     {501}, b"POST /plaintext HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
            b"\r\n0\r\n\r\n"),
    ("bad chunk size",
     "RFC 9112 section 7.1: chunk-size is hex digits; invalid framing is a 400 "
     "(RFC 9110 section 15.5.1)",
     {400}, b"POST /plaintext HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            b"\r\nzz\r\nab\r\n0\r\n\r\n"),
]


def answer(port, request, allowed):
    """The status of the first response to `request`, "closed" or "none";
    for a case whose rule lets a 200 through only if the connection is
    closed after it, a 200 with what became of the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        # A deadline against a server that waits for more: not a measurement.
        s.settimeout(1.0)
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            return "none" if not data else "partial"
        except ConnectionResetError:
            pass
        if not data:
            return "closed"
        parts = data.split(b" ", 2)
        if not data.startswith(b"HTTP/") or len(parts) < 2:
            return "garbled"
        status = int(parts[1])
        if status != 200 or "200, closed" not in allowed:
            return status
        try:
            while s.recv(4096):
                pass
            return "200, closed"
        except TimeoutError:
            return "200, kept open"
        except ConnectionResetError:
            return "200, closed"


def refused(got):
    """Whether the server turned the request down in any way: an error
    status (a 404 is a request accepted and routed) or a close."""
    return got == "closed" or (isinstance(got, int) and got >= 400 and got != 404)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", default="strictness-" + time.strftime("%Y%m%d"))
    parser.add_argument("--servers", default=os.path.join(h.HERE, "servers.toml"))
    parser.add_argument("--only", nargs="*",
                        default=["eventcore", "nginx", "hyper", "actix-web", "may_minihttp"])
    parser.add_argument("--add", nargs="*", default=[], metavar="NAME=CMD",
                        help="more servers, measured beside those of --only")
    args = parser.parse_args()
    servers = h.load_servers(args.servers, args.only, args.add)
    raw_dir = os.path.join(h.HERE, "results", "raw", args.series)
    os.makedirs(raw_dir, exist_ok=True)
    out_path = os.path.join(h.HERE, "results", f"{args.series}.jsonl")
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=h.ROOT,
                         capture_output=True, text=True).stdout.strip()
    answers = {}
    with open(out_path, "w") as out:
        out.write(json.dumps({"kind": "series", "series": args.series, "git": git,
                              "machine": h.machine(), "servers": dict(servers)}) + "\n")
        for name, cmd in servers:
            with h.Server(name, cmd, h.FIRST_PORT, raw_dir) as server:
                for case, rule, allowed, request in CASES:
                    got = answer(server.port, request, allowed)
                    answers[name, case] = got
                    out.write(json.dumps({"kind": "strictness", "server": name, "case": case,
                                          "rule": rule, "allowed": sorted(map(str, allowed)),
                                          "answer": got, "as_asked": got in allowed}) + "\n")
            h.log(f"{name}: {sum(answers[name, c[0]] in c[2] for c in CASES)} "
                  f"of {len(CASES)} answered as the rule asks")
    names = [n for n, _ in servers]
    print("| request | the rule | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for case, rule, allowed, _ in CASES:
        cells = [f"**{answers[n, case]}**" if answers[n, case] not in allowed
                 else str(answers[n, case]) for n in names]
        print(f"| {case} | {rule} | " + " | ".join(cells) + " |")
    totals = [str(sum(answers[n, c[0]] in c[2] for c in CASES)) for n in names]
    print(f"| **as the rule asks** | of {len(CASES)} | " + " | ".join(totals) + " |")
    refusals = [str(sum(refused(answers[n, c[0]]) for c in CASES)) for n in names]
    print("| **refused at all** | an error status or a close | " + " | ".join(refusals) + " |")
    h.log(f"results: {out_path}")


if __name__ == "__main__":
    main()
