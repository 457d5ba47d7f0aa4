#!/usr/bin/env bash
# Chapter 4's parser against httparse, as a ratio of times taken in the
# same run, over several runs: criterion's own intervals on this VM are
# about ±5%, and from one run to the next both parsers' times move by a
# fifth and more, together. Within one run they meet the same machine.
#
#   bench/parser-ratio.sh [RUNS]    (default 9; about 20 s a run)
#
# Each run is chapter 4's criterion benchmark for the TechEmpower and the
# browser request (ours, then httparse), pinned to CPU 0. Prints each
# run's times and ratios, then the median ratio per request, and keeps it
# all in bench/results/chapters/ch04-ratio.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
out=bench/results/chapters/ch04-ratio.txt
cargo bench -q -p ch04-parser --bench parser --no-run
{
    echo "# bench/parser-ratio.sh $runs at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- chapters/ch04-parser || echo ' (modified)'), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, Linux $(uname -r)"
    for run in $(seq "$runs"); do
        taskset -c 0 cargo bench -q -p ch04-parser --bench parser -- \
            --warm-up-time 1 --measurement-time 2 --noplot "parse/(eventcore|httparse)/(techempower|browser)" 2>&1 |
            python3 -c '
import re, sys
text = sys.stdin.read()
t = {}
for name, mid, unit in re.findall(r"parse/(\S+)\s+time:\s+\[\S+ \S+ (\S+) (\S+) ", text):
    t[name] = float(mid) * (1000 if unit == "µs" else 1)
cells = []
for req in ("techempower", "browser"):
    ours, theirs = t[f"eventcore/{req}"], t[f"httparse/{req}"]
    cells.append(f"{req} {ours:.1f} ns / {theirs:.1f} ns = {ours / theirs:.2f}")
print(f"run '"$run"': " + ", ".join(cells))
'
    done
} | tee "$out"
python3 - "$out" <<'PY' | tee -a "$out"
import re, statistics, sys
lines = open(sys.argv[1]).read()
for req in ("techempower", "browser"):
    ratios = [float(r) for r in re.findall(req + r" [\d.]+ ns / [\d.]+ ns = ([\d.]+)", lines)]
    print(f"median {req}: {statistics.median(ratios):.2f} times httparse "
          f"(runs {min(ratios):.2f} to {max(ratios):.2f})")
PY
