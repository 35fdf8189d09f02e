#!/usr/bin/env bash
# Installs what the dashboard browser test (DashboardBrowserIT) drives Chromium with: playwright-core, at the
# version locked in package-lock.json, into node_modules beside this script. playwright-core downloads no browser:
# the test uses Debian's /usr/bin/chromium (apt-get install chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
