#!/usr/bin/env bash
# A throw-away PostgreSQL server (Debian's package, installed when missing) on a free local port, for
# the suite, the benchmarks and the drill. Prints "DIR URL".
#   scripts/test-postgres.sh              start a new one
#   scripts/test-postgres.sh stop DIR     stop it and remove its files
#   scripts/test-postgres.sh halt DIR     stop it, keeping its files (the drill's outage)
#   scripts/test-postgres.sh resume DIR   start it again on its files and port
set -euo pipefail

bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }
pgctl() { runuser -u postgres -- "$(bin)/pg_ctl" "$@"; }
serve() {
  local dir="$1" port="$2"
  pgctl -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=${TEST_POSTGRES_FSYNC:-off}" start >/dev/null
}

case "${1:-}" in
  stop)
    pgctl -D "$2/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$2"
    exit 0 ;;
  halt)
    pgctl -D "$2/data" -m fast stop >/dev/null
    exit 0 ;;
  resume)
    serve "$2" "$(cat "$2/port")"
    exit 0 ;;
esac

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "[test-postgres] installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi

dir="$(mktemp -d /tmp/sons-test-pg.XXXXXX)"
chown postgres "$dir"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "$port" > "$dir/port"
runuser -u postgres -- "$(bin)/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
serve "$dir" "$port"
echo "$dir postgres://postgres@127.0.0.1:$port/postgres"
