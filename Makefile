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

# The web pages' front-end packages (bpmn-js, Swagger UI), from npm, exactly as package-lock.json pins
# them. No package needs an install script; skipping them keeps swagger-ui-dist's @scarf/scarf from
# reporting the install (package.json's scarfSettings turns it off as well).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The browser the web tests drive: Debian's chromium (Playwright's own download is not used).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	apt-get install -y --no-install-recommends chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

# The PKCS#11 module the signing tests use as a token: Debian's SoftHSM2.
SOFTHSM ?= /usr/lib/softhsm/libsofthsm2.so
$(SOFTHSM):
	apt-get install -y --no-install-recommends softhsm2 || (apt-get update && apt-get install -y --no-install-recommends softhsm2)

# Without a signing key of its own (MOTCUA_SIGNING_PKCS12 or MOTCUA_SIGNING_PKCS11_MODULE), `make run`
# signs results with the demo certificate it makes under the data folder (DEMO in its subject).
DEMO_SIGNING := $(MOTCUA_DATA_DIR)/demo-signing
ifeq ($(MOTCUA_SIGNING_PKCS12)$(MOTCUA_SIGNING_PKCS11_MODULE),)
run: export MOTCUA_SIGNING_PKCS12 := $(DEMO_SIGNING)/signer.p12
run: export MOTCUA_SIGNING_PKCS12_PASSWORD_FILE := $(DEMO_SIGNING)/signer.password
run: export MOTCUA_SIGNING_TRUST_ROOTS := $(DEMO_SIGNING)/root.pem
endif

## make run: install, migrate the database, deploy the bundled models, seed demo data, serve.
run: $(VENV)/.installed node_modules/.installed
	$(BIN)/motcua migrate
	$(BIN)/motcua deploy-models bpmn_models
	$(BIN)/motcua seed-demo
ifeq ($(MOTCUA_SIGNING_PKCS12)$(MOTCUA_SIGNING_PKCS11_MODULE),)
	$(BIN)/motcua make-demo-certificate
endif
	$(BIN)/motcua serve --port $(PORT)

## make test: the whole suite, on SQLite and on PostgreSQL, in two processes (PYTEST_ARGS=-n0 for one).
PYTEST_ARGS ?= -n 2
test: $(VENV)/.installed-test node_modules/.installed $(CHROMIUM) $(SOFTHSM)
	$(BIN)/ruff check engine workflows api tests migrations bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make fuzz: the long fuzzing of the API from its OpenAPI document (tests/api/test_fuzzing.py; `make test` runs
## it short): FUZZ_EXAMPLES cases per operation, each sent as every role, boundary values, a random seed
## (a failure names it: MOTCUA_FUZZ_SEED=N make fuzz repeats the run).
FUZZ_EXAMPLES ?= 200
.PHONY: fuzz
fuzz: $(VENV)/.installed-test
	MOTCUA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MOTCUA_FUZZ_SEED=$${MOTCUA_FUZZ_SEED:-random} MOTCUA_FUZZ_COVERAGE=1 \
		$(BIN)/python -m pytest tests/api/test_fuzzing.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check engine workflows api tests bench migrations

clean:
	rm -rf $(VENV) build *.egg-info node_modules

## make bench: the benchmark run (bench/run.py): tables printed, figures in bench/results/*.json.
## Options in BENCH_ARGS, e.g. BENCH_ARGS=--quick (a smoke run of every part), or
## BENCH_ARGS="--only api,raw --databases postgresql --clients 1,8,32 --completions 2000"; see --help.
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)
