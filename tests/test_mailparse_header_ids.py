"""``header_ids(raw)``, read from the header block alone, gives the ``stable_id`` and
the answered ids of the full parse: the ledger locks an email by them before parsing it."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mailparse import header_ids, parse_message

ROOT = Path(__file__).resolve().parent.parent
MAILS = sorted(
    [*ROOT.glob("helpdesk_mail_ticket/tests/samples/**/*.eml"), *ROOT.glob("tests/data/**/*.eml")]
)


def test_there_is_mail_to_compare():
    assert len(MAILS) > 100


@pytest.mark.parametrize("path", MAILS, ids=lambda path: path.name)
def test_same_as_the_full_parse(path):
    raw = path.read_bytes()
    assert_same(raw)


def assert_same(raw):
    parsed = parse_message(raw)
    assert header_ids(raw) == (parsed.stable_id, (*parsed.in_reply_to, *parsed.references))


def stable_id(raw):
    return header_ids(raw)[0]


def test_a_mail_without_message_id_gets_the_hash_of_the_parse():
    raw = b"From: a@b.example\r\nSubject: Hello\r\n\r\nBody  text\r\n  more\r\n"
    assert stable_id(raw).startswith("sha256:")
    assert_same(raw)
    assert stable_id(raw.replace(b"Body  text", b"Body text")) == stable_id(raw), (
        "whitespace runs do not count"
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes(raw):
    assert_same(raw)


def test_a_reply_names_what_it_answers():
    raw = (
        b"Message-ID: <r@c.x>\r\nIn-Reply-To: <o@c.x>\r\nReferences: <a@c.x> <o@c.x>\r\n"
        b"Subject: Re: x\r\n\r\nok\r\n"
    )
    assert header_ids(raw) == ("r@c.x", ("o@c.x", "a@c.x", "o@c.x"))
