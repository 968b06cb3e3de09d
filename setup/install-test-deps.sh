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
mods = ["lxml", "PIL", "html2text", "pytest", "hypothesis", "websocket"]
sys.exit(any(importlib.util.find_spec(m) is None for m in mods))
PY
command -v ruff >/dev/null 2>&1 || need_pip=1
if [ "$need_pip" = 1 ]; then
  echo "Installing Python packages: requirements.txt and test tools"
  python3 -m pip install -q -r "$(dirname "$0")/../requirements.txt" -r "$(dirname "$0")/../requirements-test.txt"
fi
