#!/usr/bin/env bash
# How often an idle server wakes up: strace counts every syscall of every
# thread of the chapter 7 example server for 3 s with no client at all.
# The seed's accept loop sleeps 100 us between tries and its workers wake
# every 100 ms; ours should make no syscall at all.
#
# usage: bench/ch07-idle-wakeups.sh        (needs strace; ~10 s)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -p ch07-workers --example server >/dev/null 2>&1
SERVER=$ROOT/target/release/examples/server
for model in seed inline; do
  "$SERVER" --port 28089 --workers 2 --model "$model" >/dev/null &
  pid=$!
  sleep 0.5
  out=$(mktemp)
  timeout -s INT 3 strace -f -c -p "$pid" -o "$out" >/dev/null 2>&1 || true
  calls=$(awk '$NF == "total" {print $(NF-2)}' "$out")
  echo "$model: ${calls:-0} syscalls in 3 s idle (2 workers, $(ls /proc/$pid/task | wc -l) threads)"
  kill -INT "$pid"
  wait "$pid" || true
  rm -f "$out"
done
