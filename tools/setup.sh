#!/usr/bin/env bash
# pmarket set-up: everything from the package registries, everything inside this repository.
# Idempotent: a second run only checks that each piece is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
SOLC_VERSION=0.8.30
PYTHON=${PYTHON:-python3}

# Package caches stay in the repository too (ignored by git), not in ~/.cache or ~/.npm.
export PIP_CACHE_DIR="$ROOT/.cache/pip"
NPM_CACHE="$ROOT/.cache/npm"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. npm: anvil, forge, cast, solc-js and the Solidity libraries, exactly as package-lock.json pins.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (anvil, forge, cast 1.7.1; solc-js $SOLC_VERSION; OpenZeppelin, solady, forge-std)"
  npm ci --no-audit --no-fund --loglevel=error --cache "$NPM_CACHE"
fi

# 1b. PostgreSQL (Debian's package): the ledger's tests start a throwaway server of their own
#     (tests/postgres.py). Installed when missing and the set-up can (root with apt-get).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "apt-get install postgresql (the ledger's tests run a real server)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    say "PostgreSQL is not installed: the ledger's PostgreSQL test needs it (sudo apt-get install postgresql)"
  fi
fi

# 2. Python: a virtual environment with the locked requirements and pmarket itself (editable).
if [ ! -x "$VENV/bin/python" ]; then
  say "creating .venv"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.pmarket-installed"
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "pip install -r requirements.lock (eth-ape 0.8.51, ape-solidity 0.8.6, ape-foundry 0.8.12, slither-analyzer 0.11.6, ...)"
  # (this machine's pip config lists local index folders that may not exist: drop those warnings)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock \
    2> >(grep -v "^WARNING: Location" >&2)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
    >/dev/null 2> >(grep -v "^WARNING: Location\|SetuptoolsDeprecationWarning\|^\s*!!\|^\s*\*\*\*" >&2)
  "$VENV/bin/python" -c "import ape, ape_foundry, ape_solidity, pmarket, slither, sqlalchemy, fastapi, uvicorn, psycopg" # fail here, not later
  touch "$stamp"
fi
# slither's crytic-compile depends on solc-select, whose `solc` shim in .venv/bin would shadow the
# compiler below for an activated shell and tries to download a compiler (it hangs offline). pmarket
# never uses it (slither builds through forge): remove the shim, keep the package.
if [ -f "$VENV/bin/solc" ] && grep -q solc_select "$VENV/bin/solc"; then
  rm -f "$VENV/bin/solc"
fi

# 3. solc 0.8.30 for py-solc-x (ape-solidity) and forge: a native solc 0.8.30 on PATH if the user has
#    one, else pmarket's solc-js front end. Both live at .solcx/solc-v0.8.30.
mkdir -p .solcx
native=$(command -v solc || true)
if [ -n "$native" ] && "$native" --version 2>/dev/null | grep -q "Version: $SOLC_VERSION"; then
  target="$native"
else
  target="$ROOT/tools/solc.js"
fi
if [ "$(readlink .solcx/solc-v$SOLC_VERSION || true)" != "$target" ]; then
  say "solc $SOLC_VERSION -> $target"
  ln -sfn "$target" ".solcx/solc-v$SOLC_VERSION"
fi

# 4. anvil, forge and cast beside ape in .venv/bin, so an activated shell finds them.
for tool in anvil forge cast; do
  ln -sfn "$ROOT/node_modules/@foundry-rs/$tool-linux-amd64/bin/$tool" "$VENV/bin/$tool"
done

# 5. Keep ape's and py-solc-x's state in the repository: every Python process of this venv
#    (ape, pytest, scripts) gets these defaults; an exported variable still wins.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cat > "$site/pmarket_env.pth" <<PTH
import os; os.environ.setdefault("APE_DATA_FOLDER", "$ROOT/.ape"); os.environ.setdefault("SOLCX_BINARY_PATH", "$ROOT/.solcx"); os.environ.setdefault("IPYTHONDIR", "$ROOT/.cache/ipython"); os.environ["PATH"] = "$VENV/bin" + os.pathsep + os.environ.get("PATH", "") if "$VENV/bin" not in os.environ.get("PATH", "").split(os.pathsep) else os.environ["PATH"]
PTH
mkdir -p .ape

# 6. Install the npm Solidity libraries as ape dependencies and compile, so a plain `ape test` or
#    `ape console` finds every contract (see ape-config.yaml). ape recompiles a changed file but
#    not the files importing it, and inside `ape test` an empty build compiles only part of
#    contracts/: so build everything, from scratch, whenever any source is newer than the build.
build=.build/__local__.json
if [ ! -f "$build" ] || [ -n "$(find contracts -name '*.sol' -not -path '*/.cache/*' -newer "$build" | head -1)" ]; then
  say "ape compile --force (contracts changed)"
  "$VENV/bin/ape" compile --force >/dev/null 2>.ape/compile.log || { cat .ape/compile.log >&2; exit 1; }
fi
# ape-solidity leaves the unpacked libraries in contracts/.cache; left there, they make ape's
# project loading (ape test, ape console) lose contracts of the build. The build no longer needs them.
rm -rf contracts/.cache
say "ready: source .venv/bin/activate (or use make) -- ape, anvil, forge and cast are on its PATH"
