# Two commands do everything (see README.md):
#   make run    set up, migrate, install the demo clinic, serve on http://127.0.0.1:8000 with a
#               background worker; Ctrl-C stops both
#   make test   lint, migrations check, the test suite on SQLite and on PostgreSQL
# Both install the system packages they need first when they can (as root, or with sudo at a
# terminal; NO_SYSTEM_INSTALL=1 never does), else name them and stop: scripts/check-system.sh.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_WORKERS ?= 2
export PYTHON

.PHONY: run test bench bench-sqlite bench-postgres bench-pdf load-run mutation install check-system check-system-test messages compiled-messages messages-check lint migrations-check test-sqlite test-postgres clean

# The lock: requirements*.txt are compiled from requirements*.in with hashes (README: Dependencies).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed (found %d.%d); set PYTHON=python3.11" % sys.version_info[:2])'
	@CHECK_VENV=1 scripts/check-system.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# What `make run` needs; check-system-test adds Chromium and PostgreSQL for `make test`.
check-system:
	@CHECK_VENV=1 scripts/check-system.sh

check-system-test:
	@CHECK_VENV=1 CHECK_BROWSER=1 CHECK_POSTGRES=1 scripts/check-system.sh

# The Russian catalog from the code (makemessages, no locations), then compiled; the compiled
# .mo files are built, not committed. `make lint` fails when the committed catalog is not what
# makemessages makes of the code, or has an untranslated or fuzzy entry.
messages: install
	PY=$(PY) scripts/messages.sh update
	PY=$(PY) scripts/messages.sh compile

compiled-messages: install
	@PY=$(PY) scripts/messages.sh compile

messages-check: install
	@PY=$(PY) scripts/messages.sh check

.env:
	@echo "Creating .env for local development (DEBUG on, SQLite file db.sqlite3)."
	@printf 'DJANGO_DEBUG=1\n' > .env

# The development server and one task-queue worker (manage.py run_huey), both on this machine
# only; one Ctrl-C stops both (scripts/run-dev.sh).
run: check-system install .env compiled-messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	PY=$(PY) scripts/run-dev.sh

lint: install messages-check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run

test-sqlite: install compiled-messages
	@CHECK_BROWSER=1 scripts/check-system.sh
	DATABASE_URL= $(PY) -m pytest -n $(PYTEST_WORKERS)

test-postgres: install compiled-messages
	@CHECK_BROWSER=1 CHECK_POSTGRES=1 scripts/check-system.sh
	scripts/with-postgres.sh $(PY) -m pytest -n $(PYTEST_WORKERS)

test: check-system-test lint migrations-check test-sqlite test-postgres

# Figures, not pass/fail: handout cost against plain WeasyPrint, and a day's sheets per second.
bench-pdf: install compiled-messages
	$(PY) scripts/bench_pdf.py

# 16 therapists recording sessions through gunicorn on a throwaway PostgreSQL for 60 s
# (LOAD_SECONDS, LOAD_USERS); fails on any error or any recording missing from the database.
load-run: install compiled-messages
	@CHECK_POSTGRES=1 scripts/check-system.sh
	scripts/with-postgres.sh $(PY) scripts/load_run.py

# Figures, not pass/fail, at clinic-chain scale (10,000 patients, ~500,000 sessions): queries and
# in-process times per page, then gunicorn + wrk over loopback, on SQLite and on PostgreSQL, then
# the PDF figures. About 25 minutes on 2 cores; BENCH_SECONDS=5 (HTTP seconds a page, default 30)
# makes it about 12. Needs wrk (sudo apt-get install wrk).
bench: bench-sqlite bench-postgres
	$(PY) scripts/bench.py report

bench-sqlite: install compiled-messages
	@CHECK_BENCH=1 scripts/check-system.sh
	$(PY) scripts/bench.py run --database sqlite

bench-postgres: install compiled-messages
	@CHECK_BENCH=1 CHECK_POSTGRES=1 scripts/check-system.sh
	scripts/with-postgres.sh $(PY) scripts/bench.py run --database postgres

# Figures, not pass/fail: mutation testing of planner/ and protocols/planning.py with mutmut 3
# ([tool.mutmut] in pyproject.toml), from scratch in mutants/, on SQLite. About 40 minutes on 2
# cores. Then `.venv/bin/mutmut results` lists the survivors and `.venv/bin/mutmut show NAME`
# shows one; docs/mutation-testing.md has the method and the last figures.
mutation: install compiled-messages
	rm -rf mutants
	DATABASE_URL= $(VENV)/bin/mutmut run --max-children $(PYTEST_WORKERS)
	$(VENV)/bin/mutmut results

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis mutants
