# ILS Coach: `make run` to start the app, `make test` to run the tests (both set everything up first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# axe-core (MPL-2.0) for the browser tests' accessibility scan: installed from npm into build/, never committed.
AXE_VERSION := 4.14.1
AXE := build/axe/node_modules/axe-core/axe.min.js
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run install install-dev index test check lint bench evaluate clean axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

index: install
	$(BIN)/python -m index build

run: index
	@echo "ILS Coach: open http://localhost:$(PORT) in your browser (Ctrl+C stops it)"
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.headless true

axe:
	@if [ -f $(AXE) ] && grep -q '"version": "$(AXE_VERSION)"' build/axe/node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null; then \
		npm install --prefix build/axe --no-audit --no-fund --no-package-lock --no-save --silent axe-core@$(AXE_VERSION); \
	else echo "npm not found: the browser tests skip their accessibility scan (apt-get install npm)"; fi

test: install-dev axe
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/python -m ruff check .

check: lint test

evaluate: index
	$(BIN)/python -m retrieval.evaluate

bench: install-dev index
	$(BIN)/python -m bench

clean:
	rm -rf index/data build .pytest_cache .ruff_cache
