"""Attacks on the split header block repair (issue 14, branch hdrs3): ordinary mail whose
body starts with lines shaped like fields (a web form's fields, a pasted header block)
must keep its body, its caller and its title; the ledger's lock key (``header_ids``) must
be the full parse's ``stable_id``."""

from mailparse import header_ids, parse_message
from mailparse.peek import peek_headers

_WEB = b"From: www-data@shop.example\nTo: desk@example.test\nDate: Fri, 4 Dec 2026 10:00:00 +0000\n"


def test_a_web_form_without_subject_keeps_its_fields_as_the_body():
    # A contact form's mail sent without a Subject: its body's lines are the form's fields.
    raw = _WEB + (
        b"\nName: Bob Smith\nEmail: bob@customer.test\nSubject: Order not arrived\n"
        b"Message: My order 1234 never arrived, please help.\n"
    )
    parsed = parse_message(raw)
    assert "My order 1234 never arrived" in parsed.body_text
    assert parsed.subject == ""


def test_a_form_line_named_message_id_is_no_message_id():
    raw = (
        b"From: www-data@shop.example\nTo: desk@example.test\nSubject: Contact form\n\n"
        b"Name: Bob Smith\nMessage-ID: 55\nOrder-ID: 1234\nComment: It broke.\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text.startswith("Name: Bob Smith")
    assert "It broke." in parsed.body_text


def test_a_form_from_line_is_not_the_caller():
    # A mail without a From header (the MTA's envelope names the web server): the form's
    # "From:" line is what the visitor typed, no header.
    raw = (
        b"To: desk@example.test\nSubject: Contact\nReturn-Path: <apache@web.example>\n\n"
        b"From: Bob Smith <bob@customer.test>\nPhone: 555\nMessage: hello there\n"
    )
    parsed = parse_message(raw)
    assert parsed.from_email != "bob@customer.test"
    assert "hello there" in parsed.body_text


def test_a_form_subject_line_with_its_message_stays_the_body():
    raw = _WEB + b"\nSubject: Refund\nMessage: I want a refund\n\nThanks\n"
    parsed = parse_message(raw)
    assert parsed.subject == ""
    assert parsed.body_text.startswith("Subject: Refund\nMessage: I want a refund")


def test_a_pasted_header_block_repeating_the_recipient_stays_the_body():
    raw = (
        b"From: Ann <ann@example.test>\nTo: desk@example.test\n"
        b"Date: Fri, 4 Dec 2026 10:00:00 +0000\n\n"
        b"Subject: Re: invoice 77\nTo: ann@example.test\nCc: boss@example.test\n\n"
        b"See above, the invoice is wrong.\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == ""
    assert parsed.body_text.startswith("Subject: Re: invoice 77")


def test_the_lock_key_of_a_split_multipart_type_is_the_full_parse_stable_id():
    # No Message-ID: the lock key is a hash of the main fields; a To below the split
    # and a Date beside a multipart type whose delimiter follows must count in both readings.
    raw = (
        b"From: Ann <ann@example.test>\nSubject: x\n\n"
        b"To: desk@example.test\nDate: Fri, 4 Dec 2026 10:00:00 +0000\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nhello\n--B--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "hello"
    assert header_ids(raw) == (parsed.stable_id, ())
    assert peek_headers(raw).date is not None


def test_a_part_without_its_empty_line_keeps_a_pasted_header_block_as_text():
    # A part's fields followed by its text at once: the text's first line, then a
    # forwarded header block; a From or Subject is no field of a part's header.
    raw = (
        b"From: Ann <ann@example.test>\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain; charset=utf-8\nHi team, see below\n"
        b"From: Bob <bob@example.test>\nSubject: old\n\nold text\n--B--\n"
    )
    assert parse_message(raw).body_text.startswith("Hi team, see below\nFrom: Bob")


def test_a_split_block_with_a_vendor_field_below_is_still_one_block():
    # Real header blocks hold a vendor's or a misspelt name among the others, and
    # Message-IDs without "@" (a form's lines are no such block: see above).
    raw = (
        b"Received: from mx.example.net by mail.example.org; Fri, 4 Dec 2026 10:00:00 +0000\n\n"
        b"From: Ann Lee <ann@example.test>\nTo: desk@example.test\nSubject: Printer\n"
        b"Message-ID: <1110797879672462338.JavaMail>\nDate: Fri, 4 Dec 2026 10:00:00 +0000\n"
        b"UriScan: (28532068793085)\nX-Get_mail_default: ann@example.test\n\nIt jams.\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.body_text) == (
        "ann@example.test",
        "Printer",
        "It jams.",
    )
