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

# Export benchmark: rows/s and peak memory at 100,000 and 1,000,000 postings (BENCH_ARGS="--rows 20000" for a quick run).
bench: install
	$(BIN)/python -m pip install --quiet 'xlsxwriter>=3.2'
	$(BIN)/python bench/export_bench.py $(BENCH_ARGS)

# Rebuild the GOV.UK Frontend styles and scripts in remun/static (committed, so `make run` needs no npm).
assets:
	bash assets/build.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
