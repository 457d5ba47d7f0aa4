#!/usr/bin/env bash
# nginx as a benchmark peer: one worker process, the two demo routes,
# access log off, keep-alive without a request limit, in the foreground.
#
#   bench/peers/nginx/run.sh PORT
#
# It writes its configuration and runtime files under $TMPDIR/eventcore-nginx
# (never under /etc or /var) and execs nginx, so this script's PID is the
# master's: the harness stops it with SIGTERM like any other server.
set -euo pipefail
PORT=${1:?usage: run.sh PORT}
DIR=${TMPDIR:-/tmp}/eventcore-nginx/$PORT
mkdir -p "$DIR/logs" "$DIR/tmp"
sed -e "s#@PORT@#$PORT#g" -e "s#@DIR@#$DIR#g" "$(dirname "$0")/nginx.conf" > "$DIR/nginx.conf"
exec nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/logs/error.log" -g 'daemon off;'
