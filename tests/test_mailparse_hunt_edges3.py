"""Hunt (edges3): an encoded word written with raw brackets inside (RFC 2047's Q encoding
leaves "<", ">" and "@" as they are when a mailer does not encode them) holding
"Name <addr>" before the mailbox's own bracketed address. RFC 2047 5: an encoded word is
only text of the display name; the address is the bracket after it, as the standard
library and mail clients read it. Read as an address, the words chose the caller: anyone
could write in any customer's name."""

import pytest
from mailparse import parse_message
from mailparse.headers import parse_addresses
from mailparse.parse import MAX_PARTS
from test_mailparse_name_address import _caller


@pytest.mark.parametrize(
    "field",
    [
        b"=?utf-8?q?Alice_<alice@acme.example>?= <mailer@elsewhere.example>",
        b"=?utf-8?Q?Alice_<alice@acme.example>_?= (x) <mailer@elsewhere.example>",
        b"=?utf-8?Q?CEO,_<ceo@acme.example>?= <mailer@elsewhere.example>",
        b'=?utf-8?q?"Alice"_<alice@acme.example>?= <mailer@elsewhere.example>',
        b"=?utf-8?q?Alice?= =?utf-8?q?<alice@acme.example>?= <mailer@elsewhere.example>",
        # A quote or a parenthesis left open before the words: they are still words.
        b'"Bob =?utf-8?q?<alice@acme.example>?= <mailer@elsewhere.example>',
        b'Bob" =?utf-8?q?<alice@acme.example>?= <mailer@elsewhere.example>',
        b"(x =?utf-8?q?<alice@acme.example>?= <mailer@elsewhere.example>",
        b"=?utf-8?q?(<alice@acme.example>?= <mailer@elsewhere.example>",
        b"=?utf-8?q?<alice@acme.example>?= mailer@elsewhere.example",
    ],
)
def test_a_bracket_inside_an_encoded_word_is_never_the_caller(field):
    address, _name, peeked = _caller(field)
    assert (address, peeked) == ("mailer@elsewhere.example", "mailer@elsewhere.example")


def test_the_encoded_words_still_name_the_mailbox():
    field = "=?utf-8?q?Alice_<alice@acme.example>?= <mailer@elsewhere.example>, b@x.example"
    assert parse_addresses(field) == [
        ("Alice <alice@acme.example>", "mailer@elsewhere.example"),
        ("", "b@x.example"),
    ]


def test_a_mailbox_put_whole_into_words_with_raw_brackets_is_still_read():
    # No address outside the words: the words are the whole mailbox (a script's
    # mb_encode_mimeheader), read decoded as before.
    assert _caller(b"=?utf-8?q?Alice_<alice@acme.example>?=")[:2] == (
        "alice@acme.example",
        "Alice",
    )


# More MIME parts than the parse reads (MAX_PARTS): the parts past the limit were dropped
# without a word, and the ticket made of the rest; with "delete" as the storage policy the
# mail then left the server and the attachments past the limit were lost. Such an email is
# now unreadable, with the reason: set aside in error, kept whole.
def _many_parts(count: int) -> bytes:
    head = (
        b"From: Ann <ann@customer.example>\r\nSubject: Scans\r\nMIME-Version: 1.0\r\n"
        b"Message-ID: <many@customer.example>\r\n"
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\nContent-Type: text/plain\r\n\r\nThe scans.\r\n"
    )
    parts = b"".join(
        b"--x\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=scan%d.bin\r\n\r\nAAAA\r\n" % number
        for number in range(count)
    )
    return head + parts + b"--x--\r\n"


def test_an_email_of_more_parts_than_read_is_unreadable_with_the_reason():
    parsed = parse_message(_many_parts(MAX_PARTS))
    assert str(MAX_PARTS) in parsed.error
    assert parsed.subject == "Scans" and parsed.from_email == "ann@customer.example"


def test_an_email_of_as_many_parts_as_read_is_read_whole():
    count = MAX_PARTS - 2  # the root and the text are parts too
    parsed = parse_message(_many_parts(count))
    assert not parsed.error
    assert len(parsed.attachments) == count
