# Keep It Local evidence toolkit. `make` (or `make help`) lists the targets.
# Everything runs inside a virtual environment in .venv, made on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
REGISTRY ?= data/samples/authorities.yml
OUT    ?= packs

.DEFAULT_GOAL := help
.PHONY: help setup system packs app test lint book book-zip lab bench samples screenshots clean

help: ## List the targets with what each does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (keepitlocal)" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Make the virtual environment and install the Python packages
	@bash scripts/system-packages.sh pdf

system: ## Install Pango (PDF), fonts and Chromium (browser tests) with apt-get where possible
	@bash scripts/system-packages.sh all

packs: setup ## Make evidence packs for every sample organisation, authority and scenario (HTML + PDF)
	$(VENV)/bin/keepitlocal packs --registry $(REGISTRY) --out $(OUT)

app: $(STAMP) ## Start the evidence app in the browser (this machine only; see README for a room)
	$(VENV)/bin/keepitlocal app

test: $(STAMP) ## Run the linter, build the course, then every test (unit, property, notebooks, packs, book, browser)
	$(VENV)/bin/ruff check .
	bash scripts/build-book.sh
	$(PY) -m pytest

lint: $(STAMP) ## Run ruff only
	$(VENV)/bin/ruff check .

book: $(STAMP) ## Build the course website (Jupyter Book 1) with warnings as errors
	bash scripts/build-book.sh

book-zip: $(STAMP) ## Zip the built course site into dist/keepitlocal-course.zip (works from file://; builds it first if absent)
	bash scripts/book-zip.sh dist/keepitlocal-course.zip

lab: $(STAMP) ## Open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP) ## Run the benchmarks (command-line start, spend, packs, geography, 20 app sessions); results go to benchmarks/results/
	$(PY) benchmarks/bench_cli.py
	$(PY) benchmarks/bench_spend.py
	$(PY) benchmarks/bench_packs.py
	$(PY) benchmarks/bench_geography.py
	-$(PY) benchmarks/bench_app.py
	-$(PY) benchmarks/bench_app.py --room 22 --out benchmarks/results/app-room.json
	$(PY) benchmarks/bench_app.py --room 22 --one-context --out benchmarks/results/app-room-one-context.json

screenshots: $(STAMP) ## Make the course's screenshots of the app again (book/images/app-*.png; needs Chromium)
	bash scripts/app-screenshots.sh

samples: $(STAMP) ## Make the fictional sample data again (seeded)
	$(VENV)/bin/keepitlocal samples --out data/samples

clean: ## Remove packs and build outputs (keeps .venv)
	rm -rf $(OUT) _build _widgets book/examples benchmarks/results .pytest_cache .ruff_cache .hypothesis
