"""Hostile review of the names branch (issue 14): mail the branch reads worse than main.
Every mail here is written for the test."""

import base64
import struct
import zlib

import pytest
from cpu_budget import within_cpu_budget
from mailparse import parse_message


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _with_part(part: bytes, subject: bytes = b"the file") -> bytes:
    return (
        b"From: Ann Lee <ann@example.com>\nSubject: " + subject + b"\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset=utf-8\n\nSee the attached file.\n--b1\n"
        + part
        + b"\n--b1--\n"
    )


# --- a Content-Location naming another type than the part's --------------------------------
# The location of an image is often a script's URL (GetImage.ashx?id=3, pixel.php,
# ../../x.exe): taken as the name, a PNG was stored as .ashx (its type hidden) or as .exe
# (dropped as dangerous: the image lost). main named it image001.png and kept it.


@pytest.mark.parametrize(
    "location",
    [
        b"https://www.example.com/handlers/GetImage.ashx?id=3",
        b"../../x.exe",
        b"http://example.com/evil.pdf.exe",
        b"http://example.com/a%5C..%5Cevil.exe",
    ],
)
def test_a_location_of_another_type_does_not_name_an_image(location):
    part = (
        b"Content-Type: image/png\nContent-Location: "
        + location
        + b"\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(_png(120, 40))
    )
    files = [
        (a.filename, a.content_type, a.kept) for a in parse_message(_with_part(part)).attachments
    ]
    assert files == [("image001.png", "image/png", True)]


def test_a_location_of_the_parts_own_type_still_names_it():
    part = (
        b"Content-Type: image/png\nContent-Location: http://example.com/img/chart.png\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(_png(120, 40))
    )
    assert [a.filename for a in parse_message(_with_part(part)).attachments] == ["chart.png"]


# --- genuine Mac Roman text that happens to be valid UTF-8 ---------------------------------
# In Mac Roman, typographic punctuation (’ “ « … at 0xC2-0xDF) followed by an accented
# small letter (0x80-0xBF) is a valid UTF-8 pair: "l’équipe" is "lՎquipe" read as UTF-8.
# Unlike Latin-1 (where such pairs are a capital and a C1 control), this is ordinary French
# text. main read the label; the branch's "valid UTF-8 under a Mac label is UTF-8" did not.


def test_a_mac_roman_encoded_word_that_is_valid_utf8_is_read_by_its_label():
    raw = _with_part(
        b"Content-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\n"
        b"JVBERi0xLjQK",
        subject=b"=?x-mac-roman?Q?Re:_l=D5=8Equipe?=",
    )
    assert parse_message(raw).subject == "Re: l’équipe"


def test_a_mac_roman_body_that_is_valid_utf8_is_read_by_its_label():
    text = "Bonjour, l’école ferme demain"
    raw = (
        b"From: ann@example.com\nSubject: s\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=macintosh\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(text.encode("mac_roman"))
    )
    assert parse_message(raw).body_text == text


def test_utf8_under_a_mac_label_is_still_utf8():
    raw = (
        b"From: ann@example.com\nSubject: =?x-mac-roman?Q?=C2=A9_2024_Caf=C3=A9?=\n"
        b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x-mac-roman\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes("© 2024 Café – menu".encode())
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.body_text) == ("© 2024 Café", "© 2024 Café – menu")


# --- a winmail.dat full of 8-bit MAPI strings -------------------------------------------------
# The branch read every PT_STRING8 property of every attachment by charset detection (a
# chardet vote and a dozen scored decodes each), not only the names it uses: a 1 MB
# winmail.dat of 10,000 such properties took 28 s (main: 0.04 s). Only the names and the
# MIME tag are read now.


def _tnef_attr(level: int, attr: int, data: bytes) -> bytes:
    return bytes([level]) + struct.pack("<II", attr, len(data)) + data + b"\0\0"


def _winmail_full_of_strings(files: int, strings: int) -> bytes:
    value = ("Größe Prüfung Übersicht Änderung " * 3).encode("cp1252")
    padded = (
        struct.pack("<I", 1) + struct.pack("<I", len(value)) + value + b"\0" * (-len(value) % 4)
    )
    props = [struct.pack("<HH", 0x001E, 0x6000 + i % 0x1000) + padded for i in range(strings)]
    long_name = "Prüfbericht.pdf".encode("cp1252") + b"\0"
    props.append(
        struct.pack("<HHII", 0x001E, 0x3707, 1, len(long_name))
        + long_name
        + b"\0" * (-len(long_name) % 4)
    )
    attachment = struct.pack("<I", len(props)) + b"".join(props)
    data = struct.pack("<IH", 0x223E9F78, 0) + _tnef_attr(
        1, 0x00069007, struct.pack("<II", 1252, 0)
    )
    for _ in range(files):
        data += _tnef_attr(2, 0x00069002, b"\0" * 14)
        data += _tnef_attr(2, 0x0001800F, b"%PDF-1.4\n")
        data += _tnef_attr(2, 0x00069005, attachment)
    return data


def test_a_winmail_dat_full_of_8bit_strings_is_read_in_linear_time():
    part = (
        b"Content-Type: application/ms-tnef; name=winmail.dat\n"
        b"Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(_winmail_full_of_strings(files=3, strings=9_000))
    )
    raw = _with_part(part)

    def names():
        return [a.filename for a in parse_message(raw).attachments]

    assert within_cpu_budget(names) == ["Prüfbericht.pdf"] * 3


# --- Caps Lock in the declared Cyrillic charset ---------------------------------------------
# A word typed with Caps Lock on ("пРОСЬБА") has the case pattern of a word read in the other
# Cyrillic charset ("уЮЕФ" for "Счет"): case alone cannot tell them apart, so a raw subject
# stays in the charset the message declares.


@pytest.mark.parametrize(
    "text,charset",
    [("пРОСЬБА ОПЛАТИТЬ", "koi8-r"), ("вНИМАНИЕ счет", "windows-1251")],
)
def test_caps_lock_words_stay_in_the_declared_cyrillic_charset(text, charset):
    raw = (
        b"From: ann@example.com\nSubject: " + text.encode(charset) + b"\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset="
        + charset.encode()
        + b"\n\n"
        + "Добрый день".encode(charset)
        + b"\n"
    )
    assert parse_message(raw).subject == text
