#!/usr/bin/env bash
# Everything `npm start` and `npm test` need on a fresh clone: node modules, then the Temporal binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing node modules (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
bash scripts/provision-temporal.sh
