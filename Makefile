# Concord: `make demo` to try it, `make test` to prove it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make test` runs on this many pytest-xdist workers, each with its own test database, a
# module's tests on one worker (its module-scoped live server and data are made once).
TEST_WORKERS ?= 2
# What `make test` leaves to its own targets (markers in pyproject.toml): `make test-slow`,
# `make test-browser`, `make test-transactional` and `make leak-hunt`; .ci/run runs them all.
TEST_LEFT_OUT := slow or browser or live or transactional or leak_hunt

.PHONY: demo test test-slow test-browser test-transactional leak-hunt fuzz install lint migrate \
	serve timers bench bench-smoke clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@echo "Concord is at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Press Ctrl-C to stop."
	$(PY) manage.py serve --timers --host $(HOST) --port $(PORT)

test: install
	@eval "$$($(PY) scripts/test_services.py)" && \
	  CONCORD_TESTING=true $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadscope \
	    -m "not ($(TEST_LEFT_OUT))" $(PYTEST_ARGS)

# The browser tests (Debian's Chromium) and the tests that start live server processes.
test-browser: install
	@eval "$$($(PY) scripts/test_services.py)" && \
	  CONCORD_TESTING=true $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadscope \
	    -m "(browser or live) and not (slow or leak_hunt)" $(PYTEST_ARGS)

# The transactional tests (sockets, racing writers, the trail's guards): each commits and
# empties the database when it ends.
test-transactional: install
	@eval "$$($(PY) scripts/test_services.py)" && \
	  CONCORD_TESTING=true $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadscope \
	    -m "transactional and not (slow or browser or live or leak_hunt)" $(PYTEST_ARGS)

# The benchmark harness's tests and the long checks `make test` leaves out.
test-slow: install
	@eval "$$($(PY) scripts/test_services.py)" && \
	  CONCORD_TESTING=true $(VENV)/bin/pytest -m slow $(PYTEST_ARGS)

# The full leak hunt (`.venv/bin/pytest tests/leaks` runs the reduced one): a bigger
# population, a member of every agency kind and role, every id on every surface.
leak-hunt: install
	@eval "$$($(PY) scripts/test_services.py)" && \
	  CONCORD_TESTING=true CONCORD_LEAK_HUNT=full $(VENV)/bin/pytest tests/leaks -q $(PYTEST_ARGS)

# schemathesis against a live server on a scratch database, as three roles: no 500, and every
# status and body answered as the OpenAPI document declares them (scripts/fuzz.py;
# FUZZ_EXAMPLES, FUZZ_SEED).
fuzz: install
	@eval "$$($(PY) scripts/test_services.py)" && $(PY) scripts/fuzz.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The benchmark runs on its own settings (bench/settings.py: Concord's, plus the bench app).
BENCH := DJANGO_SETTINGS_MODULE=bench.settings $(PY) manage.py bench

bench: install
	@eval "$$($(PY) scripts/test_services.py)" && $(BENCH) --referrals $${BENCH_N:-100000}

bench-smoke: install
	@eval "$$($(PY) scripts/test_services.py)" && $(BENCH) --referrals 500 --smoke

clean:
	rm -rf $(VENV) var staticfiles
