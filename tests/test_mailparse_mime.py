"""MIME repairs of the loader: what lenient readers accept and the stdlib parser gets wrong."""

import base64

from mailparse import parse_message
from mailparse.loader import load_message, repair_header_block
from mailparse.parse import decode_text_part


def _leaves(message):
    return [part for part in message.walk() if not part.is_multipart()]


def test_boundary_folded_inside_quotes_still_splits():
    raw = (
        b'From: a@example.com\nContent-Type: multipart/mixed; boundary="foo\n bar"\n\n'
        b"prologue\n--foo bar\nContent-Type: text/plain\n\nhello\n--foo bar--\n"
    )
    leaves = _leaves(load_message(raw))
    assert [decode_text_part(p).strip() for p in leaves] == ["hello"]


def test_base64_encoded_forwarded_message_is_parsed():
    inner = b"From: x@example.com\r\nSubject: inner\r\n\r\nInner body\r\n"
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nouter\n--b\nContent-Type: message/rfc822\n"
        b"Content-Disposition: attachment; filename=fwd.eml\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(inner) + b"--b--\n"
    )
    texts = [decode_text_part(p).strip() for p in _leaves(load_message(raw))]
    assert texts == ["outer", "Inner body"]
    parsed = parse_message(raw)
    (eml,) = parsed.attachments
    assert eml.filename == "fwd.eml"
    assert b"Subject: inner" in eml.data and b"Inner body" in eml.data


def test_close_delimiter_glued_to_last_line_is_not_text():
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=xyz123\n\n--xyz123\n"
        b"Content-Type: text/plain\n\nfirst\n--xyz123\nContent-Type: text/plain\n\nlast--xyz123--"
    )
    texts = [decode_text_part(p).strip() for p in _leaves(load_message(raw))]
    assert texts == ["first", "last"]


def test_glued_delimiter_kept_when_the_multipart_was_closed():
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=q\n\n--q\n"
        b"Content-Type: text/plain\n\ntext ending in --q--\n--q--\n"
    )
    texts = [decode_text_part(p).strip() for p in _leaves(load_message(raw))]
    assert texts == ["text ending in --q--"]


def test_base64_body_that_is_not_base64_is_kept_as_written():
    raw = (
        b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\n... data goes here, not encoded ...\n"
    )
    assert parse_message(raw).body_text == "... data goes here, not encoded ..."


def test_slightly_damaged_base64_is_still_decoded():
    encoded = base64.encodebytes("Grüße aus Köln, ".encode() * 20).replace(b"\n", b"\n!", 1)
    raw = (
        b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\n" + encoded
    )
    assert parse_message(raw).body_text.startswith("Grüße aus Köln")


def test_flush_left_header_continuations_are_folded_back():
    raw = (
        b"Received: from a.example.com\n(using TLSv1.3)\nby b.example.com; Thu, 1 Jan 2026\n"
        b"From: Ann <ann@example.com>\nSubject: hello\n\nThe body.\n"
    )
    parsed = parse_message(raw)
    assert parsed.from_email == "ann@example.com"
    assert parsed.subject == "hello"
    assert parsed.body_text == "The body."


def test_missing_separator_is_not_mistaken_for_continuations():
    raw = b"From: ann@example.com\nSubject: hi\nHello there\nNote: this is body\n"
    assert repair_header_block(raw) is raw  # no blank line closes the block
    raw = b"From: ann@example.com\nSubject: hi\nHello there,\nsee you\n\nBye\n"
    assert repair_header_block(raw) is raw  # no header field after the stray lines
    assert "Hello there" in parse_message(raw).body_text


def test_forwarded_message_with_flush_left_continuations():
    inner = (
        b"Received: from a.example.com\n(using TLSv1.3)\nReturn-Path: <s@example.com>\n"
        b"From: s@example.com\nSubject: inner\n\nReal inner body\n"
    )
    raw = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nouter\n--b\nContent-Type: message/rfc822\n\n"
        + inner
        + b"--b--\n"
    )
    leaves = _leaves(load_message(raw))
    assert [decode_text_part(p).strip() for p in leaves] == ["outer", "Real inner body"]


def test_format_flowed_joins_only_lines_of_one_quote_depth():
    raw = (
        b'From: a@example.com\nContent-Type: text/plain; charset=us-ascii; format="flowed"\n\n'
        b"On 04/02/2012 06:26 PM, Megan wrote:\n> Hi \n> there\n>> deeper \nHello \nworld\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text.split("\n")[1:] == ["> Hi there", ">> deeper", "Hello world"]
    assert parsed.new_part_text == "Hello world"


def test_block_in_the_obsolete_field_syntax_is_read_as_headers():
    # RFC 5322 4.5's obsolete "From  :" form, which readers must accept: the stdlib reads
    # it all as body (no caller, no subject); every field of it is read, the stray line
    # below a field folded into it as elsewhere.
    raw = b"From  : John <j@example.com>\nTo    : Mary\n__\nSubject : Hi\n\nHello\n"
    assert repair_header_block(raw) == (
        b"From: John <j@example.com>\nTo: Mary\n __\nSubject: Hi\n\nHello\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.body_text) == ("j@example.com", "Hi", "Hello")


def test_office365_bounce_attachment_with_unindented_headers_is_read():
    inner = (
        b"DKIM-Signature: v=1; a=rsa-sha256; d=outlook.com;\ns=selector1;\n"
        b"Received: from a.outlook.com\n(10.152.250.58) by b.outlook.com\n"
        b"From: Ann <ann@outlook.com>\nSubject: original\n\nOriginal text\n"
    )
    raw = (
        b"From: postmaster@outlook.com\nContent-Type: multipart/report;"
        b" report-type=delivery-status; boundary=r\n\n"
        b"--r\nContent-Type: text/plain\n\nUndeliverable\n--r\n"
        b"Content-Type: message/rfc822\n\n" + inner + b"--r--\n"
    )
    [eml] = parse_message(raw).attachments
    original = parse_message(eml.data)
    assert (original.subject, original.from_email) == ("original", "ann@outlook.com")
    assert original.body_text == "Original text"


# --- a multipart the stdlib cannot split: its text was lost or shown as raw MIME ---------------

_HEAD = b"From: ann@example.com\nSubject: the file\nMIME-Version: 1.0\n"
_PARTS = (
    b"--{b}\nContent-Type: text/plain; charset=utf-8\n\nThe printer on floor 3 is broken.\n"
    b'--{b}\nContent-Type: application/pdf; name="error.pdf"\n'
    b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--{b}--\n"
)


def _read(content_type_lines: bytes, used: bytes) -> tuple:
    parsed = parse_message(_HEAD + content_type_lines + b"\n" + _PARTS.replace(b"{b}", used))
    return " ".join(parsed.body_text.split()), [a.filename for a in parsed.attachments]


def test_a_multipart_whose_boundary_is_missing_empty_or_in_another_case_is_split():
    expected = ("The printer on floor 3 is broken.", ["error.pdf"])
    for declared in (
        b"multipart/mixed",
        b'multipart/mixed; boundary=""',
        b"multipart/mixed; boundary=SEP-1",
    ):
        assert _read(b"Content-Type: " + declared + b"\n", b"sep-1") == expected, declared


def test_a_multipart_type_in_a_second_content_type_field_is_read():
    """A gateway added its own text/plain field above the sender's multipart one."""
    lines = (
        b'Content-Type: text/plain; charset=utf-8\nContent-Type: multipart/mixed; boundary="b1"\n'
    )
    assert _read(lines, b"b1") == ("The printer on floor 3 is broken.", ["error.pdf"])


def test_a_multipart_without_any_delimiter_line_is_read_as_its_text():
    raw = _HEAD + b"Content-Type: multipart/alternative\n\nThe printer on floor 3 is broken.\n"
    assert parse_message(raw).body_text == "The printer on floor 3 is broken."


def test_a_text_part_with_two_text_types_stays_as_it_was():
    raw = (
        _HEAD + b"Content-Type: text/plain\nContent-Type: text/html\n\n--b\nContent-Type: x\n\nhi\n"
    )
    assert "--b" in parse_message(raw).body_text
