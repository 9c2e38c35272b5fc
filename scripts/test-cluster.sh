#!/usr/bin/env bash
# `npm run test:cluster`: the node-loss tests (test/cluster) on the cluster stack: starts it
# (scripts/services.sh --cluster) unless it runs already, runs them, and stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CLUSTER=1
# A NATS node restarted under writes is healthy only once its copy of the stream is current again.
export SERVICES_TIMEOUT=${SERVICES_TIMEOUT:-120}

bash scripts/install-deps.sh
source scripts/lib/run-services.sh
run_services test:cluster
node_modules/.bin/vitest run --config vitest.cluster.config.ts "$@"
