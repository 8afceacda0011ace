#!/usr/bin/env bash
# Install what the "what a person sees" tests need, only where missing (Debian, idempotent):
#   - LibreOffice Calc (headless) to open the workbook and print it to PDF, with Carlito, the
#     metric-compatible stand-in for the workbook's Calibri font that LibreOffice normally brings along;
#   - LibreOffice Writer (headless) to print the generated Word invoices (tests/docxinvoices.py) to PDF;
#   - Chromium, driven by Playwright for Python, to render the delivered mails (and the web app);
#   - Pango with its FreeType backend, which WeasyPrint loads to print HTML invoices (tests/weasypdf.py).
set -euo pipefail
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)
[ -x /usr/lib/libreoffice/program/swriter ] || dpkg -s libreoffice-writer >/dev/null 2>&1 || missing+=(libreoffice-writer)
fc-list 2>/dev/null | grep -qi carlito || missing+=(fonts-crosextra-carlito)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing+=(libpangoft2-1.0-0)
if [ "${#missing[@]}" -eq 0 ]; then
    echo "desktop tools: LibreOffice Calc and Writer, Carlito, Chromium and Pango are installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "desktop tools: installing ${missing[*]} from Debian (a few minutes on a fresh machine)"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
echo "desktop tools: installed"
