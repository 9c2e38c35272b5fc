#!/usr/bin/env bash
# npm run deploy: the pre-deploy check (check-deploy.ts), the Postgres migrations at DIRECT_URL,
# then `wrangler deploy`. API_TOKEN goes up with the new version (--secrets-file), not in a step
# of its own, so the new code never runs without it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node --import tsx scripts/check-deploy.ts
node --import tsx shared/migrate/cli.ts postgres
if [[ -z ${API_TOKEN:-} ]]; then
  exec wrangler deploy
fi
secrets="$(mktemp -d)"
trap 'rm -rf "$secrets"' EXIT
# JSON keeps every character of the token; it reaches node through the environment, not argv.
node -e 'process.stdout.write(JSON.stringify({ API_TOKEN: process.env.API_TOKEN }))' >"$secrets/secrets.json"
wrangler deploy --secrets-file "$secrets/secrets.json"
