# Two commands set everything up (see README):
#   make setup   create .venv, install hardneg with pinned torch, compile the generation hot path
#                (mypyc), run `hardneg quickstart`
#   make test    lint with ruff and run the whole test suite
# After editing a compiled module, `make compile` rebuilds it (until then its source runs, with a
# warning); `make pure` removes the compiled build.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup install compile pure native-status test lint bench

setup: install
	@# without a C compiler the compiled build fails: hardneg then runs its pure-Python sources
	$(MAKE) compile || echo "make compile failed: running the pure-Python sources (slower, same results)"
	$(BIN)/hardneg quickstart

install:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[model,dev,ray,pg,native]'

compile:
	HARDNEG_PURE=1 $(BIN)/python -c 'from toolkit.generation.native import main; main(["build"])'

pure:
	$(BIN)/python -c 'from toolkit.generation.native import main; main(["clean"])'

native-status:
	$(BIN)/python -c 'from toolkit.generation.native import main; main(["status"])'

lint:
	$(BIN)/ruff check toolkit tests benchmarks db

test: lint
	$(BIN)/python -m pytest

bench:
	$(BIN)/python benchmarks/generation.py
