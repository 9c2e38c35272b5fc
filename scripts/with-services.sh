#!/usr/bin/env bash
# `npm start`, `npm run seed` and `npm run bench:*`: installs what is missing, starts the backing
# services if they are not up (and stops them again afterwards), then runs one TypeScript script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
source scripts/lib/run-services.sh
run_services services
node --import tsx "$@"
