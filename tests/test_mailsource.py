"""mailsource against a real Dovecot (IMAP, POP3; plain, SSL, STARTTLS) and real sockets.

Every error class is produced for real: closed ports, an unresolvable host, a server that
never answers, TLS to a plain port, an untrusted CA, wrong passwords, a missing folder.
The password must never show up in an error text or a trace line.
"""

import contextlib
import dataclasses
import gc
import imaplib
import os
import poplib
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest
from conftest_dovecot import new_mailbox, require_dovecot
from mailharness.certificates import make_certificates
from mailharness.common import free_ports
from mailharness.dovecot import Dovecot
from mailharness.proxy import FaultProxy
from mailsource import (
    AuthenticationError,
    FolderNotFoundError,
    HostNotFoundError,
    MailSourceError,
    MessageError,
    MessageNotFoundError,
    NetworkError,
    ProtocolError,
    RefusedError,
    RemoteMessage,
    ServerConfig,
    TimedOutError,
    TLSError,
    UidValidityChangedError,
    UnsupportedOperationError,
    open_source,
    split_imap_options,
    unknown_imap_options,
)
from mailsource import base as mailsource_base
from mailsource.imap import quote_mailbox, uid_set

TRANSPORTS = [
    ("imap", "none"),
    ("imap", "ssl"),
    ("imap", "starttls"),
    ("pop3", "none"),
    ("pop3", "ssl"),
    ("pop3", "starttls"),
]
TRANSPORT_IDS = [f"{protocol}-{security}" for protocol, security in TRANSPORTS]
SECRET = "Sw0rdfish-NEVER-SHOWN"


def message(number, body="Hello"):
    return (
        f"From: Customer {number} <customer{number}@example.org>\r\n"
        f"To: support@example.com\r\n"
        f"Subject: Request {number}\r\n"
        f"Message-ID: <request-{number}@example.org>\r\n"
        f"\r\n"
        f"{body} {number}\r\n"
        f".leading dot line\r\n"
    ).encode()


class Trace(list):
    """Collects trace lines; asserts the password never reached it."""

    def assert_clean(self, *secrets):
        assert self, "the trace callback was never called"
        for line in self:
            for secret in secrets:
                assert secret not in line


def assert_error_clean(error, *secrets):
    texts = [str(error), error.message, error.detail or "", repr(error), *map(str, error.args)]
    for text in texts:
        for secret in secrets:
            assert secret not in text


# -- fake servers for the failure modes a real server will not produce on demand


class FakeServer:
    """A loopback TCP server with a scripted behaviour, one thread per connection.

    ``silent``: accept and never send a byte. ``close``: accept and hang up.
    ``lines``: send ``greeting``, then answer each client line with ``answer(line)``.
    """

    def __init__(self, mode, greeting=b"", answer=None):
        self.mode, self.greeting, self.answer = mode, greeting, answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.clients = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                continue
            self.clients.append(conn)
            if self.mode == "close":
                conn.close()
            elif self.mode == "lines":
                threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        with contextlib.suppress(OSError):
            conn.sendall(self.greeting)
            reader = conn.makefile("rb")
            for line in reader:
                conn.sendall(self.answer(line))

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.clients:
            with contextlib.suppress(OSError):
                conn.close()
        self.listener.close()


@pytest.fixture
def fake_server():
    servers = []

    def make(mode, greeting=b"", answer=None):
        server = FakeServer(mode, greeting, answer)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def fake_config(protocol, port, **overrides):
    values = {
        "protocol": protocol,
        "host": "127.0.0.1",
        "port": port,
        "login": "someone",
        "password": SECRET,
        "timeout": 5.0,
    }
    values.update(overrides)
    return ServerConfig(**values)


def expect_error(config, cls, code):
    trace = Trace()
    source = open_source(config, trace=trace.append)
    with pytest.raises(cls) as info:
        source.connect()
    error = info.value
    assert error.code == code
    assert config.address in str(error)
    assert_error_clean(error, config.password)
    trace.assert_clean(config.password)
    assert not source.connected
    assert source._client is None
    return error


# -- configuration (no server)


def test_config_repr_hides_password():
    config = fake_config("imap", 143)
    assert SECRET not in repr(config)
    assert SECRET not in str(config)


@pytest.mark.parametrize(
    "changes",
    [
        {"protocol": "smtp"},
        {"security": "tls"},
        {"port": 70000},
        {"host": " "},
        {"timeout": 0},
        {"pop3_auth_option": "NTLM"},
        {"login": "a\r\nLOGOUT"},
        {"folder": "INBOX\r\nA1 DELETE x"},
    ],
)
def test_config_rejects_bad_values(changes):
    values = {"protocol": "imap", "port": 143, **changes}
    with pytest.raises(ValueError):
        fake_config(values.pop("protocol"), values.pop("port"), **values)


def test_default_ports():
    assert fake_config("imap", 0).effective_port == 143
    assert fake_config("imap", 0, security="ssl").effective_port == 993
    assert fake_config("pop3", 0, security="starttls").effective_port == 110
    assert fake_config("pop3", 0, security="ssl").effective_port == 995


@pytest.mark.parametrize(
    ("options", "security", "verify", "readonly"),
    [
        (("imap", "ssl", "novalidate-cert"), "ssl", False, False),  # iTop's default
        (("imap", "tls"), "starttls", True, False),
        (("imap", "notls"), "none", True, False),
        (("ssl", "notls"), "ssl", True, False),
        ("/imap/ssl/validate-cert/readonly", "ssl", True, True),
        (("IMAP", "NoValidate-Cert"), "starttls", False, False),
    ],
)
def test_itop_imap_options(options, security, verify, readonly):
    config = fake_config("imap", 0, security="starttls", imap_options=options).resolved()
    assert (config.security, config.verify_cert, config.readonly) == (security, verify, readonly)
    assert config.imap_options == ()


def test_imap_options_ignored_for_pop3_and_unknown_reported():
    config = fake_config("pop3", 0, imap_options=("ssl",))
    assert config.resolved().security == "none"
    assert split_imap_options("/imap/ssl novalidate-cert") == ("imap", "ssl", "novalidate-cert")
    assert unknown_imap_options(["imap", "ssl", "Bogus", "norsh"]) == ["bogus"]


def test_uid_set_and_mailbox_quoting():
    assert uid_set([7, 1, 2, 3, 3, 9, 10]) == "1:3,7,9:10"
    assert quote_mailbox("INBOX") == '"INBOX"'
    assert quote_mailbox("Entwürfe") == '"Entw&APw-rfe"'
    assert quote_mailbox("R&D") == '"R&-D"'
    assert quote_mailbox('a "b" \\c') == '"a \\"b\\" \\\\c"'
    assert quote_mailbox("台北") == '"&U,BTFw-"'  # RFC 3501 example


# -- both protocols, every transport


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS, ids=TRANSPORT_IDS)
def test_list_fetch_delete(mailbox, protocol, security):
    raws = [message(1), message(2, "x" * 5000)]
    for raw in raws:
        mailbox.append(raw)
    trace = Trace()
    with open_source(mailbox.config(protocol, security), trace=trace.append) as source:
        assert source.test() == (
            "IMAP, 2 messages in INBOX" if protocol == "imap" else "POP3, 2 messages"
        )
        listed = source.list_messages()
        assert [m.size for m in listed] == [len(raw) for raw in raws]
        assert [source.fetch(m.uid) for m in listed] == raws
        assert source.fetch(listed[1]) == raws[1]  # a RemoteMessage works as a key
        header = source.fetch_header(listed[0].uid)
        assert header == raws[0].split(b"\r\n\r\n")[0] + b"\r\n\r\n"
        assert source.size(listed[1].uid) == len(raws[1])
        source.delete([listed[0].uid])
    assert mailbox.uids() == [2]
    with open_source(mailbox.config(protocol, security)) as source:
        assert [m.uid for m in source.list_messages()] == [listed[1].uid]  # stable keys
    trace.assert_clean(mailbox.password)
    assert any("********" in line for line in trace)


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_big_message_fetched_whole(mailbox, protocol):
    """3 MB, dot-stuffed lines included: the POP3 answer is read into one buffer."""
    lines = [b".dot %d" % n if n % 7 == 0 else b"line %d " % n + b"x" * 60 for n in range(40000)]
    raw = message(1, "Big") + b"\r\n".join(lines) + b"\r\n.\r\n..\r\nend\r\n"
    mailbox.append(raw)
    with open_source(mailbox.config(protocol)) as source:
        (listed,) = source.list_messages()
        assert source.fetch(listed.uid) == raw


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS, ids=TRANSPORT_IDS)
def test_wrong_password(mailbox, protocol, security):
    config = mailbox.config(protocol, security, password=SECRET)
    error = expect_error(config, AuthenticationError, "authentication")
    assert_error_clean(error, mailbox.password)


def test_empty_mailbox(mailbox):
    for protocol in ("imap", "pop3"):
        with open_source(mailbox.config(protocol)) as source:
            assert source.list_messages() == []
            assert source.list_since(None, None)[1] == []


def test_context_manager_keeps_the_original_error(mailbox):
    config = mailbox.config("imap")
    with pytest.raises(KeyError), open_source(config) as source:
        source._client.sock.shutdown(socket.SHUT_RDWR)  # closing will now fail too
        raise KeyError("original")


# -- IMAP specifics


def test_imap_fetch_does_not_set_seen(mailbox):
    unread = mailbox.append(message(1))
    flagged = mailbox.append(message(2), flags=("\\Flagged",))
    with open_source(mailbox.config("imap")) as source:
        listed = {m.number: m for m in source.list_messages()}
        assert listed[unread].flags == frozenset()
        assert listed[flagged].flags == {"\\Flagged"}
        for item in listed.values():
            source.fetch(item.uid)
            source.fetch_header(item.uid)
    assert mailbox.flags(unread) == set()
    assert mailbox.flags(flagged) == {"\\Flagged"}


def test_imap_keys_stable_and_incremental(mailbox):
    first = [mailbox.append(message(n)) for n in (1, 2)]
    with open_source(mailbox.config("imap")) as source:
        validity, listed = source.list_since(None, None)
        assert [m.number for m in listed] == first
        assert all(m.uid == f"{validity}:{m.number}" for m in listed)
        assert all(isinstance(m, RemoteMessage) and m.uidvalidity == validity for m in listed)
        # Nothing new: "UID n:*" would still return the last message; it must be filtered.
        assert source.list_since(validity, first[-1]) == (validity, [])
    third = mailbox.append(message(3))
    with open_source(mailbox.config("imap")) as source:
        again, new = source.list_since(validity, first[-1])
        assert again == validity
        assert [m.number for m in new] == [third]
        assert new[0].uid == f"{validity}:{third}"
        assert source.fetch(new[0].uid) == message(3)
        assert [m.uid for m in source.list_messages()][:2] == [m.uid for m in listed]
        assert source.list_since(str(validity), str(first[0]))[1][0].number == first[1]


def test_imap_uidvalidity_change_detected(mailbox):
    for n in (1, 2, 3):
        mailbox.append(message(n))
    with open_source(mailbox.config("imap")) as source:
        old_validity, old = source.list_since(None, None)
    new_validity = mailbox.server.reset_uidvalidity(mailbox.login)
    assert new_validity != old_validity
    trace = Trace()
    with open_source(mailbox.config("imap"), trace=trace.append) as source:
        validity, listed = source.list_since(old_validity, old[-1].number)
        assert validity == new_validity
        assert len(listed) == 3  # everything is new again: caller dedups by Message-ID
        with pytest.raises(UidValidityChangedError) as info:
            source.fetch(old[0].uid)
        assert info.value.code == "uidvalidity_changed"
        with pytest.raises(UidValidityChangedError):
            source.delete([old[0].uid])
    assert any("UIDVALIDITY changed" in line for line in trace)
    assert len(mailbox.uids()) == 3


def test_imap_state(mailbox):
    mailbox.append(message(1))
    mailbox.append(message(2), flags=("\\Seen",))
    with open_source(mailbox.config("imap")) as source:
        state = source.state()
        assert state["protocol"] == "imap"
        assert state["folder"] == "INBOX"
        assert state["messages"] == 2
        assert state["unseen"] == 1
        assert state["uidnext"] == 3
        assert state["uidvalidity"] == source.uidvalidity
        assert "highestmodseq" not in state  # CONDSTORE offered, never used


class SentCommands(list):
    """The IMAP commands a client sends (name only: no tag, no argument, no password)."""

    def __init__(self, monkeypatch):
        super().__init__()
        original = imaplib.IMAP4.send

        def send(client, data):
            words = data.split(b" ")
            if len(words) > 1 and words[0].startswith(client.tagpre):
                self.append(words[1].strip().decode())
            return original(client, data)

        monkeypatch.setattr(imaplib.IMAP4, "send", send)


@pytest.mark.parametrize("security", ["none", "ssl", "starttls"])
def test_imap_poll_session_sends_only_what_it_needs(mailbox, monkeypatch, security):
    """Dovecot lists its capabilities in its greeting and login reply: no CAPABILITY
    command; the folder's counters come from SELECT: no STATUS."""
    mailbox.append(message(1))
    sent = SentCommands(monkeypatch)
    with open_source(mailbox.config("imap", security)) as source:
        assert {"IDLE", "CONDSTORE", "UIDPLUS"} <= source.capabilities
        state = source.selected_state()
    expected = ["LOGIN", "SELECT", "LOGOUT"]  # no ENABLE CONDSTORE: nothing uses it
    if security == "starttls":  # what the server said before TLS is asked again after
        expected = ["STARTTLS", "CAPABILITY", *expected]
    assert sent == expected
    assert state["messages"] == 1 and state["uidnext"] == 2
    assert state["uidvalidity"] == source.uidvalidity


@pytest.mark.parametrize("security", ["none", "ssl"])
def test_imap_tag_pattern_compiled_once_per_process(mailbox, monkeypatch, security):
    """imaplib gave every connection a random tag prefix and compiled the pattern of its
    tagged answers (a quarter of a millisecond of an idle poll's 10-15, at every poll of
    every inbox). Tags need only be unique within a connection: no pattern is compiled
    per connection, and the answers are still told by their tags."""
    compiled, original = [], re.compile

    def compile_(pattern, flags=0):
        if isinstance(pattern, bytes) and pattern.startswith(b"(?P<tag>"):
            compiled.append(pattern)
        return original(pattern, flags)

    mailbox.append(message(1))
    monkeypatch.setattr(re, "compile", compile_)
    sent = SentCommands(monkeypatch)
    for _poll in range(3):
        with open_source(mailbox.config("imap", security)) as source:
            assert source.selected_state()["messages"] == 1
            assert source.fetch(source.list_messages()[0]) == message(1)
    assert compiled == []
    assert [name for name in sent if name != "UID"] == ["LOGIN", "SELECT", "LOGOUT"] * 3


def test_imap_connect_sets_what_imaplib_sets(mailbox):
    """Our connection's _connect is imaplib's but for the tags' pattern (made once). A
    Python whose imaplib sets more at connection (state a later command reads) must make
    this fail, not a poll: the same attributes, the same state and protocol, on both."""
    from mailsource.imap import _IMAP4

    config = mailbox.config("imap", "none")
    plain = imaplib.IMAP4(config.host, config.port, timeout=10)
    ours = _IMAP4(config.host, config.port, timeout=10)
    try:
        assert sorted(vars(ours)) == sorted(vars(plain))
        assert (ours.state, ours.PROTOCOL_VERSION) == (plain.state, plain.PROTOCOL_VERSION)
        assert ours.welcome == plain.welcome
        assert ours.login(mailbox.login, mailbox.password)[0] == "OK"
        assert ours.select("INBOX")[0] == "OK"
    finally:
        for client in (plain, ours):
            client.shutdown()


@pytest.mark.parametrize("level", [1, 3])
def test_imap_connect_debug_output_is_imaplib_s(mailbox, capsys, monkeypatch, level):
    """Someone chasing a server problem sets ``imaplib.Debug`` (the documented recipe):
    our _connect stands in for imaplib's, so it says what imaplib says at connection
    (its version, the new connection's tag, the capabilities), the tag aside."""
    from mailsource.imap import _IMAP4

    config = mailbox.config("imap", "none")
    monkeypatch.setattr(imaplib, "Debug", level)
    said = {}
    for client_class in (imaplib.IMAP4, _IMAP4):
        capsys.readouterr()
        client = client_class(config.host, config.port, timeout=10)
        client.shutdown()
        lines = capsys.readouterr().err.splitlines()
        # "  12:34.56 new IMAP4 connection, tag=b'HMT'": no time, no tag
        said[client_class] = [
            re.sub(r"tag=b'[A-Z]+'", "tag=", line.split(" ", 3)[-1]) for line in lines
        ]
    assert said[_IMAP4] == said[imaplib.IMAP4], "debug output differs from imaplib's"
    assert any("new IMAP4 connection" in line for line in said[_IMAP4])


def test_imap_selected_state_is_state_without_unseen(mailbox):
    mailbox.append(message(1))
    mailbox.append(message(2), flags=("\\Seen",))
    with open_source(mailbox.config("imap")) as source:
        selected, status = source.selected_state(), source.state()
    assert selected == {key: value for key, value in status.items() if key != "unseen"}
    assert "highestmodseq" not in selected


def test_imap_capabilities_asked_when_not_listed(fake_server):
    """A server that lists no capability in its greeting or login reply is asked, and one
    whose SELECT leaves UIDNEXT out answers selected_state() with STATUS."""
    received = []

    def answer(line):
        tag, _sep, rest = line.rstrip(b"\r\n").partition(b" ")
        command = rest.split(b" ")[0].upper()
        received.append(command.decode())
        untagged = {
            b"CAPABILITY": b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
            b"SELECT": b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n",
            b"STATUS": b'* STATUS "INBOX" (MESSAGES 3 UIDNEXT 9 UIDVALIDITY 7 UNSEEN 1)\r\n',
        }.get(command, b"")
        return untagged + tag + b" OK done\r\n"

    server = fake_server("lines", b"* OK fake IMAP ready\r\n", answer)
    with open_source(fake_config("imap", server.port)) as source:
        assert source.capabilities == {"IMAP4REV1", "AUTH=PLAIN"}
        state = source.selected_state()
    assert received == ["CAPABILITY", "LOGIN", "CAPABILITY", "SELECT", "STATUS", "LOGOUT"]
    assert (state["messages"], state["uidnext"], state["uidvalidity"]) == (3, 9, 7)


def test_imap_move_creates_folder(mailbox):
    uids = [mailbox.append(message(n)) for n in (1, 2, 3)]
    with open_source(mailbox.config("imap")) as source:
        keys = {m.number: m.uid for m in source.list_messages()}
        source.move([keys[uids[0]], keys[uids[2]]], "Processed/Tickets")
        source.move([keys[uids[1]]], "Traité")
        assert [m.number for m in source.list_messages()] == []
        source.move([], "Never/Created")
    assert mailbox.uids() == []
    assert len(mailbox.uids("Processed/Tickets")) == 2
    assert len(mailbox.uids("Traité")) == 1
    assert "Never/Created" not in mailbox.server.folders(mailbox.login)
    with open_source(mailbox.config("imap", folder="Processed/Tickets")) as source:
        assert [source.fetch(m.uid) for m in source.list_messages()] == [message(1), message(3)]


def test_imap_move_into_existing_folder_and_from_other_folder(mailbox):
    mailbox.server.create_folder(mailbox.login, "Archive")
    mailbox.server.create_folder(mailbox.login, "Support Queue")
    mailbox.append(message(1), folder="Support Queue")
    with open_source(mailbox.config("imap", security="ssl", folder="Support Queue")) as source:
        (item,) = source.list_messages()
        source.move([item.uid], "Archive")
    assert mailbox.uids("Support Queue") == []
    assert len(mailbox.uids("Archive")) == 1


def test_imap_missing_folder(mailbox):
    config = mailbox.config("imap", folder="Does Not Exist")
    error = expect_error(config, FolderNotFoundError, "folder_not_found")
    assert "Does Not Exist" in str(error)


def test_imap_missing_message(mailbox):
    mailbox.append(message(1))
    with open_source(mailbox.config("imap")) as source:
        with pytest.raises(MessageNotFoundError) as info:
            source.fetch(source.key(99))
        assert info.value.code == "message_not_found"
        with pytest.raises(MessageNotFoundError):
            source.size(source.key(99))


def test_imap_readonly_option(mailbox):
    uid = mailbox.append(message(1))
    config = mailbox.config("imap", imap_options=("imap", "readonly"))
    with open_source(config) as source:
        (item,) = source.list_messages()
        assert source.fetch(item.uid) == message(1)
        with pytest.raises(UnsupportedOperationError):
            source.delete([item.uid])
    assert mailbox.uids() == [uid]


def test_imap_itop_options_novalidate_cert(mailbox):
    mailbox.append(message(1))
    config = mailbox.config(
        "imap", port=mailbox.server.imaps_port, ca_file=None,
        imap_options=("imap", "ssl", "novalidate-cert"),
    )  # fmt: skip
    with open_source(config) as source:
        assert len(source.list_messages()) == 1


@pytest.mark.parametrize("password", ["pässwörd-ünïcode", 'quo"te\\back slash', "a:b;c{3}"])
def test_imap_and_pop3_unusual_passwords(dovecot, password):
    box = new_mailbox(dovecot, password)
    box.append(message(1))
    for protocol in ("imap", "pop3"):
        with open_source(box.config(protocol)) as source:
            assert len(source.list_messages()) == 1


@pytest.fixture(scope="module")
def basic_dovecot():
    """A Dovecot advertising neither MOVE nor UIDPLUS nor CONDSTORE after login."""
    require_dovecot()
    server = Dovecot(imap_capability="IMAP4rev1 LITERAL+ SASL-IR ENABLE IDLE NAMESPACE")
    server.start()
    yield server
    server.stop()


def test_imap_without_move_and_uidplus(basic_dovecot):
    box = new_mailbox(basic_dovecot)
    uids = [box.append(message(n)) for n in (1, 2, 3)]
    trace = Trace()
    with open_source(box.config("imap"), trace=trace.append) as source:
        assert "MOVE" not in source.capabilities and "UIDPLUS" not in source.capabilities
        assert "highestmodseq" not in source.state()
        keys = {m.number: m.uid for m in source.list_messages()}
        source.move([keys[uids[0]]], "Done")
        source.delete([keys[uids[1]]])
        # Without UIDPLUS, EXPUNGE (no other client's mail is flagged \\Deleted).
        assert box.uids() == [uids[2]]
        assert source.left_flagged == set()
    assert box.uids() == [uids[2]]
    assert len(box.uids("Done")) == 1
    assert any("UID COPY" in line for line in trace)
    assert any(line.endswith("> EXPUNGE") for line in trace)
    assert any(line.endswith("> UID SEARCH DELETED") for line in trace)


# -- POP3 specifics


@pytest.mark.parametrize("option", ["USER", "APOP", "PLAIN", "LOGIN", "CRAM-MD5"])
def test_pop3_auth_options(mailbox, option):
    mailbox.append(message(1))
    trace = Trace()
    config = mailbox.config("pop3", pop3_auth_option=option)
    with open_source(config, trace=trace.append) as source:
        assert len(source.list_messages()) == 1
    trace.assert_clean(mailbox.password)
    bad = dataclasses.replace(config, password=SECRET)
    error = expect_error(bad, AuthenticationError, "authentication")
    assert_error_clean(error, mailbox.password)


class SentPop3Commands(list):
    """The POP3 commands a client sends (the command word only, never its argument)."""

    def __init__(self, monkeypatch):
        super().__init__()
        original = poplib.POP3._putcmd

        def putcmd(client, line):
            self.append(line.split(" ", 1)[0].upper())
            return original(client, line)

        monkeypatch.setattr(poplib.POP3, "_putcmd", putcmd)


@pytest.mark.parametrize("security", ["none", "ssl", "starttls"])
def test_pop3_poll_session_sends_only_what_it_needs(mailbox, monkeypatch, security):
    """A session that lists and ends: each command once (a USER sent twice cost every
    POP3 poll one more round trip)."""
    mailbox.append(message(1))
    sent = SentPop3Commands(monkeypatch)
    with open_source(mailbox.config("pop3", security)) as source:
        assert len(source.list_messages()) == 1
    expected = ["USER", "PASS", "LIST", "UIDL", "QUIT"]
    if security == "starttls":
        expected = ["CAPA", "STLS", *expected]  # poplib asks CAPA before STLS
    assert sent == expected


def test_pop3_user_refused(fake_server):
    """A server refusing USER (unknown user, plaintext login refused before STLS): an
    authentication failure with the server's answer, the password never sent, and the
    trace shows the USER sent once and never the password."""
    received = []

    def answer(line):
        received.append(line.split(b" ", 1)[0].strip().upper())
        if line.upper().startswith(b"USER"):
            return b"-ERR [AUTH] Plaintext authentication disallowed\r\n"
        return b"+OK\r\n"

    server = fake_server("lines", b"+OK fake POP3\r\n", answer)
    trace = Trace()
    source = open_source(fake_config("pop3", server.port), trace=trace.append)
    with pytest.raises(AuthenticationError) as info:
        source.connect()
    assert "Plaintext authentication disallowed" in str(info.value)
    assert received[:1] == [b"USER"] and b"PASS" not in received
    assert [line for line in trace if "> USER" in line] == [
        f"POP3 127.0.0.1:{server.port}: > USER someone"
    ]
    trace.assert_clean(SECRET)


def test_pop3_deletes_only_at_quit(mailbox):
    for n in (1, 2):
        mailbox.append(message(n))
    with open_source(mailbox.config("pop3")) as source:
        first, second = source.list_messages()
        source.delete([first.uid])
        assert [m.uid for m in source.list_messages()] == [second.uid]
        assert source.state()["messages"] == 1
        with pytest.raises(MessageNotFoundError):
            source.fetch(first.uid)
        assert len(mailbox.uids()) == 2  # not yet: DELE is committed by QUIT
    assert len(mailbox.uids()) == 1


def test_pop3_dropped_connection_deletes_nothing(mailbox):
    mailbox.append(message(1))
    source = open_source(mailbox.config("pop3"))
    source.connect()
    (item,) = source.list_messages()
    source.delete([item.uid])
    source._client.sock.shutdown(socket.SHUT_RDWR)  # connection lost before QUIT
    with pytest.raises(MailSourceError):
        source.close()
    assert len(mailbox.uids()) == 1


def test_pop3_specifics(mailbox):
    mailbox.append(message(1))
    with open_source(mailbox.config("pop3")) as source:
        validity, listed = source.list_since(123, 1)
        assert validity is None and len(listed) == 1
        assert listed[0].flags == frozenset()
        assert source.state() == {"protocol": "pop3", "messages": 1, "size": len(message(1))}
        with pytest.raises(UnsupportedOperationError):
            source.move([listed[0].uid], "Archive")
        with pytest.raises(MessageNotFoundError):
            source.fetch("no-such-uidl")


def test_pop3_long_lines(mailbox):
    raw = b"Subject: long\r\n\r\n" + b"y" * 5000 + b"\r\n"  # beyond poplib's 2048 limit
    mailbox.append(raw)
    with open_source(mailbox.config("pop3")) as source:
        (item,) = source.list_messages()
        assert source.fetch(item.uid) == raw


# -- every error class, produced for real


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_host_not_found(protocol):
    config = fake_config(protocol, 0, host="nonexistent.invalid")
    error = expect_error(config, HostNotFoundError, "host_not_found")
    assert "nonexistent.invalid" in str(error)


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS, ids=TRANSPORT_IDS)
def test_connection_refused(protocol, security):
    (port,) = free_ports(1)
    expect_error(fake_config(protocol, port, security=security), RefusedError, "connection_refused")


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS, ids=TRANSPORT_IDS)
def test_timeout_when_server_never_answers(fake_server, protocol, security):
    server = fake_server("silent")
    config = fake_config(protocol, server.port, security=security, timeout=0.3)
    started = time.monotonic()
    expect_error(config, TimedOutError, "timeout")
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_server_hangs_up(fake_server, protocol):
    server = fake_server("close")
    expect_error(fake_config(protocol, server.port), NetworkError, "network")


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_tls_to_plain_port(dovecot, protocol):
    port = dovecot.imap_port if protocol == "imap" else dovecot.pop3_port
    config = fake_config(protocol, port, security="ssl", ca_file=dovecot.ca_file)
    expect_error(config, TLSError, "tls")


@pytest.mark.parametrize(("protocol", "security"), TRANSPORTS[1:3] + TRANSPORTS[4:])
def test_tls_untrusted_certificate(mailbox, protocol, security):
    config = mailbox.config(protocol, security, ca_file=None)  # system store: CA unknown
    error = expect_error(config, TLSError, "tls")
    assert "certificate" in str(error).lower()


def test_tls_wrong_ca_file(mailbox, tmp_path):
    other_ca = make_certificates(str(tmp_path / "other"))
    config = mailbox.config("imap", "ssl", ca_file=other_ca)
    expect_error(config, TLSError, "tls")
    missing = mailbox.config("pop3", "ssl", ca_file=str(tmp_path / "missing.pem"))
    expect_error(missing, TLSError, "tls")


@pytest.mark.parametrize(("protocol", "security"), [("imap", "ssl"), ("pop3", "starttls")])
def test_tls_certificates_loaded_once_per_ca_setting(
    mailbox, monkeypatch, tmp_path, protocol, security
):
    """Loading the CA certificates (the system store: tens of ms of CPU) was done for
    every connection, at every poll of every TLS inbox; it is done once for each CA
    setting, and again when its file changed."""
    loaded, original = [], ssl.SSLContext.load_verify_locations

    def load_verify_locations(context, *args, **kwargs):
        loaded.append(args or kwargs)
        return original(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", load_verify_locations)
    ca_file = tmp_path / "ca.pem"
    shutil.copy(mailbox.server.ca_file, ca_file)
    config = mailbox.config(protocol, security, ca_file=str(ca_file))
    for _poll in range(3):
        with open_source(config) as source:
            assert len(source.list_messages()) == 0
    assert len(loaded) == 1
    # The same file rewritten (another CA bundle deployed): loaded again, once.
    ca_file.write_bytes(ca_file.read_bytes() + b"\n")
    for _poll in range(2):
        with open_source(config) as source:
            source.list_messages()
    assert len(loaded) == 2


@pytest.mark.parametrize("where", ["file", "directory"])
def test_tls_system_store_updated(mailbox, monkeypatch, tmp_path, where):
    """The system store (no CA file) kept by a process is read again once updated (a CA
    added to the bundle, or to the hashed directory, as update-ca-certificates does)."""
    bundle, directory = tmp_path / "bundle.pem", tmp_path / "certs"
    directory.mkdir()
    shutil.copy(ssl.get_default_verify_paths().cafile or mailbox.server.ca_file, bundle)
    bundle.write_bytes(bundle.read_bytes().replace(open(mailbox.server.ca_file, "rb").read(), b""))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(directory))
    config = mailbox.config("pop3", "ssl", ca_file=None)
    expect_error(config, TLSError, "tls")
    added = open(mailbox.server.ca_file, "rb").read()
    if where == "file":
        update = tmp_path / "bundle.new"
        update.write_bytes(bundle.read_bytes() + added)
        os.replace(update, bundle)
    else:
        hashed = subprocess.run(
            ["openssl", "x509", "-noout", "-subject_hash"], input=added,
            capture_output=True, check=True,
        ).stdout.decode().strip()  # fmt: skip
        (directory / f"{hashed}.0").write_bytes(added)
    with open_source(config) as source:
        source.list_messages()


def _system_store_of_one_link(monkeypatch, tmp_path, named, holding):
    """The system store (SSL_CERT_FILE, SSL_CERT_DIR) made an empty bundle and a hashed
    directory whose one link, named by the subject of the certificate ``named``, points
    to a file holding ``holding``: returned, for a test to rewrite in place."""
    bundle, directory = tmp_path / "bundle.pem", tmp_path / "certs"
    directory.mkdir()
    bundle.write_bytes(b"")
    target = tmp_path / "corporate.crt"
    target.write_bytes(holding)
    hashed = subprocess.run(
        ["openssl", "x509", "-noout", "-subject_hash"], input=named,
        capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    (directory / f"{hashed}.0").symlink_to(target)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(directory))
    return target


def test_tls_system_store_ca_renewed_in_its_directory(mailbox, monkeypatch, tmp_path):
    """A CA of the system store's hashed directory renewed in place (the file its link
    names rewritten, the directory unchanged: no stamp sees it) is trusted at the next
    connection after one refused by the kept context, as it was with a context a
    connection."""
    other = make_certificates(str(tmp_path / "other"))  # the same subject, another key
    renewed = open(mailbox.server.ca_file, "rb").read()
    target = _system_store_of_one_link(monkeypatch, tmp_path, renewed, open(other, "rb").read())
    config = mailbox.config("imap", "ssl", ca_file=None)
    expect_error(config, TLSError, "tls")
    target.write_bytes(renewed)
    with open_source(config) as source:
        source.list_messages()


def test_tls_threads_connecting_at_once_share_one_load(mailbox, monkeypatch, tmp_path):
    """Threads connecting at once with a CA setting no connection used yet (connect-ahead
    threads of a first cycle) all verify, over one load of the certificates."""
    loaded, original = [], ssl.SSLContext.load_verify_locations

    def load_verify_locations(context, *args, **kwargs):
        loaded.append(args or kwargs)
        time.sleep(0.05)  # a slow store (the system one): the others arrive meanwhile
        return original(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", load_verify_locations)
    ca_file = tmp_path / "ca.pem"
    shutil.copy(mailbox.server.ca_file, ca_file)
    configs = [
        mailbox.config(protocol, security, ca_file=str(ca_file))
        for protocol in ("imap", "pop3") for security in ("ssl", "starttls")
    ] * 2  # fmt: skip
    results, start = [None] * len(configs), threading.Barrier(len(configs))

    def connect(index):
        start.wait()
        try:
            with open_source(configs[index]) as source:
                results[index] = len(source.list_messages())
        except Exception as exc:  # reported by the assert below
            results[index] = exc

    threads = [threading.Thread(target=connect, args=(i,)) for i in range(len(configs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0] * len(configs)
    assert len(loaded) == 1


def _same_size_pems(*paths):
    """The PEM files padded with newlines to one size (text outside the certificate)."""
    datas = [open(path, "rb").read() for path in paths]
    size = max(len(data) for data in datas)
    return [data + b"\n" * (size - len(data)) for data in datas]


@pytest.mark.parametrize("trusted_first", [True, False], ids=["ca-withdrawn", "ca-deployed"])
def test_tls_ca_file_replaced_with_same_size_and_time(mailbox, tmp_path, trusted_first):
    """A CA file replaced by another of the same size whose modification time was kept
    (``cp -p``, ``rsync -a``, ``install -p``, an unpacked archive: a renewed CA's PEM
    often has the same size) is another trust store: a CA withdrawn is no longer
    trusted, a CA deployed is."""
    other_ca = make_certificates(str(tmp_path / "other"))
    right, wrong = _same_size_pems(mailbox.server.ca_file, other_ca)
    first, then = (right, wrong) if trusted_first else (wrong, right)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(first)
    config = mailbox.config("imap", "ssl", ca_file=str(ca_file))
    if trusted_first:
        with open_source(config) as source:
            source.list_messages()
    else:
        expect_error(config, TLSError, "tls")
    kept = ca_file.stat()
    replacement = tmp_path / "ca.pem.new"
    replacement.write_bytes(then)
    os.utime(replacement, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    os.replace(replacement, ca_file)
    assert (ca_file.stat().st_size, ca_file.stat().st_mtime_ns) == (
        kept.st_size, kept.st_mtime_ns,
    )  # fmt: skip
    if trusted_first:
        expect_error(config, TLSError, "tls")
    else:
        with open_source(config) as source:
            source.list_messages()


def test_tls_contexts_of_removed_ca_files_are_not_kept(mailbox, tmp_path):
    """A caller writing each inbox's CA to a file of its own for a session (a temporary
    file, removed after) names a new CA setting at every poll: the context kept for each
    made the process grow at every poll, for files no connection can name again."""

    def live_contexts():
        gc.collect()
        return sum(isinstance(obj, ssl.SSLContext) for obj in gc.get_objects())

    before = live_contexts()
    for poll in range(20):
        ca_file = tmp_path / f"session-{poll}.pem"
        shutil.copy(mailbox.server.ca_file, ca_file)
        with open_source(mailbox.config("imap", "ssl", ca_file=str(ca_file))) as source:
            source.list_messages()
        ca_file.unlink()
    assert live_contexts() - before <= 1


class Relay:
    """Forwards connections from ``host``:<port> to a target (to reach Dovecot by another
    address than the one in its certificate)."""

    def __init__(self, host, target):
        self.listener = socket.create_server((host, 0))
        self.port = self.listener.getsockname()[1]
        self.target = target
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                client, _addr = self.listener.accept()
                upstream = socket.create_connection(self.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self):
        self.listener.close()


def test_tls_hostname_mismatch(mailbox):
    """The certificate names 127.0.0.1 and localhost; reaching it as 127.0.0.2 must fail."""
    mailbox.append(message(1))
    relay = Relay("127.0.0.2", ("127.0.0.1", mailbox.server.imaps_port))
    try:
        config = mailbox.config("imap", "ssl", host="127.0.0.2", port=relay.port)
        error = expect_error(config, TLSError, "tls")
        assert "127.0.0.2" in str(error)
        unchecked = dataclasses.replace(config, verify_cert=False)
        with open_source(unchecked) as source:  # the relay itself works
            assert len(source.list_messages()) == 1
    finally:
        relay.close()


@pytest.mark.parametrize(("protocol", "security"), [("imap", "ssl"), ("pop3", "starttls")])
def test_tls_kept_context_checks_each_connection(mailbox, protocol, security):
    """The verifying context kept for a CA setting checks the name of each connection's
    server, and an inbox that does not verify, in between, changes nothing of it."""
    mailbox.append(message(1))
    port = mailbox.server.imaps_port if security == "ssl" else mailbox.server.pop3_port
    relay = Relay("127.0.0.2", ("127.0.0.1", port))
    try:
        direct = mailbox.config(protocol, security)
        relayed = dataclasses.replace(direct, host="127.0.0.2", port=relay.port)
        for _round in range(2):
            with open_source(direct) as source:
                assert len(source.list_messages()) == 1
            assert "127.0.0.2" in str(expect_error(relayed, TLSError, "tls"))
            with open_source(dataclasses.replace(relayed, verify_cert=False)) as source:
                assert len(source.list_messages()) == 1
    finally:
        relay.close()


def test_starttls_not_offered(fake_server):
    def imap_answer(line):
        tag = line.split(b" ")[0]
        if b"CAPABILITY" in line.upper():
            return b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n"
        return tag + b" BAD no\r\n"

    imap = fake_server("lines", b"* OK fake IMAP ready\r\n", imap_answer)
    expect_error(fake_config("imap", imap.port, security="starttls"), TLSError, "tls")
    pop3 = fake_server("lines", b"+OK fake POP3\r\n", lambda line: b"-ERR unknown\r\n")
    expect_error(fake_config("pop3", pop3.port, security="starttls"), TLSError, "tls")


def test_protocol_error_on_garbage_greeting(fake_server):
    imap = fake_server("lines", b"220 this is an SMTP server\r\n", lambda line: b"500 ?\r\n")
    expect_error(fake_config("imap", imap.port), ProtocolError, "protocol")
    pop3 = fake_server("lines", b"-ERR too busy\r\n", lambda line: b"-ERR\r\n")
    expect_error(fake_config("pop3", pop3.port), ProtocolError, "protocol")


def scripted_imap(stall_on):
    """Answers for a minimal IMAP server that goes silent on the command ``stall_on``."""

    def answer(line):
        tag, _sep, rest = line.rstrip(b"\r\n").partition(b" ")
        command = rest.split(b" ")[0].upper()
        if rest.upper().startswith(stall_on):
            return b""
        untagged = {
            b"CAPABILITY": b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
            b"SELECT": b"* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n",
            b"UID": b"* SEARCH 1\r\n",
        }.get(command, b"")
        return untagged + tag + b" OK done\r\n"

    return answer


def scripted_pop3(stall_on):
    def answer(line):
        if line.upper().startswith(stall_on):
            return b""
        if line.upper().startswith((b"LIST", b"UIDL")):
            lines = b"1 120\r\n2 130" if line.upper().startswith(b"LIST") else b"1 abc\r\n2 def"
            return b"+OK\r\n" + lines + b"\r\n.\r\n"
        return b"+OK\r\n"

    return answer


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_timeout_applies_to_commands_after_login(fake_server, protocol):
    """The timeout is on the socket for the whole session, not only for connecting."""
    if protocol == "imap":
        server = fake_server("lines", b"* OK fake\r\n", scripted_imap(b"UID FETCH 1 (BODY"))
    else:
        server = fake_server("lines", b"+OK fake\r\n", scripted_pop3(b"RETR"))
    trace = Trace()
    source = open_source(fake_config(protocol, server.port, timeout=0.3), trace=trace.append)
    with source:
        item = source.list_messages()[0].uid if protocol == "pop3" else source.key(1)
        started = time.monotonic()
        with pytest.raises(TimedOutError) as info:
            source.fetch(item)
        assert time.monotonic() - started < 3
        # The session is out of step now: further commands are refused at once.
        with pytest.raises(NetworkError, match="lost"):
            source.list_messages()
    assert not source.connected  # close() only released the socket
    assert_error_clean(info.value, SECRET)
    trace.assert_clean(SECRET)


def test_pop3_without_uidl_keys_by_header(fake_server):
    """A server without UIDL still gets stable keys: a hash of each message's header."""

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        if command == b"UIDL":
            return b"-ERR UIDL not supported\r\n"
        if command == b"LIST":
            return b"+OK\r\n1 40\r\n2 41\r\n.\r\n"
        if command == b"TOP":
            number = line.split()[1]
            return b"+OK\r\nSubject: n" + number + b"\r\n\r\n.\r\n"
        return b"+OK\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    keys = []
    for _attempt in range(2):
        with open_source(fake_config("pop3", server.port)) as source:
            keys.append([m.uid for m in source.list_messages()])
    assert keys[0] == keys[1]
    assert len(set(keys[0])) == 2 and all(key.startswith("sha256:") for key in keys[0])


def test_pop3_uncommitted_deletions_reported_after_timeout(fake_server):
    server = fake_server("lines", b"+OK fake\r\n", scripted_pop3(b"RETR"))
    source = open_source(fake_config("pop3", server.port, timeout=0.3))
    source.connect()
    first, second = source.list_messages()
    source.delete([first.uid])
    with pytest.raises(TimedOutError):
        source.fetch(second.uid)
    with pytest.raises(NetworkError, match="not committed"):
        source.close()
    source.close()  # idempotent


def test_imap_command_refused_is_protocol_error(mailbox):
    mailbox.append(message(1))
    with open_source(mailbox.config("imap")) as source:
        (item,) = source.list_messages()
        with pytest.raises(ProtocolError) as info:
            source.move([item.uid], "bad//name")
        assert info.value.code == "protocol"
    assert len(mailbox.uids()) == 1


def test_password_echoing_server_is_redacted(fake_server):
    """Even a server that echoes the password back does not leak it into errors."""
    pop3 = fake_server("lines", b"+OK fake\r\n", lambda line: b"-ERR bad: " + line)
    error = expect_error(fake_config("pop3", pop3.port), AuthenticationError, "authentication")
    assert "********" in str(error) or "bad:" in str(error)


def test_error_hierarchy():
    classes = [
        HostNotFoundError, RefusedError, TimedOutError, NetworkError, TLSError,
        AuthenticationError, FolderNotFoundError, MessageError, MessageNotFoundError,
        UidValidityChangedError, UnsupportedOperationError, ProtocolError,
    ]  # fmt: skip
    codes = {cls.code for cls in classes}
    assert len(codes) == len(classes)
    assert all(issubclass(cls, MailSourceError) for cls in classes)
    # A message's own failures vs the session's: only the first leave the session usable.
    assert issubclass(MessageNotFoundError, MessageError)
    assert not issubclass(NetworkError, MessageError)
    assert not issubclass(TimedOutError, MessageError)
    error = TLSError("boom", host="h", port=1, detail="d")
    assert (str(error), error.host, error.port, error.detail) == ("boom", "h", 1, "d")


# -- one message the server will not hand over: its failure, not the session's


def test_imap_fetch_refused_for_one_message_is_that_message_s_error(mailbox):
    """A server answering NO to the FETCH of one (damaged) message: that message's
    error carrying the server's answer, the session goes on with the next one."""
    uids = [mailbox.append(message(n)) for n in (1, 2, 3)]
    server = mailbox.server
    with FaultProxy(server.imap_port, "imap", fail_uids=[uids[1]]) as proxy:
        config = mailbox.config("imap", host=proxy.host, port=proxy.port)
        with open_source(config) as source:
            first, second, third = source.list_messages()
            assert source.fetch(first.uid) == message(1)
            with pytest.raises(MailSourceError) as info:
                source.fetch(second.uid)
            assert source.fetch(third.uid) == message(3), "the session goes on"
        assert proxy.failed == [("fetch", uids[1])]
    error = info.value
    assert not isinstance(error, NetworkError)
    assert isinstance(error, MessageError), type(error)
    assert error.code == "message"
    assert "Message damaged (test proxy)" in error.detail
    assert mailbox.uids() == uids, "nothing changed on the server"


def test_pop3_retr_refused_for_one_message_is_that_message_s_error(mailbox):
    for n in (1, 2, 3):
        mailbox.append(message(n))
    with FaultProxy(mailbox.server.pop3_port, "pop3", fail_numbers=[2]) as proxy:
        config = mailbox.config("pop3", host=proxy.host, port=proxy.port)
        with open_source(config) as source:
            first, second, third = source.list_messages()
            assert source.fetch(first.uid) == message(1)
            with pytest.raises(MailSourceError) as info:
                source.fetch(second.uid)
            assert source.fetch(third.uid) == message(3), "the session goes on"
        assert proxy.failed == [("retr", 2)]
    error = info.value
    assert not isinstance(error, NetworkError)
    assert isinstance(error, MessageError), type(error)
    assert error.code == "message"
    assert "Message damaged (test proxy)" in error.detail


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_connection_lost_while_fetching_is_the_session_s_error(mailbox, protocol):
    """A reset while a message is read is a NetworkError, never the message's error."""
    mailbox.append(message(1))
    port = mailbox.port(protocol, "none")
    with FaultProxy(port, protocol) as proxy:
        config = mailbox.config(protocol, host=proxy.host, port=proxy.port)
        source = open_source(config)
        source.connect()
        (item,) = source.list_messages()
        proxy.stop()  # every proxied connection is reset
        with pytest.raises(MailSourceError) as info:
            source.fetch(item.uid)
        source.close()
    assert isinstance(info.value, NetworkError), type(info.value)
    assert not isinstance(info.value, MessageError)


# -- deleting without UIDPLUS: never expunge what other clients flagged


def flag_deleted(box, uid):
    """Another client (the harness's own session) flags ``uid`` \\Deleted."""
    with box.server.imap(box.login, "INBOX") as client:
        typ, _data = client.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
        assert typ == "OK"


def test_imap_without_uidplus_never_expunges_other_clients_deleted_mail(mailbox):
    uids = [mailbox.append(message(n)) for n in (1, 2, 3)]
    flag_deleted(mailbox, uids[2])  # another client's: still to be undeleted or expunged
    trace = Trace()
    with FaultProxy(mailbox.server.imap_port, "imap", strip={"UIDPLUS"}) as proxy:
        config = mailbox.config("imap", host=proxy.host, port=proxy.port)
        with open_source(config, trace=trace.append) as source:
            assert "UIDPLUS" not in source.capabilities
            keys = {m.number: m.uid for m in source.list_messages()}
            source.delete([keys[uids[0]]])
            assert source.left_flagged == {keys[uids[0]]}
        assert mailbox.uids() == uids, "nothing expunged: another client's mail is flagged"
        assert mailbox.flags(uids[2]) == {"\\Deleted"}
        assert mailbox.flags(uids[0]) == {"\\Deleted"}
        assert not any(line.endswith("> EXPUNGE") for line in trace)
        assert any("left flagged" in line and str(uids[0]) in line for line in trace), trace
        # Once no other client's mail is flagged, ours is expunged (alone).
        with mailbox.server.imap(mailbox.login, "INBOX") as client:
            client.uid("STORE", str(uids[2]), "-FLAGS", "(\\Deleted)")
        with open_source(config, trace=trace.append) as source:
            keys = {m.number: m.uid for m in source.list_messages()}
            source.delete([keys[uids[0]]])
            assert source.left_flagged == set()
    assert mailbox.uids() == uids[1:]


def test_imap_with_uidplus_expunges_only_its_own(mailbox):
    uids = [mailbox.append(message(n)) for n in (1, 2)]
    flag_deleted(mailbox, uids[1])
    with open_source(mailbox.config("imap")) as source:
        assert "UIDPLUS" in source.capabilities
        (first, _second) = source.list_messages()
        source.delete([first.uid])
        assert source.left_flagged == set()
    assert mailbox.uids() == [uids[1]]
    assert mailbox.flags(uids[1]) == {"\\Deleted"}


def test_imap_fetch_refused_as_expunged_is_message_not_found(mailbox):
    """RFC 5530 EXPUNGEISSUED: the message left the server (another client expunged
    it); not a damaged message to retry."""
    uid = mailbox.append(message(1))
    answer = "[EXPUNGEISSUED] Some of the requested messages no longer exist"
    with FaultProxy(mailbox.server.imap_port, fail_uids=[uid], answer=answer) as proxy:
        with open_source(mailbox.config("imap", host=proxy.host, port=proxy.port)) as source:
            (item,) = source.list_messages()
            with pytest.raises(MessageNotFoundError) as info:
                source.fetch(item.uid)
    assert "EXPUNGEISSUED" in info.value.detail


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_pop3_big_listing_read_whole_whatever_its_line_ends(fake_server, newline):
    """The LIST and UIDL of a big maildrop (30,000 messages, more than one socket read,
    CRLF or a bare LF as some servers end lines) give every message its key and size."""
    count = 30_000

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        if command == b"LIST":
            rows = [b"%d %d" % (n, 1000 + n) for n in range(1, count + 1)]
        elif command == b"UIDL":
            rows = [b"%d uid-%06d" % (n, n) for n in range(1, count + 1)]
        else:
            return b"+OK" + newline
        return newline.join([b"+OK listing", *rows, b"."]) + newline

    server = fake_server("lines", b"+OK fake" + newline, answer)
    with open_source(fake_config("pop3", server.port)) as source:
        listed = source.list_messages()
    assert len(listed) == count
    assert [(m.uid, m.size) for m in listed[:2]] == [("uid-000001", 1001), ("uid-000002", 1002)]
    assert (listed[-1].uid, listed[-1].number, listed[-1].size) == ("uid-030000", count, 31000)


def test_pop3_listing_of_a_real_maildrop_matches_poplib(mailbox):
    """The listing read in blocks is the one poplib reads line by line."""
    for number in range(300):
        mailbox.append(f"Subject: n{number}\r\n\r\n{'x' * number}\r\n".encode())
    with open_source(mailbox.config("pop3")) as source:
        listed = {(m.uid, m.number, m.size) for m in source.list_messages()}
    client = poplib.POP3(mailbox.server.host, mailbox.port("pop3", "none"), timeout=10)
    try:
        client.user(mailbox.login)
        client.pass_(mailbox.password)
        sizes = dict(line.split() for line in client.list()[1])
        keys = dict(line.split() for line in client.uidl()[1])
    finally:
        client.quit()
    expected = {(keys[n].decode(), int(n), int(sizes[n])) for n in sizes}
    assert listed == expected and len(listed) == 300


def test_pop3_listing_gives_its_handles_and_sizes_without_an_object_a_message(mailbox):
    """A POP3 cycle lists the whole maildrop: the listing hands over its handles,
    numbers and sizes as lists, and builds a RemoteMessage only for what is read of it
    (the same messages as before, in number order, equal to a list of them)."""
    for number in range(5):
        mailbox.append(f"Subject: n{number}\r\n\r\n{'x' * number}\r\n".encode())
    with open_source(mailbox.config("pop3")) as source:
        listed = source.list_messages()
        messages = list(listed)
        assert len(listed.uids) == len(listed.numbers) == len(listed.sizes) == 5
        assert listed.uids == [m.uid for m in messages]
        assert listed.numbers == [1, 2, 3, 4, 5] == [m.number for m in messages]
        assert listed.sizes == [m.size for m in messages]
        assert all(isinstance(m, RemoteMessage) for m in messages)
        assert listed == messages and listed[1:3] == messages[1:3] and listed[-1] == messages[-1]
        assert listed.where({messages[3].uid, "not listed"}) == [messages[3]]
        # what is read of it is the message itself: fetched by it, or by its handle
        assert source.fetch(listed[2]) == source.fetch(messages[2].uid)


def test_pop3_irregular_listings_read_as_line_by_line(fake_server):
    """Listings a server may send besides "<number> <value>" lines (several spaces, a
    tab, more fields after the value, a number listed twice, a handle listed twice,
    numbers out of order, a UIDL number with no LIST size, 8-bit bytes in a handle) are
    read as reading each line by its fields does."""
    list_rows = [b"1 101", b"2  102", b"3\t103", b"4 104 extra", b"6 106", b"5 105", b"7 107"]
    uidl_rows = [b"1 a", b"2 b", b"3 c x", b"4 \xe9t\xe9", b"5 e", b"6 e", b"7 g", b"7 h",
                 b"8 i"]  # fmt: skip

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        rows = {b"LIST": list_rows, b"UIDL": uidl_rows}.get(command)
        if rows is None:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows, b"."]) + b"\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    with open_source(fake_config("pop3", server.port)) as source:
        listed = [(m.uid, m.number, m.size) for m in source.list_messages()]
    assert listed == [
        ("a", 1, 101), ("b", 2, 102), ("c", 3, 103), ("\xe9t\xe9", 4, 104),
        ("e", 6, 106), ("h", 7, 107),
    ]  # fmt: skip


def test_pop3_regular_listing_split_in_one_pass_equals_line_by_line(fake_server):
    """The one-pass split of a regular listing (every line "<number> <value>") gives
    what the line-by-line reading gives, 8-bit bytes and a dot-stuffed handle included."""
    count = 2_000
    keys = [b"k%04d" % n if n % 7 else b"\xff%04d" % n for n in range(1, count + 1)]
    keys[10] = b".dotted"

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        if command == b"LIST":
            rows = [b"%d %d" % (n, 500 + n) for n in range(1, count + 1)]
        elif command == b"UIDL":
            rows = [b"%d %s" % (n, key) for n, key in enumerate(keys, 1)]
        else:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows, b"."]) + b"\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    with open_source(fake_config("pop3", server.port)) as source:
        listed = source.list_messages()
    expected = [key.decode("latin-1") for key in keys]
    assert listed.uids == expected and listed.sizes == [500 + n for n in range(1, count + 1)]


@pytest.mark.parametrize("odd", [b"\t", b"\x0b", b"\x0c"])
def test_pop3_handle_does_not_depend_on_the_other_lines_of_the_listing(fake_server, odd):
    """A handle with white space other than a space in it (a tab, a vertical tab, a
    form feed: out of RFC 1939's range, yet sent by some servers) is read as the line
    by line reading reads it (its first field), whatever the other lines are: the
    one-pass split, taken only when the whole answer is regular, must not give the
    same message another handle than the cycle whose listing has one irregular line
    (the ledger would see one message leave and another come)."""
    first = b"1 ab" + odd + b"cd"
    regular = [first, b"2 ef"]
    irregular = [first, b"2 ef", b"3 gh more"]  # one line with a field more
    answers = iter([regular, irregular])
    current = {}

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        if command == b"LIST":
            current["uidl"] = next(answers)
            rows = [b"%d %d" % (n, 100 + n) for n in range(1, len(current["uidl"]) + 1)]
        elif command == b"UIDL":
            rows = current["uidl"]
        else:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows, b"."]) + b"\r\n"

    handles = []
    for _session in range(2):
        server = fake_server("lines", b"+OK fake\r\n", answer)
        with open_source(fake_config("pop3", server.port)) as source:
            handles.append(source.list_messages()[0].uid)
    assert handles == ["ab", "ab"]


def test_pop3_listing_whose_fields_would_pair_up_across_lines_is_not_shifted(fake_server):
    """A line with a number alone beside a line with one field too many: split in one
    pass, their fields paired up across the lines (message 2 keyed by message 3's
    number, a message left out silently). Read line by line, as before the one-pass
    split: the answer is refused, the cycle fails loudly and nothing is recorded."""

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        rows = {b"LIST": [b"1 101", b"2 102", b"3 103"], b"UIDL": [b"1 a", b"2", b"3 4 x"]}
        if command not in rows:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows[command], b"."]) + b"\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    with pytest.raises(ProtocolError, match="Unreadable UIDL answer"):
        with open_source(fake_config("pop3", server.port)) as source:
            list(source.list_messages())  # the answers are read when the listing is


def test_pop3_connection_test_refuses_an_unreadable_listing(fake_server):
    """The answers of LIST and UIDL are kept as sent and read when first asked: the
    connection test, which asks STAT only, still tells what each cycle then meets
    (an answer no client can read), not a success."""

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        if command == b"STAT":
            return b"+OK 2 203\r\n"
        rows = {b"LIST": [b"1 101", b"2 102"], b"UIDL": [b"1 a", b"2"]}
        if command not in rows:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows[command], b"."]) + b"\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    with pytest.raises(ProtocolError, match="Unreadable UIDL answer"):
        open_source(fake_config("pop3", server.port)).test()


def test_pop3_keys_that_differ_in_8_bit_bytes_only_stay_two_messages(fake_server):
    """RFC 1939 keys are printable ASCII; a server that sends 8-bit ones anyway had two
    keys differing only there read as one ("k\ufffd"): one message never listed, its
    mail never fetched. Each byte is a character of the key now."""

    def answer(line):
        command = line.upper().split(b" ")[0].strip()
        rows = {b"LIST": [b"1 101", b"2 102"], b"UIDL": [b"1 k\xe9", b"2 k\xe8"]}
        if command not in rows:
            return b"+OK\r\n"
        return b"\r\n".join([b"+OK listing", *rows[command], b"."]) + b"\r\n"

    server = fake_server("lines", b"+OK fake\r\n", answer)
    with open_source(fake_config("pop3", server.port)) as source:
        assert [(m.uid, m.number) for m in source.list_messages()] == [("k\xe9", 1), ("k\xe8", 2)]


def test_tls_kept_context_ages_out(mailbox, monkeypatch, tmp_path):
    """A CA of the system store's hashed directory withdrawn in place (the file its link
    names rewritten with another CA, the directory unchanged: no stamp sees it, and no
    certificate is refused) is no longer trusted once the kept context is
    TLS_CONTEXT_MAX_AGE old: a context a connection trusted it until the next poll."""
    monkeypatch.setattr(mailsource_base, "TLS_CONTEXT_MAX_AGE", 1, raising=False)
    other = make_certificates(str(tmp_path / "other"))  # the same subject, another key
    trusted = open(mailbox.server.ca_file, "rb").read()
    target = _system_store_of_one_link(monkeypatch, tmp_path, trusted, trusted)
    config = mailbox.config("imap", "ssl", ca_file=None)
    with open_source(config) as source:
        source.list_messages()
    target.write_bytes(open(other, "rb").read())
    time.sleep(1.2)  # the context's age, not a measure of speed
    expect_error(config, TLSError, "tls")
