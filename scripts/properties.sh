#!/usr/bin/env bash
# The money properties (test/properties/) at a chosen size: npm run test:properties -- --runs 200 [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) export PROPERTY_RUNS="$2"; shift 2 ;;
    --seed) export PROPERTY_SEED="$2"; shift 2 ;;
    --path) export PROPERTY_PATH="$2"; shift 2 ;;
    *) echo "usage: npm run test:properties -- [--runs N] [--seed N] [--path P]" >&2; exit 2 ;;
  esac
done
exec npm run jest -- test/properties
