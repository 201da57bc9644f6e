# ILS Coach: `make run` to start the app, `make test` to run the tests (both set everything up first).
# `make serve` runs it for a team: WORKERS Streamlit processes (default: the cores) behind HAProxy on PORT.
# `make test-fast` runs the fast tier only (no real model); TESTS=... limits either to some test files.
# `make container-test` builds and checks the container image with podman (Dockerfile; not part of `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# axe-core (MPL-2.0) for the browser tests' accessibility scan: installed from npm into build/, never committed.
AXE_VERSION := 4.14.1
AXE := build/axe/node_modules/axe-core/axe.min.js
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ORT_DISABLE_TELEMETRY := 1

.PHONY: run serve install install-dev index test test-fast check lint bench evaluate clean axe container-wheels \
	container-seed container-test

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

# The project's own modules, byte-compiled before the index is built (compileall skips those already current), so
# that a fresh process (a command, each app worker) reads them compiled rather than compiling them at every start,
# even where PYTHONDONTWRITEBYTECODE keeps Python from saving what it compiles.
MODULES := app.py cli.py coach.py errors.py settings.py bench coaching conversation corpus explore index retrieval \
	safety serve ui

index: install
	$(BIN)/python -m compileall -q $(MODULES)
	$(BIN)/python -m index build

run: index
	@echo "ILS Coach: open http://localhost:$(PORT) in your browser (Ctrl+C stops it)"
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.headless true

# WORKERS empty: ILS_COACH_WORKERS, else the number of cores (serve/__init__.py; needs apt-get install haproxy).
WORKERS ?=
serve: index
	$(BIN)/python -m serve --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

axe:
	@if [ -f $(AXE) ] && grep -q '"version": "$(AXE_VERSION)"' build/axe/node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null; then \
		npm install --prefix build/axe --no-audit --no-fund --no-package-lock --no-save --silent axe-core@$(AXE_VERSION); \
	else echo "npm not found: the browser tests skip their accessibility scan (apt-get install npm)"; fi

# pytest-xdist processes per tier (0: in the pytest process itself), a whole test file to a worker so that a file's
# module fixtures are set up once. The real tier's workers share one real index (built once per run) and spend
# much of their time waiting on servers, browsers and subprocesses, so two finish sooner; a second fast-tier worker
# repeats the imports and session fixtures, which pays where the second core is free, as on CI, and costs more than
# it saves on a busy shared machine (FAST_WORKERS=0 there; README, Tests).
TEST_WORKERS ?= 2
FAST_WORKERS ?= 2
# One tier of the tests: $(1) is the marker expression, $(2) the number of workers, $(3) more pytest options. Exit
# code 5 (no test collected, as when TESTS names files with nothing in that tier) is not a failure.
define tier
	$(BIN)/python -m pytest -m "$(1)" -n $(2) --dist loadfile $(3) $(TESTS); status=$$?; \
	[ $$status -eq 0 ] || [ $$status -eq 5 ]
endef

# The fast tier: logic with fakes, the tiny framework and a tiny BERT; never the real model.
test-fast: install-dev
	$(call tier,not slow,$(FAST_WORKERS),)

# The fast tier first, stopping at its first failure (--maxfail=1, which stops every worker), then the real-model
# tier (the real model, index, server and browser), which tunes the model only when the tuned-model cache
# (ILS_COACH_CACHE_DIR) lacks it.
test: install-dev axe
	$(call tier,not slow,$(FAST_WORKERS),--maxfail=1)
	$(call tier,slow,$(TEST_WORKERS),)

lint: install-dev
	$(BIN)/python -m ruff check .

check: lint test

evaluate: index
	$(BIN)/python -m retrieval.evaluate

bench: install-dev index
	$(BIN)/python -m bench

# The container image (Dockerfile; README, "Running it in a container"). Its wheels are made here, where pip finds
# the CPU build of torch, into the build context (build/container/wheels, never committed), pinned to the versions
# this .venv runs, so the image build installs them without a network.
CONTAINER := build/container
$(CONTAINER)/wheels/.made: requirements.txt $(VENV)/.installed
	rm -rf $(CONTAINER)/wheels && mkdir -p $(CONTAINER)
	$(BIN)/python -m pip freeze --exclude-editable > $(CONTAINER)/constraints.txt
	$(BIN)/python -m pip wheel --quiet -r requirements.txt -c $(CONTAINER)/constraints.txt -w $(CONTAINER)/wheels
	touch $@

container-wheels: $(CONTAINER)/wheels/.made

# SEED=1 puts this checkout's tuned model from the tuned-model cache into the build context (when its key matches),
# so the image build skips tuning; by default the build tunes its own.
SEED ?=
container-seed: install
	rm -rf $(CONTAINER)/seed && mkdir -p $(CONTAINER)/seed
	$(if $(SEED),$(BIN)/python -m container.seed $(CONTAINER)/seed)

# Build the image with podman on a Debian base made here with debootstrap, run it, check health, the CLI inside it
# and one chat answer through its proxy, and remove what it made (KEEP=1 keeps the image). Not part of `make test`.
container-test: install-dev container-wheels container-seed
	bash container/test.sh

clean:
	rm -rf index/data build .pytest_cache .ruff_cache
