#!/usr/bin/env bash
# The README's two commands start here: makes this Debian or Ubuntu machine ready, then
# runs the command given, from the repository's root:
#   bash setup/prepare.sh --demo python3 tools/demo.py    # what the demo needs
#   bash setup/prepare.sh python3 tools/run_tests.py      # what every test needs
# setup/install-test-deps.sh installs what is missing (Debian packages, PostgreSQL's
# binaries, Odoo 18.0 into .venv when python3 cannot import it, Python packages). When
# Odoo lives in .venv, the command runs with .venv/bin first on PATH (as after
# "source .venv/bin/activate"), so its python3 is the one with Odoo.
set -euo pipefail
cd "$(dirname "$0")/.."
deps_args=()
if [ "${1:-}" = "--demo" ]; then
  deps_args=(--demo)
  shift
fi
bash setup/install-test-deps.sh "${deps_args[@]}"
if ! (cd /tmp && python3 -c "import importlib.util as u, sys; sys.exit(u.find_spec('odoo') is None)") >/dev/null 2>&1 && [ -x .venv/bin/python ]; then
  echo "Running with the project's virtual environment .venv (Odoo 18 is installed there)"
  export VIRTUAL_ENV="$PWD/.venv"
  export PATH="$VIRTUAL_ENV/bin:$PATH"
fi
exec "$@"
