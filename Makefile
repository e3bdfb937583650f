# motcua — two commands on a fresh machine: `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Every dependency is pinned with its hashes in requirements/*.lock (`make lock` regenerates them from pyproject.toml):
# dev.lock for development and CI, prod.lock (the same versions, no dev tools) for servers (docs/deployment.md).
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links --no-emit-trusted-host
AUDIT_FLAGS ?=

# The demo's conveniences (published dev key, plain-HTTP cookies) only for the targets that run the demo or the
# tests; never `serve`, which is production (a strong SECRET_KEY or it refuses to start).
demo test test-pg openapi screenshots messages bench bench-lifecycle bench-index: export MOTCUA_DEV := 1

.PHONY: setup lock audit demo serve test test-pg browser bench bench-lifecycle bench-index lint format openapi screenshots messages clean

# hash-checked install of the lock, then this project itself without dependencies; keyed on the lock's checksum
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "The lock file does not satisfy pyproject.toml: run \`make lock\`" >&2; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP) var/local-demo

# marks this checkout as a developer's: commands run in the demo mode without MOTCUA_DEV=1 while no
# SECRET_KEY is set (settings.py); `make serve` and real deployments (MOTCUA_VAR_DIR elsewhere) never read it
var/local-demo:
	@mkdir -p var && echo "This checkout runs the local demo (make setup). Delete this file to refuse that." > $@

lock: ## regenerate requirements/*.lock from pyproject.toml (keeps the pins; `make lock UPGRADE=1` upgrades)
	@test -x $(BIN)/pip-compile || { echo "pip-tools is missing: run \`make setup\` first" >&2; exit 1; }
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) \
		--extra dev -o requirements/dev.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) \
		-c requirements/dev.lock -o requirements/prod.lock pyproject.toml

# --strict: a package the vulnerability database cannot answer for fails the audit instead of passing unaudited
audit: setup ## known vulnerabilities in the locked dependencies (pip-audit; needs the network: PyPI's advisories)
	@err=$$(mktemp); $(BIN)/pip-audit --strict --disable-pip --require-hashes --progress-spinner off $(AUDIT_FLAGS) \
		-r $(LOCK) 2>$$err; rc=$$?; \
	if [ $$rc -ne 0 ] && grep -qE 'Connection|Proxy|Max retries|Timeout|NameResolution|ServiceError|could not be audited' \
		$$err; then tail -n 1 $$err >&2; rm -f $$err; \
		echo "make audit: the vulnerability database could not be reached or could not answer for every locked" \
			"package, so nothing is vouched for. pip-audit needs network access to PyPI's JSON API" \
			"(or to OSV: make audit AUDIT_FLAGS='-s osv')." >&2; exit 2; \
	fi; cat $$err >&2; rm -f $$err; exit $$rc

demo: setup ## set up, load the demo province on SQLite and serve on :8000
	$(BIN)/motcua migrate --no-input -v0
	$(BIN)/motcua demo
	$(BIN)/motcua generate_dossiers --count 3000
	$(BIN)/motcua index rollup --no-progress
	@echo ""
	@echo "motcua chạy tại / runs at  http://127.0.0.1:8000/"
	@echo "  Quản trị / admin:        http://127.0.0.1:8000/admin/   (tài khoản ở trên / logins above)"
	@echo "  API docs:                http://127.0.0.1:8000/api/docs"
	@echo "  Giám sát quốc gia / national monitor: http://127.0.0.1:8000/national/  (admin)"
	@echo "  sync-worker đồng bộ hồ sơ sang /national/ qua HTTP / pushes dossiers to the monitor over HTTP"
	@echo "  Chỉ số 766 (công khai): http://127.0.0.1:8000/cong-khai/chi-so/  (tổng hợp mỗi phút / rollups every minute)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/motcua sync-worker --poll 1 & \
	$(BIN)/motcua index rollup --every 60 --no-progress & \
	DEBUG=1 $(BIN)/motcua runserver 127.0.0.1:8000

# `make serve` runs what a node needs, as systemd does with three units (docs/deployment.md): gunicorn in the
# foreground, and beside it the national sync worker and the index rollup refresher, each started again
# RESTART_DELAY seconds after it stops, and all stopped with gunicorn (Ctrl-C).
RESTART_DELAY ?= 10

serve: setup ## production: gunicorn + sync worker + rollup refresher (supervised); needs SECRET_KEY, never the demo's settings
	@case "$${MOTCUA_DEV:-}$${DEBUG:-}" in "") ;; *) echo "make serve is production: MOTCUA_DEV and DEBUG are" \
		"ignored here (the demo is \`make demo\`)" >&2;; esac
	env -u DEBUG MOTCUA_DEV=0 $(BIN)/motcua check --deploy
	env -u DEBUG MOTCUA_DEV=0 $(BIN)/motcua collectstatic --no-input -v0
	@unset DEBUG; export MOTCUA_DEV=0; \
	keep() { trap 'kill $$child 2>/dev/null; exit 0' TERM; \
		while :; do "$$@" & child=$$!; wait $$child; \
			echo "make serve: '$$*' stopped (status $$?), starting it again in $(RESTART_DELAY) s" >&2; \
			sleep $(RESTART_DELAY) & child=$$!; wait $$child; done; }; \
	keep $(BIN)/motcua sync-worker & sync=$$!; \
	keep $(BIN)/motcua index rollup --every 60 --no-progress & rollup=$$!; \
	trap 'kill $$sync $$rollup 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	echo "make serve: gunicorn, sync-worker and index rollup --every 60 (Ctrl-C stops all three)" >&2; \
	$(BIN)/gunicorn -c python:motcua.gunicorn_conf

test: setup browser ## the whole suite on SQLite (set DATABASE_URL for PostgreSQL), browser tests included
	$(BIN)/pytest
	$(BIN)/pytest -m live

test-pg: setup browser ## the whole suite on the local PostgreSQL
	DATABASE_URL=$(PG_URL) $(BIN)/pytest
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m live

browser: ## Debian's Chromium for the browser tests (Playwright never downloads one)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "Chromium is missing: apt-get install chromium" >&2; exit 1; }

bench: setup ## the quick benchmarks, each prints a table
	$(BIN)/python bench/workdays.py

bench-lifecycle: setup ## lifecycles over HTTP with 1,000,000 dossiers in PostgreSQL (generates them once)
	$(BIN)/python bench/lifecycle.py

bench-index: setup ## the 766 index and its pages with 5,300,000 dossiers in PostgreSQL (generates them once, ~1 h)
	$(BIN)/python bench/index.py

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/ruff format --check src tests bench scripts

format: setup
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

openapi: setup ## refresh docs/openapi.json (a test fails when it is stale)
	$(BIN)/motcua export_openapi_schema --api motcua.api.main.api --indent 1 --sorted --output docs/openapi.json

screenshots: setup browser ## refresh docs/screenshots/ (desktop and phone) from a throwaway demo
	$(BIN)/python scripts/screenshots.py

messages: setup ## refresh the Vietnamese translations (.po → .mo, committed)
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
