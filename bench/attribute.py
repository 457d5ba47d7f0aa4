#!/usr/bin/env python3
"""Where a server's user-space instructions go: parse, route, handler,
response head, Date, buffer, connection, the loop.

    bench/attribute.py DUMP --binary BIN [--requests N] [--functions K]

DUMP is a callgrind output file written with `--dump-instr=yes`, such as
the `*.callgrind.1` files that `harness.py instructions` writes into
`results/raw/instructions/` (one dump of exactly the measured requests);
BIN is the server binary it ran. With --requests, numbers are per request.

With fat LTO nearly everything is inlined into a few functions of the
connection, so a profile by function says little, and a profile by source
line charges the iterator and slice code of the standard library, inlined
everywhere, to the standard library. So each instruction's address is
looked up with `addr2line -i`, which lists the chain of inlined frames at
that address, and the cost goes to the innermost frame that is our code
(`chapters/` or `final/`): a slice iterator inlined into the parser counts
as parsing. Code that is not ours and was not inlined into ours (libc's
memcpy, a `core::fmt` function that was called) is listed by its own name.

Only exclusive costs are summed: the cost line after a `calls=` line is the
callee's inclusive cost, already counted where the callee's own
instructions are.
"""

import argparse
import collections
import re
import subprocess

# Our frames, by path: the first pattern that matches names the part.
PARTS = [
    ("Date", r"ch04-parser/src/response\.rs", r"DateCache|imf_fixdate|civil_from_days"),
    ("response head", r"ch04-parser/src/response\.rs", None),
    ("parse", r"ch04-parser/", None),
    ("route", r"ch05-router/", None),
    ("handler", r"ch07-workers/src/demo\.rs", None),
    ("buffer", r"ch02-buffer/", None),
    ("connection", r"ch07-workers/src/connection\.rs", None),
    ("the loop", r"ch0[13679]-\w+/|ch08-pooling/", None),
    ("final crate", r"final/src/", None),
]

# Code that is not ours: by its object, then by its function's name.
FOREIGN = [
    ("libc: memcpy, memmove, memcmp", r"libc", r"mem(cpy|move|cmp|set)"),
    ("libc: syscall wrappers", r"libc", r""),
    ("clock (vDSO)", r"vdso", r""),
    ("core::fmt", r"", r"core::fmt|fmt::"),
    ("allocator", r"", r"malloc|free|realloc|calloc|__rust_(alloc|dealloc|realloc)"),
    ("hashing", r"", r"[Hh]ash|sip"),
]

OURS = re.compile(r"/(chapters|final)/")


def parse_dump(dump):
    """{(object, function): {address: cost}} and the total, from a dump
    written with --dump-instr=yes (positions: instr line)."""
    names = {}

    def name(value):
        m = re.match(r"\((\d+)\)\s*(.*)", value)
        if not m:
            return value
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), m.group(1))

    costs = collections.defaultdict(collections.Counter)
    obj = function = "?"
    addr = 0
    skip_next = False
    total = 0
    with open(dump, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, eq, value = line.partition("=")
            if eq and re.fullmatch(r"c?(ob|fl|fi|fe|fn)|calls|jump|jcnd", key):
                if key == "ob":
                    obj = name(value)
                elif key == "fn":
                    function = name(value)
                elif key == "calls":
                    skip_next = True
                else:
                    name(value)
                continue
            if line[0] not in "0123456789+-*":
                continue
            parts = line.split()
            if len(parts) < 3:
                continue
            pos = parts[0]
            if pos.startswith("0x"):
                addr = int(pos, 16)
            elif pos[0] in "+-":
                addr += int(pos)
            elif pos != "*":
                addr = int(pos)
            if skip_next:
                skip_next = False
                continue
            cost = int(parts[2])
            costs[(obj, function)][addr] += cost
            total += cost
    return costs, total


def inline_chains(binary, addresses, base):
    """{address: [(function, file), ...]} innermost first, via addr2line -i."""
    if not addresses:
        return {}
    query = "\n".join(hex(a - base) for a in addresses) + "\n"
    out = subprocess.run(["addr2line", "-a", "-i", "-f", "-C", "-e", binary],
                         input=query, capture_output=True, text=True, check=True).stdout
    chains, current, lines = {}, None, out.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("0x"):
            current = int(lines[i], 16) + base
            chains[current] = []
            i += 1
            continue
        function = lines[i]
        where = lines[i + 1] if i + 1 < len(lines) else "??:0"
        chains[current].append((function, where.rsplit(":", 1)[0]))
        i += 2
    return chains


def part_of_ours(function, path):
    for part, file_pattern, function_pattern in PARTS:
        if re.search(file_pattern, path) and (
                function_pattern is None or re.search(function_pattern, function)):
            return part
    return "ours (other)"


def part_of_foreign(obj, function):
    for part, obj_pattern, function_pattern in FOREIGN:
        if re.search(obj_pattern, obj) and re.search(function_pattern, function):
            return part
    return "Rust std and other (called, not inlined)"


def find_base(binary, costs):
    """The load address of a position-independent binary under valgrind:
    the candidate under which addr2line names, for most sampled addresses,
    the function that callgrind says they belong to."""
    sample = []
    for (_, function), by_addr in costs.items():
        if function.startswith("eventcore"):
            sample += [(a, function) for a in list(by_addr)[:3]]
    sample = sample[:60]
    best, best_hits = 0, -1
    for base in (0x108000, 0, 0x400000, 0x4000000, 0x10000000):
        try:
            chains = inline_chains(binary, [a for a, _ in sample], base)
        except subprocess.CalledProcessError:
            continue
        short = lambda f: f.split("::")[-1].split("<")[0]  # noqa: E731
        hits = sum(1 for a, fn in sample
                   if chains.get(a) and short(chains[a][-1][0]) == short(fn))
        if hits > best_hits:
            best, best_hits = base, hits
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dump")
    p.add_argument("--binary", required=True)
    p.add_argument("--requests", type=int, default=1)
    p.add_argument("--functions", type=int, default=20,
                   help="also list this many of our functions (innermost frames)")
    p.add_argument("--callers", action="store_true",
                   help="name each function with the frame it was inlined into")
    args = p.parse_args()
    costs, total = parse_dump(args.dump)
    base = find_base(args.binary, costs)
    ours_objects = {obj for obj, _ in costs if obj.endswith(args.binary.split("/")[-1])}
    addresses = sorted({a for (obj, _), by in costs.items() if obj in ours_objects for a in by})
    chains = inline_chains(args.binary, addresses, base)
    by_part, by_function = collections.Counter(), collections.Counter()
    for (obj, function), by_addr in costs.items():
        for addr, cost in by_addr.items():
            frames = []
            if obj in ours_objects:
                frames = [(f, path) for f, path in chains.get(addr, []) if OURS.search(path)]
            # Chapter 2's byte search is a helper: it counts for its caller.
            while len(frames) > 1 and re.search(r"ch02-buffer/src/search\.rs", frames[0][1]):
                frames = frames[1:]
            if frames:
                frame = frames[0]
                by_part[part_of_ours(*frame)] += cost
                label = frame[0]
                if args.callers and len(frames) > 1:
                    label += f" in {frames[1][0]}"
                by_function[label] += cost
            else:
                by_part[part_of_foreign(obj, function)] += cost
                by_function[f"{function} (not ours)"] += cost
    n = args.requests
    unit = "instructions per request" if n > 1 else "instructions"
    print(f"total: {total / n:,.0f} {unit}\n")
    print(f"| part | {unit} | share |\n|---|---:|---:|")
    for part, cost in by_part.most_common():
        print(f"| {part} | {cost / n:,.0f} | {100 * cost / total:.1f}% |")
    if args.functions:
        print(f"\n| function (innermost frame of ours) | {unit} | share |\n|---|---:|---:|")
        for function, cost in by_function.most_common(args.functions):
            short = re.sub(r"\b(eventcore_\w+|core|alloc|std)::", "", function)
            print(f"| `{short[:100]}` | {cost / n:,.0f} | {100 * cost / total:.1f}% |")


if __name__ == "__main__":
    main()
