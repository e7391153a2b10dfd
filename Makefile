# Lindung: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://lindung:lindung@127.0.0.1:5432/lindung
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test messages run serve test test-sqlite test-postgres test-browser lint bench loadtest docs guide clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

install: $(STAMP) messages

$(TEST_STAMP): $(STAMP) pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $@

install-test: $(TEST_STAMP) messages

messages: $(STAMP)
	@scripts/ensure-system-packages.sh gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
	cd lindung && ../$(BIN)/lindung compilemessages -v0

run: install guide
	$(BIN)/lindung migrate --noinput -v0
	$(BIN)/lindung demo-setup
	@scripts/serve.sh $(HOST) $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lindung
	$(BIN)/lindung makemigrations --check --dry-run -v1
	@scripts/check-translations.sh

test-sqlite: install-test
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -m "not browser" -n 2 -q

test-postgres: install-test
	@echo "== pytest on PostgreSQL =="
	@scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -n 2 -q

test-browser: install-test
	@echo "== browser tests in headless Chromium =="
	@scripts/ensure-system-packages.sh chromium chromium-driver
	rm -f var/test-browser.sqlite3*
	env -u DATABASE_URL LINDUNG_TEST_SQLITE=$(CURDIR)/var/test-browser.sqlite3 $(BIN)/pytest -m browser -q -p no:xdist

test: lint test-sqlite test-postgres test-browser

# The guide as HTML from docs/panduan (served by the app at /panduan/).
guide: $(STAMP)
	$(BIN)/mkdocs build -q

# Fresh screenshots from the browser tests into docs/panduan/img/, then the guide.
docs: install-test
	@scripts/ensure-system-packages.sh chromium chromium-driver
	rm -f var/test-docs.sqlite3*
	env -u DATABASE_URL LINDUNG_DOCS_SCREENSHOTS=1 LINDUNG_TEST_SQLITE=$(CURDIR)/var/test-docs.sqlite3 \
		$(BIN)/pytest -m browser -q -p no:xdist
	$(BIN)/mkdocs build -q
	@echo "Panduan: var/panduan-html/ (dilayani aplikasi di /panduan/)"

# Every benchmark through the harness at its documented size (lindung/benchmarks/registry.py MAKE_BENCH), reports
# to var/bench/ and docs/benchmarks/results/, docs/benchmarks.md regenerated. Long (tens of minutes); never in `test`.
bench: install-test
	$(BIN)/pip install -q -c requirements.lock -e '.[test,bench]'
	@scripts/ensure-postgres.sh
	$(BIN)/python scripts/bench.py

# Issue 11's load test (5 minutes, loopback only): gunicorn on PostgreSQL with Bali's synthetic data, locust headless
# (in .venv-loadtest: locust brings gevent and a pytest plugin that stay out of the project's virtualenv).
LOADTEST_URL ?= postgres://lindung:lindung@127.0.0.1:5432/lindung_loadtest
loadtest: install
	@scripts/ensure-postgres.sh
	test -x $(BIN)/gunicorn || $(BIN)/pip install -q -c requirements.lock -e '.[loadtest]'
	test -x .venv-loadtest/bin/locust || ($(PYTHON) -m venv .venv-loadtest && \
		.venv-loadtest/bin/pip install -q -r scripts/loadtest/requirements.txt)
	$(BIN)/python scripts/loadtest/run.py --database-url $(LOADTEST_URL)

clean:
	rm -rf $(VENV) .venv-loadtest var
