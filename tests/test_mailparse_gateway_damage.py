"""Header damage seen in the wild that lost the caller, the title or a file's name (issue 14):
classes found by the damage generator (``tests/mail_damage.py``) written for the kinds a
gateway, a relay or a broken tool make. Each test is a minimal synthetic mail of one class;
the guards are mail the repair must leave as it is."""

from mailparse import header_ids, parse_message
from mailparse.peek import peek_headers

_FIELDS = [
    b"Received: from mx.example.net by mail.example.org; Fri, 4 Dec 2026 10:00:00 +0000",
    b"From: Ann Lee <ann@example.test>",
    b"To: desk@example.test",
    b"Subject: Printer on floor 3",
    b"Message-ID: <p3@example.test>",
    b"Date: Fri, 4 Dec 2026 10:00:00 +0000",
    b"MIME-Version: 1.0",
    b'Content-Type: multipart/mixed; boundary="B"',
]
_BODY = (
    b"--B\nContent-Type: text/plain; charset=utf-8\n\nIt jams again.\n"
    b'--B\nContent-Type: application/pdf; name="jam.pdf"\nContent-Transfer-Encoding: base64\n\n'
    b"JVBERi0xLjQK\n--B--\n"
)


def _split_before(field: bytes, newline: bytes = b"\n") -> bytes:
    """The message with an empty line before ``field`` (a gateway's field written with a
    line end too many, a milter inserting its field with one)."""
    at = next(i for i, line in enumerate(_FIELDS) if line.startswith(field))
    head = newline.join(_FIELDS[:at]) + newline + newline + newline.join(_FIELDS[at:])
    return head + newline + newline + _BODY.replace(b"\n", newline)


def _assert_whole(parsed):
    assert (parsed.from_email, parsed.from_name) == ("ann@example.test", "Ann Lee")
    assert parsed.subject == "Printer on floor 3"
    assert parsed.message_id == "p3@example.test"
    assert [att.filename for att in parsed.attachments] == ["jam.pdf"]
    assert parsed.body_text == "It jams again."


# --- Class 1: an empty line inside the header block. The stdlib (and every client) ends
# the header block there: below a gateway's trace field the caller, the title and the MIME
# structure were the body. Read as one block when the fields below supply what the block
# above lacks (the caller, the title, the Message-ID, the MIME fields) and repeat none of
# them (a header block pasted into a body names its own sender and title).


def test_empty_line_below_a_trace_field_keeps_the_caller_and_the_title():
    _assert_whole(parse_message(_split_before(b"From:")))


def test_empty_line_before_the_subject_keeps_the_title():
    _assert_whole(parse_message(_split_before(b"Subject:", b"\r\n")))


def test_empty_line_before_the_message_id_keeps_the_mime_structure():
    _assert_whole(parse_message(_split_before(b"Message-ID:")))


def test_empty_line_before_the_content_type_keeps_the_attachment():
    _assert_whole(parse_message(_split_before(b"Content-Type:")))


def test_empty_line_before_the_mime_fields_of_a_mail_without_mime_version():
    raw = (
        b"From: Ann Lee <ann@example.test>\nSubject: Printer on floor 3\n\n"
        b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        b"PHA+SXQgamFtcy48L3A+\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.body_text) == ("Printer on floor 3", "It jams.")


def test_empty_line_before_a_multipart_type_alone_keeps_the_attachment():
    # No MIME-Version anywhere (many bulk and report mailers): the Content-Type declares
    # the multipart whose first delimiter follows.
    raw = _split_before(b"Content-Type:").replace(b"MIME-Version: 1.0\n", b"")
    _assert_whole(parse_message(raw))


def test_two_empty_lines_below_a_trace_field():
    raw = _split_before(b"From:").replace(b"+0000\n\n", b"+0000\n\n\n", 1)
    _assert_whole(parse_message(raw))


def test_the_header_block_alone_is_read_as_the_full_parse_reads_it():
    # The ledger locks an email by header_ids and shows a set-aside mail by its peek.
    raw = _split_before(b"From:", b"\r\n")
    parsed = parse_message(raw)
    assert header_ids(raw) == (parsed.stable_id, ()) == ("p3@example.test", ())
    peek = peek_headers(raw)
    assert (peek.subject, peek.email_from) == ("Printer on floor 3", "ann@example.test")


def test_a_forwarded_header_block_at_the_body_start_stays_the_body():
    raw = (
        b"From: Ann Lee <ann@example.test>\nTo: desk@example.test\nSubject: FW: jam\n"
        b"Message-ID: <f1@example.test>\n\n"
        b"From: Bob <bob@example.test>\nSent: Friday, 4 December 2026 10:00\n"
        b"To: Ann Lee <ann@example.test>\nSubject: jam\n\nThe printer jams.\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject) == ("ann@example.test", "FW: jam")
    assert parsed.body_text.startswith("From: Bob")


def test_a_pasted_header_block_below_a_mail_without_subject_stays_the_body():
    # The sender forgot the subject and pasted a header block for the helpdesk to read.
    raw = (
        b"From: Ann Lee <ann@example.test>\nTo: desk@example.test\n"
        b"Message-ID: <f2@example.test>\nMIME-Version: 1.0\n\n"
        b"Received: from a by b\nFrom: Bob <bob@example.test>\nSubject: spam?\n"
        b"Message-ID: <s1@example.test>\n\nIs this spam?\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.message_id) == (
        "ann@example.test",
        "",
        "f2@example.test",
    )
    assert parsed.body_text.startswith("Received: from a by b")


def test_http_headers_at_the_start_of_a_plain_mail_stay_the_body():
    raw = (
        b"From: Ann Lee <ann@example.test>\nTo: desk@example.test\nSubject: API error\n\n"
        b"Content-Type: application/json\nContent-Length: 17\nDate: Fri, 4 Dec 2026\n\n"
        b'{"error": "x"}\n'
    )
    parsed = parse_message(raw)
    assert parsed.body_text.startswith("Content-Type: application/json")


def test_a_lone_subject_line_in_the_body_of_a_mail_with_a_subject_stays_the_body():
    raw = (
        b"From: Ann Lee <ann@example.test>\nSubject: jam\nMessage-ID: <f3@example.test>\n\n"
        b"Subject: the printer on floor 3\n\nIt jams.\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "jam"
    assert parsed.body_text.startswith("Subject: the printer")


# --- Class 2: a part's header written with a continuation flush left inside a quoted file
# name (a tool wrapping long parameters without the leading space): the stdlib ended the
# part's header block there, so the name was cut at the wrap and the fields below it were
# read as the part's content.


def _with_part(part_headers: bytes) -> bytes:
    return (
        b"From: Ann Lee <ann@example.test>\nSubject: the report\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nsee the file\n--B\n"
        + part_headers
        + b"\n\nUEsDBAoAAAAAAA==\n--B--\n"
    )


def _assert_the_whole_zip_read(part_headers: bytes) -> None:
    parsed = parse_message(_with_part(part_headers))
    assert [att.filename for att in parsed.attachments] == ["Quarterly report for the board.zip"]
    assert parsed.attachments[0].data == b"PK\x03\x04\n\x00\x00\x00\x00\x00"


def test_a_type_name_wrapped_flush_left_keeps_the_whole_name():
    _assert_the_whole_zip_read(
        b'Content-Type: application/zip; name="Quarterly report\nfor the board.zip"\n'
        b"Content-Disposition: attachment\nContent-Transfer-Encoding: base64"
    )


def test_a_file_name_wrapped_flush_left_on_the_last_field_keeps_the_whole_name():
    _assert_the_whole_zip_read(
        b"Content-Type: application/zip\nContent-Transfer-Encoding: base64\n"
        b'Content-Disposition: attachment; filename="Quarterly report\nfor the board.zip"'
    )


def test_a_part_without_its_empty_line_keeps_its_text():
    # No empty line below the part's fields: its first line is text, as the stdlib reads it.
    raw = (
        b"From: Ann Lee <ann@example.test>\nSubject: notes\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b'--B\nContent-Type: text/plain; name="notes.txt"\nShe said "stop the printer\n'
        b'and call me" at noon.\n--B--\n'
    )
    parsed = parse_message(raw)
    assert 'She said "stop the printer' in parsed.body_text + "".join(
        att.data.decode() for att in parsed.attachments
    )


# --- Class 3: bare CR line ends (classic Mac OS, a tool converting line ends the wrong way):
# a quoted-printable soft line break "=" before a bare CR was kept in the text, the line
# not joined ("wr=" / "ote:").


def test_a_soft_line_break_before_a_bare_cr_joins_the_line():
    raw = (
        b"From: Ann Lee <ann@example.test>\rSubject: Printer\rMIME-Version: 1.0\r"
        b"Content-Type: text/plain; charset=utf-8\rContent-Transfer-Encoding: quoted-printable\r"
        b"\rThe printer on floor 3 jams since Mon=\rday, says M=C3=BCller.\r"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "Printer"
    assert parsed.body_text == "The printer on floor 3 jams since Monday, says Müller."


def test_a_header_block_of_bare_cr_lines_gets_the_flush_left_repair():
    raw = (
        b"Received: from mx.example.net\r(using TLSv1.3)\rby mail.example.org\r"
        b"From: Ann Lee <ann@example.test>\rSubject: Printer\rMessage-ID: <cr@example.test>\r"
        b"\rIt jams.\r"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject) == ("ann@example.test", "Printer")
    assert header_ids(raw) == (parsed.stable_id, ()) == ("cr@example.test", ())
