#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the backing services, runs the whole suite
# (vitest's global set-up brings up the bridges, migrations and the API in workerd).
# Services this run started are stopped again at the end; ones already running are left alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash scripts/install-browser.sh
source scripts/lib/run-services.sh
run_services test
npm run --silent typecheck
node_modules/.bin/vitest run "$@"
