#!/usr/bin/env bash
# `npm start`, `npm run seed` and `npm run bench:*`: installs what is missing, starts the backing
# services if they are not up (and stops them again afterwards), then runs one TypeScript script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
if ! bash scripts/services.sh status >/dev/null 2>&1; then
  trap 'bash scripts/services.sh down' EXIT
  bash scripts/services.sh up
fi
node --import tsx "$@"
