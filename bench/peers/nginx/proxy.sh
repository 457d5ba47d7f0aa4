#!/usr/bin/env bash
# nginx as a reverse proxy (upstream keep-alive on) in front of backends on
# 127.0.0.1, one worker process, in the foreground:
#
#   bench/peers/nginx/proxy.sh PORT UPSTREAM_IDLE BACKEND_PORT...
#
# UPSTREAM_IDLE is nginx's keepalive_timeout for idle upstream connections
# (e.g. 2s). Configuration and runtime files go under
# $TMPDIR/eventcore-nginx-proxy/PORT; the script execs nginx, so its PID is
# the master's.
set -euo pipefail
PORT=${1:?usage: proxy.sh PORT UPSTREAM_IDLE BACKEND_PORT...}
IDLE=${2:?usage: proxy.sh PORT UPSTREAM_IDLE BACKEND_PORT...}
shift 2
[ $# -gt 0 ] || { echo "usage: proxy.sh PORT UPSTREAM_IDLE BACKEND_PORT..." >&2; exit 2; }
BACKENDS=""
for backend in "$@"; do
    BACKENDS="$BACKENDS server 127.0.0.1:$backend;"
done
DIR=${TMPDIR:-/tmp}/eventcore-nginx-proxy/$PORT
mkdir -p "$DIR/logs" "$DIR/tmp"
sed -e "s#@PORT@#$PORT#g" -e "s#@DIR@#$DIR#g" -e "s#@BACKENDS@#$BACKENDS#g" \
    -e "s#@UPSTREAM_IDLE@#$IDLE#g" "$(dirname "$0")/proxy.conf" > "$DIR/nginx.conf"
exec nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/logs/error.log" -g 'daemon off;'
