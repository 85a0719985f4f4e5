#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (needs root, as on CI).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is not installed and this is not root: run 'sudo apt-get install chromium' first" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium
