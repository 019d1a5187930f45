# pmarket -- every target sets itself up first (tools/setup.sh is idempotent and quick when done).
SHELL := /bin/bash
VENV  := .venv/bin
APE   := $(VENV)/ape
# forge keeps a selector cache in $$HOME/.foundry: give it a home inside the repository.
FORGE := HOME=$(CURDIR)/.cache/home $(VENV)/forge
NETWORK ?= ethereum:local:foundry
FUZZ_RUNS ?= 100000

.PHONY: setup demo test test-py test-forge fuzz bench compile lock clean

setup:
	@./tools/setup.sh

# ape recompiles a changed file but not the files importing it: force a full build whenever any
# source is newer than the last build.
compile: setup
	@if [ -n "$$(find contracts -name '*.sol' -newer .build/__local__.json 2>/dev/null | head -1)" ] \
	    || [ ! -f .build/__local__.json ]; then $(APE) compile --force; else $(APE) compile; fi

demo: compile
	$(APE) run demo --network $(NETWORK)

test: setup test-forge test-py

# `ape compile` first: on an empty .build, ape's lazy loading inside `ape test` compiles only
# part of contracts/ (the test tokens were missing), while the CLI compiles the whole folder.
test-py: compile
	$(APE) test tests --network $(NETWORK) -q

test-forge: setup
	$(FORGE) test

fuzz: setup
	FOUNDRY_FUZZ_RUNS=$(FUZZ_RUNS) $(FORGE) test

bench: compile
	$(APE) run bench --network $(NETWORK)

# Re-pin the Python tree after changing pyproject.toml (needs the registry).
lock: setup
	@{ echo "# Exact pins of the whole Python tree; 'make lock' rewrites it from a working .venv."; \
	   $(VENV)/pip freeze --all --exclude-editable | grep -v '^pip=='; } > requirements.lock

clean:
	rm -rf .build .venv node_modules .ape .solcx .hypothesis deployments
