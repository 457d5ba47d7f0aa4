#!/usr/bin/env bash
# Every number chapter 7's "Measure it" quotes, in one go (about 45 min):
#
#   bench/ch07.sh [SERIES_NAME]
#
# 1. bench/setup.sh: wrk, nginx, strace; the peers; the chapter 7 server.
# 2. The server as it was before the seams for chapters 8 and 9 (commit
#    ae3f666), built in a git worktree under $TMPDIR, so that the series
#    measures the cost of the seams: same code otherwise, same run.
# 3. The series: chapter 7's two models, the same two before the seams,
#    nginx, hyper, actix-web and may_minihttp; 3 passes.
# 4. The seams' cost, closer: each model against itself before the seams,
#    alternating round by round (harness.py ab), 6 and 4 rounds.
#    And instructions per request under callgrind, the inline model before
#    and after.
# 5. 19,900 idle connections on one worker (the fd limit here is 20,000).
# 6. The syscalls of an idle server with two workers, in 3 s.
# Results: bench/results/SERIES.jsonl (+ raw/SERIES/), the two ab series,
# idle.jsonl and idle-wakeups.jsonl; the tables:
# bench/harness.py summary bench/results/SERIES.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES=${1:-ch07-$(date +%Y%m%d)}
BEFORE=ae3f666
TMP=${TMPDIR:-/tmp}
bench/setup.sh
if [[ ! -x $TMP/ec-before-target/release/examples/server ]]; then
    git worktree add -f "$TMP/ec-before" "$BEFORE"
    (cd "$TMP/ec-before" && CARGO_TARGET_DIR=$TMP/ec-before-target cargo build --release -p ch07-workers --example server)
fi
OLD=$TMP/ec-before-target/release/examples/server
bench/harness.py series -n 3 --series "$SERIES" \
    --only ch08-inline ch08-seed ch07-inline ch07-seed nginx hyper actix-web may_minihttp \
    --add "ch07-before-inline=$OLD --port {port} --workers 1 --model inline" \
          "ch07-before-seed=$OLD --port {port} --workers 1 --model seed"
NEW=target/release/examples/server
bench/harness.py ab --rounds 6 --series "ch07-seams-inline-${SERIES#ch07-}" \
    "ch07-inline=$NEW --port {port} --workers 1 --model inline" \
    "ch07-before-inline=$OLD --port {port} --workers 1 --model inline"
bench/harness.py ab --rounds 4 --series "ch07-seams-seed-${SERIES#ch07-}" \
    "ch07-seed=$NEW --port {port} --workers 1 --model seed" \
    "ch07-before-seed=$OLD --port {port} --workers 1 --model seed"
bench/harness.py instructions \
    "ch07-inline=$NEW --port {port} --workers 1 --model inline" \
    "ch07-before-inline=$OLD --port {port} --workers 1 --model inline"
bench/harness.py idle -n 19900 \
    "ch07-inline=target/release/examples/server --port {port} --workers 1 --model inline"
for model in seed inline; do
    bench/harness.py idle-wakeups \
        "ch07-$model-w2=target/release/examples/server --port {port} --workers 2 --model $model"
done
