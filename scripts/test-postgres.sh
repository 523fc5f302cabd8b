#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server (Debian's package, installed when missing) on a free local
# port for the ledger suite, and prints the URL to use as TEST_DATABASE_URL. Stop it with
# `scripts/test-postgres.sh stop DIR`.
set -euo pipefail

if [ "${1:-}" = stop ]; then
  dir="$2"
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "[test-postgres] installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

dir="$(mktemp -d /tmp/sons-test-pg.XXXXXX)"
chown postgres "$dir"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off" start >/dev/null
echo "$dir postgres://postgres@127.0.0.1:$port/postgres"
