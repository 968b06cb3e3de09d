"""Damaged headers: the caller, the title and the attachment names survive (issue 14).

Synthetic messages written for these tests; none is copied from the corpus."""

import pytest
from mailparse import parse_message
from mailparse.inline_images import replace_cids
from mailparse.parse import header_ids
from mailparse.peek import peek_headers


def _attachment_mail(disposition: str) -> bytes:
    return (
        b"From: ann@example.org\r\nSubject: invoice\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\n" + disposition + b"\r\n\r\nx\r\n--XX--\r\n"
    )


def test_rfc2231_name_in_utf8_mislabelled_as_latin1_is_read_as_utf8():
    # A mailer that labels every parameter iso-8859-1 but writes the UTF-8 bytes it has.
    raw = _attachment_mail(
        b"Content-Disposition: attachment; filename*0*=iso-8859-1''Facture%20%C3%A9t;"
        b" filename*1*=%C3%A9%20%E2%82%AC.pdf"
    )
    assert [a.filename for a in parse_message(raw).attachments] == ["Facture été €.pdf"]


def test_rfc2231_name_in_latin1_stays_latin1():
    raw = _attachment_mail(
        b"Content-Disposition: attachment; filename*=iso-8859-1''R%E9sum%E9%20f%FCr%20Jo.pdf"
    )
    assert [a.filename for a in parse_message(raw).attachments] == ["Résumé für Jo.pdf"]


def test_rfc2231_name_with_an_unknown_charset_is_still_read():
    raw = _attachment_mail(b"Content-Disposition: attachment; filename*=x-bogus''Plan%20B.pdf")
    assert [a.filename for a in parse_message(raw).attachments] == ["Plan B.pdf"]


def test_control_characters_in_the_sender_and_subject_are_dropped():
    raw = (
        b"From: Ann\x00 Lee\x1b <ann@example.org>\r\n"
        b"Subject: printer\x07 on floor\x7f 2\r\nMessage-ID: <c1@example.org>\r\n\r\nbody\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.from_name) == ("ann@example.org", "Ann Lee")
    assert parsed.subject == "printer on floor 2"


def test_control_characters_in_an_attachment_name_are_dropped():
    raw = _attachment_mail(b'Content-Disposition: attachment; filename="plan\x01\x7f.pdf"')
    assert [a.filename for a in parse_message(raw).attachments] == ["plan.pdf"]


def test_a_nul_in_the_charset_parameter_keeps_the_caller_and_the_body():
    # The standard library's get_payload() raises on such a label (codec lookup of a name
    # with a NUL): the whole message used to be set aside as undecodable.
    raw = (
        b"From: Ann Lee <ann@example.org>\r\nSubject: caf\xc3\xa9 machine\r\n"
        b'Content-Type: text/plain; charset="utf\x00-8"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\nThe caf\xc3\xa9 machine leaks.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.error == ""
    assert (parsed.from_email, parsed.subject) == ("ann@example.org", "café machine")
    assert "machine leaks" in parsed.body_text


def test_a_nul_in_the_charset_parameter_of_a_quoted_printable_body_is_still_decoded():
    raw = (
        b"From: ann@example.org\r\nSubject: qp\r\n"
        b'Content-Type: text/plain; charset="iso-8859-1\x00"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 =\r\nmachine \xe9\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.error == ""
    assert "Café machine é" in parsed.body_text


def test_a_body_too_deeply_nested_to_read_keeps_the_caller_the_title_and_the_text():
    # 1,500 nested multiparts exhaust the standard parser's recursion: the body was lost
    # (error set); flattened below the cap, its text is read and the flattening recorded.
    depth = 1500
    body = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (n, n + 1)
        for n in range(depth)
    )
    raw = (
        b"From: Ann Lee <ann@example.org>\r\nSubject: deep\r\nMessage-ID: <deep-1@example.org>\r\n"
        b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n" + body + b"x\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.error == ""
    assert parsed.body_text == "x"
    assert "MultipartNestingFlattenedDefect" in parsed.defects
    assert (parsed.from_email, parsed.from_name) == ("ann@example.org", "Ann Lee")
    assert (parsed.subject, parsed.message_id) == ("deep", "deep-1@example.org")


@pytest.mark.parametrize(
    "charset,text",
    [("euc-kr", "김철수"), ("windows-1250", "Żółć"), ("iso-8859-7", "Καλημέρα σας")],
)
def test_an_html_body_without_a_mime_charset_is_read_by_its_meta_charset(charset, text):
    # Too short for a detector to tell the charset; the page names it.
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    html = f"<html><head>{meta}</head><body><p>{text}</p></body></html>".encode(charset)
    raw = (
        b"From: ann@example.org\r\nSubject: s\r\nContent-Type: text/html\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + html
    )
    assert parse_message(raw).body_text.strip() == text


@pytest.mark.parametrize(
    "junk", [b"\xef\xbb\xbf", b"\n\n", b"\x00\r\n", b">From a@b.example Fri\r\n"]
)
def test_the_header_peek_and_ids_skip_what_tools_write_before_the_headers(junk):
    raw = junk + (
        b"From: Ann Lee <ann@example.org>\r\nSubject: Printer broken\r\n"
        b"Message-ID: <m1@example.org>\r\nIn-Reply-To: <t1@example.org>\r\n\r\nbody\r\n"
    )
    assert peek_headers(raw).subject == "Printer broken"
    assert header_ids(raw) == ("m1@example.org", ("t1@example.org",))


@pytest.mark.parametrize("junk", [b" ", b"\t", b"\r\n  "])
def test_a_header_block_whose_first_field_is_indented_is_read(junk):
    # A tool that pasted or piped the message indented its first line: read as a
    # continuation of nothing, From was lost and the caller unknown.
    raw = junk + (
        b"From: Ann Lee <ann@example.org>\r\nSubject: Printer broken\r\n"
        b"Message-ID: <m1@example.org>\r\nIn-Reply-To: <t1@example.org>\r\n\r\nbody\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject) == ("ann@example.org", "Printer broken")
    assert peek_headers(raw).subject == "Printer broken"
    assert header_ids(raw) == ("m1@example.org", ("t1@example.org",))


@pytest.mark.parametrize(
    "src",
    ["cid:logo%40x.example", "cid:<logo@x.example>", " cid:logo@x.example ", "cid:LOGO@x.example"],
)
def test_an_inline_image_source_points_at_the_stored_image(src):
    # RFC 2392 %-encodes a cid: URL; broken clients keep the <> or pad it.
    body = f'<p>see</p><img src="{src}">'
    out = replace_cids(body, {"logo@x.example": "/web/image/7"})
    assert 'src="/web/image/7"' in out
