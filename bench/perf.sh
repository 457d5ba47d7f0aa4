#!/usr/bin/env bash
# A sampled profile of one server under wrk, kernel included:
#
#   bench/perf.sh NAME DEPTH CONNS CMD...
#
# e.g. bench/perf.sh eventcore-pipelined 16 256 target/release/eventcore --workers 1
#
# The server runs under `perf record -e cpu-clock -g` pinned to CPU 0 (this
# VM has no hardware counters, and attaching with -p recorded nothing), with
# `--port 18555` appended to CMD; wrk on CPU 1 sends /plaintext for 8 s on
# CONNS connections, DEPTH requests per write (bench/wrk/report.lua). Then
# SIGINT to the server. Writes bench/results/hotpath/perf-NAME.txt: the
# split between kernel and user space, and the top symbols of each.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1 depth=$2 conns=$3
shift 3
port=18555
out=bench/results/hotpath
mkdir -p "$out"
data=${TMPDIR:-/tmp}/perf-$name.data
command -v perf >/dev/null || sudo apt-get install -y linux-perf
taskset -c 0 perf record -q -F 2000 -e cpu-clock -g -o "$data" -- "$@" --port $port \
    >"${TMPDIR:-/tmp}/perf-$name.log" 2>&1 &
recorder=$!
for _ in $(seq 100); do
    curl -s "http://127.0.0.1:$port/plaintext" >/dev/null && break
    sleep 0.1
done
taskset -c 1 wrk -t1 -c"$conns" -d8s -s bench/wrk/report.lua \
    "http://127.0.0.1:$port/plaintext" -- "$depth" >"${TMPDIR:-/tmp}/perf-$name.wrk"
# perf passes SIGINT on to the server, which drains and exits.
kill -INT $recorder
wait $recorder || true
{
    echo "# bench/perf.sh $name $depth $conns $*"
    echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(uname -r)"
    grep -E 'Requests/sec' "${TMPDIR:-/tmp}/perf-$name.wrk" || true
    echo
    echo "## Samples by where they ran"
    perf report -i "$data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -8
    echo
    echo "## Top symbols (self time)"
    perf report -i "$data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
        | grep '%' | head -45
} >"$out/perf-$name.txt"
echo "wrote $out/perf-$name.txt"
