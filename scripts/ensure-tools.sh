#!/usr/bin/env bash
# Install what `make test` needs beyond Python packages, only where missing (idempotent):
# the Firestore/Pub/Sub emulators with a Java runtime, firebase-tools for the Auth emulator,
# Tesseract with its eng/fra/deu/nld packs for offline OCR of scans, LibreOffice Calc and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-emulators.sh
bash scripts/install-firebase-emulator.sh >/dev/null
bash scripts/install-tesseract.sh
bash scripts/install-desktop-tools.sh  # LibreOffice Calc (workbook print test), Chromium (mail renderings)
echo "tools: emulators, firebase-tools, tesseract, LibreOffice and Chromium ready"
