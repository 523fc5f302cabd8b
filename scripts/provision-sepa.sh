#!/usr/bin/env bash
# What checks the SEPA files the engine writes: the official ISO 20022 schemas (shipped in PyPI's
# sepaxml, into .tools/venv) and Debian's xmllint. Installed when missing; prints the schemas' folder.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v xmllint >/dev/null 2>&1; then
  echo "[provision-sepa] installing Debian's xmllint" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends libxml2-utils >&2
fi
[ -x .tools/venv/bin/pip ] || python3 -m venv .tools/venv
if ! .tools/venv/bin/python -c 'import sepaxml' 2>/dev/null; then
  echo "[provision-sepa] installing sepaxml (the ISO 20022 schemas)" >&2
  .tools/venv/bin/pip install --quiet --disable-pip-version-check sepaxml==2.7.0 >&2
fi
.tools/venv/bin/python -c 'import os, sepaxml; print(os.path.join(os.path.dirname(sepaxml.__file__), "schemas"))'
