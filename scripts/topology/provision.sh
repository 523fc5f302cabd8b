#!/usr/bin/env bash
# The production topology's binaries, built once from the Go module proxy into the ignored
# .tools/topology/ and reused when present: the Temporal server (the version docker-compose runs) and its
# schema tool with the server's PostgreSQL schema files (~6-9 minutes cold on 2 cores), and the Temporal
# Web UI server (the UI docker image's server, ~1 minute) with its docker.yaml, the template of the
# environment variables docker-compose sets. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
server=v1.28.1
ui=v2.55.0
out=".tools/topology/server-$server-ui-$ui"
command -v go >/dev/null || { echo "[topology] Go is needed to build the Temporal server (apt-get install golang)" >&2; exit 1; }
mkdir -p "$out/bin"
if [ ! -x "$out/temporal-server" ] || [ ! -x "$out/temporal-sql-tool" ] || [ ! -d "$out/schema" ]; then
  echo "[topology] building the Temporal server $server and its SQL tool (once)" >&2
  GOBIN="$PWD/$out/bin" GOFLAGS=-mod=mod go install "go.temporal.io/server/cmd/server@$server" "go.temporal.io/server/cmd/tools/sql@$server" >&2
  mv "$out/bin/server" "$out/temporal-server"
  mv "$out/bin/sql" "$out/temporal-sql-tool"
  rm -rf "$out/schema"
  cp -r "$(go env GOMODCACHE)/go.temporal.io/server@$server/schema/postgresql/v12" "$out/schema"
  chmod -R u+w "$out/schema"
fi
if [ ! -x "$out/temporal-ui-server" ] || [ ! -f "$out/ui/config/docker.yaml" ]; then
  echo "[topology] building the Temporal Web UI server $ui (once)" >&2
  # newer tags need a newer Go than the machine's: the local toolchain, this tag
  GOTOOLCHAIN=local GOBIN="$PWD/$out/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/ui-server/v2/cmd/server@$ui" >&2
  mv "$out/bin/server" "$out/temporal-ui-server"
  mkdir -p "$out/ui/config"
  cp "$(go env GOMODCACHE)/github.com/temporalio/ui-server/v2@$ui/config/docker.yaml" "$out/ui/config/docker.yaml"
  chmod u+w "$out/ui/config/docker.yaml"
fi
echo "$PWD/$out"
