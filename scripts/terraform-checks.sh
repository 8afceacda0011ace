#!/usr/bin/env bash
# Offline Terraform checks (what `make test` runs for terraform/): fmt, checkov, and the HCL-vs-code tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
if command -v terraform >/dev/null; then
  terraform fmt -check -recursive terraform
else
  echo "terraform not installed: fmt check skipped" >&2
fi
"$BIN/checkov" -d terraform --framework terraform --skip-download --compact --quiet
"$BIN/pytest" -q tests/unit/test_terraform.py tests/unit/test_terraform_docs.py
