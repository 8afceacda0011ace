#!/usr/bin/env bash
# Install Tesseract OCR (offline OCR of scanned PDFs) with the languages the offline extractor reads:
# Debian's tesseract-ocr plus tesseract-ocr-eng, -fra, -deu and -nld, and -osd (page orientation).
# Idempotent: does nothing when all are present. Exits non-zero with a clear message when apt cannot install them.
set -euo pipefail

packages=(tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-nld)
missing=()
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ] && command -v tesseract >/dev/null 2>&1; then
    echo "tesseract: installed ($(tesseract --version 2>&1 | head -1))"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "tesseract: installing ${missing[*]} from Debian"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "tesseract: apt could not install ${missing[*]}; install them by hand" >&2; exit 1; }
command -v tesseract >/dev/null
echo "tesseract: installed ($(tesseract --version 2>&1 | head -1))"
