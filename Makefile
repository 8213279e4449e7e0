# Undersigned: `make run` for the site, `make test` for the suite. Nothing else is needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/undersigned
PORT ?= 8000

.PHONY: install run worker test test-pg test-browser screenshots lint format migrations-check bench cluster lock messages clean messages-check

install: $(STAMP)
$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# The site on http://127.0.0.1:$(PORT) with a worker, SQLite and a local outbox.
run: export DEBUG ?= 1
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export TRANSPARENCY_CHECKPOINT_SECONDS ?= 10
run: install
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py setup_demo
	@$(PY) manage.py run --port $(PORT)

worker: install
	$(PY) manage.py worker

# The whole suite on SQLite (browser tests skip, saying why, when Chromium is missing).
test: install
	$(PY) -m pytest

# The suite on PostgreSQL; with REDIS_URL=redis://… it also runs the cache on Redis.
test-pg: install
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m "not browser"

test-browser: install
	$(PY) -m pytest -m browser

# Refresh the pictures in docs/screenshots/ from a browser run (tests write only under var/).
screenshots: install
	$(PY) -m pytest -m browser
	@for doc in docs/screenshots/*.png; do name=$$(basename $$doc); \
	  for shot in var/screenshots/docs/$$name var/screenshots/$$name; do \
	    if [ -f $$shot ]; then cp $$shot $$doc; echo "$$doc <- $$shot"; break; fi; \
	  done; done

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrations-check: install
	SECRET_KEY=migrations-check-key-that-is-long-enough-1234 $(PY) manage.py makemigrations --check --dry-run

MSG_FLAGS = -l hy -l fr -l ru -l es --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=build --ignore=cluster --add-location=file

# Extract every user-visible string into the catalogues, then compile them.
messages: install
	DEBUG=1 $(PY) manage.py makemessages $(MSG_FLAGS)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=build

# Fails if any string is untranslated or fuzzy in any language.
messages-check: install
	DEBUG=1 $(PY) manage.py makemessages $(MSG_FLAGS) >/dev/null
	@for po in undersigned/locale/*/LC_MESSAGES/django.po; do \
	  msgfmt --check -o /dev/null $$po || exit 1; \
	  missing=$$(msgattrib --untranslated $$po; msgattrib --only-fuzzy $$po); \
	  if [ -n "$$missing" ]; then echo "$$po: untranslated or fuzzy:"; echo "$$missing"; exit 1; fi; \
	done

bench: install
	@command -v wrk >/dev/null || apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)
	$(PY) -m bench $(BENCH_ARGS)

# A cluster on this machine (PostgreSQL primary + streaming replica, Redis, two web nodes,
# two workers, nginx in front) and an end-to-end check through it; figures in
# var/cluster/results.json. CLUSTER_ARGS=--quick: the short run CI makes.
cluster: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || apt-get install -y -q nginx-light || (apt-get update -q && apt-get install -y -q nginx-light)
	@command -v wrk >/dev/null || apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)
	$(PY) -m cluster $(CLUSTER_ARGS)

# Re-pin every dependency from pyproject.toml into requirements.lock.
lock:
	rm -rf /tmp/undersigned-lock && $(PYTHON) -m venv /tmp/undersigned-lock
	/tmp/undersigned-lock/bin/pip install --quiet '.[dev]'
	/tmp/undersigned-lock/bin/pip freeze --exclude undersigned | sort > requirements.lock

clean:
	rm -rf $(VENV) var/test*.sqlite3 var/screenshots
