#!/usr/bin/env bash
# `npm run test:load`: 60 s of mixed load (LOAD_SECONDS, LOAD_CLIENTS override) with its checks.
set -euo pipefail
export LOAD_SECONDS=${LOAD_SECONDS:-60}
exec bash "$(dirname "${BASH_SOURCE[0]}")/test.sh" test/load
