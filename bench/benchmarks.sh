#!/usr/bin/env bash
# Every number the Benchmarks chapter quotes, in one go (about 45 minutes,
# on an otherwise idle machine):
#
#   bench/benchmarks.sh [NAME]
#
# 1. bench/setup.sh: wrk, nginx, strace; the peers; our binaries.
# 2. One series, every server: the final binary in both models against
#    nginx, hyper, actix-web and may_minihttp, 3 passes, with 19,000 idle
#    connections held (and fresh requests timed beside them).
# 3. The seed's 1M connections: bench/million.py, in steps, multi-process.
# 4. Behind nginx as a reverse proxy: bench/proxy.py.
# 5. What each server answers to requests the RFCs say to refuse:
#    bench/strictness.py (under a minute).
# 6. The charts, drawn again from the results: cargo xtask charts.
# Results: bench/results/NAME.jsonl, NAME-million.jsonl, NAME-proxy.jsonl,
# NAME-strictness.jsonl (+ raw/), book/src/charts/. The instructions the
# checks cost need two builds, so they are a command of their own:
# bench/hotpath.sh --lenient.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:-bench-$(date +%Y%m%d)}
bench/setup.sh
bench/harness.py series -n 3 --idle 19000 --series "$NAME" \
    --only eventcore eventcore-seed nginx hyper actix-web may_minihttp
bench/million.py --series "$NAME-million"
bench/proxy.py --series "$NAME-proxy"
bench/strictness.py --series "$NAME-strictness"
cargo xtask charts
