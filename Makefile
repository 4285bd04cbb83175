# Yardstick developer commands. `make help` lists them.
#
# Everything runs inside .venv, created from the committed uv.lock by
# `uv sync --frozen`. With no environment set, `make run` uses SQLite
# (db.sqlite3) and runs Celery tasks in-process; DATABASE_URL and REDIS_URL
# are respected when you set them (then also run `make worker`).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# pip --user puts uv in the user base's bin directory (~/.local/bin on Linux);
# put it on PATH so a freshly installed uv is found by the following recipes.
PY_USER_BIN := $(shell $(PYTHON) -c 'import site; print(site.getuserbase() + "/bin")' 2>/dev/null)
export PATH := $(HOME)/.local/bin:$(if $(PY_USER_BIN),$(PY_USER_BIN):)$(PATH)

UV ?= uv
# --frozen: use uv.lock exactly as committed, never rewrite it.
UV_RUN := $(UV) run --frozen

HOST ?= 127.0.0.1
PORT ?= 8000
SEED_SCALE ?= demo
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist); PYTEST_WORKERS=0 runs it in this one.
PYTEST_WORKERS ?= auto
BENCH_ARGS ?=

.PHONY: help uv venv messages makemessages run migrate test lint format bench worker beat clean backup restore

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

uv: ## install uv with pip if it is not on PATH
	@if ! command -v $(UV) >/dev/null 2>&1; then \
		echo "uv not found; installing it with pip"; \
		$(PYTHON) -m pip install --user --quiet uv \
		|| $(PYTHON) -m pip install --user --quiet --break-system-packages uv \
		|| pip install --quiet uv; \
		hash -r; \
		command -v $(UV) >/dev/null 2>&1 || { \
			echo "error: uv was installed but is not on PATH (looked in $(HOME)/.local/bin $(PY_USER_BIN))" >&2; \
			exit 1; }; \
	fi

venv: uv ## create or update .venv from uv.lock (with the dev group)
	$(UV) sync --frozen

messages: venv ## compile the interface translations, locale/*/LC_MESSAGES/django.po (needs GNU gettext)
	@command -v msgfmt >/dev/null 2>&1 || { \
		echo "error: msgfmt not found: install GNU gettext (Debian: apt-get install gettext)" >&2; exit 1; }
	$(UV_RUN) python manage.py compilemessages --ignore .venv --ignore node_modules --verbosity 0

makemessages: venv ## update locale/*.po with the strings marked in the code (docs/translations.md)
	$(UV_RUN) python manage.py makemessages --all --no-obsolete --add-location file \
		--ignore tests --ignore bench --ignore scripts --ignore docs --ignore .venv --ignore staticfiles --ignore media

migrate: venv ## apply database migrations
	$(UV_RUN) python manage.py migrate --noinput

run: migrate messages ## demo server on http://127.0.0.1:8000 (SQLite, in-process tasks unless DATABASE_URL/REDIS_URL are set)
	@# The seed first: on a new database it loads the default set's edition 1, builds the earlier
	@# quarters on it and publishes edition 2 through the version flow (docs/question-sets.md).
	@# import_question_set then loads the other shipped sets (the ML test rubric, GenAI products)
	@# and finds the main set's current edition loaded (or, on an older database, adds it).
	$(UV_RUN) python manage.py seed_demo --scale $(SEED_SCALE)
	$(UV_RUN) python manage.py import_question_set
	$(UV_RUN) python manage.py runserver $(HOST):$(PORT)

test: venv messages ## run the test suite (extra pytest arguments: PYTEST_ARGS="-k name -x")
	$(UV_RUN) pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

lint: venv ## ruff check and ruff format --check
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .

format: venv ## apply ruff's fixes and formatting
	$(UV_RUN) ruff check --fix .
	$(UV_RUN) ruff format .

bench: venv ## run the benchmarks (extra arguments: BENCH_ARGS=...)
	$(UV_RUN) python -m bench $(BENCH_ARGS)

worker: venv ## Celery worker (needs REDIS_URL)
	$(UV_RUN) celery -A config worker -l info -Q celery,webhooks

beat: venv ## Celery beat scheduler (needs REDIS_URL)
	$(UV_RUN) celery -A config beat -l info

backup: ## back up PostgreSQL and media into BACKUP_DIR (needs DATABASE_URL; see docs/operations.md)
	@test -n "$(BACKUP_DIR)" || { echo "error: set BACKUP_DIR=<new directory>" >&2; exit 2; }
	scripts/backup "$(BACKUP_DIR)"

restore: ## restore BACKUP_DIR into DATABASE_URL and MEDIA_ROOT, replacing what is there
	@test -n "$(BACKUP_DIR)" || { echo "error: set BACKUP_DIR=<backup directory>" >&2; exit 2; }
	scripts/restore "$(BACKUP_DIR)" --yes

clean: ## remove caches and generated files (keeps .venv, db.sqlite3 and media/)
	rm -rf staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	rm -f celerybeat-schedule celerybeat-schedule.* celerybeat.pid
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
