"""Pytest plugin: a real Dovecot (and SMTP sink) for the pure tests.

Loaded from ``tests/conftest.py`` through ``pytest_plugins``. The servers are the package
``mailharness`` of the addon (``helpdesk_mail_ticket/mailharness``), which the Odoo tests
share; it is on the pure tests' path (``pythonpath`` in ``pyproject.toml``).

When Dovecot is not installed every test using it FAILS, unless ``HMT_SKIP_DOVECOT=1`` is
set to skip them deliberately (a skip must never pass for a green run by accident).
"""

import os
import secrets
from pathlib import Path

import mailharness.dovecot
import pytest
from mailharness.dovecot import Dovecot
from mailharness.smtp import SmtpSink

ROOT = Path(__file__).resolve().parent.parent


def require_dovecot():
    if mailharness.dovecot.available():
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
    server = Dovecot()
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
    server = Dovecot(oauth2=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot):
    """An empty mailbox of a new user on the session Dovecot."""
    return new_mailbox(dovecot)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
