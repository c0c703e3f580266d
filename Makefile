# First use creates .venv and installs everything; later uses reuse it until
# pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed-stamp
BIN    := $(VENV)/bin

.PHONY: demo test bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fairdue demo

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/fairdue bench loanmath
	$(BIN)/fairdue bench gate

clean:
	rm -rf $(VENV) .pytest_cache fairdue.db
