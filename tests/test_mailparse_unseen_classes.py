"""Classes of defects found by reading mail the core never saw (issue 14): other projects'
fixtures (MimeKit, mime4j, mikel/mail, stalwart) parsed by the core and by postal-mime, each
disagreement judged against the RFCs and what mail clients show. Each test is a minimal
synthetic mail of one class; no fetched mail is stored."""

from mailparse import parse_message
from mailparse.charsets import decode_8bit

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
