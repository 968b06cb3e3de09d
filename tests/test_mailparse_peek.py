"""mailparse.peek: what the ledger records of a message it could not (or will not) parse
in full, read from the header block alone; the one header decoder of parse_message."""

from datetime import datetime

import pytest
from mailparse import parse_message
from mailparse.peek import MAX_PEEK, peek_headers

HEADERS = (
    b"Message-ID: <abc.123@mail.example>\r\n"
    b"From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>\r\n"
    b"Date: Tue, 03 Mar 2026 10:20:30 +0100\r\n"
    b"Subject: =?utf-8?b?w4ljcmFu?=\r\n =?utf-8?b?IGNhc3PDqSDigqw=?= et\r\n suite\r\n"
)


def test_peek_reads_id_subject_sender_and_utc_date():
    peek = peek_headers(HEADERS + b"\r\nbody\r\n")
    assert peek.message_id == "abc.123@mail.example"
    assert peek.subject == "Écran cassé € et suite"
    assert peek.email_from == "renee@example.org"
    assert peek.date == datetime(2026, 3, 3, 9, 20, 30)  # naive UTC, as Odoo stores it


@pytest.mark.parametrize(
    "subject",
    [
        b"=?utf-8?q?caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?=",  # adjacent words join
        b"=?iso-8859-1?q?=E9t=E9?=\r\n\t=?utf-8?q?_=E2=82=AC?=",  # folded, two charsets
        b"=?utf-8?b?w6k?= broken =?x-unknown?q?abc?=",  # unknown charset
        b"=?utf-8?b?4oKs?=\x00\xe9",  # a NUL and raw 8-bit
    ],
)
def test_peek_decodes_the_subject_as_parse_message_does(subject):
    raw = b"From: a@example.org\r\nSubject: " + subject + b"\r\n\r\nbody\r\n"
    peek = peek_headers(raw)
    assert peek.subject == parse_message(raw).subject.replace("\x00", "")
    assert "\x00" not in peek.subject


def test_peek_never_raises_and_reads_the_header_block_only():
    assert peek_headers(b"") == peek_headers(b"\r\n\r\n")
    assert peek_headers(b"\xff\xfe\x00garbage").message_id == ""
    bad = peek_headers(b"Date: the day after tomorrow\r\nFrom: nobody\r\n\r\n")
    assert bad.date is None and bad.email_from == ""
    # Nothing past MAX_PEEK bytes is read: a header block that never ends costs no more.
    endless = b"Subject: x\r\n" + b"X-Filler: " + b"y" * (2 * MAX_PEEK) + b"\r\n"
    assert peek_headers(endless + b"Message-ID: <late@x>\r\n").message_id == ""
