#!/usr/bin/env bash
# Installs what the test suite (or, with --demo, the demo) needs, only what is missing:
# Debian's Dovecot (IMAP, POP3) and Chromium; PostgreSQL's binaries when no server answers
# (the demo and the test command then start a private one); Odoo 18.0 with
# setup/install-odoo.sh into the project's .venv when python3 cannot import it (from
# HMT_ODOO_SOURCE, a folder, archive or git URL, default the official 18.0 source); the
# Python packages of requirements.txt plus the test tools, into the Python that has Odoo.
# Idempotent; safe to run before every test run. setup/prepare.sh runs it, then a command.
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
demo_only=0
[ "${1:-}" = "--demo" ] && demo_only=1
has_odoo() {
  (cd /tmp && "$1" -c "import importlib.util as u, sys; sys.exit(u.find_spec('odoo') is None)") >/dev/null 2>&1
}
py=python3
odoo_missing=0
if ! has_odoo python3; then
  py="${root_dir}/.venv/bin/python"
  [ -x "$py" ] && has_odoo "$py" || odoo_missing=1
fi
missing=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd dovecot-pop3d)
[ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "$demo_only" = 0 ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  # Emoji in subjects render in the browser tests' screenshots instead of empty boxes.
  [ -d /usr/share/fonts/truetype/noto ] && ls /usr/share/fonts/truetype/noto | grep -q ColorEmoji \
    || missing+=(fonts-noto-color-emoji)
fi
# PostgreSQL: a server that answers is used; otherwise tools/pgcluster.py starts a private
# cluster with Debian's binaries.
db_host="${HMT_DB_HOST:-${PGHOST:-127.0.0.1}}"
db_port="${HMT_DB_PORT:-${PGPORT:-5432}}"
if ! (exec 3<>"/dev/tcp/${db_host}/${db_port}") 2>/dev/null \
  && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
# A .venv is usable only with pip in it (a half-made one is repaired by install-odoo.sh).
if [ "$odoo_missing" = 1 ] && ! "${root_dir}/.venv/bin/python" -m pip --version >/dev/null 2>&1; then
  python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
  command -v git >/dev/null 2>&1 || missing+=(git)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || sudo=(sudo)
  if { [ "$(id -u)" = 0 ] || [ ${#sudo[@]} -gt 0 ]; } && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    # Only PostgreSQL's binaries are needed (tools/pgcluster.py starts a private cluster):
    # postgresql-common first, told not to create (and start for good) a main cluster.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-common >/dev/null
      "${sudo[@]}" sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
        /etc/postgresql-common/createcluster.conf
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (install them): ${missing[*]}" >&2
  fi
fi
if [ "$odoo_missing" = 1 ]; then
  echo "python3 cannot import Odoo 18: installing it into ${root_dir}/.venv"
  bash "${root_dir}/setup/install-odoo.sh" ${HMT_ODOO_SOURCE:+--source "$HMT_ODOO_SOURCE"}
  py="${root_dir}/.venv/bin/python"
fi
need_pip=0
mods='"lxml", "PIL", "html2text"'
[ "$demo_only" = 1 ] || mods="${mods}"', "pytest", "hypothesis", "websocket", "whool", "build", "pylint_odoo", "polib"'
"$py" -c "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in [${mods}]))" \
  || need_pip=1
[ "$demo_only" = 1 ] || command -v ruff >/dev/null 2>&1 || [ -x "$(dirname "$py")/ruff" ] || need_pip=1
if [ "$need_pip" = 1 ]; then
  requirements=(-r "${root_dir}/requirements.txt")
  [ "$demo_only" = 1 ] || requirements+=(-r "${root_dir}/requirements-test.txt")
  echo "Installing Python packages: requirements.txt$([ "$demo_only" = 1 ] || echo " and test tools")"
  "$py" -m pip install -q "${requirements[@]}"
fi
[ "$demo_only" = 0 ] || exit 0
# OCA helpdesk_mgmt and queue_job, for the tests of the bridge addons
# helpdesk_mail_ticket_helpdesk_mgmt and helpdesk_mail_ticket_queue_job: their wheels from
# PyPI (without their dependency on Odoo itself), unpacked outside the repository.
# tools/run_tests.py finds them there (or wherever HMT_EXTRA_ADDONS says). queue_job's one
# Python dependency, requests, is one of Odoo's own.
oca_root="${HOME}/.cache/hmt/oca"
for oca_addon in helpdesk_mgmt queue_job; do
  if [ ! -f "${oca_root}/odoo/addons/${oca_addon}/__manifest__.py" ]; then
    echo "Fetching OCA ${oca_addon} 18.0 into ${oca_root}"
    tmp_wheels="$(mktemp -d)"
    if "$py" -m pip download -q --no-deps -d "${tmp_wheels}" "odoo-addon-${oca_addon}==18.0.*"; then
      mkdir -p "${oca_root}"
      python3 -m zipfile -e "${tmp_wheels}"/odoo_addon_${oca_addon}-*.whl "${oca_root}"
    else
      echo "Could not download odoo-addon-${oca_addon}: its bridge addon's tests will not run" >&2
    fi
    rm -rf "${tmp_wheels}"
  fi
done
# Prettier with its XML plugin (the pre-commit hook's versions), for the test command's
# XML format check; outside the repository.
node_root="${HOME}/.cache/hmt/node"
if [ ! -x "${node_root}/node_modules/.bin/prettier" ] || [ ! -d "${node_root}/node_modules/@prettier/plugin-xml" ]; then
  echo "Installing prettier and @prettier/plugin-xml into ${node_root}"
  mkdir -p "${node_root}"
  npm install --silent --no-audit --no-fund --prefix "${node_root}" prettier@3.3.3 @prettier/plugin-xml@3.4.1
fi
