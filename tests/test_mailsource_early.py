"""A TCP connection started before the session's settings are read
(``mailsource.early``), against the real Dovecot: the session takes it instead of
connecting (one connection, TLS started on it as on a new one), and one started to
another endpoint is closed with nothing sent on it."""

import os
import resource
import socket

import pytest
from conftest_dovecot import new_mailbox
from mailharness.common import free_ports
from mailsource import RefusedError, open_source
from mailsource.early import EarlyConnection


@pytest.mark.parametrize(
    "protocol,security", [("imap", "none"), ("imap", "ssl"), ("pop3", "none"), ("pop3", "ssl")]
)
def test_a_session_takes_the_connection_started_early(dovecot, protocol, security):
    box = new_mailbox(dovecot)
    box.append(b"Subject: early\r\n\r\nbody\r\n")
    port = box.port(protocol, security)
    early = EarlyConnection(dovecot.host, port)
    descriptor = early._sock.fileno()
    source = open_source(box.config(protocol, security))
    source.take_early(early)
    with source:
        assert source.connected
        # The session's socket is the one started early (TLS wraps that descriptor).
        assert source._socket().fileno() == descriptor
        assert len(source.list_messages()) == 1
    assert early.take(dovecot.host, port, 1) is None, "taken once"


def test_a_connection_started_to_another_endpoint_is_closed_unused(dovecot):
    box = new_mailbox(dovecot)
    with socket.create_server((dovecot.host, 0)) as old:
        early = EarlyConnection(dovecot.host, old.getsockname()[1])
        source = open_source(box.config("imap"))
        source.take_early(early)
        with source:
            assert source.connected
            assert len(source.list_messages()) == 0
        old.settimeout(5)
        accepted, _address = old.accept()
        with accepted:
            accepted.settimeout(5)
            assert accepted.recv(100) == b"", "closed with nothing sent on it"


def test_an_early_connection_refused_is_made_again_as_usual(dovecot):
    # Started while the server was down (or restarting): the session connects as it
    # would have, and reports what that connection meets.
    box = new_mailbox(dovecot)
    (closed_port,) = free_ports(1)
    source = open_source(box.config("imap", port=closed_port))
    source.take_early(EarlyConnection(dovecot.host, closed_port))
    with pytest.raises(RefusedError):
        source.connect()


def test_a_source_closed_without_connecting_closes_its_early_connection(dovecot):
    box = new_mailbox(dovecot)
    with socket.create_server((dovecot.host, 0)) as listener:
        early = EarlyConnection(dovecot.host, listener.getsockname()[1])
        source = open_source(box.config("imap", port=listener.getsockname()[1]))
        source.take_early(early)
        source.close()
        assert early.take(dovecot.host, listener.getsockname()[1], 1) is None
        listener.settimeout(5)
        accepted, _address = listener.accept()
        with accepted:
            accepted.settimeout(5)
            assert accepted.recv(100) == b""


def test_an_early_connection_the_server_ended_meanwhile_is_made_again(dovecot):
    # The server ends the connection before the session takes it (its timeout for a
    # connection that does not log in, a restart, a middlebox's reset: here a restart,
    # which kills the login process that greeted it): the session connects again as it
    # would have without it, instead of sending LOGIN on a closed connection.
    box = new_mailbox(dovecot)
    box.append(b"Subject: early\r\n\r\nbody\r\n")
    early = EarlyConnection(dovecot.host, dovecot.imap_port)
    dovecot.restart()
    source = open_source(box.config("imap"))
    source.take_early(early)
    with source:
        assert len(source.list_messages()) == 1


def test_an_early_connection_on_a_descriptor_past_select_s_limit_is_taken(dovecot):
    # A process with many files open (a threaded Odoo serving its websockets) gives
    # the early socket a descriptor select() cannot wait on (FD_SETSIZE, 1024): the
    # session takes it all the same, as it connects without it.
    box = new_mailbox(dovecot)
    box.append(b"Subject: early\r\n\r\nbody\r\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    fillers = []
    try:
        while len(fillers) < 1100:
            fillers.append(os.open(os.devnull, os.O_RDONLY))
        early = EarlyConnection(dovecot.host, dovecot.imap_port)
        assert early._sock.fileno() >= 1024
        source = open_source(box.config("imap"))
        source.take_early(early)
        with source:
            assert source._socket().fileno() >= 1024
            assert len(source.list_messages()) == 1
    finally:
        for descriptor in fillers:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
