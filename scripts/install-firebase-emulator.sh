#!/usr/bin/env bash
# Install the Firebase CLI (npm firebase-tools) used to run the Firebase Authentication emulator locally
# and in tests. Installs into .tools/firebase-tools (no global npm install, no root); idempotent.
# Needs Node.js >= 20 and npm, and a Java runtime (the emulators are Java). Prints the firebase path.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${ZAPDOC_TOOLS_DIR:-.tools}/firebase-tools"
VERSION="${FIREBASE_TOOLS_VERSION:-15}"
BIN="$PREFIX/node_modules/.bin/firebase"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi
command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ (apt-get install nodejs npm)" >&2; exit 1; }
command -v java >/dev/null || { echo "java not found: install a Java runtime (openjdk-17-jre-headless)" >&2; exit 1; }
mkdir -p "$PREFIX"
echo "firebase-tools: installing firebase-tools@$VERSION from npm into $PREFIX (the Auth emulator;" \
     "about 600 packages, 2-7 minutes on a cold cache)" >&2
started=$SECONDS
( while sleep 20; do echo "firebase-tools: still installing ($((SECONDS - started)) s)" >&2; done ) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "firebase-tools@$VERSION" >&2
kill "$ticker" 2>/dev/null || true
echo "firebase-tools: installed in $((SECONDS - started)) s" >&2
"$BIN" --version >&2
echo "$BIN"
