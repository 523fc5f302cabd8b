#!/usr/bin/env bash
# The real Temporal server (the version docker-compose runs) and its schema tool, built once from the Go
# module proxy into the ignored .tools/temporal-server/ and reused when present (~9 minutes cold on 2
# cores, seconds warm). Also the server's PostgreSQL schema files. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v1.28.1
out=".tools/temporal-server/$version"
if [ ! -x "$out/temporal-server" ] || [ ! -x "$out/temporal-sql-tool" ] || [ ! -d "$out/schema" ]; then
  command -v go >/dev/null || { echo "[topology] Go is needed to build the Temporal server (apt-get install golang)" >&2; exit 1; }
  echo "[topology] building the Temporal server $version and its SQL tool (once)" >&2
  mkdir -p "$out/bin"
  GOBIN="$PWD/$out/bin" GOFLAGS=-mod=mod go install "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version" >&2
  mv "$out/bin/server" "$out/temporal-server"
  mv "$out/bin/sql" "$out/temporal-sql-tool"
  rm -rf "$out/schema"
  cp -r "$(go env GOMODCACHE)/go.temporal.io/server@$version/schema/postgresql/v12" "$out/schema"
  chmod -R u+w "$out/schema"
fi
echo "$PWD/$out"
