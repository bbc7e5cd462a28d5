# CloudSafeGuard front door. Every target sets up what it needs (venvs, npm packages) on a fresh machine.
#   make build   main job: synthesize every environment + the account baseline, scan them, print a summary
#   make test    everything CI runs: lint, unit/scan/glue/function tests, terraform validate, local e2e
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
SYNTH_DIR ?= cdktf.out
ENV ?= dev
# ENVS=dev,prod synthesizes a subset (all environments by default).
export CSG_ENVIRONMENTS := $(ENVS)

.PHONY: help setup synth scan build validate lint test test-unit e2e local-up local-down verify bench deploy diff clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	@# The generated bindings' bytecode as `python -O` compiles it, which the fast-synth loader uses.
	$(PY) -m harness.provider_loader
	touch $@

$(CHECKOV_VENV)/.installed: security/requirements-checkov.txt
	$(PYTHON_BIN) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet -r security/requirements-checkov.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed ## Create the Python venvs (app + checkov)

synth: $(VENV)/.installed ## Synthesize every environment (ENVS=dev,prod for a subset) into cdktf.out/
	$(PY) main.py

# `make scan SYNTH_DIR=<dir>` scans an existing synthesized folder (e.g. a CI artifact) without synthesizing.
scan: $(VENV)/.installed $(CHECKOV_VENV)/.installed ## checkov gate over $(SYNTH_DIR) (synthesizes first if it is cdktf.out)
	@if [ "$(SYNTH_DIR)" = "cdktf.out" ]; then $(PY) main.py; fi
	$(PY) -m security.gate --synth-dir $(SYNTH_DIR) --reports-dir reports/scan

build: scan ## Main job: synth + scan, with a per-stack summary

validate: synth ## terraform init (offline mirror) + validate on every synthesized stack
	$(PY) -m harness.validate --synth-dir $(SYNTH_DIR)

lint: $(VENV)/.installed ## ruff + mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

test: $(VENV)/.installed $(CHECKOV_VENV)/.installed ## Lint, the test suite, then the local end-to-end run; JUnit in reports/
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest --junitxml=reports/junit.xml --ignore=tests/e2e
	$(MAKE) --no-print-directory e2e

e2e: $(VENV)/.installed ## Local end-to-end: emulator, apply, post-deploy suite, idempotence, fault self-test, destroy
	$(PY) -m harness.local e2e

local-up: $(VENV)/.installed ## Deploy the local target on a background emulator; prints export lines (.local/env)
	$(PY) -m harness.local up

local-down: $(VENV)/.installed ## Stop the background emulator and delete the local deployment
	$(PY) -m harness.local down

verify: $(VENV)/.installed ## Post-deploy suite against ENV (ENV=local: the local deployment; else the real account)
	$(PY) -m harness.verify --env $(ENV)

bench: $(VENV)/.installed $(CHECKOV_VENV)/.installed ## Synth/scan benchmark (medians on this machine)
	$(PY) -m harness.bench

deploy diff: $(VENV)/.installed node_modules/.installed ## cdktf deploy|diff one stack: make deploy ENV=dev
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" TF_CLI_CONFIG_FILE="$$($(PY) -c 'from harness.terraform_cli import write_cli_config; print(write_cli_config())')" \
		npx cdktf $@ $(ENV)

clean: ## Remove generated output (keeps the venvs)
	rm -rf cdktf.out reports .pytest_cache .mypy_cache .ruff_cache
