"""Hunt (edges3): an encoded word written with raw brackets inside (RFC 2047's Q encoding
leaves "<", ">" and "@" as they are when a mailer does not encode them) holding
"Name <addr>" before the mailbox's own bracketed address. RFC 2047 5: an encoded word is
only text of the display name; the address is the bracket after it, as the standard
library and mail clients read it. Read as an address, the words chose the caller: anyone
could write in any customer's name."""

import pytest
from mailparse.headers import parse_addresses
from test_mailparse_name_address import _caller


@pytest.mark.parametrize(
    "field",
    [
        b"=?utf-8?q?Alice_<alice@acme.example>?= <mailer@elsewhere.example>",
        b"=?utf-8?Q?Alice_<alice@acme.example>_?= (x) <mailer@elsewhere.example>",
        b"=?utf-8?Q?CEO,_<ceo@acme.example>?= <mailer@elsewhere.example>",
        b'=?utf-8?q?"Alice"_<alice@acme.example>?= <mailer@elsewhere.example>',
        b"=?utf-8?q?Alice?= =?utf-8?q?<alice@acme.example>?= <mailer@elsewhere.example>",
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
