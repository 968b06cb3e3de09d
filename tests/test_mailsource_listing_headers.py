"""A poll that finds a few new messages lists them with their header blocks in one UID
FETCH (the synchronization reads each header block to recognize the message): no
command of its own for each header. Against a real Dovecot, and a scripted server
answering the items in another order."""

import imaplib

import pytest
from mailsource import open_source
from mailsource.imap import HEADER_WITH_LISTING_MAX, HEADERS_WITH_LISTING
from scripted_imap import ScriptedImap


def message(number, extra=""):
    return (
        f"From: Customer {number} <customer{number}@example.org>\r\n"
        f"To: support@example.com\r\n"
        f"Subject: Request {number}\r\n{extra}"
        f"Message-ID: <request-{number}@example.org>\r\n"
        f"\r\n"
        f"Hello {number}\r\n"
    ).encode()


def header_of(raw):
    return raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"


class SentCommands(list):
    """The IMAP commands a client sends, without their tag."""

    def __init__(self, monkeypatch):
        super().__init__()
        original = imaplib.IMAP4.send

        def send(client, data):
            words = data.split(b" ")
            if len(words) > 1 and words[0].startswith(client.tagpre):
                self.append(b" ".join(words[1:]).decode().strip())
            return original(client, data)

        monkeypatch.setattr(imaplib.IMAP4, "send", send)

    def names(self):
        return [command.split()[0] for command in self]


def cursor_after(mailbox, raws):
    """The cursor of a poll that saw ``raws`` delivered (a full listing)."""
    for raw in raws:
        mailbox.append(raw)
    with open_source(mailbox.config("imap")) as source:
        return source.list_changes(None).cursor


def test_few_new_messages_come_with_their_header_blocks(mailbox, monkeypatch):
    cursor = cursor_after(mailbox, [message(1), message(2)])
    new = [message(3), message(4, "X-Long: " + "y" * 5000 + "\r\n")]
    uids = [mailbox.append(raw, flags=("\\Flagged",)) for raw in new]
    sent = SentCommands(monkeypatch)
    with open_source(mailbox.config("imap")) as source:
        listing = source.list_changes(cursor)
        assert [m.number for m in listing.messages] == uids
        assert [m.size for m in listing.messages] == [len(raw) for raw in new]
        assert all(m.flags == {"\\Flagged"} for m in listing.messages)
        headers = [source.fetch_header(m.uid) for m in listing.messages]
        assert sent.names() == ["LOGIN", "SELECT", "UID"]
        assert "BODY.PEEK[HEADER]" in sent[-1]
        # Read once: a second read asks the server, and gets the same bytes.
        assert source.fetch_header(listing.messages[0].uid) == headers[0]
        assert sent.names() == ["LOGIN", "SELECT", "UID", "UID"]
        assert source.fetch(listing.messages[1].uid) == new[1]
    assert headers == [header_of(raw) for raw in new]
    assert all(mailbox.flags(uid) == {"\\Flagged"} for uid in uids)  # never \Seen


def test_the_source_tells_which_header_blocks_it_holds(mailbox, monkeypatch):
    # What the synchronization asks before it reads the ledger once for a step
    # (holds_header): only blocks the listing brought and not read yet, no command.
    cursor = cursor_after(mailbox, [message(1)])
    mailbox.append(message(2))
    sent = SentCommands(monkeypatch)
    with open_source(mailbox.config("imap")) as source:
        (new,) = source.list_changes(cursor).messages
        commands = list(sent)
        assert source.holds_header(new.uid)
        assert not source.holds_header(f"{source.uidvalidity}:1")  # listed before
        assert not source.holds_header(f"{source.uidvalidity + 1}:{new.number}")
        source.fetch_header(new.uid)
        assert not source.holds_header(new.uid)  # read once: the next read asks
        assert sent == commands
    with open_source(mailbox.config("pop3")) as source:
        assert not source.holds_header(source.list_messages()[0].uid)


@pytest.mark.parametrize("beyond", [0, 10], ids=["exactly-what-it-reads", "longer"])
def test_a_header_block_the_listing_may_have_cut_is_fetched_whole(mailbox, monkeypatch, beyond):
    # The listing reads at most HEADER_WITH_LISTING_MAX octets: a block of exactly that
    # length may be cut there, a longer one is; it is read whole by a command of its own.
    cursor = cursor_after(mailbox, [message(1)])
    filler = HEADER_WITH_LISTING_MAX + beyond - len(header_of(message(2, "X-Fill: \r\n")))
    block = message(2, "X-Fill: " + "f" * filler + "\r\n")
    assert len(header_of(block)) == HEADER_WITH_LISTING_MAX + beyond
    mailbox.append(block)
    sent = SentCommands(monkeypatch)
    with open_source(mailbox.config("imap")) as source:
        (listed,) = source.list_changes(cursor).messages
        assert source.fetch_header(listed.uid) == header_of(block)
    assert sent.names() == ["LOGIN", "SELECT", "UID", "UID", "LOGOUT"]


def test_many_new_messages_are_listed_without_their_headers(mailbox, monkeypatch):
    # A mailbox that received much mail since the last poll: the listing stays small
    # (the synchronization reads the header blocks step by step).
    cursor = cursor_after(mailbox, [message(0)])
    for number in range(1, HEADERS_WITH_LISTING + 2):
        mailbox.append(message(number))
    sent = SentCommands(monkeypatch)
    with open_source(mailbox.config("imap")) as source:
        listed = source.list_changes(cursor).messages
        assert len(listed) == HEADERS_WITH_LISTING + 1
        assert "BODY" not in sent[-1]
        assert source.fetch_header(listed[0].uid) == header_of(message(1))
    assert sent.names() == ["LOGIN", "SELECT", "UID", "UID", "LOGOUT"]


# -- a server answering the items in another order


HEADER = b"Subject: hi\r\nMessage-ID: <a@b>\r\n\r\n"


@pytest.mark.parametrize(
    "response",
    [
        # The literal first, the other items after it; a flag update of another
        # message in between.
        b"* 6 FETCH (FLAGS (\\Seen))\r\n* 7 FETCH (BODY[HEADER]<0> {%d}\r\n%s"
        b" UID 7 FLAGS (\\Answered) RFC822.SIZE 99)\r\n" % (len(HEADER), HEADER),
        # The usual order.
        b"* 7 FETCH (UID 7 RFC822.SIZE 99 FLAGS (\\Answered) BODY[HEADER]<0> {%d}\r\n%s)\r\n"
        % (len(HEADER), HEADER),
    ],
    ids=["literal-first", "usual-order"],
)
def test_the_listing_reads_its_items_in_any_order(response):
    server = ScriptedImap(lambda tag, _command: response + tag + b" OK done\r\n")
    with open_source(server.config()) as source:
        listing = source.list_changes({"uidvalidity": "5", "uidnext": 7, "messages": 6})
        (listed,) = listing.messages
        assert (listed.number, listed.size, listed.flags) == (7, 99, {"\\Answered"})
        assert source.fetch_header(listed.uid) == HEADER
    fetches = [line for line in server.received if line.upper().startswith("UID")]
    assert len(fetches) == 1 and "BODY.PEEK[HEADER]" in fetches[0]
