"""Attacks on branch hdrs4's reading of names and addresses (branch attackh4): mail the
branch could read worse than main. Every mail here is written for the test, none is fetched;
the names are made up in the way people write them (a Central European first name beside a
German surname, a Scandinavian street, an Italian word ending in a stressed vowel)."""

import urllib.parse

import pytest
from mailparse import parse_message
from mailparse.charsets import decode_8bit


def _with_part(part: bytes) -> bytes:
    return (
        b"From: Ann Lee <ann@example.com>\r\nSubject: the file\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSee the attached file.\r\n"
        b"--b1\r\n"
        + part
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
    )


def _names(raw: bytes) -> list:
    return [att.filename for att in parse_message(raw).attachments]


def _pct(data: bytes) -> bytes:
    return urllib.parse.quote_from_bytes(data, safe="").encode("ascii")


# --- a. An RFC 2231 value under its own Central European label -------------------------
# A mailer writes windows-1250 or iso-8859-2 on a name only where the sender's system is
# Central European: the label is what the bytes are. hdrs4 detected the charset of every
# single-byte Latin label; a Central European name beside a German one ("Łuczka Jähn",
# "Kovač Söding") mixes letters no one language writes, the label lost its head start and
# Windows-1252 won ("£uczka", "Kovaè", "Bla¾ková"). main read them as labelled.

_LABELLED_CENTRAL = [
    "Natasza Łuczka Jähn.pdf",
    "Jelena Kovač Söding.pdf",
    "Petra Brajković Röhrdanz.pdf",
    "Zdenka Prtenjača Fröhlich.pdf",
    "Renáta Blažková Müller.pdf",
    "Dušková Müllerová k.s..pdf",
    "Šárka Müllerová.pdf",
    "Faktura Łódź – Müller GmbH.pdf",
]


@pytest.mark.parametrize("label", ["windows-1250", "iso-8859-2", "ISO-8859-2"])
@pytest.mark.parametrize("name", _LABELLED_CENTRAL)
def test_rfc2231_value_under_its_central_european_label(name, label):
    try:
        data = name.encode(label)
    except UnicodeEncodeError:  # ISO-8859-2 has no dash
        name = name.replace("–", "-")
        data = name.encode(label)
    encoded = _pct(data)
    for header in (
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*="
        + label.encode()
        + b"''"
        + encoded,
        b"Content-Type: application/pdf;\r\n name*=" + label.encode() + b"''" + encoded,
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*="
        + label.encode()
        + b"''"
        + encoded[:12]
        + b";\r\n filename*1*="
        + encoded[12:],
    ):
        assert _names(_with_part(header)) == [name], header


@pytest.mark.parametrize(
    ("name", "codec", "label"),
    [
        ("Счет на оплату.pdf", "cp1251", "windows-1250"),
        ("Счет на оплату.pdf", "cp1251", "iso-8859-2"),
    ],
)
def test_rfc2231_value_under_a_central_label_that_reads_as_nothing(name, codec, label):
    """Guard: a Central European label whose reading is no text ("Ń÷ĺň íŕ îďëŕňó") is
    still no declaration: the bytes are detected (a Windows-1251 name)."""
    header = b"Content-Type: application/pdf; name*=" + label.encode() + b"''"
    header += _pct(name.encode(codec))
    assert _names(_with_part(header)) == [name]
