#!/usr/bin/env bash
# Every number chapter 9's "Measure it" quotes, in one go (about 10 min):
#
#   bench/ch09.sh [NAME]
#
# 1. bench/setup.sh: wrk, nginx, strace; the peers; our servers.
# 2. Slowloris: a normal client (wrk, 8 keep-alive connections) alone,
#    beside 2,000 connections that trickle a request head one byte every
#    2 s for 25 s (each one closed is replaced), and after, in 5 s windows,
#    3 rounds; chapter 9's server (head timeout 10 s) and chapter 7's (no
#    timeouts).
# 3. The timers' cost: chapter 9's server against chapter 8's, alternating
#    round by round (harness.py ab), 4 rounds; and instructions per
#    request under callgrind, which no noise moves.
# 4. When an idle connection is really closed: 100 connections, chapter 9's
#    server with the seed's 60 s idle timeout.
# 5. (below) the seed's scan against the lists.
# Results: bench/results/slowloris.jsonl, NAME-timers.jsonl (+ raw/),
# instructions.jsonl, idle-close.jsonl, ch09-scan-vs-lists.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:-ch09-$(date +%Y%m%d)}
bench/setup.sh
CH09=target/release/timed
for server in "ch09-inline=$CH09 --port {port} --workers 1 --model inline" \
              "ch07-inline=target/release/examples/server --port {port} --workers 1 --model inline"; do
    bench/harness.py slowloris -n 2000 --every 2 --seconds 25 "$server"
done
bench/harness.py ab --rounds 4 --series "$NAME-timers" \
    "ch09-inline=$CH09 --port {port} --workers 1 --model inline" \
    "ch08-inline=target/release/examples/pooled --port {port} --workers 1 --model inline"
bench/harness.py instructions \
    "ch09-inline=$CH09 --port {port} --workers 1 --model inline" \
    "ch08-inline=target/release/examples/pooled --port {port} --workers 1 --model inline"
bench/harness.py idle-close -n 100 "ch09-inline=$CH09 --port {port} --workers 1"
# 5. The seed's scan against the lists, at 1,000, 10,000 and 19,000 idle
#    connections: µs per check, and how long an idle server may sleep.
CMD="cargo run -q --release -p ch09-timeouts-exercises --example scan_vs_lists"
{
    echo "\$ $CMD"
    echo "# commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, Linux $(uname -r)"
    echo
    $CMD
} | tee bench/results/ch09-scan-vs-lists.txt
