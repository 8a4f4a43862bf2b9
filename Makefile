# ClinicFlow: `make run` serves the demo, `make test` runs the suite.
# Both build .venv from pyproject.toml first (again only when it changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 1
PYTEST_ARGS ?=
# Intake links point at the address this server answers on, unless the
# environment (or .env) names a public one.
CLINICFLOW_PUBLIC_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

# A local .env (see .env.example) applies to every target.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test lint format worker cron benchmark migrate demo venv clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py demo

run: demo
	@if [ "$(WEB_WORKERS)" != "1" ] && [ -z "$$REDIS_URL" ]; then \
		echo "WEB_WORKERS>1 needs REDIS_URL (shared channel layer and job queue)."; exit 2; fi
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py sweep_summaries  # summaries left owed by the last run
	CLINICFLOW_PUBLIC_URL=$(CLINICFLOW_PUBLIC_URL) \
	  $(BIN)/uvicorn clinicflow.asgi:application --host $(HOST) --port $(PORT) --workers $(WEB_WORKERS) --proxy-headers

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(STAMP)
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL (the full stack's Redis)."; exit 2; }
	@# Restarted when it exits (Redis lost mid-job, a crash), waiting 1, 2, 4 ... 30 s;
	@# Ctrl-C stops both.
	@trap 'exit 130' INT TERM; delay=1; while true; do \
	  $(PY) manage.py rqworker default --with-scheduler && delay=1; \
	  echo "make worker: the worker exited; starting it again in $$delay s" >&2; \
	  sleep $$delay; delay=$$(( delay < 16 ? delay * 2 : 30 )); \
	done

cron: $(STAMP)
	@test -n "$$REDIS_URL" || { echo "make cron needs REDIS_URL (the full stack's Redis)."; exit 2; }
	$(PY) manage.py rqcron clinicflow.cron

# Times the hot endpoints on generated data (rolled back); use PostgreSQL for real numbers.
benchmark: migrate
	$(PY) manage.py benchmark --appointments $(or $(APPOINTMENTS),5000)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
