# Remun — two commands do everything on a fresh machine:
#   make run    create the virtualenv, install, migrate, load the demo, serve on 127.0.0.1:5000
#   make test   the whole test suite (SQLite always; PostgreSQL when reachable, required under CI)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install migrate demo run test chromium assets bench serve clean

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

run: demo
	$(BIN)/remun run --host $(HOST) --port $(PORT)

test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (never a browser that Playwright downloads).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; fi; }

# Rebuild the GOV.UK Frontend styles and scripts in remun/static (committed, so `make run` needs no npm).
assets:
	bash assets/build.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
