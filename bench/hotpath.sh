#!/usr/bin/env bash
# The hot path chapter's profile, revision by revision:
#
#   bench/hotpath.sh [REV ...]     (default: the revisions the book quotes)
#   bench/hotpath.sh --series NAME (the series the book quotes: about 25 min)
#   bench/hotpath.sh --ab NAME     (the server now against may_minihttp and
#                                   hyper, alternating: about 16 min)
#   bench/hotpath.sh --lenient     (the instructions the parser's RFC checks
#                                   cost, which may_minihttp does not make:
#                                   the server now, and built with
#                                   bench/experiments/lenient-parser.patch,
#                                   which drops the Host rules of RFC 9112
#                                   section 3.2 and lets the request-line's
#                                   one-pass scan ignore percent escapes (a
#                                   target with one goes the long way, which
#                                   still checks it); both profiled, and sent
#                                   bench/strictness.py's requests;
#                                   may_minihttp and hyper counted beside
#                                   them; about 6 min)
#
# For each revision: the final server built at that commit (in a git
# worktree under $TMPDIR, one shared target directory), its instructions per
# request under callgrind (harness.py instructions: 20,000 keep-alive
# requests on 64 connections, and 1,000 batches of 16 pipelined requests),
# and where they go by layer and source file (bench/attribute.py).
# Callgrind counts of our single-threaded loop are deterministic to within
# a few instructions, so one run per revision is enough; each takes about
# 3 minutes. (A peer on a multi-threaded runtime is not: hyper's count
# moved by 3% between two runs.)
#
# Results: bench/results/hotpath/instructions.jsonl, the callgrind dumps in
# bench/results/hotpath/raw/instructions/, and
# bench/results/hotpath/profile-REV-LOAD.md.
#
# With --series: the final server before the chapter (567d7c9) and now,
# beside nginx, hyper, actix-web and may_minihttp, in one series of 3
# passes (harness.py series; results/NAME.jsonl and raw/NAME/).
#
# With --ab: the server now against may_minihttp, then against hyper, each
# pair in 6 rounds of alternating order (harness.py ab), which compares two
# servers more closely than a series, whose servers run one after another;
# results/NAME-may.jsonl and results/NAME-hyper.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=567d7c9
SERIES=
if [[ ${1:-} == --ab ]]; then
    name=${2:?a name}
    bench/setup.sh
    # A copy: a build during the 20 minutes must not change the server
    # between rounds.
    ab_bin=${TMPDIR:-/tmp}/ec-ab-eventcore
    cp target/release/eventcore "$ab_bin"
    ours="eventcore=$ab_bin --port {port} --workers 1"
    bench/harness.py ab --series "$name-may" "$ours" "may_minihttp=bench/peers/target/release/may-peer {port}"
    bench/harness.py ab --series "$name-hyper" "$ours" "hyper=bench/peers/target/release/hyper-peer {port}"
    exit
fi
if [[ ${1:-} == --lenient ]]; then
    # An experiment, never a build anyone runs: the patched parser answers
    # 200 to a request without Host (bench/strictness.py shows which
    # servers do).
    rev=$(git rev-parse --short=7 HEAD)
    TMP=${TMPDIR:-/tmp}
    rm -rf "$TMP/ec-lenient-src"
    git worktree prune
    git worktree add -f --detach "$TMP/ec-lenient-src" "$rev"
    (cd "$TMP/ec-lenient-src" && git apply "$OLDPWD/bench/experiments/lenient-parser.patch" &&
        CARGO_TARGET_DIR=$TMP/ec-hot-target cargo build --release -p eventcore &&
        cp "$TMP/ec-hot-target/release/eventcore" "$TMP/ec-lenient-$rev" &&
        git checkout -q . &&
        CARGO_TARGET_DIR=$TMP/ec-hot-target cargo build --release -p eventcore &&
        cp "$TMP/ec-hot-target/release/eventcore" "$TMP/ec-strict-$rev")
    git worktree remove --force "$TMP/ec-lenient-src"
    bench/setup.sh
    bench/harness.py instructions --out bench/results/hotpath \
        "eventcore-strict@$rev=$TMP/ec-strict-$rev --port {port} --workers 1" \
        "eventcore-lenient@$rev=$TMP/ec-lenient-$rev --port {port} --workers 1" \
        "may_minihttp=bench/peers/target/release/may-peer {port}" \
        "hyper=bench/peers/target/release/hyper-peer {port}"
    for build in strict lenient; do
        for load in keep-alive:20000 pipelined:16000; do
            python3 bench/attribute.py \
                "bench/results/hotpath/raw/instructions/eventcore-$build@$rev-${load%:*}.callgrind.1" \
                --binary "$TMP/ec-$build-$rev" --requests "${load#*:}" --functions 25 \
                >"bench/results/hotpath/profile-$rev-$build-${load%:*}.md"
        done
    done
    # What the lenient build answers, beside the server as it is.
    bench/strictness.py --series "strictness-$rev-lenient" --only eventcore \
        --add "eventcore-lenient=$TMP/ec-lenient-$rev --port {port} --workers 1"
    exit
fi
if [[ ${1:-} == --series ]]; then
    SERIES=${2:?a series name}
    set -- "$BEFORE"
fi
PEERS=
if [[ $# -eq 0 ]]; then
    # Before the chapter, then each change it describes, in order; and the
    # two peers the chapter compares instruction counts with.
    set -- "$BEFORE" 4407479 a3b00e3 7bf6174 aa3c838 6395afc e11fe67 7ca0a64 7677b06 a5b5c99 cd42125 7fb8d9e 1f8bdf7
    PEERS=yes
fi
TMP=${TMPDIR:-/tmp}
OUT=bench/results/hotpath
BIN=$TMP/ec-hot-bin
mkdir -p "$OUT" "$BIN"
command -v valgrind >/dev/null || sudo apt-get install -y valgrind
for rev in "$@"; do
    rev=$(git rev-parse --short=7 "$rev")
    if [[ ! -x $BIN/eventcore-$rev ]]; then
        rm -rf "$TMP/ec-hot-src"
        git worktree prune
        git worktree add -f --detach "$TMP/ec-hot-src" "$rev"
        (cd "$TMP/ec-hot-src" && CARGO_TARGET_DIR=$TMP/ec-hot-target cargo build --release -p eventcore)
        cp "$TMP/ec-hot-target/release/eventcore" "$BIN/eventcore-$rev"
        git worktree remove --force "$TMP/ec-hot-src"
    fi
    [[ -n $SERIES ]] && continue # the series needs the binary only
    name=eventcore@$rev
    rm -f "$OUT/raw/instructions/$name"-*
    bench/harness.py instructions --out "$OUT" "$name=$BIN/eventcore-$rev --port {port} --workers 1"
    for load in keep-alive:20000 pipelined:16000; do
        python3 bench/attribute.py "$OUT/raw/instructions/$name-${load%:*}.callgrind.1" \
            --binary "$BIN/eventcore-$rev" --requests "${load#*:}" --functions 25 \
            >"$OUT/profile-$rev-${load%:*}.md"
    done
done
if [[ -n $PEERS ]]; then
    bench/setup.sh
    rm -f "$OUT/raw/instructions/may_minihttp-"* "$OUT/raw/instructions/hyper-"*
    bench/harness.py instructions --out "$OUT" \
        "may_minihttp=bench/peers/target/release/may-peer {port}" \
        "hyper=bench/peers/target/release/hyper-peer {port}"
fi
if [[ -n $SERIES ]]; then
    bench/setup.sh
    bench/harness.py series -n 3 --series "$SERIES" --only nginx hyper actix-web may_minihttp \
        --add "eventcore-before=$BIN/eventcore-$BEFORE --port {port} --workers 1" \
              "eventcore=target/release/eventcore --port {port} --workers 1"
fi
