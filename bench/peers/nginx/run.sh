#!/usr/bin/env bash
# nginx as a benchmark peer: one worker process, the two demo routes,
# access log off, keep-alive without a request limit, in the foreground;
# with ROOT, the files in ROOT at / too (sendfile on).
#
#   bench/peers/nginx/run.sh PORT [ROOT]
#
# NGINX_TCP_NOPUSH=off turns off tcp_nopush (TCP_CORK around a file's head
# and sendfile), for bench/files.py's nginx-nopush.
#
# It writes its configuration and runtime files under $TMPDIR/eventcore-nginx
# (never under /etc or /var) and execs nginx, so this script's PID is the
# master's: the harness stops it with SIGTERM like any other server.
set -euo pipefail
PORT=${1:?usage: run.sh PORT [ROOT]}
if [ -n "${2:-}" ]; then
    LOCATION="root $(realpath "$2");"
else
    LOCATION="return 404;"
fi
DIR=${TMPDIR:-/tmp}/eventcore-nginx/$PORT
mkdir -p "$DIR/logs" "$DIR/tmp"
sed -e "s#@PORT@#$PORT#g" -e "s#@DIR@#$DIR#g" -e "s#@LOCATION@#$LOCATION#g" \
    -e "s#@TCP_NOPUSH@#${NGINX_TCP_NOPUSH:-on}#g" "$(dirname "$0")/nginx.conf" > "$DIR/nginx.conf"
exec nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/logs/error.log" -g 'daemon off;'
