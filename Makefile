# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON := python3.11

.PHONY: run test test-clock test-e2e-page-cache setup system-deps python-deps messages services check-deploy restore worker beat vendor clean \
	bench bench-childcare bench-eldercare bench-casework bench-communities bench-dashboards \
	bench-pages bench-live-day bench-devices device-gateway

# The portal needs PostgreSQL (its constraints, triggers and change history are PostgreSQL's):
# `make run` starts the local server if it is stopped and uses its `portal` database unless
# DATABASE_URL names another. Background tasks run in-process, the cache is in memory.
run: setup services
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	$(VENV)/bin/pytest -n 2 --dist loadgroup --create-db
	$(MAKE) --no-print-directory test-clock
	$(MAKE) --no-print-directory test-e2e-page-cache

# The browser journeys again with the page cache on, as in production (portal/pagecache.py,
# Redis): a journey that met a page older than its own last change fails.
test-e2e-page-cache:
	PORTAL_E2E_PAGE_CACHE=1 $(VENV)/bin/pytest -n 2 --dist loadgroup -q tests/e2e

# The suite again (without the browser tests) with the clock moved to where the UTC and Beijing
# dates differ (Beijing is UTC+8), at a month's and at a year's end: 00:30 on 28 February and
# 07:59 on 31 December, Beijing time, and 00:30 on 1 January, the one moment of the three where
# UTC is still in the previous month and year (a month or a year taken in UTC is wrong only
# there). tests/conftest.py reads PORTAL_TEST_MOMENT and starts each test at that moment
# (time-machine; the clock ticks on), and the Python processes a test starts (the Celery worker,
# gunicorn) read the same clock (tests/clock/sitecustomize.py). The browser tests are left out:
# they are most of the normal pass's time, and Chromium keeps the machine's clock.
# `make test` runs this after the normal pass, reusing its test database.
CLOCK_MOMENTS := 2027-02-28T00:30 2026-12-31T07:59 2027-01-01T00:30
test-clock:
	@set -e; for moment in $(CLOCK_MOMENTS); do \
		echo "PORTAL_TEST_MOMENT=$$moment (Beijing time)"; \
		PORTAL_TEST_MOMENT=$$moment $(VENV)/bin/pytest -n 2 --dist loadgroup -q --ignore=tests/e2e; \
	done

setup: system-deps python-deps messages

system-deps:
	@bin/system-deps

python-deps:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv==0.13.9
	uv sync --frozen --quiet

messages:
	$(PY) manage.py compilemessages --ignore=.venv -v 0

services:
	@bin/services-up

# The production settings must pass Django's deploy check with the documented variables set.
# It checks settings, not a deployment: it opts in to the console SMS sender explicitly
# (production refuses it otherwise) and never connects to the database it names.
check-deploy:
	DJANGO_SETTINGS_MODULE=portal.settings.production \
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') \
	DJANGO_ALLOWED_HOSTS=portal.example.cn \
	DATABASE_URL=postgres://portal:check-deploy@127.0.0.1:5432/portal \
	REDIS_URL=redis://127.0.0.1:6379/0 CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	EMAIL_URL=smtp+tls://portal:check-deploy@smtp.example.cn:587 \
	DJANGO_ALLOW_CONSOLE_SENDERS=true SMS_SENDER=portal.accounts.sms.ConsoleSmsSender \
	$(PY) manage.py check --deploy --fail-level WARNING

# Restore a backup made by the compose `backup` service (or bin/backup):
#   make restore FILE=backups/portal-20261203-0230.tar.gz
# into the database DATABASE_URL names (and its media into MEDIA_ROOT). It replaces both.
restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/portal-<stamp>.tar.gz"; exit 2; }
	bin/restore "$(FILE)"

worker:
	$(VENV)/bin/celery -A portal worker -l info

beat:
	$(VENV)/bin/celery -A portal beat -l info

# The MQTT device gateway against the local Mosquitto (make run serves the HTTP push alone).
device-gateway:
	DEVICE_MQTT_URL=$${DEVICE_MQTT_URL:-mqtt://127.0.0.1:1883} $(PY) manage.py device_gateway

# Benchmarks: the real stack (gunicorn, PostgreSQL, Redis), each in a database of its own.
bench: bench-childcare bench-eldercare bench-casework bench-communities bench-dashboards bench-pages bench-live-day bench-devices

bench-childcare: setup services
	@bin/bench-deps
	$(PY) bench/childcare_booking.py

bench-eldercare: setup services
	$(PY) bench/eldercare_import.py

bench-casework: setup services
	TEST_DATABASE_NAME=bench_casework $(PY) bench/casework_overdue.py

bench-communities: setup services
	$(PY) bench/communities_lists.py

bench-dashboards: setup services
	$(PY) bench/dashboard_scale.py

bench-devices: setup services
	$(PY) bench/devices.py

# Every role's main page against a minimal Django view (wrk, production settings; README).
bench-pages: setup services
	@bin/bench-deps
	$(PY) bench/pages.py

bench-live-day: setup services
	@bin/bench-deps
	$(PY) bench/live_day.py

# Refresh the vendored front-end libraries from the npm registry (the results are committed).
vendor:
	bin/vendor-static

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
