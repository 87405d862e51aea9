# Mitra on one Debian machine. `make run` starts the system; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := shared services/registry services/agreements services/notifications services/reporting services/console devtools
STAMP := $(VENV)/.installed-stamp
SERVICES := registry agreements notifications reporting console
# A service started without MITRA_ENVIRONMENT runs as production; what make starts here is the local system.
export MITRA_ENVIRONMENT ?= local

.PHONY: help
help:
	@echo "make run      set up everything (virtualenv, PostgreSQL, RabbitMQ) and run the system in the foreground;"
	@echo "             Ctrl-C stops it, and PostgreSQL and RabbitMQ if this run started them"
	@echo "make test     set up everything and run every check and test (lint, types, unit, integration, e2e)"
	@echo "make migrate  apply every service's database migrations"
	@echo "make docs     regenerate the AsyncAPI documents under docs/asyncapi/"
	@echo "make token    print a bearer token for the local APIs"
	@echo "make bench    run the performance benchmark and the console's page weights (bench/; not in make test)"
	@echo "make chaos    two replicas of every service under load and faults, on a private PostgreSQL and RabbitMQ,"
	@echo "             reconciled from outside (chaos/, docs/chaos.md; not in make test, its short run is)"
	@echo "make chaos-cluster  the same on a RabbitMQ cluster of three nodes (the compose cluster profile's"
	@echo "             configuration), one node at a time stopped and started"
	@echo "make infra    make sure PostgreSQL and RabbitMQ run (installs them from Debian packages if missing)"
	@echo "make browser  make sure the browser tests have Debian's chromium and axe-core (tests/browser/)"

$(STAMP): $(foreach p,$(PACKAGES),$(p)/pyproject.toml) requirements-dev.txt constraints.txt
	@scripts/ensure-python.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt $(foreach p,$(PACKAGES),-e $(p)) -r requirements-dev.txt
	@touch $@

.PHONY: venv
venv: $(STAMP)

.PHONY: infra
infra:
	@scripts/ensure-infra.sh

.PHONY: browser
browser:
	@scripts/ensure-browser.sh

.PHONY: migrate
migrate: venv infra
	$(PY) -m mitra_devtools.run --migrate

# scripts/run-system.sh: on the way out (Ctrl-C, SIGTERM, a failure) it stops the system, then PostgreSQL and
# RabbitMQ if this run started them.
.PHONY: run
run: venv
	@PY=$(PY) scripts/run-system.sh

.PHONY: token
token: venv
	@$(PY) -m mitra_devtools.token

.PHONY: docs
docs: venv
	@for s in $(SERVICES); do $(PY) -m mitra_$$s asyncapi --output docs/asyncapi/$$s.json || exit 1; done
	@echo "docs/asyncapi/ regenerated"

.PHONY: bench
bench: venv infra browser
	$(PY) -m bench
	$(PY) -m bench.page_weight

# The private PostgreSQL cluster and RabbitMQ node are chaos's own (chaos/infra.py): it needs their Debian packages,
# not the shared servers running.
.PHONY: chaos chaos-cluster
chaos: venv infra
	$(PY) -m chaos

chaos-cluster: venv infra
	$(PY) -m chaos --cluster

.PHONY: lint
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

.PHONY: test
test: venv infra browser lint
	$(VENV)/bin/pytest
