"""mailsource's OAuth2 login (SASL XOAUTH2) against a real Dovecot.

Dovecot's oauth2 passdb asks the harness's loopback endpoint whether a token is live
(RFC 7662 introspection), so good, expired, revoked and foreign tokens behave as they do
with Google or Microsoft 365. The token must never show up in a repr, an error or a trace.
"""

import dataclasses
import time

import pytest
from conftest_dovecot import new_mailbox
from mailsource import (
    AuthenticationError,
    ServerConfig,
    UnsupportedOperationError,
    open_source,
)
from mailsource.base import TOKEN_REFUSED, xoauth2_error_report, xoauth2_string
from test_mailsource import (
    TRANSPORT_IDS,
    TRANSPORTS,
    FakeServer,
    Trace,
    assert_error_clean,
    fake_config,
    message,
)


@pytest.fixture
def oauth2_box(oauth2_dovecot):
    """A user of the OAuth2 Dovecot with two messages and a live access token."""
    box = new_mailbox(oauth2_dovecot)
    box.append(message(1))
    box.append(message(2))
    box.token = oauth2_dovecot.oauth2.issue_access_token(box.login)
    return box


def oauth2_config(box, protocol="imap", security="none", token=None, **overrides):
    return box.config(
        protocol, security, password=token or box.token, auth_mechanism="xoauth2", **overrides
    )


def test_config_validates_the_mechanism_and_hides_the_token():
    token = "ya29.SECRET-TOKEN"
    config = ServerConfig("imap", "mail.example.com", 0, "me", token, auth_mechanism="xoauth2")
    assert token not in repr(config)
    assert "auth_mechanism='xoauth2'" in repr(config)
    assert ServerConfig("imap", "h", 0, "me", "pw").auth_mechanism == "password"
    with pytest.raises(ValueError, match="auth_mechanism"):
        ServerConfig("imap", "h", 0, "me", "pw", auth_mechanism="oauth")
    with pytest.raises(ValueError, match="access token"):
        ServerConfig("imap", "h", 0, "me", "", auth_mechanism="xoauth2")
    with pytest.raises(ValueError, match="line breaks"):
        ServerConfig("imap", "h", 0, "me", "tok\r\nA1 LOGOUT", auth_mechanism="xoauth2")


def test_sasl_string_and_error_report():
    assert (
        xoauth2_string("me@example.com", "tok") == b"user=me@example.com\x01auth=Bearer tok\x01\x01"
    )
    report = b'{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}'
    assert xoauth2_error_report(report) == (
        "OAuth2 error status 401, schemes bearer, scope https://mail.google.com/"
    )
    assert xoauth2_error_report(b"not json ") == "not json"


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS, ids=TRANSPORT_IDS)
def test_good_token_logs_in_and_reads_mail(oauth2_box, protocol, security):
    trace = Trace()
    config = oauth2_config(oauth2_box, protocol, security)
    with open_source(config, trace=trace.append) as source:
        messages = source.list_messages()
        assert len(messages) == 2
        assert b"Subject: Request 2" in source.fetch(messages[1].uid)
        assert source.test().endswith("2 messages" + (" in INBOX" if protocol == "imap" else ""))
    assert any("XOAUTH2" in line for line in trace)
    assert any("auth=Bearer ********" in line for line in trace)
    trace.assert_clean(oauth2_box.token, oauth2_box.password)
    assert oauth2_box.token not in repr(config)


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
@pytest.mark.parametrize("case", ["expired", "revoked", "unknown", "other_user"])
def test_refused_token_is_an_authentication_error(oauth2_dovecot, oauth2_box, protocol, case):
    endpoint = oauth2_dovecot.oauth2
    token, login = oauth2_box.token, oauth2_box.login
    if case == "expired":
        endpoint.expire(token)
    elif case == "revoked":
        endpoint.revoke(token)
    elif case == "unknown":
        token = "at-never-issued-" + oauth2_box.token
    else:
        login = new_mailbox(oauth2_dovecot).login  # the token belongs to oauth2_box.login
    trace = Trace()
    config = oauth2_config(oauth2_box, protocol, token=token, login=login)
    started = time.monotonic()
    with pytest.raises(AuthenticationError) as error:
        open_source(config, trace=trace.append).connect()
    assert time.monotonic() - started < 5  # the error challenge was answered, no hang
    assert error.value.message.startswith(TOKEN_REFUSED)
    assert "status 401" in error.value.detail  # Dovecot's JSON report, decoded
    assert_error_clean(error.value, token)
    trace.assert_clean(token)


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_server_without_xoauth2_gives_a_clear_error(mailbox, protocol):
    config = mailbox.config(protocol, password="some-token", auth_mechanism="xoauth2")
    with pytest.raises(UnsupportedOperationError, match="does not offer OAuth2 login"):
        open_source(config).connect()


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_provider_sized_token(oauth2_dovecot, oauth2_box, protocol):
    """Microsoft's access tokens are JWTs of 2-3 KB: they must fit the login lines."""
    token = oauth2_dovecot.oauth2.issue_access_token(
        oauth2_box.login, token="eyJ0eXAiOiJKV1Qi." + "x" * 3000
    )
    with open_source(oauth2_config(oauth2_box, protocol, token=token)) as source:
        assert len(source.list_messages()) == 2


def test_password_login_still_works_on_the_oauth2_server(oauth2_box):
    config = dataclasses.replace(oauth2_config(oauth2_box), auth_mechanism="password")
    config = dataclasses.replace(config, password=oauth2_box.password)
    with open_source(config) as source:
        assert len(source.list_messages()) == 2


def test_endless_challenges_are_cancelled():
    """A server that answers the token with challenge after challenge: the client
    cancels ("*") after the error report instead of looping or waiting."""
    seen = []

    def answer(line):
        seen.append(line)
        tag, _sep, rest = line.rstrip(b"\r\n").partition(b" ")
        if rest.upper() == b"CAPABILITY":
            return b"* CAPABILITY IMAP4rev1 AUTH=XOAUTH2\r\n" + tag + b" OK done\r\n"
        if rest.upper().startswith(b"AUTHENTICATE"):
            seen.append(tag)
            return b"+ \r\n"
        if line.strip() == b"*":
            return seen[1] + b" BAD [AUTHENTICATIONFAILED] cancelled\r\n"
        return b"+ eyJzdGF0dXMiOiI0MDAifQ==\r\n"  # {"status":"400"}, again and again

    server = FakeServer("lines", b"* OK IMAP4rev1 ready\r\n", answer)
    config = fake_config("imap", server.port, password="tok-12345", auth_mechanism="xoauth2")
    try:
        with pytest.raises(AuthenticationError) as error:
            open_source(config).connect()
    finally:
        server.close()
    assert "status 400" in error.value.detail
    assert seen[-1].strip() == b"*"
    assert_error_clean(error.value, "tok-12345")
