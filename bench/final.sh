#!/usr/bin/env bash
# Every number "The final server" quotes, in one go (about 25 minutes):
#
#   bench/final.sh [NAME]
#
# 1. bench/setup.sh (which builds the eventcore binary too).
# 2. What the access log and the status endpoint cost: instructions per
#    request under callgrind (no noise moves them), for the binary with
#    neither, with the access log (Combined, to a file), with the status
#    endpoint, and with both; then server CPU µs per request, the access
#    log against neither and the status endpoint against neither,
#    alternating round by round (harness.py ab), 4 rounds each.
# 3. Multi-process mode past one process's fd limit: 2 processes holding
#    30,000 connections, 4 holding 60,000 (bench/processes.py).
# Results: bench/results/instructions.jsonl, NAME-access.jsonl,
# NAME-status.jsonl (+ raw/), processes.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${1:-final-$(date +%Y%m%d)}
bench/setup.sh
BIN=target/release/eventcore
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
OFF="eventcore=$BIN --port {port} --workers 1"
ACCESS="eventcore+access=$BIN --port {port} --workers 1 --access-log $LOGS/access.log"
STATUS="eventcore+status=$BIN --port {port} --workers 1 --status-path /status"
BOTH="eventcore+both=$BIN --port {port} --workers 1 --access-log $LOGS/both.log --status-path /status"
bench/harness.py instructions "$OFF" "$ACCESS" "$STATUS" "$BOTH"
bench/harness.py ab --rounds 4 --series "$NAME-access" "$ACCESS" "$OFF"
rm -f "$LOGS"/*.log
bench/harness.py ab --rounds 4 --series "$NAME-status" "$STATUS" "$OFF"
bench/processes.py --processes 2 --connections 30000 --clients 2
bench/processes.py --processes 4 --connections 60000 --clients 4
