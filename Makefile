# Two commands for a newcomer: `make serve` and `make test`.
# Each provisions what it needs: the virtual environment, the pinned
# dependencies and, for the tests, a Chromium browser.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Material prints a banner about MkDocs 2.0 on every run; the stack is pinned to 1.6.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test bench deploy notebooks new browser clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The stamps make pip run again whenever a requirements file changes.
$(VENV)/.site-deps: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.notebook-deps: requirements-notebooks.txt $(VENV)/.site-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-notebooks.txt
	@touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.notebook-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# A save rebuilds only what it changes (--dirty, kept correct by
# overrides/hooks/incremental.py); git dates and feeds are left to real builds.
serve: $(VENV)/.site-deps ## Serve the site with live reload on http://127.0.0.1:8000
	DIARY_HISTORY=false $(BIN)/mkdocs serve --dirty --dev-addr $(HOST):$(PORT)

build: $(VENV)/.site-deps ## Strict build into site/
	$(BIN)/mkdocs build --strict --clean

browser: $(VENV)/.dev-deps ## Make sure a Chromium for the browser tests exists
	@$(BIN)/python scripts/ensure_browser.py

test: $(VENV)/.dev-deps browser ## Run the whole test suite
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-deps browser ## Compare this configuration with a stock one on a large synthetic diary (ARGS="--essays 40 ...")
	$(BIN)/python scripts/bench.py $(ARGS)

new: $(VENV)/.notebook-deps ## Start a draft: make new KIND=note|essay|notebook TITLE="..." SUMMARY="..." [TAGS=a,b] [CATEGORY=...] [FOLDER=...]
	$(BIN)/python scripts/new.py "$(KIND)" "$(TITLE)" --summary "$(SUMMARY)" $(if $(TAGS),--tags "$(TAGS)") $(if $(CATEGORY),--category "$(CATEGORY)") $(if $(FOLDER),--folder "$(FOLDER)")

notebooks: $(VENV)/.notebook-deps ## Execute changed notebooks and update the execution report
	$(BIN)/python scripts/run_notebooks.py $(if $(FORCE),--force)

deploy: $(VENV)/.dev-deps browser ## From a clean tree: test, build strictly, then publish to gh-pages
	$(BIN)/python scripts/deploy.py

clean: ## Remove the built site and caches (keeps .venv)
	rm -rf site .cache .pytest_cache
