"""A display name written as an address, unquoted, before the bracketed address
("ceo@acme.example <sender@elsewhere.example>"): Exchange relays, web forms and forwarding
services write it, and so do spoofers. The mailbox is the bracketed address, which the
mail came from and answers go to; the words before it are its name. Read as two addresses,
the caller was the name's address: a ticket in the name of someone who never wrote."""

import pytest
from mailparse import parse_message
from mailparse.headers import parse_addresses
from mailparse.peek import peek_headers

_REST = b"To: support@helpdesk.example\nSubject: Printer\nMessage-ID: <n@x.example>\n"


def _caller(from_field: bytes):
    raw = b"From: " + from_field + b"\n" + _REST + b"\nHello, my printer is broken.\n"
    parsed = parse_message(raw)
    return parsed.from_email, parsed.from_name, peek_headers(raw).email_from


@pytest.mark.parametrize(
    ("field", "address", "name"),
    [
        (
            b"ceo@acme.example <mailer@elsewhere.example>",
            "mailer@elsewhere.example",
            "ceo@acme.example",
        ),
        (
            b"Ann.Lee@acme.example  <ann.lee@mail.acme.example>",
            "ann.lee@mail.acme.example",
            "Ann.Lee@acme.example",
        ),
        (
            b"ann@acme.example via Forms <noreply@forms.example>",
            "noreply@forms.example",
            "ann@acme.example via Forms",
        ),
        (
            b"Ann Lee ann@acme.example <relay@acme.example>",
            "relay@acme.example",
            "Ann Lee ann@acme.example",
        ),
        (
            b"=?utf-8?Q?j=C3=BCrgen@acme.example?= <juergen@acme.example>",
            "juergen@acme.example",
            "jürgen@acme.example",
        ),
    ],
)
def test_the_bracketed_address_is_the_caller_and_the_words_its_name(field, address, name):
    assert _caller(field) == (address, name, address)


def test_the_same_address_as_name_and_in_brackets_is_one_caller_without_name():
    assert _caller(b"ann@acme.example <ann@acme.example>") == (
        "ann@acme.example",
        "",
        "ann@acme.example",
    )


@pytest.mark.parametrize(
    ("field", "pairs"),
    [
        # each mailbox of a list read the same way; commas still separate them
        (
            "boss@acme.example <a@x.example>, Bob <b@x.example>",
            [("boss@acme.example", "a@x.example"), ("Bob", "b@x.example")],
        ),
        (
            "Bob <b@x.example>, boss@acme.example <a@x.example>",
            [("Bob", "b@x.example"), ("boss@acme.example", "a@x.example")],
        ),
        # untouched: a quoted name, bare addresses, the name after the address
        ('"boss@acme.example" <a@x.example>', [("boss@acme.example", "a@x.example")]),
        ("a@x.example, b@x.example", [("", "a@x.example"), ("", "b@x.example")]),
        ("ann@acme.example <Ann Lee>", [("Ann Lee", "ann@acme.example")]),
        ("<ann@acme.example> Ann Lee", [("Ann Lee", "ann@acme.example")]),
    ],
)
def test_address_lists(field, pairs):
    assert parse_addresses(field) == pairs


# A quoted display name is the sender's words, whatever it holds: an address in brackets
# and a comma inside it are no mailbox. Read as one, a forged name chose the caller
# (the attack the bracket rule is there to stop, through quotes).
@pytest.mark.parametrize(
    "field",
    [
        b'"x, ceo@acme.example <ceo@acme.example>, y" <mailer@elsewhere.example>',
        b'"Lee, Ann ceo@acme.example <ceo@acme.example>, Sales" <mailer@elsewhere.example>',
        b'"x, ceo@acme.example <ceo@acme.example>,\\" y" <mailer@elsewhere.example>',
    ],
)
def test_a_bracket_inside_a_quoted_name_is_no_mailbox(field):
    assert _caller(field)[0::2] == ("mailer@elsewhere.example", "mailer@elsewhere.example")


def test_a_bracket_inside_a_quoted_name_in_a_list_is_no_mailbox():
    field = (
        '"Desk, support@helpdesk.example <support@helpdesk.example>, Team" <team@x.example>,'
        " boss@acme.example <a@x.example>"
    )
    assert parse_addresses(field) == [
        ("Desk, support@helpdesk.example <support@helpdesk.example>, Team", "team@x.example"),
        ("boss@acme.example", "a@x.example"),
    ]


def _caller_replied(from_field: bytes, reply_to: bytes):
    raw = b"From: " + from_field + b"\nReply-To: " + reply_to + b"\n" + _REST + b"\nHello.\n"
    parsed = parse_message(raw)
    return parsed.from_email, parsed.from_name, peek_headers(raw).email_from


# A web form's mailer (WordPress, a CMS's contact form) sends from its own address, the
# visitor's address as the name, and the visitor in Reply-To: the visitor is the caller,
# answers go there. Read as the bracket, every visitor's ticket went to the one no-reply
# partner and the answers to no one. A Reply-To naming no address of the name changes
# nothing; one naming the name's address gives nothing a forger did not have (the
# answers go to that address).
@pytest.mark.parametrize(
    ("from_field", "reply_to", "expected"),
    [
        (
            b"visitor@mail.example <wordpress@shop.example>",
            b"visitor@mail.example",
            ("visitor@mail.example", "", "visitor@mail.example"),
        ),
        (
            b"Visitor@Mail.example via Contact <noreply@forms.example>",
            b"Ann Visitor <visitor@mail.example>",
            ("visitor@mail.example", "Ann Visitor", "visitor@mail.example"),
        ),
        (
            b"ceo@acme.example <mailer@elsewhere.example>",
            b"other@acme.example",
            ("mailer@elsewhere.example", "ceo@acme.example", "mailer@elsewhere.example"),
        ),
        (
            b"ceo@acme.example <mailer@elsewhere.example>",
            b"ceo@acme.example, mailer@elsewhere.example",
            ("mailer@elsewhere.example", "ceo@acme.example", "mailer@elsewhere.example"),
        ),
    ],
)
def test_the_reply_to_naming_the_names_address_is_the_caller(from_field, reply_to, expected):
    assert _caller_replied(from_field, reply_to) == expected


# The same mailbox in the forms the other rules repair (spaces inside the brackets, a
# comment after them, doubled brackets, Outlook's mailto brackets): the bracket is the
# caller there too, or a forged name still chose it by a space.
@pytest.mark.parametrize(
    "field",
    [
        b"ceo@acme.example < mailer@elsewhere.example >",
        b"ceo@acme.example <mailer@elsewhere.example> (web)",
        b"ceo@acme.example <<mailer@elsewhere.example>>",
        b"ceo@acme.example [mailto:mailer@elsewhere.example]",
    ],
)
def test_the_bracket_is_the_caller_in_repaired_forms(field):
    assert _caller(field) == (
        "mailer@elsewhere.example",
        "ceo@acme.example",
        "mailer@elsewhere.example",
    )


# A quoted word or square brackets beside the address in the name are words of the name
# too: left to the stdlib, the name's address was the caller again. A comment there is no
# part of the name (RFC 5322 3.2.2), and the bracket stays the caller.
def test_the_bracket_is_the_caller_when_a_comment_stands_beside_the_name():
    address, name, peeked = _caller(b"ceo@acme.example (CEO) <mailer@elsewhere.example>")
    assert (address, peeked) == ("mailer@elsewhere.example", "mailer@elsewhere.example")
    assert name == "ceo@acme.example"


@pytest.mark.parametrize(
    "field",
    [
        b'ceo@acme.example "CEO" <mailer@elsewhere.example>',
        b'"CEO" ceo@acme.example <mailer@elsewhere.example>',
        b"ceo@acme.example [CEO] <mailer@elsewhere.example>",
    ],
)
def test_the_bracket_is_the_caller_whatever_words_the_name_holds(field):
    address, name, peeked = _caller(field)
    assert (address, peeked) == ("mailer@elsewhere.example", "mailer@elsewhere.example")
    assert "ceo@acme.example" in name and "CEO" in name


# A display name in encoded words that decodes to "Name <addr>", before the real bracketed
# address: RFC 2047 words are text of the phrase, never address syntax. Read decoded as a
# whole field (the repair of a field put whole into encoded words), the name's address was
# the caller: any sender (whose own domain passes DMARC) wrote as a customer or an agent.
@pytest.mark.parametrize(
    ("field", "name"),
    [
        (b"=?utf-8?Q?CEO_=3Cceo@acme.example=3E?= <mailer@elsewhere.example>", "CEO"),
        (b"=?utf-8?Q?CEO_=3Cceo=40acme.example=3E?= <mailer@elsewhere.example>", "CEO"),
        (b"=?utf-8?B?Q0VPIDxjZW9AYWNtZS5leGFtcGxlPg==?= <mailer@elsewhere.example>", "CEO"),
        (b"=?utf-8?q?Bob=0D=0ABcc=3A_ceo=40acme.example?= <mailer@elsewhere.example>", "Bob"),
    ],
)
def test_an_address_inside_encoded_words_of_the_name_is_not_the_caller(field, name):
    address, got_name, peeked = _caller(field)
    assert (address, peeked) == ("mailer@elsewhere.example", "mailer@elsewhere.example")
    assert got_name.startswith(name)


def test_a_field_put_whole_into_encoded_words_is_still_read():
    assert _caller(b"=?utf-8?Q?John_Doe_=3Cjohn@acme.example=3E?=")[:2] == (
        "john@acme.example",
        "John Doe",
    )


def test_a_mailbox_put_whole_into_encoded_words_is_read_beside_another_one():
    field = (
        "=?utf-8?Q?Ann?= <ann@acme.example>, =?utf-8?Q?Bob_=3Cbob@acme.example=3E?=, "
        "=?utf-8?Q?CEO_=3Cceo@acme.example=3E?= <mailer@elsewhere.example>"
    )
    assert parse_addresses(field) == [
        ("Ann", "ann@acme.example"),
        ("Bob", "bob@acme.example"),
        ("CEO <ceo@acme.example>", "mailer@elsewhere.example"),
    ]


@pytest.mark.parametrize(
    "field",
    [
        # An encoded word holding "Name <addr>", a comment holding another address.
        b"=?utf-8?Q?CEO_=3Cceo@acme.example=3E?= (mailer@elsewhere.example)",
        b"=?utf-8?B?Q0VPIDxjZW9AYWNtZS5leGFtcGxlPg==?= (mailer@elsewhere.example)",
    ],
)
def test_an_encoded_word_is_never_the_address(field):
    # RFC 2047 5: an encoded word never stands in an address. Read as one, the caller
    # was the words' undecoded text ("=?utf-8?q?ceo_=3cceo@acme.example"), a contact
    # made with it and mailed at acme.example; decoded, the name's address, someone
    # who never wrote. No address: the mail stays without a known caller.
    address, _name, peeked = _caller(field)
    assert "=?" not in address and "ceo@" not in address
    assert "=?" not in peeked and "ceo@" not in peeked
