# Two commands for a newcomer: `make serve` and `make test`.
# Each provisions what it needs: the virtual environment, the pinned
# dependencies, the diary's own package (diary/, the `diary` MkDocs plugin)
# and, for the tests, a Chromium browser.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The engine that builds the site: mkdocs, or properdocs (the maintained
# MkDocs 1.x fork, installed beside it) with `make build ENGINE=properdocs`.
ENGINE ?= mkdocs
# Material prints a banner about MkDocs 2.0 on every run; the stack is pinned to 1.6.
export NO_MKDOCS_2_WARNING := 1
# mkdocs-jupyter imports nbconvert's command-line app, which builds every exporter
# to list them in its help (0.4 s of each mkdocs start); the site needs none of that.
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1

.PHONY: serve build check test bench deploy notebooks new browser clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

# The stamps make pip run again whenever a requirements file or pyproject.toml changes.
$(VENV)/.site-deps: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.notebook-deps: requirements-notebooks.txt $(VENV)/.site-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-notebooks.txt
	@touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.notebook-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# A save rebuilds only what it changes (--dirty, kept correct by the diary
# plugin's speed layer); git dates and feeds are left to real builds.
serve: $(VENV)/.site-deps ## Serve the site with live reload on http://127.0.0.1:8000
	DIARY_HISTORY=false $(BIN)/$(ENGINE) serve --dirty --dev-addr $(HOST):$(PORT)

build: $(VENV)/.site-deps ## Strict build into site/
	$(BIN)/$(ENGINE) build --strict --clean

browser: $(VENV)/.dev-deps ## Make sure a Chromium for the browser tests exists
	@$(BIN)/python scripts/ensure_browser.py

check: $(VENV)/.dev-deps ## Run the unit tests only (under a minute)
	$(BIN)/python -m pytest -m unit

test: $(VENV)/.dev-deps browser ## Run the whole test suite
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-deps browser ## Compare this configuration with a stock one on a large synthetic diary (ARGS="--essays 40 ...")
	$(BIN)/python scripts/bench.py $(ARGS)

new: $(VENV)/.notebook-deps ## Start a draft: make new KIND=note|essay|notebook TITLE="..." SUMMARY="..." [TAGS=a,b] [CATEGORY=...] [FOLDER=...]
	$(BIN)/python scripts/new.py "$(KIND)" "$(TITLE)" --summary "$(SUMMARY)" $(if $(TAGS),--tags "$(TAGS)") $(if $(CATEGORY),--category "$(CATEGORY)") $(if $(FOLDER),--folder "$(FOLDER)")

notebooks: $(VENV)/.notebook-deps ## Execute changed notebooks and update the execution report (CHECK=1: only list stale ones)
	$(BIN)/python scripts/run_notebooks.py $(if $(FORCE),--force) $(if $(CHECK),--check)

deploy: $(VENV)/.dev-deps browser ## From a clean tree: test, build strictly, then publish to gh-pages (ALLOW_STALE=1: even stale notebook outputs)
	$(BIN)/python scripts/deploy.py $(if $(ALLOW_STALE),--allow-stale)

clean: ## Remove the built site and caches (keeps .venv)
	rm -rf site .cache .pytest_cache
