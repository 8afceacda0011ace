# ZapDoc — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when the project definition or a lockfile changes.
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
STACK_STAMP   := $(VENV)/.stack-installed
# Pinned, hashed lockfiles (regenerate with `make lock` after changing pyproject.toml):
#   requirements/base.lock (the CLI), functions.lock (deployed functions), stack.lock (make dev),
#   dev.lock (tests and tools).
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LOCK := $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --universal --generate-hashes \
	--custom-compile-command "make lock" --quiet

.PHONY: all web demo test lint typecheck unit install install-dev examples clean help dev dev-down package lock openapi screenshots

# The web app (web/, npm lockfile, esbuild) is built into shared/zapdoc/webapp, which the api function
# serves and ships; rebuilt when its sources or lockfile change.
WEB_STAMP := shared/zapdoc/webapp/manifest.json
WEB_SOURCES := $(wildcard web/src/* web/index.html web/build.mjs web/package-lock.json)

all: install web
	@$(MAKE) --no-print-directory help

web: $(WEB_STAMP)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_STAMP): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && node build.mjs

package: $(RUNTIME_STAMP) web
	$(BIN)/zapdoc package -o dist/functions

help:
	@echo "make demo   - install ZapDoc in .venv and extract the bundled examples into demo.xlsx"
	@echo "make test   - install dev tools, then ruff, mypy and every test (emulators started by the tests)"
	@echo "make dev    - start the local stack and the web app (its URL is printed first); make dev-down stops it"
	@echo "make web    - build the web app (npm ci + esbuild into shared/zapdoc/webapp); make package ships it"
	@echo "make lock   - re-resolve requirements/*.lock after changing pyproject.toml"
	@echo "make openapi - regenerate openapi/openapi.yaml from the API's routes and models"
	@echo "make screenshots - refresh docs/screenshots/ (the browser and mail-rendering tests save there)"
	@echo "make lint | typecheck | unit | examples | clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml requirements/base.lock | $(BIN)/python
	$(PIP) -r requirements/base.lock
	$(PIP) --no-deps -e .
	@touch $@

$(DEV_STAMP): pyproject.toml requirements/dev.lock | $(BIN)/python
	$(PIP) -r requirements/dev.lock
	$(PIP) --no-deps -e .
	@touch $@ $(RUNTIME_STAMP)

$(STACK_STAMP): pyproject.toml requirements/stack.lock | $(BIN)/python
	@echo "make dev: installing what the local stack runs (ZapDoc with its cloud SDKs, the storage emulator)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements/stack.lock
	$(PIP) --no-deps -e .
	@touch $@ $(RUNTIME_STAMP)

# Re-resolve every lockfile from pyproject.toml (needs the dev tools: uv).
lock: $(DEV_STAMP)
	$(LOCK) -o requirements/base.lock
	$(LOCK) --extra cloud -o requirements/functions.lock
	$(LOCK) --extra stack -o requirements/stack.lock
	$(LOCK) --extra dev -o requirements/dev.lock

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/zapdoc extract examples/invoices examples/receipts --template invoice -o demo.xlsx
	@echo "Open demo.xlsx (sheets: Results, Line items, Evidence, Summary)."

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# openapi/openapi.yaml is generated from the API's routes and pydantic models (tests/unit/test_openapi_document.py
# fails in `make test` when the checked-in file differs).
openapi: $(DEV_STAMP)
	$(BIN)/python scripts/gen-openapi

unit: $(DEV_STAMP)
	$(BIN)/pytest -q tests/unit

test: $(DEV_STAMP) web
	bash scripts/ensure-tools.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

dev: $(STACK_STAMP) web
	bash scripts/install-emulators.sh
	bash scripts/install-firebase-emulator.sh >/dev/null
	$(BIN)/zapdoc dev up

dev-down: $(STACK_STAMP)
	$(BIN)/zapdoc dev down

screenshots: $(DEV_STAMP) web
	ZAPDOC_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser tests/integration/test_mail_rendering.py

examples: $(DEV_STAMP)
	$(BIN)/python examples/make_examples.py

clean:
	rm -rf $(VENV) demo.xlsx .mypy_cache .ruff_cache .pytest_cache dist build shared/zapdoc/webapp web/node_modules
