#!/usr/bin/env bash
# Install what `make test` needs beyond Python packages, only where missing (idempotent):
# the Firestore/Pub/Sub emulators with a Java runtime, firebase-tools for the Auth emulator, Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-emulators.sh
bash scripts/install-firebase-emulator.sh >/dev/null
bash scripts/install-chromium.sh >/dev/null   # browser tests: Debian's Chromium (Playwright cannot download one)
echo "tools: emulators, firebase-tools and chromium ready"
