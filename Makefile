# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make run    create .venv, install, build the index from corpus/ if missing or stale, serve :5000
#   make test   create .venv with test extras, install Chromium and axe-core for the browser tests, run pytest
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= $(or $(VNLEX_CORPUS_DIR),corpus)
INDEX  ?= $(or $(VNLEX_INDEX_DIR),var/index)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench index install install-test browser rsync clean

$(VENV)/.installed: setup.cfg pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: set PYTHON=python3 (3.11+)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	$(PY) -m pip check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip check
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

index: install
	$(PY) -m indexer build --if-stale --corpus $(CORPUS) --index $(INDEX)

run: index
	$(PY) -m search_app serve --index $(INDEX) --host $(HOST) --port $(PORT)

# The browser tests need Debian's chromium + chromedriver, and axe-core (npm registry, pinned) for the
# accessibility checks: installed when missing and possible (npm comes from apt when absent).
AXE_VERSION := 4.14.1
AXE_JS      := var/node/node_modules/axe-core/axe.min.js
browser:
	@if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "could not install chromium; the browser tests will be skipped"; \
	fi
	@if ! grep -qs '"version": "$(AXE_VERSION)"' var/node/node_modules/axe-core/package.json; then \
		if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null || true; \
		fi; \
		if command -v npm >/dev/null 2>&1; then \
			mkdir -p var/node && npm install --silent --no-audit --no-fund --prefix var/node axe-core@$(AXE_VERSION) \
			|| echo "could not install axe-core; the browser tests will be skipped"; \
		else echo "npm not found: axe-core not installed; the browser tests will be skipped"; fi; \
	fi

# The replica test sends builds with deploy/replicate.sh when rsync is installed (else a Python copy).
rsync:
	@if ! command -v rsync >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null) \
		|| echo "could not install rsync; the replica test will copy builds with Python"; \
	fi

test: install-test browser rsync
	$(PY) -m pytest -q

bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var *.egg-info
