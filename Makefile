# pmarket -- every target sets itself up first (tools/setup.sh is idempotent and quick when done).
SHELL := /bin/bash
VENV  := .venv/bin
APE   := $(VENV)/ape
# forge keeps a selector cache in $$HOME/.foundry: give it a home inside the repository.
FORGE := HOME=$(CURDIR)/.cache/home $(VENV)/forge
NETWORK ?= ethereum:local:foundry
FUZZ_RUNS ?= 100000

.PHONY: setup demo test test-py test-forge fuzz bench gas-check gas-snapshot lint compile errors lock clean

setup:
	@./tools/setup.sh

# setup.sh compiles (from scratch) whenever a contract changed since the last build.
compile: setup

# Rewrite pmarket/errors.json (the Python error classes' table) from the build; commit it with the
# contract change (tests/test_errors.py fails while it differs from the build).
errors: compile
	$(VENV)/python tools/gen_errors.py

demo: compile
	$(APE) run demo --network $(NETWORK)

test: setup test-forge test-py

# Every Anvil run keeps its old states in $$HOME/.foundry/anvil/tmp (about 6 GB for the whole suite)
# and leaves them behind when it is stopped: clear the ones no run has touched for an hour.
ANVIL_TMP := $(HOME)/.foundry/anvil/tmp
test-py: compile
	@find $(ANVIL_TMP) -mindepth 1 -maxdepth 1 -name 'anvil-state-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
	$(APE) test tests --network $(NETWORK) -q

test-forge: setup
	$(FORGE) test

fuzz: setup
	FOUNDRY_FUZZ_RUNS=$(FUZZ_RUNS) $(FORGE) test
	FOUNDRY_PROFILE=deep $(FORGE) test --match-test '^invariant_'

bench: compile
	$(APE) run bench --network $(NETWORK)

# The bench's key figures against bench/gas-snapshot.json: fails on a rise over 1% (scripts/gas_check.py).
gas-check: compile
	$(APE) run gas_check --network $(NETWORK)

# Rewrite bench/gas-snapshot.json from the figures measured now (commit it with the change).
gas-snapshot: compile
	$(APE) run gas_check --network $(NETWORK) --write

# Slither through forge (profile lint); fails on a high/medium finding not in tools/slither-accepted.json.
lint: setup
	$(VENV)/python tools/slither_check.py

# Re-pin the Python tree after changing pyproject.toml (needs the registry).
lock: setup
	@{ echo "# Exact pins of the whole Python tree; 'make lock' rewrites it from a working .venv."; \
	   $(VENV)/pip freeze --all --exclude-editable | grep -v '^pip=='; } > requirements.lock

clean:
	rm -rf .build .venv node_modules .ape .solcx .hypothesis deployments
