#!/usr/bin/env bash
# Instructions per parse, chapter 4's parser alone: each request of
# chapter 4's benchmarks parsed in a loop (examples/parse_loop.rs) under
# callgrind, at each revision given (default: HEAD).
#
#   bench/parser-instructions.sh [REV ...]
#
# The count for one parse is the difference between 11,000 and 1,000
# parses, over 10,000, so that the program's start is not in it. Callgrind
# counts are deterministic to within a few instructions: one run each.
# A revision older than the example gets today's example and requests
# copied into its worktree (the parser's API they use has not changed).
#
# httparse, chapter 4's benchmark peer, is counted the same way beside it
# (httparse-REQUEST lines). Instructions are not time: httparse's SIMD
# instructions each do more, so the ratio of counts is not the ratio of
# times that chapter 4's criterion benchmark measures.
#
# Results: one line per revision and request in
# bench/results/hotpath/parser-instructions.txt (appended).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 0 ]] && set -- HEAD
command -v valgrind >/dev/null || sudo apt-get install -y valgrind
TMP=${TMPDIR:-/tmp}
OUT=bench/results/hotpath/parser-instructions.txt
EXAMPLE=chapters/ch04-parser/examples/parse_loop.rs
REQUESTS=chapters/ch04-parser/benches/support/requests.rs
[[ -s $OUT ]] || echo "# revision request instructions-per-parse (bench/parser-instructions.sh)" >"$OUT"
count() { # BIN REQUEST TIMES [httparse]: instructions callgrind counted
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
        sed -n 's/.*Collected : *//p' | tr -d ,
}
for rev in "$@"; do
    rev=$(git rev-parse --short=7 "$rev")
    src=$TMP/ec-parse-src
    rm -rf "$src"
    git worktree prune
    git worktree add -q -f --detach "$src" "$rev"
    mkdir -p "$src/$(dirname "$REQUESTS")"
    [[ -e $src/$EXAMPLE ]] || cp "$EXAMPLE" "$src/$EXAMPLE"
    [[ -e $src/$REQUESTS ]] || cp "$REQUESTS" "$src/$REQUESTS"
    (cd "$src" && CARGO_TARGET_DIR=$TMP/ec-parse-target cargo build -q --release -p ch04-parser --example parse_loop)
    bin=$TMP/ec-parse-target/release/examples/parse_loop
    for request in wrk techempower browser bytewise; do
        few=$(count "$bin" "$request" 1000)
        many=$(count "$bin" "$request" 11000)
        echo "$rev $request $(((many - few) / 10000))" | tee -a "$OUT"
    done
    # The benchmark's peer, with the same Cargo.lock's httparse.
    for request in wrk techempower browser; do
        few=$(count "$bin" "$request" 1000 httparse)
        many=$(count "$bin" "$request" 11000 httparse)
        echo "$rev httparse-$request $(((many - few) / 10000))" | tee -a "$OUT"
    done
    git worktree remove --force "$src"
done
