# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup run test test-fast lint lock dev docs accuracy bench clean

setup: $(VENV)/.installed

# Reinstalled whenever the dependencies change: the exact versions of requirements.lock,
# then the project itself without resolving anything again.  rapidocr (OCR) pulls
# opencv-python, which shares the cv2 package with camelot's opencv-python-headless:
# whichever is installed last owns the files, and the GUI build needs libGL at import
# (absent on servers), so the headless build is installed again, last.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "yusuan needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
		$$(grep '^opencv-python-headless==' requirements.lock)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## lock: after a dependency change in pyproject.toml, re-resolve requirements.lock (other pins are kept)
lock: setup
	CUSTOM_COMPILE_COMMAND='make lock' $(BIN)/pip-compile --quiet --extra dev --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## run: build the environment, then run the nightly job on the sample PDFs in raw/
run: setup
	$(BIN)/yusuan run

## test: the whole test suite; pytest's exit 5 (no tests collected) is reported, not an error
test: setup
	@$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected (exit 5)"; exit 0; fi; \
	exit $$rc

## test-fast: the unit tier (seconds: no camelot, dbt or pipeline run)
test-fast: setup
	$(BIN)/python -m pytest -q tests/unit

## lint: ruff's checks and its formatting, as CI runs them
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## dev: the Dagster UI (asset graph, runs) on http://127.0.0.1:3000
dev: setup
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp docs/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -m pipelines.orchestration.definitions -h 127.0.0.1 -p 3000

## docs: the dbt docs site (lineage, every column's description) into warehouse/published/docs/index.html
docs: setup
	$(BIN)/yusuan docs

## accuracy: per document, statements found, rows and identities passed / broken; then the
## OCR scorecard on scans of the OCR_DOCUMENTS smallest samples (0: all of them; slow)
OCR_DOCUMENTS ?= 3
OCR_VARIANTS ?= 200,150,200-skewed
accuracy: setup
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/ocr.py --limit $(OCR_DOCUMENTS) --variants $(OCR_VARIANTS)

## bench: in one run, as ratios: extraction against pypdfium2 text / camelot / pdfplumber, the cold
## run, the no-op run, and 1 new document into 15 / 500 / 2,000 documents (big warehouses cached)
bench: setup
	$(BIN)/python benchmarks/bench.py $(if $(SIZES),--sizes $(SIZES))

clean:
	rm -rf $(VENV) warehouse/yusuan.duckdb warehouse/extracted warehouse/published warehouse/logs dbt/target dbt/logs
