# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
USWDS := static/vendor/uswds
NPM := node_modules

.PHONY: run test lint setup assets migrate seed worker clean

setup: $(VENV)/.installed $(NPM)/.installed $(USWDS)/.copied

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The npm packages: USWDS for the pages, axe-core for the browser tests; never committed.
$(NPM)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# USWDS is copied into static/ at set-up; it is never committed.
$(USWDS)/.copied: $(NPM)/.installed
	rm -rf $(USWDS)
	mkdir -p $(USWDS)
	cp -R node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
	      node_modules/@uswds/uswds/dist/img node_modules/@uswds/uswds/dist/fonts $(USWDS)/
	touch $@

assets: $(USWDS)/.copied

migrate: setup
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo

# Web server and task worker together; Ctrl-C stops both.
run: seed
	@echo "EO Portal on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the server and the task worker)"
	@export DEBUG=$${DEBUG:-true}; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py qcluster & worker=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: setup
	DEBUG=$${DEBUG:-true} $(PY) manage.py qcluster

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) $(NPM) static/vendor db.sqlite3 test-artifacts
