#!/usr/bin/env bash
# Runs one fuzz target for a number of executions, then minimizes the
# committed corpus with what it found:
#
#   bench/fuzz.sh TARGET RUNS [SECONDS]
#
# e.g. bench/fuzz.sh parse_request 100000000, bench/fuzz.sh connection 100000000
#
# TARGET is one of fuzz/fuzz_targets/ (see fuzz/README.md); the run stops
# after RUNS executions or SECONDS (default: 6 hours), whichever comes
# first, pinned to CPU 1 (FUZZ_CPU=N for another). It starts from fuzz/corpus/TARGET and writes new
# inputs to a temporary directory; afterwards the two are minimized
# together (`cargo fuzz cmin`) into fuzz/corpus/TARGET. libFuzzer's status
# lines (one per doubling of the runs) and final statistics go to
# bench/results/fuzz/TARGET-DATE.txt.
# A crash stops the run and leaves the input in fuzz/artifacts/TARGET/.
# FUZZ_SANITIZER=none builds without AddressSanitizer (cargo fuzz's
# default): faster, but blind to what ASan would see in the unsafe code of
# chapters 1 to 3 (readv's spill, sendmsg's iovecs), which the connection
# target runs.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?a fuzz target}
runs=${2:?a number of executions}
seconds=${3:-21600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-address}
out=bench/results/fuzz
mkdir -p "$out" "fuzz/corpus/$target"
log=$out/$target-$(date +%Y%m%d-%H%M).txt
found=$(mktemp -d)
(cd fuzz && cargo fuzz build -s "$sanitizer" "$target")
{
    echo "# FUZZ_SANITIZER=$sanitizer bench/fuzz.sh $target $runs $seconds at $(git rev-parse --short HEAD)"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(uname -r)"
    echo "# corpus before: $(ls "fuzz/corpus/$target" | wc -l) inputs"
} >"$log"
status=0
(cd fuzz && taskset -c "${FUZZ_CPU:-1}" cargo fuzz run -s "$sanitizer" "$target" "$found" "corpus/$target" -- \
    -runs="$runs" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1) \
    | grep -E 'INITED|pulse|DONE|^stat::|^Done|crash|ERROR|panicked|SUMMARY' >>"$log" || status=$?
cp "$found"/* "fuzz/corpus/$target/" 2>/dev/null || true
rm -rf "$found"
(cd fuzz && cargo fuzz cmin -s "$sanitizer" "$target" "corpus/$target" 2>&1 | tail -n 2) >>"$log"
echo "# minimized corpus: $(ls "fuzz/corpus/$target" | wc -l) inputs, $(cat "fuzz/corpus/$target"/* | wc -c) bytes" >>"$log"
tail -n 4 "$log"
exit $status
