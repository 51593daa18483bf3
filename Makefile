# Two commands a new user needs: `make cards` and `make test`. Both create the
# virtual environment and install routinecard into it first, so a fresh clone works.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: cards test bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

cards: $(STAMP)
	$(BIN)/routinecard build cards/ patients/ -o build/

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf build .venv
