"""Issue 3's content rules not pinned elsewhere: block list details, duplicate keys,
RFC 2047 / RFC 2231 filenames in raw mail, GIF transparency, charsets at message level."""

import base64
import io

import pytest
from mailparse import Settings, parse_message
from mailparse.attachments import exclusion_reason
from PIL import Image
from test_mailparse_parse import build, load, png


def _raw_attachment(filename_params: str, ctype: str = "application/octet-stream") -> bytes:
    return (
        "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain\r\n\r\nbody\r\n--b\r\n"
        f"Content-Type: {ctype}\r\nContent-Disposition: attachment; {filename_params}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n"
    ).encode()


# --- block lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "ctype", "reason"),
    [
        ("update.bin", "application/x-msdownload", "dangerous type application/x-msdownload"),
        ("notes.txt", "application/x-sh", "dangerous type application/x-sh"),
        ("invoice.pdf.exe", "application/pdf", "dangerous file extension .exe"),
        ("RUN.BAT", "application/octet-stream", "dangerous file extension .bat"),
        ("macro.VBS", "text/plain", "dangerous file extension .vbs"),
        ("report.pdf", "application/pdf", ""),
        ("archive.zip", "application/zip", ""),
    ],
)
def test_dangerous_block_list_by_declared_mime_and_by_extension(filename, ctype, reason):
    assert exclusion_reason(filename, ctype, Settings()) == reason


def test_exclude_list_exact_and_wildcard_before_the_block_list():
    settings = Settings(exclude_attachment_types=("image/*", "application/zip"))
    assert exclusion_reason("a.png", "image/png", settings) == "excluded type image/png (image/*)"
    assert exclusion_reason("a.zip", "application/zip", settings) == "excluded type application/zip"
    assert exclusion_reason("a.pdf", "application/pdf", settings) == ""
    off = Settings(block_dangerous_attachments=False)
    assert exclusion_reason("setup.exe", "application/x-msdownload", off) == ""
    assert exclusion_reason("setup.exe", "application/exe", off) == "excluded type application/exe"


def test_blocked_part_is_reported_not_dropped_silently():
    raw = _raw_attachment('filename="tool.scr"')
    [att] = parse_message(raw).attachments
    assert (att.filename, att.kept, att.reason) == (
        "tool.scr",
        False,
        "dangerous file extension .scr",
    )


# --- duplicates ----------------------------------------------------------------------------------


def test_duplicate_keys_are_stable_across_messages():
    """The ticket skips a part whose name, type, size and hash it already has: the same file
    sent twice must give the same key, resized images included."""
    settings = Settings(images_maximum_size=(200, 200))
    files = [(b"%PDF-1.4 same", "application", "pdf", "a.pdf", None)]
    files.append((png(800, 400), "image", "png", "shot.png", None))
    first = parse_message(build(attachments=files, Subject="one"), settings).attachments
    second = parse_message(build(attachments=files, Subject="Re: one"), settings).attachments

    def key(att):
        return (att.filename, att.content_type, att.size, att.sha256, att.md5)

    assert [key(a) for a in first] == [key(a) for a in second]
    assert first[1].size != len(files[1][0])  # the key is computed on the resized image
    changed = parse_message(build(attachments=[(b"%PDF-1.4 other", *files[0][1:])])).attachments
    assert key(changed[0]) != key(first[0])


# --- filenames -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ('filename="=?UTF-8?B?UmFwcG9ydCDDqXTDqS5wZGY=?="', "Rapport été.pdf"),  # RFC 2047
        ('filename="=?ISO-8859-1?Q?Gr=FC=DFe.txt?="', "Grüße.txt"),
        ("filename*=UTF-8''Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln.txt", "Grüße aus Köln.txt"),  # 2231
        ("filename*0*=UTF-8''Tr%C3%A8s%20long;\r\n filename*1=\"_nom.txt\"", "Très long_nom.txt"),
        ('filename="..\\\\..\\\\evil.txt"', "evil.txt"),  # no path from the sender
    ],
)
def test_encoded_filenames(params, expected):
    [att] = parse_message(_raw_attachment(params)).attachments
    assert att.filename == expected


def test_rfc2231_filename_in_a_legacy_charset():
    [att] = parse_message(load("mikel", "attachment_with_encoded_name.eml")).attachments
    assert att.filename.startswith("01 Quien Te Dij") and att.filename.endswith(".mp3")


# --- images --------------------------------------------------------------------------------------


def test_gif_resized_stays_gif_with_its_transparency():
    image = Image.new("P", (1200, 300), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    out = io.BytesIO()
    image.save(out, "GIF", transparency=1)
    settings = Settings(images_maximum_size=(600, 600))
    [att] = parse_message(
        build(attachments=[(out.getvalue(), "image", "gif", "banner.gif", None)]), settings
    ).attachments
    resized = Image.open(io.BytesIO(att.data))
    assert (resized.format, resized.size) == ("GIF", (600, 150))
    assert resized.info.get("transparency") is not None
    assert (att.width, att.height, att.original_size) == (600, 150, len(out.getvalue()))


# --- charsets at message level -------------------------------------------------------------------


def _message(headers: bytes, body: bytes) -> bytes:
    return b"From: a@example.com\r\nMIME-Version: 1.0\r\n" + headers + b"\r\n" + body


@pytest.mark.parametrize(
    ("headers", "body", "subject", "text"),
    [
        (  # windows-1252 bytes labelled iso-8859-1 (Outlook's habit)
            b"Subject: =?iso-8859-1?Q?=93Caf=E9=94_=80?=\r\n"
            b"Content-Type: text/plain; charset=iso-8859-1\r\n",
            b"\x93quoted\x94 costs 5 \x80\r\n",
            "“Café” €",
            "“quoted” costs 5 €",
        ),
        (
            b"Subject: =?utf-7?Q?Hi_+IKw-?=\r\nContent-Type: text/plain; charset=utf-7\r\n",
            "Prix: 5 €\r\n".encode("utf-7"),
            "Hi €",
            "Prix: 5 €",
        ),
        (
            b"Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n"
            b"Content-Type: text/plain; charset=ISO-2022-JP\r\n",
            "日本語のテキスト\r\n".encode("iso2022_jp"),
            "日本語",
            "日本語のテキスト",
        ),
        (  # gb2312 label, a GBK-only character (镕)
            b"Subject: =?gb2312?B?"
            + base64.b64encode("朱镕基".encode("gbk"))
            + b"?=\r\nContent-Type: text/plain; charset=gb2312\r\n",
            "中文字符 朱镕基\r\n".encode("gbk"),
            "朱镕基",
            "中文字符 朱镕基",
        ),
        (
            b"Subject: =?ks_c_5601-1987?B?"
            + base64.b64encode("안녕하세요".encode("cp949"))
            + b"?=\r\nContent-Type: text/plain; charset=ks_c_5601-1987\r\n",
            "한국어 본문\r\n".encode("cp949"),
            "안녕하세요",
            "한국어 본문",
        ),
        (  # raw 8-bit UTF-8 header, Latin-1 body declared
            "Subject: Réunion à 10h\r\nContent-Type: text/plain; charset=iso-8859-1\r\n".encode(),
            "Déjà vu\r\n".encode("latin-1"),
            "Réunion à 10h",
            "Déjà vu",
        ),
    ],
)
def test_charsets_in_headers_and_bodies(headers, body, subject, text):
    parsed = parse_message(_message(headers, body))
    assert parsed.error == ""
    assert parsed.subject == subject
    assert parsed.body_text == text
