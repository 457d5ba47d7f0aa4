#!/usr/bin/env bash
# Chapter 7's whole-server measurements: both execution models against
# nginx and hyper, in the same series, with the shared harness
# (../shared/bench: server pinned to CPU 0, wrk pinned to CPU 1).
#
# usage: bench/ch07-workers.sh [-n PASSES=3] [extra full_pass.sh options]
# needs: apt wrk nginx strace; the hyper peer built by
#        ../shared/bench/peers/build_peers.sh (or just its hyper_peer)
# writes: bench/results/results.jsonl (one line per run) and
#         bench/results/summary-ch07-<time>.md (medians over the passes);
#         raw wrk output and server logs under bench/results/raw/ (not committed)
# takes: about 4 min per pass (4 servers x wrk 3 x 13 s, 10 000 idle
#        connections, 20 000 requests under strace)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/../shared/bench}
export RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$RESULTS_DIR"

cargo build --release -p ch07-workers --example server
SERVER=$ROOT/target/release/examples/server
PEERS=$(mktemp)
trap 'rm -f "$PEERS"' EXIT
cat >"$PEERS" <<CONF
# name | port | server CPUs | command
eventcore-seed-w1   | 28087 | 0 | $SERVER --port 28087 --workers 1 --model seed
eventcore-inline-w1 | 28088 | 0 | $SERVER --port 28088 --workers 1 --model inline
CONF
grep -E '^(nginx-w1|hyper-ct) ' "$HARNESS/peers-1core.conf" >>"$PEERS"
"$HARNESS/full_pass.sh" -s "ch07-$(date +%Y%m%dT%H%M%S)" -f "$PEERS" "$@"
