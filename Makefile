# Two commands set everything up (see README):
#   make setup   create .venv, install hardneg with pinned torch, run `hardneg quickstart`
#   make test    lint with ruff and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup install test lint bench

setup: install
	$(BIN)/hardneg quickstart

install:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[model,dev,ray,pg]'

lint:
	$(BIN)/ruff check toolkit tests benchmarks db

test: lint
	$(BIN)/python -m pytest

bench:
	$(BIN)/python benchmarks/generation.py
