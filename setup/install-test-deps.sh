#!/usr/bin/env bash
# Installs what the test suite needs besides Odoo itself, only what is missing:
# Debian's Dovecot (IMAP, POP3) and Chromium, and the Python packages of
# requirements.txt plus the test tools. Idempotent; safe to run before every test run.
set -euo pipefail
missing=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd dovecot-pop3d)
[ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# Emoji in subjects render in the browser tests' screenshots instead of empty boxes.
[ -d /usr/share/fonts/truetype/noto ] && ls /usr/share/fonts/truetype/noto | grep -q ColorEmoji \
  || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (install them): ${missing[*]}" >&2
  fi
fi
need_pip=0
python3 - <<'PY' || need_pip=1
import importlib.util, sys
mods = ["lxml", "PIL", "html2text", "pytest", "hypothesis", "websocket", "whool", "build", "pylint_odoo", "polib"]
sys.exit(any(importlib.util.find_spec(m) is None for m in mods))
PY
command -v ruff >/dev/null 2>&1 || need_pip=1
if [ "$need_pip" = 1 ]; then
  echo "Installing Python packages: requirements.txt and test tools"
  python3 -m pip install -q -r "$(dirname "$0")/../requirements.txt" -r "$(dirname "$0")/../requirements-test.txt"
fi
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
    if python3 -m pip download -q --no-deps -d "${tmp_wheels}" "odoo-addon-${oca_addon}==18.0.*"; then
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
