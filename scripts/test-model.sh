#!/usr/bin/env bash
# `npm run test:model -- --ops N [--seed S]`: the model-based random test, longer or replayed.
set -euo pipefail
while [[ $# -gt 0 ]]; do
  case $1 in
    --ops) export MODEL_OPS=$2; shift 2 ;;
    --seed) export MODEL_SEED=$2; shift 2 ;;
    *) echo "usage: npm run test:model -- [--ops N] [--seed S]" >&2; exit 2 ;;
  esac
done
exec bash "$(dirname "${BASH_SOURCE[0]}")/test.sh" test/model
