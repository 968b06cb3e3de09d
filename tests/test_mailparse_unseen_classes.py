"""Classes of defects found by reading mail the core never saw (issue 14): other projects'
fixtures (MimeKit, mime4j, mikel/mail, stalwart) parsed by the core and by postal-mime, each
disagreement judged against the RFCs and what mail clients show. Each test is a minimal
synthetic mail of one class; no fetched mail is stored."""

from mailparse import parse_message
from mailparse.charsets import decode_8bit

# --- Class 1: a field of any name written with spaces before its colon (RFC 5322 4.5,
# obs-optional: field-name *WSP ":") ended the header block when it came first: the stdlib
# reads no header at all, so From, Subject and Message-ID were the body. Only well-known
# names were rewritten.


def test_unknown_field_with_space_before_colon_first_keeps_the_header_block():
    raw = (
        b"Fro :uMmlti Sender <multi@example.test>\r\n"
        b"From: Ann Lee <ann@example.test>\r\n"
        b"To: desk@example.test\r\n"
        b"Subject: Printer on floor 3\r\n"
        b"Message-ID: <p3@example.test>\r\n\r\n"
        b"It jams again.\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.from_email) == ("Printer on floor 3", "ann@example.test")
    assert parsed.message_id == "p3@example.test"
    assert parsed.body_text == "It jams again."


def test_unknown_field_with_tab_before_colon_in_the_block_is_a_field():
    raw = (
        b"From: Ann Lee <ann@example.test>\nX-Archived-At\t: somewhere\n"
        b"Ticket-Ref : 42\nSubject: Printer on floor 3\n\nIt jams again.\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.body_text) == ("Printer on floor 3", "It jams again.")


def test_text_starting_with_a_word_and_colon_is_still_a_body():
    # Not a header block: no well-known field follows the first line.
    raw = b"Note : the printer\nis broken again\n\nthanks\n"
    parsed = parse_message(raw)
    assert parsed.subject == ""
    assert "the printer" in parsed.body_text


# --- Class 2: a raw 8-bit file name (no RFC 2047/2231) in a part declaring no charset, the
# message declaring one on its text part: the declared charset lost its head start (the
# part's own empty label took the first rank and halved it), so a short Polish name read
# as GB18030 ("Za矿虫.pdf").


def _with_named_part(charset: str, name: bytes) -> bytes:
    return (
        b"From: ann@example.test\nSubject: the file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain; charset=" + charset.encode() + b"\n\nsee the file\n"
        b'--B\nContent-Type: application/pdf; name="' + name + b'"\n\nxx\n--B--\n'
    )


def test_raw_8bit_file_name_is_read_by_the_charset_the_message_declares():
    for charset, name in (
        ("iso-8859-2", "Zażółć.pdf"),
        ("windows-1250", "Łódź.pdf"),
        ("iso-8859-2", "Příloha č. 1.pdf"),
    ):
        parsed = parse_message(_with_named_part(charset, name.encode(charset)))
        assert [a.filename for a in parsed.attachments] == [name], charset


def test_an_empty_first_hint_does_not_weaken_the_next():
    raw = "Zażółć".encode("iso-8859-2")
    assert decode_8bit(raw, "", "iso-8859-2") == decode_8bit(raw, "iso-8859-2") == "Zażółć"
