#!/usr/bin/env bash
# The browser the console's tests drive: Debian's Chromium (Playwright's own download cannot reach its
# servers from here). Installed when missing; prints nothing when it is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "[provision-chromium] installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
