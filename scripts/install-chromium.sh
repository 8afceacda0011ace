#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests and bench/web.py, only where missing (idempotent).
# Playwright for Python drives /usr/bin/chromium (it cannot download browsers here). Prints its path.
set -euo pipefail
BIN="${ZAPDOC_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
"$BIN" --version >&2
echo "$BIN"
