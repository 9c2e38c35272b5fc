#!/usr/bin/env bash
# with-profile.sh dev|test COMMAND…: runs COMMAND with the profile's settings in its environment
# (scripts/lib/profile.ts: the env files, validated; for dev, what the environment sets wins).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=$1
shift
settings="$(cd "$ROOT" && node --import tsx scripts/lib/profile.ts "$profile")"
eval "$settings"
exec "$@"
