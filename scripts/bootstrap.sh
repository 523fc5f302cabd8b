#!/usr/bin/env bash
# Everything `npm start` and `npm test` need on a fresh clone: node modules, then the Temporal binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm install`, not `npm ci`: the registries reachable here do not serve every platform build of
# @swc/core (darwin, win32), so the lock cannot list them and `npm ci` refuses it as out of sync.
# With the lock present, `npm install` installs exactly its versions and skips the missing optionals.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing node modules" >&2
  npm install --no-audit --no-fund
fi
bash scripts/provision-temporal.sh
# the SMTP server npm start's mailbox and the tests use (a real one: aiosmtpd, from PyPI)
if ! .tools/venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  [ -x .tools/venv/bin/pip ] || python3 -m venv .tools/venv
  echo "[bootstrap] installing aiosmtpd" >&2
  .tools/venv/bin/pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6
fi
# the ISO 20022 schemas and xmllint that check the payment runs' SEPA files
bash scripts/provision-sepa.sh >/dev/null
