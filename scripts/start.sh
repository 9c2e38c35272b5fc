#!/usr/bin/env bash
# `npm start`: installs what is missing, starts the backing services, then the bridges,
# migrations, the API on http://localhost:$API_PORT and the ingest worker (scripts/start.ts).
# Ctrl-C stops all of it, including the services if this command started them. (node itself
# runs start.ts, not the tsx CLI: the CLI relays Ctrl-C to its child and SIGKILLs it when the
# child has not acknowledged within 60 ms, which a busy machine can miss.)
exec bash "$(dirname "${BASH_SOURCE[0]}")/with-services.sh" scripts/start.ts "$@"
