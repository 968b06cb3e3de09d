"""Pytest plugin: a real Dovecot (and SMTP sink) for the pure tests.

Loaded from ``tests/conftest.py`` through ``pytest_plugins``. The harness lives in the addon
(``helpdesk_mail_ticket/tests/dovecot.py``) so that the Odoo tests share it; it is loaded
here by file path because ``helpdesk_mail_ticket/tests`` is an Odoo test package.

When Dovecot is not installed every test using it FAILS, unless ``HMT_SKIP_DOVECOT=1`` is
set to skip them deliberately (a skip must never pass for a green run by accident).
"""

import importlib.util
import os
import secrets
import sys
from pathlib import Path

import pytest

HARNESS_PATH = Path(__file__).resolve().parent.parent / "helpdesk_mail_ticket/tests/dovecot.py"


def load_by_path(name, path):
    """The module at ``path``, loaded once under ``name`` (a file outside any package
    the pure tests can import)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_harness():
    """The harness module (``hmt_dovecot_harness``), loaded once by file path."""
    return load_by_path("hmt_dovecot_harness", HARNESS_PATH)


harness = load_harness()


def require_dovecot():
    if harness.available():
        return
    if os.environ.get("HMT_SKIP_DOVECOT") == "1":
        pytest.skip("dovecot not installed and HMT_SKIP_DOVECOT=1")
    pytest.fail(
        "dovecot is not installed: apt-get install dovecot-imapd dovecot-pop3d "
        "(or set HMT_SKIP_DOVECOT=1 to skip these tests on purpose)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def dovecot():
    """One running Dovecot for the whole session (tests isolate themselves by user)."""
    require_dovecot()
    server = harness.Dovecot()
    server.start()
    yield server
    server.stop()


class Mailbox:
    """A fresh user on a harness server, with helpers to build ``ServerConfig`` values."""

    def __init__(self, server, login, password):
        self.server = server
        self.login = login
        self.password = password

    def port(self, protocol, security):
        server = self.server
        if protocol == "imap":
            return server.imaps_port if security == "ssl" else server.imap_port
        return server.pop3s_port if security == "ssl" else server.pop3_port

    def config(self, protocol="imap", security="none", **overrides):
        from mailsource import ServerConfig

        values = {
            "protocol": protocol,
            "host": self.server.host,
            "port": self.port(protocol, security),
            "login": self.login,
            "password": self.password,
            "security": security,
            "ca_file": self.server.ca_file,
            "timeout": 10.0,
        }
        values.update(overrides)
        return ServerConfig(**values)

    def append(self, raw, folder="INBOX", flags=()):
        return self.server.append(self.login, raw, folder=folder, flags=flags)

    def uids(self, folder="INBOX"):
        return self.server.uids(self.login, folder)

    def flags(self, uid, folder="INBOX"):
        return self.server.flags(self.login, uid, folder)


def new_mailbox(server, password=None):
    """A new user (random login, random password unless given) on ``server``."""
    login = f"user{secrets.token_hex(4)}@example.com"
    password = password or "pw-" + secrets.token_urlsafe(12)
    server.add_user(login, password)
    return Mailbox(server, login, password)


@pytest.fixture(scope="session")
def oauth2_dovecot():
    """A second Dovecot that also takes XOAUTH2/OAUTHBEARER with tokens of ``.oauth2``
    (the harness's local token and introspection endpoint)."""
    require_dovecot()
    server = harness.Dovecot(oauth2=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot):
    """An empty mailbox of a new user on the session Dovecot."""
    return new_mailbox(dovecot)


@pytest.fixture
def smtp_sink():
    sink = harness.SmtpSink()
    sink.start()
    yield sink
    sink.stop()
