#!/usr/bin/env bash
# Every number chapter 8's "Measure it" quotes, in one go (about 30 min):
#
#   bench/ch08.sh [SERIES_NAME]
#
# 1. bench/setup.sh: wrk, nginx, strace; the peers; our servers.
# 2. The series: chapter 8's server in both models, chapter 7's, nginx,
#    hyper, actix-web and may_minihttp; 3 passes (CPU per request, latency,
#    10,000 idle connections, syscalls per request).
# 3. 19,000 idle connections (the fd limit here is 20,000): chapter 8,
#    chapter 7 and nginx.
# 4. 1,000,000 connections made and closed, one request each, chapter 8's
#    server and chapter 7's: RSS every 5 s.
# 5. Start-up time and RSS with the seed's 100,000 slots allocated up front
#    and with none.
# Results: bench/results/SERIES.jsonl (+ raw/SERIES/), idle.jsonl,
# churn.jsonl, start.jsonl; the tables:
# bench/harness.py summary bench/results/SERIES.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${1:-ch08-$(date +%Y%m%d)}
bench/setup.sh
CH08=target/release/examples/pooled
CH07=target/release/examples/server
bench/harness.py series -n 3 --series "$SERIES" \
    --only ch08-inline ch08-seed ch07-inline ch07-seed nginx hyper actix-web may_minihttp
for server in "ch08-inline=$CH08 --port {port} --workers 1 --model inline" \
              "ch07-inline=$CH07 --port {port} --workers 1 --model inline" \
              "nginx=bench/peers/nginx/run.sh {port}"; do
    bench/harness.py idle -n 19000 "$server"
done
for server in "ch08-inline=$CH08 --port {port} --workers 1 --model inline" \
              "ch07-inline=$CH07 --port {port} --workers 1 --model inline"; do
    bench/harness.py churn -n 1000000 "$server"
done
bench/harness.py start --runs 7 \
    "ch08-slots-0=$CH08 --port {port} --workers 1" \
    "ch08-slots-100000=$CH08 --port {port} --workers 1 --slots 100000"
