#!/usr/bin/env bash
# Installs Debian's chromium for the docs page's browser test (test/docs), when it is missing.
set -euo pipefail
command -v chromium >/dev/null && exit 0
((EUID == 0)) || { echo "[install] chromium is missing; install (as root): apt-get install chromium" >&2; exit 1; }
echo "[install] chromium (apt-get)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
