# Two commands from a fresh clone: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
BIN := .venv/bin
DEVDB := scripts/devdb.sh

.PHONY: demo test lint stop bench venv clean

.venv/.installed: pyproject.toml scripts/venv.sh scripts/debian-packages.txt
	@scripts/venv.sh
	@touch $@

# Packages only the tests need (QGIS for the stored-project test), left out of `make demo`.
.venv/.test-installed: .venv/.installed scripts/debian-packages.txt
	@scripts/venv.sh test
	@touch $@

venv: .venv/.installed

# Serve the API and dashboard on the Perstorp demo data, with the run worker beside it (reuses the
# cluster, the data, the runs and the token on a second run).
demo: .venv/.installed
	@set -e; \
	if [ -z "$$GEO_SERVICE_DATABASE_URL" ]; then \
	  export GEO_SERVICE_DATABASE_URL="$$($(DEVDB) start)/geo_service"; \
	  scripts/dotenv.sh GEO_SERVICE_DATABASE_URL "$$GEO_SERVICE_DATABASE_URL"; fi; \
	$(BIN)/geo-service db upgrade; \
	$(BIN)/geo-service demo load; \
	$(BIN)/geo-service demo analyze; \
	echo "Demo token (coordinator; paste it into the dashboard; kept in .geo-service/demo-token):"; \
	$(BIN)/geo-service demo token; \
	echo "Rapportör sign-in for the field app (scan with a phone, or open the link):"; \
	$(BIN)/geo-service demo token --role reporter --qr; \
	$(BIN)/geo-service worker >> .geo-service/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	echo "Run worker: pid $$worker, log .geo-service/worker.log"; \
	$(BIN)/geo-service serve

# The whole test suite against a throwaway database on the local cluster (or GEO_SERVICE_TEST_DATABASE_URL).
test: .venv/.installed .venv/.test-installed
	@set -e; \
	if [ -z "$$GEO_SERVICE_TEST_DATABASE_URL" ]; then \
	  export GEO_SERVICE_TEST_DATABASE_URL="$$($(DEVDB) start)"; fi; \
	$(BIN)/pytest $(PYTEST_ARGS)

lint: .venv/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

stop:
	@$(DEVDB) stop

bench: .venv/.installed .venv/.test-installed
	@set -e; \
	if [ -z "$$GEO_SERVICE_DATABASE_URL" ]; then \
	  export GEO_SERVICE_DATABASE_URL="$$($(DEVDB) start)/geo_service_bench"; fi; \
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: stop
	rm -rf .venv .geo-service
