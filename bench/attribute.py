#!/usr/bin/env python3
"""Where a server's user-space instructions go, by source file and by layer.

    bench/attribute.py DUMP [--requests N] [--files K] [--functions K]

DUMP is a callgrind output file, such as the `*.callgrind.1` files that
`harness.py instructions` writes into `results/raw/instructions/` (one dump
of exactly the measured requests). Callgrind charges every instruction to a
source line, and with line tables the line of inlined code is the line in
the file it was inlined *from*. So summing each line's own cost by file says
how much the parser, the router, the buffer, `core::fmt`, hashing and so on
cost, even though LTO has inlined most of them into one function of the
connection. With --requests, the numbers are per request.

Only exclusive costs are summed: the cost line after a `calls=` line is the
callee's inclusive cost, already counted where the callee's own lines are.
"""

import argparse
import collections
import re

# A file's layer, by the first pattern its path matches.
LAYERS = [
    ("ch01 sockets", r"ch01-sockets/"),
    ("ch02 buffer", r"ch02-buffer/"),
    ("ch03 poller", r"ch03-poller/"),
    ("ch04 parser", r"ch04-parser/src/(parser|chars|request|error)\.rs"),
    ("ch04 response", r"ch04-parser/src/response\.rs"),
    ("ch05 router", r"ch05-router/"),
    ("ch06 threadpool", r"ch06-threadpool/"),
    ("ch07 connection", r"ch07-workers/src/connection\.rs"),
    ("ch07 worker loop", r"ch07-workers/src/"),
    ("ch08 pooling", r"ch08-pooling/"),
    ("ch09 timeouts", r"ch09-timeouts/"),
    ("final crate", r"final/src/"),
    ("core::fmt", r"library/(core|alloc|std)/src/fmt/|/fmt\.rs$|/fmt/"),
    ("hashing", r"library/(core|std)/src/hash/|siphash|/hash/"),
    ("allocator", r"malloc|alloc/src/(alloc|raw_vec)|/alloc\.rs$"),
    ("libc (syscall wrappers, memcpy)", r"sysdeps|string/|\./"),
    ("Rust std (other)", r"library/|/rustc/"),
]


def layer_of(path):
    for name, pattern in LAYERS:
        if re.search(pattern, path):
            return name
    return "other"


def exclusive_costs(dump):
    """(file -> cost, function -> cost, total) from a callgrind dump."""
    names = {}

    def name(value):
        # "(12) path" defines id 12; "(12)" refers to it later.
        m = re.match(r"\((\d+)\)\s*(.*)", value)
        if not m:
            return value
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), m.group(1))

    by_file, by_function = collections.Counter(), collections.Counter()
    file_name = function = current = "?"
    skip_next = False
    total = 0
    with open(dump, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, eq, value = line.partition("=")
            if eq and key in ("fl", "fi", "fe", "fn", "cfl", "cfi", "cfn", "ob", "cob", "calls"):
                if key == "fl":
                    file_name = current = name(value)
                elif key in ("fi", "fe"):
                    current = name(value)
                elif key == "fn":
                    function = name(value)
                    current = file_name
                elif key in ("cfl", "cfi", "cfn", "ob", "cob"):
                    name(value)
                elif key == "calls":
                    skip_next = True
                continue
            if line[0] in "0123456789+-*":
                parts = line.split()
                if len(parts) < 2:
                    continue
                if skip_next:
                    skip_next = False
                    continue
                cost = int(parts[1])
                by_file[current] += cost
                by_function[function] += cost
                total += cost
            elif line.startswith("summary:") or line.startswith("totals:"):
                pass
    return by_file, by_function, total


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dump")
    p.add_argument("--requests", type=int, default=1)
    p.add_argument("--files", type=int, default=15)
    p.add_argument("--functions", type=int, default=0)
    args = p.parse_args()
    by_file, by_function, total = exclusive_costs(args.dump)
    n = args.requests
    by_layer = collections.Counter()
    for path, cost in by_file.items():
        by_layer[layer_of(path)] += cost
    unit = "instructions per request" if n > 1 else "instructions"
    print(f"total: {total / n:,.0f} {unit}\n")
    print(f"| layer | {unit} | share |\n|---|---:|---:|")
    for layer, cost in by_layer.most_common():
        print(f"| {layer} | {cost / n:,.0f} | {100 * cost / total:.1f}% |")
    if args.files:
        print(f"\n| source file | {unit} | share |\n|---|---:|---:|")
        for path, cost in by_file.most_common(args.files):
            short = re.sub(r".*/(chapters|final|library)/", r"\1/", path)
            print(f"| {short} | {cost / n:,.0f} | {100 * cost / total:.1f}% |")
    if args.functions:
        print(f"\n| function | {unit} | share |\n|---|---:|---:|")
        for function, cost in by_function.most_common(args.functions):
            print(f"| `{function[:90]}` | {cost / n:,.0f} | {100 * cost / total:.1f}% |")


if __name__ == "__main__":
    main()
