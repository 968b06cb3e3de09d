"""Mail sources plug in: a registry instead of fixed tables, an interface declaring what
the models call (with defaults), and an opaque sync cursor each source owns."""

import pytest
from conftest_dovecot import new_mailbox
from mailsource import (
    ImapSource,
    MailSource,
    Pop3Source,
    RemoteMessage,
    ServerConfig,
    UnsupportedOperationError,
    open_source,
    register_source,
    source_class,
)
from test_mailsource import message


class ListSource(MailSource):
    """The least a source implements: a session and a listing (here, in memory)."""

    protocol = "test-list"
    label = "LIST"
    default_port = 0
    messages = (RemoteMessage("a", 1, 10), RemoteMessage("b", 2, 20))

    def _open(self, context):
        return object()

    def list_messages(self):
        self._require()
        return list(self.messages)


@pytest.fixture
def registered():
    register_source(ListSource)
    yield ListSource
    register_source(ListSource, unregister=True)


def test_builtin_sources_are_registered():
    assert source_class("imap") is ImapSource
    assert source_class("pop3") is Pop3Source
    with pytest.raises(KeyError):
        source_class("test-list")


def test_a_registered_protocol_is_accepted_and_opened(registered):
    config = ServerConfig("test-list", "/var/mail/support", 0, "", "")
    assert config.effective_port == 0
    with open_source(config) as source:
        assert isinstance(source, ListSource) and source.connected
        assert [m.uid for m in source.list_messages()] == ["a", "b"]
    assert not source.connected


def test_unregistered_protocol_is_refused():
    with pytest.raises(ValueError, match="protocol"):
        ServerConfig("test-list", "host", 0, "", "")


def test_interface_defaults_for_what_a_source_cannot_do(registered):
    with open_source(ServerConfig("test-list", "here", 0, "", "")) as source:
        assert source.supports_idle is False and source.supports_folders is False
        assert source.supports_structure is False and source.keeps_cursor is False
        assert source.left_flagged == frozenset()
        for call in (
            lambda: source.idle(1),
            lambda: source.move(["a"], "Done"),
            lambda: source.ensure_folder("Done"),
            lambda: source.folder_exists("Done"),
            lambda: source.structure("a"),
        ):
            with pytest.raises(UnsupportedOperationError):
                call()
        # Without a cursor of its own a source lists everything, every cycle.
        listing = source.list_changes(None)
        assert listing.complete and listing.cursor is None
        assert [m.uid for m in listing.messages] == ["a", "b"]
        assert source.may_have_news(None) is True
        assert source.cursor_after_changes(None) is None


def test_imap_cursor_lists_nothing_then_only_what_arrived(mailbox):
    mailbox.append(message(1))
    config = mailbox.config()
    with open_source(config) as source:
        first = source.list_changes(None)
    assert first.complete and len(first.messages) == 1
    with open_source(config) as source:
        same = source.list_changes(first.cursor)
        assert not source.may_have_news(first.cursor)
    assert (same.messages, same.complete, same.cursor) == ([], False, first.cursor)
    mailbox.append(message(2))
    with open_source(config) as source:
        assert source.may_have_news(first.cursor)
        added = source.list_changes(first.cursor)
    assert not added.complete and [m.number for m in added.messages] == [mailbox.uids()[-1]]
    assert added.cursor != first.cursor


def test_imap_cursor_lists_everything_when_mail_left(dovecot):
    box = new_mailbox(dovecot)
    box.append(message(1))
    box.append(message(2))
    with open_source(box.config()) as source:
        cursor = source.list_changes(None).cursor
        source.delete([source.list_messages()[0].uid])
        kept = source.cursor_after_changes(cursor)
    assert kept != cursor  # the count after our own deletion, nothing arrived
    with open_source(box.config()) as source:
        assert source.list_changes(kept).messages == []
        box.append(message(3))
        with dovecot.imap(box.login, "INBOX") as client:  # another client deletes one
            client.uid("STORE", str(box.uids()[0]), "+FLAGS", "(\\Deleted)")
            client.expunge()
    with open_source(box.config()) as source:
        listing = source.list_changes(kept)
    assert listing.complete and len(listing.messages) == 1


def test_pop3_has_no_cursor(mailbox):
    mailbox.append(message(1))
    with open_source(mailbox.config("pop3")) as source:
        listing = source.list_changes({"anything": 1})
    assert listing.complete and listing.cursor is None and len(listing.messages) == 1
