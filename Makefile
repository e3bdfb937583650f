# motcua — two commands on a fresh machine: `make demo` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export MOTCUA_DEV := 1

.PHONY: setup demo serve test test-pg browser bench bench-lifecycle bench-index lint format openapi screenshots messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

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

serve: setup ## production-style server (gunicorn) on the configured database
	$(BIN)/motcua collectstatic --no-input -v0
	$(BIN)/gunicorn motcua.wsgi -b 127.0.0.1:8000 -w 2

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
