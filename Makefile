# Casebridge developer entry points. `make demo` on a fresh clone: venv, install, stack, demo.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.install-stamp

.DEFAULT_GOAL := help
.PHONY: help install demo up down status test lint clean

help:
	@echo "make demo    create .venv, install, start the stack, play the demo scenario"
	@echo "make up      start Temporal, sandbox, shim and worker in the background (.stack/)"
	@echo "make down    stop them (the Temporal db in .stack/ is kept)"
	@echo "make status  one line per component"
	@echo "make test    run the test suite"
	@echo "make lint    ruff check + mypy"
	@echo "make clean   down, then remove .stack/ (all local Temporal state)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[temporal,dev]'
	touch $@

install: $(STAMP)

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

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

clean: down
	rm -rf .stack
