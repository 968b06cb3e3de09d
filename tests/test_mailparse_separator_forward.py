"""A line of text above a header block is skipped only when that block is a message's own:
a sender's line above a forward pasted as text ("From: / Sent: / To: / Subject:", as mail
clients write a forwarded message's header in a body) is the text of a message whose header
block is missing, not a separator. Read as a header block, the forwarded author became the
caller (a ticket in their name, the acknowledgement sent to them) and the sender's line was
dropped. A message's own header block carries a field of transport or MIME (Received,
Return-Path, Message-ID, MIME-Version, Content-Type...) that no client writes in a forward."""

import pytest
from mailparse import parse_message
from mailparse.parse import header_ids
from mailparse.peek import peek_headers

_FORWARDS = [
    b"Hi team, the customer wrote this:\n"
    b"From: Bob Printer <bob@customer.example>\n"
    b"Sent: Monday, August 3, 2018 10:00 AM\n"
    b"To: sales@vendor.example\n"
    b"Subject: Printer broken\n"
    b"\n"
    b"The printer on floor 2 is broken.\n",
    b"\r\n"
    b"Please look at the mail below\r\n"
    b"From: Bob Printer <bob@customer.example>\r\n"
    b"Date: Mon, 3 Aug 2018 10:00:00 +0200\r\n"
    b"Subject: Printer broken\r\n"
    b"To: sales@vendor.example\r\n"
    b"\r\n"
    b"The printer on floor 2 is broken.\r\n",
]


@pytest.mark.parametrize("raw", _FORWARDS)
def test_a_forward_pasted_below_a_line_of_text_is_not_the_messages_header(raw):
    parsed = parse_message(raw)
    assert parsed.from_email == ""
    assert parsed.subject == ""
    assert "the customer wrote" in parsed.body_text or "look at the mail" in parsed.body_text
    assert peek_headers(raw).email_from == ""


def test_an_exported_message_below_a_separator_is_still_read_and_the_readers_agree():
    raw = (
        b"Microsoft Mail Internet Headers Version 2.0\r\n"
        b"Received: from mx.customer.example ([192.0.2.9]) by mail.helpdesk.example\r\n"
        b"From: Bob Printer <bob@customer.example>\r\n"
        b"Subject: Printer broken\r\n"
        b"Message-ID: <p2@customer.example>\r\n"
        b"\r\n"
        b"The printer on floor 2 is broken.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.from_email == "bob@customer.example"
    assert parsed.subject == "Printer broken"
    assert peek_headers(raw).email_from == "bob@customer.example"
    assert header_ids(raw)[0] == parsed.stable_id == "p2@customer.example"
