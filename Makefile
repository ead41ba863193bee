# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export PORT
export MOTCUA_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg setup.py
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## make run: install, migrate the database, deploy the bundled models, seed demo data, serve.
run: $(VENV)/.installed
	$(BIN)/motcua migrate
	$(BIN)/motcua deploy-models bpmn_models
	$(BIN)/motcua seed-demo
	$(BIN)/motcua serve --port $(PORT)

## make test: the whole suite, on SQLite and on PostgreSQL.
test: $(VENV)/.installed-test
	$(BIN)/ruff check engine workflows api tests migrations bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check engine workflows api tests bench migrations

clean:
	rm -rf $(VENV) build *.egg-info

## make bench: the benchmarks under bench/ (figures printed and written to bench/results/).
bench: $(VENV)/.installed
	$(BIN)/python bench/seed_procedure.py
	$(BIN)/python bench/seed_procedure.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
