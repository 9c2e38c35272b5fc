#!/usr/bin/env bash
# `npm run test:cluster`: the node-loss tests (test/cluster) on the cluster stack: starts it
# (scripts/services.sh --cluster) unless it runs already, runs them, and stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CLUSTER=1
# A NATS node restarted under writes is healthy only once its copy of the stream is current again.
export SERVICES_TIMEOUT=${SERVICES_TIMEOUT:-120}

bash scripts/install-deps.sh
if bash scripts/services.sh status >/dev/null 2>&1; then
  echo "[test:cluster] cluster services already running; leaving them up" >&2
else
  trap 'bash scripts/services.sh down' EXIT
  bash scripts/services.sh up
fi
node_modules/.bin/vitest run --config vitest.cluster.config.ts "$@"
