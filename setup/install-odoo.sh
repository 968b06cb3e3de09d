#!/usr/bin/env bash
# Installs Odoo 18.0 community for this project into .venv (or --venv PATH, or
# --current-python), from --source FOLDER|ARCHIVE|GIT_URL (default: the official 18.0
# source). Idempotent; prints how to run Odoo at the end. See setup/install_odoo.py.
set -euo pipefail
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "install-odoo: Odoo 18 needs Python 3.10 or newer; $python is" \
    "$("$python" -V 2>&1 || echo 'not found'). Install a newer python3 or set PYTHON=..." >&2
  exit 1
fi
exec "$python" "$(dirname "$0")/install_odoo.py" "$@"
