#!/usr/bin/env bash
# Installs Debian's Chromium for the SDK's browser check (packages/sdk/test/browser-*.test.ts)
# when it is missing. Called by .ci/run; safe to run repeatedly.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
