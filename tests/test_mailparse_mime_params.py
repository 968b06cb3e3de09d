"""Issue 14, attachment names: malformed parameter lists, PGP/MIME and odd file names, each
class written as synthetic mail of several shapes (not one fixture)."""

import pytest
from mailparse import parse_message

_PDF = b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK"


def _with_part(part: bytes, text: bytes = b"See the attached file.") -> bytes:
    return (
        b"From: Ann Lee <ann@example.com>\nSubject: the file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\n'
        + text
        + b"\n--b1\n"
        + part
        + b"\n--b1--\n"
    )


def _files(raw: bytes) -> list:
    return [(att.filename, att.content_type) for att in parse_message(raw).attachments]


# --- a. parameter lists without their ";" separator ---------------------------------------------


@pytest.mark.parametrize(
    "content_type,expected",
    [
        (b'application/pdf name="x.pdf"', ("x.pdf", "application/pdf")),
        (b"application/pdf name=x.pdf", ("x.pdf", "application/pdf")),
        (b'APPLICATION/PDF NAME="Offer 12.pdf"', ("Offer 12.pdf", "application/pdf")),
        (b'application/pdf, name="x.pdf"', ("x.pdf", "application/pdf")),
        (b'application/octet-stream name="plan.pdf"', ("plan.pdf", "application/pdf")),
        (b'image/png\tname="shot.png"', ("shot.png", "image/png")),
        (b"application/pdf name*=utf-8''R%C3%A9sum%C3%A9.pdf", ("Résumé.pdf", "application/pdf")),
    ],
)
def test_a_type_whose_name_lost_its_semicolon_keeps_name_and_type(content_type, expected):
    raw = _with_part(b"Content-Type: " + content_type + b"\n" + _PDF)
    parsed = parse_message(raw)
    assert parsed.body_text == "See the attached file."
    assert _files(raw) == [expected]
    assert parsed.attachments[0].data == b"%PDF-1.4\n"


def test_a_named_text_file_whose_type_lost_its_semicolon_is_a_file_not_the_body():
    part = b'Content-Type: text/plain name="notes.txt"\nContent-Disposition: attachment\n\nmy notes'
    parsed = parse_message(_with_part(part))
    assert parsed.body_text == "See the attached file."
    assert _files(_with_part(part)) == [("notes.txt", "text/plain")]


@pytest.mark.parametrize(
    "disposition",
    [
        b'attachment filename="Plan B.pdf"',
        b"attachment filename=Plan B.pdf",
        b'inline filename="Plan B.pdf"',
        b'attachment,filename="Plan B.pdf"',
    ],
)
def test_a_disposition_whose_filename_lost_its_semicolon_keeps_the_name(disposition):
    part = b"Content-Type: application/pdf\nContent-Disposition: " + disposition + b"\n" + _PDF
    assert _files(_with_part(part)) == [("Plan B.pdf", "application/pdf")]


def test_a_single_file_message_whose_type_lost_its_semicolon_is_an_attachment():
    raw = (
        b"From: scanner@example.com\nSubject: Scan from MFP-3\nMIME-Version: 1.0\n"
        b'Content-Type: application/pdf name="scan 0042.pdf"\n' + _PDF + b"\n"
    )
    parsed = parse_message(raw)
    assert "PDF" not in parsed.body_text
    assert _files(raw) == [("scan 0042.pdf", "application/pdf")]


def test_a_multipart_whose_boundary_lost_its_semicolon_still_splits():
    raw = (
        b"From: ann@example.com\nSubject: report\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed boundary="b1"\n\n--b1\nContent-Type: text/plain\n\n'
        b'The report is attached.\n--b1\nContent-Type: application/pdf; name="r.pdf"\n'
        + _PDF
        + b"\n--b1--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "The report is attached."
    assert _files(raw) == [("r.pdf", "application/pdf")]


def test_an_html_body_whose_charset_lost_its_semicolon_is_read_as_html():
    raw = (
        b"From: ann@example.com\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: text/html charset=utf-8\n\n<p>Hello <b>there</b>.</p>\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    assert parsed.body_text == "Hello there."


@pytest.mark.parametrize(
    "content_type",
    [
        b"text/plain; charset=iso-8859-1 format=flowed",
        b'text/plain charset="iso-8859-1"',
        b"text/plain; format=flowed charset=iso-8859-1",
    ],
)
def test_a_charset_in_a_parameter_list_without_semicolons_is_read(content_type):
    raw = (
        b"From: ann@example.com\nSubject: x\nMIME-Version: 1.0\nContent-Type: "
        + content_type
        + b"\nContent-Transfer-Encoding: 8bit\n\nDer M\xe4rz war gut.\n"
    )
    assert parse_message(raw).body_text == "Der März war gut."


def test_a_quoted_name_followed_by_a_parameter_without_semicolon():
    part = b'Content-Type: application/pdf; name="Offer 7.pdf" size=1234\n' + _PDF
    assert _files(_with_part(part)) == [("Offer 7.pdf", "application/pdf")]


@pytest.mark.parametrize(
    "part,expected",
    [
        (b'Content-Type: application/pdf; name = "Plan E.pdf"\n', "Plan E.pdf"),
        (b"Content-Type: application/pdf; name='Plan F.pdf'\n", "Plan F.pdf"),
        (b"Content-Type: application/pdf; name=Plan G final.pdf\n", "Plan G final.pdf"),
        (
            b"Content-Type: application/pdf\nContent-Disposition: attachment;"
            b" filename*1*=%20final.pdf; filename*0*=utf-8''R%C3%A9sum%C3%A9\n",
            "Résumé final.pdf",
        ),
        (
            b"Content-Type: application/pdf\nContent-Disposition: attachment;"
            b" filename*0*=iso-8859-1''%C9t%E9; filename*1=\" 2026.pdf\"\n",
            "Été 2026.pdf",
        ),
        (
            b"Content-Type: application/pdf; name*2*=.pdf; name*0*=utf-8'de'%C3%9Cber;"
            b" name*1*=sicht\n",
            "Übersicht.pdf",
        ),
    ],
)
def test_other_loose_parameter_lists_keep_the_name(part, expected):
    assert _files(_with_part(part + _PDF)) == [(expected, "application/pdf")]


@pytest.mark.parametrize(
    "content_type",
    [b"text/plain; charset=utf-8 format=flowed", b'text/plain charset="utf-8" format=flowed'],
)
def test_format_flowed_in_a_list_without_semicolons_is_honoured(content_type):
    raw = (
        b"From: ann@example.com\nSubject: x\nMIME-Version: 1.0\nContent-Type: "
        + content_type
        + b"\n\nThe printer on the second floor \nprints blank pages since Monday.\n"
    )
    assert parse_message(raw).body_text == (
        "The printer on the second floor prints blank pages since Monday."
    )
