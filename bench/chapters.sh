#!/usr/bin/env bash
# Every number chapters 1 to 6 quote, in one go (about 20 minutes):
#
#   bench/chapters.sh [--fuzz]
#   ONLY=ch03-et-vs-lt-idle,ch06-bench bench/chapters.sh    (some of them)
#
# Runs each command of the appendix's "Rerun the measurements" table for
# chapters 1 to 6 and keeps its whole output, with the command, the commit
# and the machine on top, in bench/results/chapters/CHAPTER-NAME.txt. The
# chapters quote these files. Nothing else should run meanwhile: criterion
# and the epoll comparison measure time.
#
# --fuzz also runs the parser's fuzz target for 5 minutes (cargo-fuzz is
# installed if missing), keeps its last status lines in
# results/chapters/ch04-fuzz.txt and replaces fuzz/corpus/parse_request with
# the minimized corpus (`cargo fuzz cmin`) of the seeds and what it found.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results/chapters
mkdir -p "$OUT"

header() {
    echo "\$ $1"
    # "modified": the measured code (chapters 1 to 6) differs from the commit.
    local measured=(chapters/ch0[1-6]-*/{src,examples,benches} fuzz/fuzz_targets)
    echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- "${measured[@]}" || echo ' (modified)'), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, Linux $(uname -r)"
    echo
}

# run FILE COMMAND: runs the command through bash, output (stdout and
# stderr, in order) to the terminal and to results/chapters/FILE.txt.
run() {
    if [[ -n ${ONLY:-} && ",$ONLY," != *",$1,"* ]]; then
        return
    fi
    local file=$OUT/$1.txt
    echo "==> $1: $2" >&2
    { header "$2"; bash -c "$2" 2>&1; } | tee "$file"
}

# Build everything first, so that no build shares the machine with a
# measurement.
cargo build -q --release --workspace --examples
cargo bench -q --workspace --no-run 2>/dev/null

run ch01-socket-facts "cargo run -q -p ch01-sockets --example socket_facts"
run ch01-fcntl-cost "cargo run -q --release -p ch01-sockets --example fcntl_cost"
run ch02-buffer-facts "cargo run -q --release -p ch02-buffer --example buffer_facts"
run ch02-bench "cargo bench -q -p ch02-buffer --bench buffer -- --warm-up-time 1 --measurement-time 3"
run ch03-et-vs-lt "cargo run -q --release -p ch03-poller --example et_vs_lt"
run ch03-et-vs-lt-runs5 "cargo run -q --release -p ch03-poller --example et_vs_lt -- --runs 5"
run ch03-et-vs-lt-idle "cargo run -q --release -p ch03-poller --example et_vs_lt -- --conns 64 --idle 5000"
run ch04-bench "cargo bench -q -p ch04-parser --bench parser -- --warm-up-time 1 --measurement-time 3"
run ch05-bench "cargo bench -q -p ch05-router --bench router -- --warm-up-time 1 --measurement-time 2"
run ch06-bench "cargo bench -q -p ch06-threadpool --bench queue -- --warm-up-time 1 --measurement-time 2"
run ch06-pool-demo "cargo run -q -p ch06-threadpool --example pool_demo"
run ch06-pool-demo-22 "for i in \$(seq 22); do cargo run -q -p ch06-threadpool --example pool_demo 2>/dev/null | grep -o '[0-9]* refused'; done | sort | uniq -c"

if [[ ${1:-} == --fuzz ]]; then
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    export RUSTC_BOOTSTRAP=1
    found=$(mktemp -d)
    (cd fuzz && cargo fuzz build parse_request)
    # libFuzzer prints a status line per doubling and a summary at the end;
    # the last lines say how many runs, the coverage and the corpus size.
    run ch04-fuzz "cd fuzz && cargo fuzz run parse_request $found corpus/parse_request -- -max_total_time=300 -print_final_stats=1 2>&1 | grep -E '^#[0-9]+|^stat::|^Done|crash|ERROR' | tail -n 25"
    # Minimize the seeds and the finds together into the committed corpus.
    cp "$found"/* fuzz/corpus/parse_request/ 2>/dev/null || true
    (cd fuzz && cargo fuzz cmin parse_request corpus/parse_request 2>&1 | tail -n 2)
    echo "minimized corpus: $(ls fuzz/corpus/parse_request | wc -l) inputs, $(du -sb fuzz/corpus/parse_request | cut -f1) bytes" | tee -a "$OUT/ch04-fuzz.txt"
    rm -rf "$found"
fi
