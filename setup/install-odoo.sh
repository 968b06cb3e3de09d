#!/usr/bin/env bash
# Installs Odoo 18.0 community for this project into .venv (or --venv PATH, or
# --current-python), from --source FOLDER|ARCHIVE|GIT_URL (default: the official 18.0
# source). Idempotent; prints how to run Odoo at the end. See setup/install_odoo.py.
set -euo pipefail
exec "${PYTHON:-python3}" "$(dirname "$0")/install_odoo.py" "$@"
