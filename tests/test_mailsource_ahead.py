"""Connections opened ahead (``mailsource.ahead``), against the real Dovecot: several
mailboxes connect at once on threads, each handed over connected (or with the error its
connection met), none left open."""

import dataclasses
import select
import time

import pytest
from conftest_dovecot import new_mailbox
from mailharness.common import free_ports
from mailharness.proxy import FaultProxy
from mailsource import AuthenticationError, RefusedError, open_source
from mailsource.ahead import ConnectAhead


def _proxied(box, proxy, **overrides):
    return box.config("imap", port=proxy.port, **overrides)


def test_sources_opened_ahead_connect_at_once_and_are_handed_over_connected(dovecot):
    boxes = [new_mailbox(dovecot) for _ in range(3)]
    for number, box in enumerate(boxes):
        box.append(f"Subject: ahead {number}\r\n\r\nbody\r\n".encode())
    with FaultProxy(dovecot.imap_port) as proxy, ConnectAhead(width=3) as ahead:
        for key, box in enumerate(boxes):
            ahead.open(key, open_source(_proxied(box, proxy)), data=f"trace {key}")
        assert ahead.data(1) == "trace 1"
        # All three are connected by the time the first is taken: none waited for
        # the one before it to be used and closed.
        first = ahead.take(0)
        for key in (1, 2):
            ahead.wait(key)
        assert proxy.connections == 3
        with first:
            assert first.connected
            assert len(first.list_changes(None).messages) == 1
        for key in (1, 2):
            source = ahead.take(key)
            with source:
                assert source.connected
                assert len(source.list_changes(None).messages) == 1
        assert ahead.take(0) is None  # taken once


def test_a_failed_connection_ahead_raises_its_error_when_taken(dovecot):
    box = new_mailbox(dovecot)
    (closed_port,) = free_ports(1)
    with ConnectAhead(width=2) as ahead:
        ahead.open("wrong", open_source(box.config("imap", password="wrong-" + box.password)))
        ahead.open("closed", open_source(box.config("imap", port=closed_port)))
        with pytest.raises(AuthenticationError):
            ahead.take("wrong")
        with pytest.raises(RefusedError):
            ahead.take("closed")


def test_sources_opened_ahead_and_never_taken_are_closed(dovecot):
    box = new_mailbox(dovecot)
    source = open_source(box.config("imap"))
    with ConnectAhead(width=1) as ahead:
        ahead.open("left", source)
        ahead.wait("left")
        assert source.connected
    assert not source.connected


def test_width_zero_opens_nothing_ahead(dovecot):
    box = new_mailbox(dovecot)
    source = open_source(box.config("imap"))
    with ConnectAhead(width=0) as ahead:
        assert not ahead.open("key", source)
        assert ahead.take("key") is None
    assert not source.connected


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_a_session_the_server_ended_while_it_waited_is_handed_over_connected_again(
    dovecot, protocol
):
    """An administrator's kick (as an idle timeout or a restart) ends the session
    opened ahead before its inbox's turn: the source handed over is connected again,
    and reads the mailbox; the cycle does not fail on a dead connection."""
    box = new_mailbox(dovecot)
    box.append(b"Subject: kicked\r\n\r\nbody\r\n")
    lines = []
    with ConnectAhead(width=1) as ahead:
        ahead.open("box", open_source(box.config(protocol), trace=lines.append))
        ahead.wait("box")
        dovecot.kick(box.login)
        deadline = time.monotonic() + 10
        # The kick is done when doveadm returns; the end of the stream follows at once.
        while not _ended(lines, ahead) and time.monotonic() < deadline:
            time.sleep(0.05)
        with ahead.take("box") as source:
            assert source.connected
            assert len(source.list_changes(None).messages) == 1
    assert "the server ended the session while it waited" in "\n".join(lines)


def _ended(lines, ahead):
    source = ahead._pending["box"][0]
    sock = getattr(source._client, "sock", None)
    return sock is None or bool(select.select([sock], [], [], 0)[0])


def test_a_source_opened_with_other_settings_is_not_handed_over(dovecot):
    """The settings changed between the opening ahead and the inbox's turn (an
    administrator edits the inbox meanwhile: another folder, login, password): the
    connection opened with the old ones is closed, not used for the new ones."""
    box = new_mailbox(dovecot)
    old = box.config("imap")
    source = open_source(old)
    with ConnectAhead(width=1) as ahead:
        ahead.open("box", source)
        ahead.wait("box")
        assert ahead.take("box", config=dataclasses.replace(old, folder="Other")) is None
        assert not source.connected
        ahead.open("again", open_source(old))
        taken = ahead.take("again", config=old)
        with taken:
            assert taken.connected
