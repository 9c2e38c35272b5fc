#!/usr/bin/env bash
# `npm start`: installs what is missing, starts the backing services, then the bridges,
# migrations, the API on http://localhost:$API_PORT and the ingest worker (scripts/start.ts).
# Ctrl-C stops all of it, including the services if this command started them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
if ! bash scripts/services.sh status >/dev/null 2>&1; then
  trap 'bash scripts/services.sh down' EXIT
  bash scripts/services.sh up
fi
# node itself, not the tsx CLI: the CLI relays Ctrl-C to its child and SIGKILLs it when the
# child has not acknowledged within 60 ms, which a busy machine can miss.
node --import tsx scripts/start.ts
