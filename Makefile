# Remun — two commands do everything on a fresh machine:
#   make run    create the virtualenv, install, migrate, load the demo, serve on 127.0.0.1:5000
#   make test   the whole test suite (SQLite always; PostgreSQL when reachable, required under CI)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install migrate demo run test chromium libreoffice assets bench serve clean translations compile-translations check-translations

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,serve]'
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(BIN)/remun migrate

demo: migrate
	$(BIN)/remun demo

run: demo compile-translations
	$(BIN)/remun run --host $(HOST) --port $(PORT)

test: install chromium libreoffice compile-translations
	status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/python -m remun.catalogues check || status=1; exit $$status

# Translations (remun/translations): extract every marked string into messages.pot, bring
# the Gaelic and Polish catalogues up to it (new strings arrive empty), and compile them.
translations: install
	$(BIN)/python -m remun.catalogues extract
	$(BIN)/python -m remun.catalogues update
	$(BIN)/python -m remun.catalogues compile

# The .mo files are built, not committed: rebuilt when a .po is newer.
compile-translations: install
	$(BIN)/python -m remun.catalogues compile

# Fails when messages.pot is out of date with the code, or a catalogue has an untranslated or fuzzy string.
check-translations: install
	$(BIN)/python -m remun.catalogues check

# Browser tests drive Debian's Chromium (never a browser that Playwright downloads).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; fi; }

# The export tests open workbooks in LibreOffice (headless) to check the recalculated totals.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui; \
	  else echo "LibreOffice is missing: run 'sudo apt-get install libreoffice-calc-nogui' for the export round-trip test"; fi; }

# Benchmarks (bench/run_all.py, docs/performance.md): generate an organisation at BENCH_SCALE (default 0.1,
# a tenth of a health board, for CI; BENCH_SCALE=1 for the full run by hand) on SQLite and PostgreSQL
# (BENCH_POSTGRES_URL), then time reports, pages, import, HTTP under wrk and export.
BENCH_SCALE ?= 0.1
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else echo "wrk is missing: run 'sudo apt-get install wrk' for the HTTP benchmark"; fi; }
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Production serving: gunicorn (deploy/gunicorn.conf.py) on REMUN_DATABASE_URL (PostgreSQL), sign-in
# limits counted in Redis (REMUN_RATELIMIT_STORAGE_URI), sessions in signed cookies (REMUN_SECRET_KEY).
serve: install
	@test -n "$$REMUN_DATABASE_URL" || { echo "Set REMUN_DATABASE_URL, e.g. postgresql+psycopg://remun@127.0.0.1/remun (see README: Production serving)"; exit 1; }
	REMUN_DATABASE_URL="$${REMUN_OWNER_DATABASE_URL:-$$REMUN_DATABASE_URL}" $(BIN)/remun migrate
	@if [ -n "$$REMUN_OWNER_DATABASE_URL" ]; then REMUN_DATABASE_URL="$$REMUN_OWNER_DATABASE_URL" $(BIN)/remun db roles --apply; fi
	# Background jobs (exports, workbooks): REMUN_JOB_WORKERS `remun worker` processes on the RQ queue in
	# REMUN_REDIS_URL, started beside gunicorn and stopped with it (Ctrl-C or the service manager's signal).
	export REMUN_REDIS_URL="$${REMUN_REDIS_URL:-redis://127.0.0.1:6379/0}"; \
	export REMUN_RATELIMIT_STORAGE_URI="$${REMUN_RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379}"; \
	pids=""; for n in $$(seq 1 $${REMUN_JOB_WORKERS:-1}); do $(BIN)/remun worker & pids="$$pids $$!"; done; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py

# Rebuild the GOV.UK Frontend styles and scripts in remun/static (committed, so `make run` needs no npm).
assets:
	bash assets/build.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
