"""Issue 14, attachment names and subjects as the sender meant them: classes found by
writing synthetic mail for each kind of name or subject other clients read and the core did
not (every mail here is written for the test, none is fetched)."""

import base64
import struct

import pytest
from mailparse import parse_message


def _with_part(part: bytes, subject: bytes = b"the file") -> bytes:
    return (
        b"From: Ann Lee <ann@example.com>\nSubject: " + subject + b"\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset=utf-8\n\nSee the attached file.\n--b1\n"
        + part
        + b"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n"
    )


def _subject(subject: bytes) -> str:
    return parse_message(_with_part(b"Content-Type: application/pdf; name=x.pdf", subject)).subject


def _names(raw: bytes) -> list:
    return [att.filename for att in parse_message(raw).attachments]


# --- a. ISO-2022-JP as Microsoft writes it (CP50220): JIS X 0208 plus NEC's row 13 -----------
# Outlook and Windows mailers label it "iso-2022-jp" and use the characters Japanese
# business mail is full of (①, №, ㈱, ㍉, Ⅲ), which the standard codecs refuse. Mail clients
# (Outlook, Thunderbird, Apple Mail) read them.


def _jis(text: str) -> bytes:
    """``text`` in ISO-2022-JP, Microsoft's way: each run of Shift_JIS double-byte characters
    (NEC row 13 and the IBM extensions included) mapped back to its JIS X 0208 bytes."""
    out, double = bytearray(), False
    for char in text:
        sjis = char.encode("cp932")
        if len(sjis) == 1:
            if double:
                out += b"\x1b(B"
                double = False
            out += sjis
            continue
        if not double:
            out += b"\x1b$B"
            double = True
        s1, s2 = sjis
        row = (s1 - (0xB0 if s1 >= 0xE0 else 0x70)) * 2 - (1 if s2 < 0x9F else 0)
        cell = s2 - (0x7E if s2 >= 0x9F else 0x20 if s2 >= 0x80 else 0x1F)
        out += bytes((row, cell))
    if double:
        out += b"\x1b(B"
    return bytes(out)


_MS_TEXTS = ["ЖД№41 от 28.09.2016", "㈱山田商事 見積書", "第①回 打合せ", "Ⅲ期 ㍉ 計画"]


def test_the_jis_helper_writes_what_the_standard_codec_reads():
    assert _jis("見積書 2016") == "見積書 2016".encode("iso2022_jp")


@pytest.mark.parametrize("text", _MS_TEXTS)
def test_an_encoded_subject_in_microsofts_iso_2022_jp_is_read(text):
    subject = b"=?iso-2022-jp?B?" + base64.b64encode(_jis(text)) + b"?="
    assert (
        parse_message(_with_part(b"Content-Type: application/pdf; name=x.pdf", subject)).subject
        == text
    )


@pytest.mark.parametrize("text", _MS_TEXTS)
def test_a_body_in_microsofts_iso_2022_jp_is_read(text):
    raw = (
        b"From: ann@example.com\nSubject: s\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
        + _jis(text)
        + b"\n"
    )
    assert parse_message(raw).body_text == text


def test_a_file_name_in_microsofts_iso_2022_jp_is_read():
    encoded = base64.b64encode(_jis("㈱見積書①.pdf"))
    part = b'Content-Type: application/pdf; name="=?ISO-2022-JP?B?' + encoded + b'?="'
    assert _names(_with_part(part)) == ["㈱見積書①.pdf"]
    quoted = "".join(f"%{b:02X}" for b in _jis("㈱見積書①"))
    part = b"Content-Type: application/pdf\nContent-Disposition: attachment;\n"
    part += b" filename*=iso-2022-jp''" + quoted.encode() + b".pdf"
    assert _names(_with_part(part)) == ["㈱見積書①.pdf"]


def test_a_raw_subject_in_microsofts_iso_2022_jp_is_read():
    subject = _jis("㈱山田商事 見積書")
    assert (
        parse_message(_with_part(b"Content-Type: application/pdf; name=x.pdf", subject)).subject
        == "㈱山田商事 見積書"
    )


def test_standard_iso_2022_jp_and_half_width_katakana_still_read():
    subject = b"=?iso-2022-jp?B?" + base64.b64encode("見積書 ｶﾀｶﾅ".encode("iso2022_jp_ext")) + b"?="
    assert (
        parse_message(_with_part(b"Content-Type: application/pdf; name=x.pdf", subject)).subject
        == "見積書 ｶﾀｶﾅ"
    )


# --- b. a lossy name beside a full one -------------------------------------------------------
# Mailers that cannot write a name in a parameter degrade it there and write it whole in the
# other one: a DOS short name (QUARTE~1.PDF, Windows' 8.3 alias), "?" for each character
# the charset lacked. A client shows the full name; the degraded one only when it is all
# there is.


@pytest.mark.parametrize(
    "part,expected",
    [
        (
            b'Content-Type: application/pdf; name="Quarterly report 2024.pdf"\n'
            b'Content-Disposition: attachment; filename="QUARTE~1.PDF"',
            "Quarterly report 2024.pdf",
        ),
        (
            b'Content-Type: application/msword; name="Meeting minutes.docx"\n'
            b"Content-Disposition: attachment; filename=MEETIN~12.DOC",
            "Meeting minutes.docx",
        ),
        (
            b'Content-Type: application/pdf; name="=?utf-8?B?0J7RgtGH0ZHRgi5wZGY=?="\n'
            b'Content-Disposition: attachment; filename="?????.pdf"',
            "Отчёт.pdf",
        ),
        (
            b'Content-Type: application/pdf; name="=?utf-8?Q?Z=C3=BCrich_Plan.pdf?="\n'
            b'Content-Disposition: attachment; filename="Z?rich Plan.pdf"',
            "Zürich Plan.pdf",
        ),
        (
            b"Content-Type: application/pdf; name*=utf-8''Z%C3%BCrich.pdf\n"
            b'Content-Disposition: attachment; filename="Z\xef\xbf\xbdrich.pdf"',
            "Zürich.pdf",
        ),
    ],
)
def test_a_degraded_name_gives_way_to_the_full_one(part, expected):
    assert _names(_with_part(part)) == [expected]


@pytest.mark.parametrize(
    "part,expected",
    [
        # the degraded name is all there is
        (
            b"Content-Type: application/pdf\n"
            b'Content-Disposition: attachment; filename="QUARTE~1.PDF"',
            "QUARTE~1.PDF",
        ),
        # the other name is another file's type: not the same file's full name
        (
            b'Content-Type: application/pdf; name="notes.txt"\n'
            b'Content-Disposition: attachment; filename="QUARTE~1.PDF"',
            "QUARTE~1.PDF",
        ),
        # a tilde in a real name, and two full names: the disposition's, as RFC 2183 says
        (
            b'Content-Type: application/pdf; name="Offer.pdf"\n'
            b'Content-Disposition: attachment; filename="Offer ~1 draft.pdf"',
            "Offer ~1 draft.pdf",
        ),
        (
            b'Content-Type: application/pdf; name="=?utf-8?B?0J7RgtGH0ZHRgi5wZGY=?="\n'
            b'Content-Disposition: attachment; filename="Otchet.pdf"',
            "Otchet.pdf",
        ),
    ],
)
def test_a_name_that_is_not_degraded_is_kept(part, expected):
    assert _names(_with_part(part)) == [expected]


# --- c. a name given only by Content-Location ------------------------------------------------
# A part that names no file but says where it came from (RFC 2557: Outlook's and Word's
# web-page mail, saved pages, some gateways) is named by the last piece of that location,
# as Ruby's mail and Outlook name it, rather than "image001.png".


@pytest.mark.parametrize(
    "location,expected",
    [
        (b"http://example.com/img/logo.png", "logo.png"),
        (
            b"https://example.com/files/Price%20list%202024.pdf?download=1#page=2",
            "Price list 2024.pdf",
        ),
        (b"report.pdf", "report.pdf"),
        (b'"file:///C:/Users/ann/Documents/Plan.xlsx"', "Plan.xlsx"),
        (b"http://example.com/r/%D0%9E%D1%82%D1%87%D1%91%D1%82.pdf", "Отчёт.pdf"),
        (b"http://example.com/a/very/long/path/\n to/chart.png", "chart.png"),
    ],
)
def test_a_part_named_only_by_its_location_takes_that_name(location, expected):
    part = b"Content-Type: application/octet-stream\nContent-Disposition: attachment\n"
    part += b"Content-Location: "
    assert _names(_with_part(part + location)) == [expected]


@pytest.mark.parametrize(
    "location",
    [
        b"http://example.com/",
        b"http://example.com/download?id=12",
        b"cid:part1.abc@example.com",
        b"",
    ],
)
def test_a_location_naming_no_file_leaves_the_generated_name(location):
    part = b"Content-Type: application/pdf\nContent-Location: " + location
    assert _names(_with_part(part)) == ["application001.pdf"]


def test_a_name_parameter_wins_over_the_location():
    part = (
        b'Content-Type: image/png; name="chart.png"\nContent-Location: http://example.com/x/y.png'
    )
    assert _names(_with_part(part)) == ["chart.png"]


def test_an_html_body_with_a_location_stays_the_body():
    raw = (
        b"From: ann@example.com\nSubject: page\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/related; boundary="r"\n\n--r\n'
        b"Content-Type: text/html; charset=utf-8\nContent-Location: http://example.com/news.html\n\n"
        b'<html><body><p>Hello</p><img src="http://example.com/logo.png"></body></html>\n--r\n'
        b"Content-Type: image/png\nContent-Location: http://example.com/logo.png\n"
        b"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n"
    )
    parsed = parse_message(raw)
    assert "Hello" in parsed.body_text
    assert [att.filename for att in parsed.attachments] == ["logo.png"]


# --- e. files inside winmail.dat named in the sender's Windows code page ---------------------
# TNEF writes 8-bit names (attAttachTitle, PT_STRING8 properties) in the sending Outlook's
# code page and says which in attOemCodepage; readers (MimeKit, tnef) decode by it. A
# stream without it is read as other raw 8-bit names are.


def _tnef_attr(level: int, attr: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr, len(data)) + data + struct.pack("<H", checksum)


def _mapi_string8(prop_id: int, text: bytes) -> bytes:
    """A MAPI property list holding one PT_STRING8 property."""
    value = text + b"\x00"
    padded = value + b"\x00" * (-len(value) % 4)
    return struct.pack("<IHHI", 1, 0x001E, prop_id, 1) + struct.pack("<I", len(value)) + padded


def _winmail(codepage: int | None, title: bytes, long_name: bytes | None = None) -> bytes:
    stream = struct.pack("<IH", 0x223E9F78, 1)
    if codepage is not None:
        stream += _tnef_attr(1, 0x00069007, struct.pack("<II", codepage, 0))
    stream += _tnef_attr(2, 0x00069002, b"\x01\x00" + b"\x00" * 12)
    stream += _tnef_attr(2, 0x00018010, title + b"\x00")
    stream += _tnef_attr(2, 0x0006800F, b"%PDF-1.4\n")
    if long_name is not None:
        stream += _tnef_attr(2, 0x00069005, _mapi_string8(0x3707, long_name))
    part = b"Content-Type: application/ms-tnef; name=winmail.dat\n"
    part += b"Content-Disposition: attachment; filename=winmail.dat\n"
    part += b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(stream)
    return (
        b"From: Ann Lee <ann@example.com>\nSubject: files\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset=utf-8\n\nSee the files.\n--b1\n" + part + b"\n--b1--\n"
    )


@pytest.mark.parametrize(
    "text,codepage",
    [("Счет на оплату.pdf", 1251), ("見積書.pdf", 932), ("Příloha č. 1.pdf", 1250)],
)
def test_a_name_inside_winmail_dat_is_read_by_its_code_page(text, codepage):
    encoded = text.encode(f"cp{codepage}")
    assert _names(_winmail(codepage, encoded)) == [text]
    assert _names(_winmail(codepage, b"SCHET~1.PDF", encoded)) == [text]


def test_a_name_inside_winmail_dat_without_code_page_is_read_as_raw_names_are():
    assert _names(_winmail(None, "Счет на оплату.pdf".encode("cp1251"))) == ["Счет на оплату.pdf"]
    assert _names(_winmail(None, "Größe.pdf".encode("cp1252"))) == ["Größe.pdf"]
    assert _names(_winmail(1252, "Größe.pdf".encode("cp1252"))) == ["Größe.pdf"]


# --- f. files pasted into a text body with uuencode's base64 form ----------------------------
# ``uuencode -m file name | mail`` writes ``begin-base64 644 name`` ... ``====``
# (POSIX uuencode); sharutils' uudecode and clients that read uuencoded files read it too.


def _text_mail(body: bytes) -> bytes:
    return b"From: ann@example.com\nSubject: log\n\n" + body


def test_a_base64_uuencoded_file_in_the_body_is_an_attachment():
    data = b"2026-12-06 error: disk full\n" * 5
    block = b"begin-base64 644 server log.txt\n" + base64.encodebytes(data) + b"====\n"
    parsed = parse_message(_text_mail(b"Here is the log.\n\n" + block + b"\nThanks\n"))
    assert [(att.filename, att.data) for att in parsed.attachments] == [("server log.txt", data)]
    assert parsed.body_text.split() == ["Here", "is", "the", "log.", "Thanks"]


def test_text_that_only_looks_like_a_base64_block_stays_text():
    body = b"begin-base64 644 x.txt\nthis is not base64 at all!\n====\n"
    parsed = parse_message(_text_mail(body))
    assert parsed.attachments == []
    assert "not base64" in parsed.body_text


# --- g. a part named only by its Content-Description ----------------------------------------
# Some mailers (scanners, Exchange conversions) name a file only in Content-Description. A
# description is prose as often as a name ("Forwarded message", "PDF document"): it names
# the file only when it reads as a file name of the part's own type.


@pytest.mark.parametrize(
    "ctype,description,expected",
    [
        (b"application/pdf", b"Invoice 2024.pdf", "Invoice 2024.pdf"),
        (b"image/jpeg", b"=?utf-8?Q?Fa=C3=A7ade.jpg?=", "Façade.jpg"),
        (b"application/pdf", b"PDF document", "application001.pdf"),
        (b"application/pdf", b"scan.jpg", "application001.pdf"),
        (b"application/pdf", b"see /tmp/x.pdf for details", "application001.pdf"),
    ],
)
def test_a_description_names_the_file_only_as_a_file_name_of_its_type(ctype, description, expected):
    part = b"Content-Type: " + ctype + b"\nContent-Description: " + description
    assert _names(_with_part(part)) == [expected]


def test_a_name_parameter_wins_over_the_description():
    part = b'Content-Type: application/pdf; name="a.pdf"\nContent-Description: b.pdf'
    assert _names(_with_part(part)) == ["a.pdf"]


# --- h. a Mac file sent as AppleDouble (RFC 1740) -------------------------------------------
# multipart/appledouble holds the file's Finder data (application/applefile, often named
# like the file) and then the file. Clients show the file once; the Finder data is no file
# the sender attached (kept out, with the reason). AppleSingle (the file inside
# application/applefile, no data part beside it) stays a file.


def test_the_finder_data_of_an_appledouble_file_is_not_a_second_file():
    raw = (
        b"From: ann@example.com\nSubject: plan\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\nhi\n'
        b'--a\nContent-Type: multipart/appledouble; boundary="d"\n\n--d\n'
        b'Content-Type: application/applefile; name="Plan.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\nAAUWBwACAAA=\n--d\n"
        b'Content-Type: application/pdf; name="Plan.pdf"\n'
        b"Content-Disposition: attachment; filename=Plan.pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--d--\n--a--\n"
    )
    files = [(att.filename, att.content_type, att.kept) for att in parse_message(raw).attachments]
    assert files == [
        ("Plan.pdf", "application/applefile", False),
        ("Plan.pdf", "application/pdf", True),
    ]


def test_an_applesingle_file_is_kept():
    part = b'Content-Type: application/applefile; name="Plan.pdf"'
    raw = _with_part(part)
    assert [(a.filename, a.kept) for a in parse_message(raw).attachments] == [("Plan.pdf", True)]


# --- i. charset labels browsers and mail clients know ---------------------------------------
# The WHATWG Encoding Standard lists the labels browsers (and the mail readers built on
# their engines: Thunderbird, Apple Mail, webmail) accept for each encoding, and reads each
# legacy encoding as its Windows superset. Labels Python does not know (x-mac-cyrillic,
# x-x-big5, cseuckr...) fell back to a guess; others named a strict subset (ksc5601 as
# EUC-KR without Windows' extra Hangul, csshiftjis without NEC's ①). Apple Mail's own
# x-mac-* labels are read as the Mac charsets they name.

_LABELS = [
    (b"x-mac-cyrillic", "Отчёт за март", "mac-cyrillic"),
    (b"x-mac-ukrainian", "Звіт за березень", "mac-cyrillic"),
    (b"x-mac-ce", "Příloha č. 1", "mac-latin2"),
    (b"x-x-big5", "報價單", "big5"),
    (b"cn-big5", "報價單", "big5"),
    (b"x-euc-jp", "見積書", "euc_jp"),
    (b"cseucpkdfmtjapanese", "見積書", "euc_jp"),
    (b"koi8-ru", "Звіт", "koi8-u"),
    (b"koi8", "Отчёт", "koi8-r"),
    (b"cseuckr", "똠방 견적서", "cp949"),
    (b"ksc5601", "똠방 견적서", "cp949"),
    (b"csshiftjis", "①見積書", "cp932"),
    (b"iso88592", "Příloha č. 1", "iso-8859-2"),
    (b"x-cp1251", "Отчёт за март", "cp1251"),
    (b"dos-874", "ใบแจ้งหนี้", "cp874"),
    (b"csisolatin9", "Größe 5 €", "iso-8859-15"),
    (b"unicode-1-1-utf-8", "Größe 5 €", "utf-8"),
]


@pytest.mark.parametrize("label,text,codec", _LABELS)
def test_a_subject_in_a_charset_known_by_another_label_is_read(label, text, codec):
    subject = b"=?" + label + b"?B?" + base64.b64encode(text.encode(codec)) + b"?="
    assert _subject(subject) == text


@pytest.mark.parametrize("label,text,codec", _LABELS)
def test_a_body_and_a_name_in_a_charset_known_by_another_label_are_read(label, text, codec):
    raw = (
        b"From: ann@example.com\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset="
        + label
        + b"\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(text.encode(codec))
        + b"\n--b1\nContent-Type: application/pdf\nContent-Disposition: attachment;\n"
        + b" filename*="
        + label
        + b"''"
        + "".join(f"%{byte:02X}" for byte in text.encode(codec)).encode()
        + b".pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == text
    assert [att.filename for att in parsed.attachments] == [text + ".pdf"]


@pytest.mark.parametrize("label", [b"x-mac-cyrillic", b"x-mac-ce", b"macintosh"])
def test_a_utf8_body_under_a_mac_label_stays_utf8(label):
    # Bulk mailers put a Mac label on UTF-8 text (its HTML meta says utf-8): valid UTF-8
    # under a single-byte label is UTF-8, as under a Latin one.
    raw = (
        b"From: news@example.com\nSubject: s\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset="
        + label
        + b"\nContent-Transfer-Encoding: 8bit\n\n"
        + "© 2019 Société – Größe".encode()
        + b"\n"
    )
    assert parse_message(raw).body_text == "© 2019 Société – Größe"
    subject = b"=?" + label + b"?B?" + base64.b64encode("Größe ©".encode()) + b"?="
    assert _subject(subject) == "Größe ©"
