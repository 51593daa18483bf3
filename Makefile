# Two commands a new user needs: `make cards` and `make test`. Both create the
# virtual environment and install routinecard into it first, so a fresh clone works.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: cards test bench clean venv library-docs

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

cards: $(STAMP)
	$(BIN)/routinecard build cards/ patients/ -o build/

# docs/library.md and a thumbnail of every card in the library
library-docs: $(STAMP)
	$(BIN)/routinecard library --docs docs

test: $(STAMP)
	$(BIN)/python -m pytest

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@touch $(BENCH_STAMP)

# Not part of the tests: timings, ratios and targets, side by side in one run.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf build .venv
