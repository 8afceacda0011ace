#!/usr/bin/env bash
# Install what `make test` needs beyond Python packages, only where missing (idempotent):
# the Firestore/Pub/Sub emulators with a Java runtime, and firebase-tools for the Auth emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-emulators.sh
bash scripts/install-firebase-emulator.sh >/dev/null
echo "tools: emulators and firebase-tools ready"
