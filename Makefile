# Two commands a new user needs: `make cards` and `make test`. Both create the
# virtual environment and install routinecard into it first, so a fresh clone works.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BASE_STAMP := $(VENV)/.installed-base

BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: cards test typecheck bench clean venv library-docs chromium

venv: $(STAMP)

# routinecard itself (all `make cards` needs), and the bold fallback font cut once now,
# not in the middle of someone's first build.
$(BASE_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -c "from routinecard.fonts import font_set; font_set().fallback(bold=True)"
	@touch $(BASE_STAMP)

# The test tools (pytest, mypy, playwright...) and the web app: only for `make test`.
$(STAMP): $(BASE_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,serve,dask]"
	@touch $(STAMP)

cards: $(BASE_STAMP)
	$(BIN)/routinecard build cards/ patients/ -o build/

# docs/library.md and a thumbnail of every card in the library
library-docs: $(STAMP)
	$(BIN)/routinecard library --docs docs

# The type checker runs first: `mypy --strict` over src/ (settings in pyproject.toml).
typecheck: $(STAMP)
	$(BIN)/python -m mypy

test: typecheck chromium
	$(BIN)/python -m pytest

# The browser tests drive Debian's chromium (Playwright cannot download its own here).
# Installed when missing and we are root (CI is); elsewhere the tests say how to get it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped (sudo apt-get install chromium)"; fi; }

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,serve,dask,bench]"
	@touch $(BENCH_STAMP)

# Not part of the tests: timings, ratios and targets, side by side in one run.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/serve_load.py

clean:
	rm -rf build .venv
