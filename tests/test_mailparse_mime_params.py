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


@pytest.mark.parametrize(
    "part,expected",
    [
        (b'Content-Type: application/pdf; filename="Rechnung 7.pdf"\n', "Rechnung 7.pdf"),
        (
            b"Content-Type: application/pdf\nContent-Disposition: attachment;"
            b' name="Rechnung 7.pdf"\n',
            "Rechnung 7.pdf",
        ),
        (
            b"Content-Type: application/pdf; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\n"
            b"Content-Disposition: attachment\n",
            "Résumé.pdf",
        ),
        (  # the right parameters still win
            b'Content-Type: application/pdf; name="right.pdf"; filename="wrong.pdf"\n'
            b'Content-Disposition: attachment; name="wrong2.pdf"\n',
            "right.pdf",
        ),
    ],
)
def test_a_name_given_in_the_other_header_parameter_is_kept(part, expected):
    """PHP mailers write ``filename=`` on Content-Type or ``name=`` on Content-Disposition;
    Thunderbird, MimeKit and Ruby's mail read either."""
    assert _files(_with_part(part + _PDF)) == [(expected, "application/pdf")]


@pytest.mark.parametrize(
    "value",
    [b"utf-8'R%C3%A9sum%C3%A9.pdf", b"UTF-8'fr'R%C3%A9sum%C3%A9.pdf"],
)
def test_an_rfc2231_name_with_a_language_quote_missing_or_present(value):
    part = b"Content-Type: application/pdf\nContent-Disposition: attachment; filename*=" + value
    assert _files(_with_part(part + b"\n" + _PDF)) == [("Résumé.pdf", "application/pdf")]


def test_a_comment_after_the_type_is_not_part_of_it():
    part = b'Content-Type: image/png (screenshot); name="shot.png"\n' + _PDF
    assert _files(_with_part(part)) == [("shot.png", "image/png")]


# --- b. PGP/MIME --------------------------------------------------------------------------------

_HEAD = b"From: Ann Lee <ann@example.com>\nSubject: secret\nMIME-Version: 1.0\n"
_ARMOR = b"-----BEGIN PGP MESSAGE-----\n\nhQEMA5yHc2iQAAAA\n=x0Yz\n-----END PGP MESSAGE-----\n"


def _encrypted(payload_headers: bytes, version_headers: bytes) -> bytes:
    return (
        _HEAD + b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";'
        b' boundary="e1"\n\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n'
        b"--e1\n"
        + version_headers
        + b"\nVersion: 1\n\n--e1\n"
        + payload_headers
        + b"\n"
        + _ARMOR
        + b"\n--e1--\n"
    )


@pytest.mark.parametrize(
    "payload_headers,version_headers,name",
    [
        (  # Thunderbird / Enigmail
            b'Content-Type: application/octet-stream; name="encrypted.asc"\n'
            b"Content-Description: OpenPGP encrypted message\n"
            b'Content-Disposition: inline; filename="encrypted.asc"\n',
            b"Content-Type: application/pgp-encrypted\n"
            b"Content-Description: PGP/MIME version identification\n",
            "encrypted.asc",
        ),
        (  # Mutt: no name
            b"Content-Type: application/octet-stream\n",
            b"Content-Type: application/pgp-encrypted\n",
            "encrypted.asc",
        ),
        (  # Apple Mail (GPGMail)
            b'Content-Type: application/octet-stream; name="encrypted.asc"\n'
            b"Content-Transfer-Encoding: 7bit\n"
            b'Content-Disposition: inline; filename="encrypted.asc"\n',
            b"Content-Type: application/pgp-encrypted\nContent-Transfer-Encoding: 7bit\n",
            "encrypted.asc",
        ),
        (  # a name of the sender's
            b'Content-Type: application/octet-stream; name="msg.gpg"\n'
            b"Content-Disposition: attachment\n",
            b"Content-Type: application/pgp-encrypted\n",
            "msg.gpg",
        ),
    ],
)
def test_an_encrypted_payload_is_kept_as_an_attachment_with_a_sane_name(
    payload_headers, version_headers, name
):
    parsed = parse_message(_encrypted(payload_headers, version_headers))
    assert parsed.body_text == ""
    atts = {att.filename: att for att in parsed.attachments}
    assert sorted(atts) == sorted(["PGPMIME version identification.txt", name])
    assert atts[name].content_type == "application/octet-stream"
    assert atts[name].data.rstrip() == _ARMOR.rstrip()
    assert all(att.kept for att in parsed.attachments)


@pytest.mark.parametrize(
    "signed,files",
    [
        (  # Thunderbird 78+: the signature named, a file inside the signed part
            b'Content-Type: multipart/mixed; boundary="m1"\n\n--m1\n'
            b"Content-Type: text/plain; charset=utf-8\n\nSigned text.\n--m1\n"
            b'Content-Type: application/pdf; name="a.pdf"\n'
            b'Content-Disposition: attachment; filename="a.pdf"\n' + _PDF + b"\n--m1--\n",
            [("a.pdf", "application/pdf"), ("OpenPGP_signature.asc", "application/pgp-signature")],
        ),
        (  # Mutt / Evolution: an alternative body, the signature unnamed
            b'Content-Type: multipart/alternative; boundary="a1"\n\n--a1\n'
            b"Content-Type: text/plain\n\nSigned text.\n--a1\nContent-Type: text/html\n\n"
            b"<p>Signed text.</p>\n--a1--\n",
            [("signature.asc", "application/pgp-signature")],
        ),
    ],
)
def test_a_signed_body_is_the_body_and_its_signature_is_kept_named(signed, files):
    named = b"OpenPGP_signature" in repr(files).encode()
    signature = b"Content-Type: application/pgp-signature" + (
        b'; name="OpenPGP_signature.asc"\nContent-Disposition: attachment;'
        b' filename="OpenPGP_signature.asc"\n'
        if named
        else b"\n"
    )
    raw = (
        _HEAD + b"Content-Type: multipart/signed; micalg=pgp-sha256;"
        b' protocol="application/pgp-signature"; boundary="s1"\n\n--s1\n'
        + signed
        + b"\n--s1\n"
        + signature
        + b"\n-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0=\n-----END PGP SIGNATURE-----\n"
        b"--s1--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "Signed text."
    assert _files(raw) == files


# --- c. file names: paths, lengths, dots, duplicates, raw 8-bit -----------------------------------


def _named(disposition_name: bytes, ctype: bytes = b"application/pdf") -> bytes:
    return _with_part(
        b"Content-Type: "
        + ctype
        + b"\nContent-Disposition: attachment; filename="
        + disposition_name
        + b"\n"
        + _PDF
    )


@pytest.mark.parametrize(
    "given,expected",
    [
        (b'"C:\\\\Users\\\\ann\\\\Desktop\\\\file.pdf"', "file.pdf"),
        (b'"C:\\Users\\ann\\file.pdf"', "file.pdf"),
        (b'"\\\\\\\\server\\\\share\\\\file.pdf"', "file.pdf"),
        (b'"../x.pdf"', "x.pdf"),
        (b'"../../../etc/x.pdf"', "x.pdf"),
        (b'"/home/ann/x.pdf"', "x.pdf"),
        (b'"=?utf-8?Q?..=2F..=2Fx.pdf?="', "x.pdf"),
    ],
)
def test_a_name_with_a_path_is_reduced_to_its_base_name(given, expected):
    assert _files(_named(given)) == [(expected, "application/pdf")]


def test_an_rfc2231_name_with_a_path_is_reduced_to_its_base_name():
    part = (
        b"Content-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=utf-8''..%2F..%2FR%C3%A9sum%C3%A9.pdf\n"
    )
    assert _files(_with_part(part + _PDF)) == [("Résumé.pdf", "application/pdf")]


@pytest.mark.parametrize(
    "given,expected",
    [
        (b'"_DSC0412.JPG"', "_DSC0412.JPG"),
        (b'"__init__.py"', "__init__.py"),
        (b'"draft_.docx"', "draft_.docx"),
        (b'".pdf"', ".pdf"),
        (b'"report.pdf."', "report.pdf"),
        (b'"  report.pdf  "', "report.pdf"),
    ],
)
def test_a_name_keeps_its_underscores_and_leading_dot(given, expected):
    [att] = parse_message(_named(given, b"application/octet-stream")).attachments
    assert att.filename == expected


@pytest.mark.parametrize("given", [b'".."', b'"..."', b'"_"', b'" . "'])
def test_a_name_of_dots_only_gets_a_generated_name(given):
    assert _files(_named(given)) == [("application001.pdf", "application/pdf")]


def test_a_dot_file_of_a_dangerous_type_is_not_kept():
    [att] = parse_message(_named(b'".htaccess"', b"text/plain")).attachments
    assert (att.filename, att.kept) == (".htaccess", False)


@pytest.mark.parametrize(
    "stem", ["a" * 400, "é" * 300, "Quarterly report " * 20], ids=["ascii", "accented", "words"]
)
def test_a_very_long_name_is_shortened_but_keeps_its_extension(stem):
    raw = _named(('"' + stem + '.pdf"').encode())
    [att] = parse_message(raw).attachments
    assert len(att.filename) <= 255
    assert att.filename.endswith(".pdf")
    assert att.filename.startswith(stem.strip()[:100])
    assert att.content_type == "application/pdf"


def test_two_files_of_the_same_name_are_both_kept():
    part = (
        b'Content-Type: application/pdf; name="scan.pdf"\nContent-Transfer-Encoding: base64\n\n'
        b"JVBERi0xLjQK\n--b1\n"
        b'Content-Type: application/pdf; name="scan.pdf"\nContent-Transfer-Encoding: base64\n\n'
        b"JVBERi0xLjUK"
    )
    atts = parse_message(_with_part(part)).attachments
    assert [(att.filename, att.data) for att in atts] == [
        ("scan.pdf", b"%PDF-1.4\n"),
        ("scan.pdf", b"%PDF-1.5\n"),
    ]


@pytest.mark.parametrize("disposition", [b"attachment", b"inline"])
def test_a_disposition_without_filename_takes_the_type_name(disposition):
    part = (
        b'Content-Type: application/pdf; name="Angebot 12.pdf"\nContent-Disposition: '
        + disposition
        + b"\n"
        + _PDF
    )
    assert _files(_with_part(part)) == [("Angebot 12.pdf", "application/pdf")]


@pytest.mark.parametrize(
    "name,charset,declared_on",
    [
        ("Счёт на оплату №12.pdf", "windows-1251", "part"),
        ("Счёт на оплату №12.pdf", "windows-1251", "message"),
        ("Счёт на оплату.pdf", "koi8-r", "part"),
        ("請求書_2026年3月.pdf", "shift_jis", "part"),
        ("發票 三月.pdf", "big5", "message"),
        ("Überweisung März.pdf", "iso-8859-1", "none"),
        ("Faktura żółta.pdf", "iso-8859-2", "part"),
    ],
)
def test_a_raw_8bit_name_is_read_by_the_declared_charset(name, charset, declared_on):
    encoded = name.encode("cp932" if charset == "shift_jis" else charset)
    part_charset = f"; charset={charset}".encode() if declared_on == "part" else b""
    text_charset = charset.encode() if declared_on == "message" else b"us-ascii"
    raw = (
        b"From: Ann Lee <ann@example.com>\nSubject: the file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset=" + text_charset + b"\n\nSee the file.\n--b1\n"
        b"Content-Type: application/pdf"
        + part_charset
        + b'; name="'
        + encoded
        + b'"\n'
        + _PDF
        + b"\n--b1--\n"
    )
    assert _files(raw) == [(name, "application/pdf")]


def test_a_file_inside_winmail_dat_named_by_a_path_is_reduced_to_its_base_name():
    import base64
    import struct

    def attr(level: int, kind: int, data: bytes) -> bytes:
        return struct.pack("<BII", level, kind, len(data)) + data + struct.pack("<H", sum(data))

    stream = struct.pack("<IH", 0x223E9F78, 1)
    for name, payload in ((b"C:\\Temp\\REPORT.TXT\x00", b"numbers"), (b"../x.pdf\x00", b"%PDF")):
        stream += attr(2, 0x00069002, b"\x01\x00" + b"\x00" * 12)
        stream += attr(2, 0x00018010, name)
        stream += attr(2, 0x0006800F, payload)
    part = (
        b'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(stream)
    )
    atts = parse_message(_with_part(part)).attachments
    assert [(att.filename, att.data) for att in atts] == [
        ("REPORT.TXT", b"numbers"),
        ("x.pdf", b"%PDF"),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        b'Content-Type: text/plain\nContent-Disposition: filename="notes.txt"\n',
        b'Content-Type: text/plain; filename="notes.txt"\n',
    ],
)
def test_a_named_text_part_beside_the_body_is_a_file(headers):
    raw = _with_part(headers + b"\nmy notes")
    parsed = parse_message(raw)
    assert parsed.body_text == "See the attached file."
    assert _files(raw) == [("notes.txt", "text/plain")]


@pytest.mark.parametrize(
    "headers",
    [
        b'Content-Type: "application/pdf"; name=x.pdf\n',
        b"Content-Type: application / pdf; name=x.pdf\n",
        b"Content-Type: application/; name=x.pdf\n",
        b'Content-Disposition: attachment; filename="x.pdf"\n',  # no Content-Type at all
    ],
)
def test_a_file_of_a_damaged_or_missing_type_is_typed_by_its_name(headers):
    assert _files(_with_part(headers + _PDF)) == [("x.pdf", "application/pdf")]


@pytest.mark.parametrize(
    "disposition",
    [
        b'attachment; filename="Offer 12.pdf',  # the closing quote lost (a cut header)
        b'attachment; filename="Offer 12.pdf; size=1234',
        b'attachment; filename=Offer 12.pdf"',  # only the closing one
    ],
)
def test_a_file_name_with_one_quote_left_open_keeps_its_name(disposition):
    part = b"Content-Type: application/pdf\nContent-Disposition: " + disposition + b"\n" + _PDF
    assert _files(_with_part(part)) == [("Offer 12.pdf", "application/pdf")]


def test_an_unnamed_calendar_part_is_named_as_the_invitation_clients_name_it():
    """Gmail and Outlook send an invitation's text/calendar part without a name and show
    it as invite.ics; iTop's <type>NNN naming gave 'text001.ics'."""
    part = b"Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nEND:VCALENDAR"
    assert _files(_with_part(part)) == [("invite.ics", "text/calendar")]
