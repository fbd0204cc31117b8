# Two commands set everything up on a fresh machine with Python 3.11 and pip:
#   make run    create .venv, install, build the index from corpus/ if missing or stale, serve :5000
#   make test   create .venv with test extras, install Chromium for the browser test, run pytest
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= $(or $(VNLEX_CORPUS_DIR),corpus)
INDEX  ?= $(or $(VNLEX_INDEX_DIR),var/index)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench index install install-test browser clean

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

# The browser test needs Debian's chromium + chromedriver; install them when missing and possible.
browser:
	@if ! command -v chromedriver >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "could not install chromium; the browser test will be skipped"; \
	fi

test: install-test browser
	$(PY) -m pytest -q

bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var *.egg-info
