# `make run` starts Tonearm with a demo catalog; `make test` installs what it needs and runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WEB := src/tonearm/web
DEBIAN_PACKAGES := ffmpeg chromium nginx wrk
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint system-deps web bench clean

run: system-deps $(STAMP) web
	$(VENV)/bin/tonearm run --host $(HOST) --port $(PORT)

test: system-deps $(STAMP) web lint
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src/tonearm

# Debian packages: ffmpeg (libvorbis for the Vorbis rungs), chromium (browser tests),
# nginx and wrk (serving benchmark). Installed only where missing.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	test -d $(VENV) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

web: $(WEB)/dist/index.html

$(WEB)/dist/index.html: $(WEB)/package.json $(WEB)/package-lock.json $(wildcard $(WEB)/src/*)
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error && npm run build

bench: system-deps $(STAMP) web
	$(PY) bench/transcode.py
	$(PY) bench/serving.py
	$(PY) bench/manifest.py
	$(PY) bench/access.py
	$(PY) bench/eventlog_publish.py
	$(PY) bench/events_ingest.py
	$(PY) bench/manifest_before_after.py
	$(PY) bench/consumer_lag.py
	# Needs ../shared/data (real artist names); about 20 minutes at 1M tracks.
	$(PY) bench/search_engines.py
	$(PY) bench/search.py --tracks 1000000

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/dist var
