#!/usr/bin/env bash
# Installs the npm dependencies when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
marker=node_modules/.package-lock.json
if [[ -L node_modules ]]; then
  # Another checkout's packages, linked (a work tree): npm ci would empty that checkout's folder.
  echo "[install] node_modules is a link to another checkout's; not installing" >&2
elif [[ ! -f $marker || package-lock.json -nt $marker ]]; then
  echo "[install] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

# The docs page's Swagger UI, bundled into the Worker as text modules (functions/docs).
vendor=functions/docs/vendor
for file in swagger-ui-bundle.js swagger-ui.css; do
  if [[ ! -f $vendor/$file.txt || node_modules/swagger-ui-dist/$file -nt $vendor/$file.txt ]]; then
    mkdir -p "$vendor"
    cp node_modules/swagger-ui-dist/$file "$vendor/$file.txt"
  fi
done
