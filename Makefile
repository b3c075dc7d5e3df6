# IKA Records — set-up, run and test. `make run` and `make test` install what is missing.
PYTHON ?= python3
VENV   ?= .venv
ARCHIVE ?= archive
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-msa ghostscript \
                libreoffice-writer-nogui poppler-utils fonts-liberation2 python3-venv chromium

.PHONY: run test check bench system-deps deps lint clean

HOST ?= 127.0.0.1
PORT ?= 8080

run: deps
	$(BIN)/ika init --archive $(ARCHIVE)
	$(BIN)/ika serve --archive $(ARCHIVE) --host $(HOST) --port $(PORT)

# CI: the import contract, then every test (OCR, LibreOffice, browser, watcher and install ones
# too) on two workers; a module's tests stay on one worker, sharing its fixtures.
test: deps
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# The fast loop, under a minute: lint, the import contract, the tests not marked slow.
check: deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "not slow" -q

bench: deps
	for f in tests/benchmarks/bench_*.py tests/benchmarks/*_accuracy.py; do \
	  echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: deps
	$(BIN)/ruff check .

deps: system-deps $(VENV)/.installed

# System packages: installed only when a command or language pack is missing.
system-deps:
	@missing=0; \
	for cmd in tesseract gs soffice pdftoppm chromium; do \
	  command -v $$cmd >/dev/null 2>&1 || { echo "missing: $$cmd"; missing=1; }; \
	done; \
	tesseract --list-langs 2>/dev/null | grep -qx msa || { echo "missing: tesseract msa"; missing=1; }; \
	fc-list 2>/dev/null | grep -qi liberation || { echo "missing: Liberation fonts"; missing=1; }; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "missing: python venv"; missing=1; }; \
	if [ $$missing = 1 ]; then \
	  echo "installing system packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(APT_PACKAGES) >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -c 'from pathlib import Path; from pipeline.web.i18n import compile_catalogues as c; c(Path("pipeline/web/translations"))'  # the web's Malay catalogue
	$(BIN)/python -m compileall -q cli.py pipeline  # start-up: compiled once, not per run
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
