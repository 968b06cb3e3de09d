"""Issue 14, raw 8-bit names and subjects without a label (branch names5): classes the
charset detector still read wrong. Every text here is written for the test, none is fetched
or copied from a scored set."""

import pytest
from mailparse import parse_message
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# --- a. Turkish without a charset label ----------------------------------------------------
# Windows-1254 is Windows-1252 but six letters (ı ğ ş İ Ğ Ş where Windows-1252 has ý ð þ Ý Ð
# Þ). Turkish text whose only such letters are small ı and ğ beside ö, ü, ç was read as
# Windows-1252 ("Kullanýcý hesabý", "Öðrenci"): the letters alone are Icelandic or Czech
# ones. The words tell: Turkish writes "ıc", "ın", "ğr", Icelandic "ðu", Czech "ý " after a
# consonant. Windows-1254's reading now competes in the Latin letter-pair fit with the
# Central European ones, at the same margin over Windows-1252.

_TURKISH = [
    "Fatura ödemesi hakkında",
    "Öğrenci belgesi",
    "Kullanıcı hesabı kilitlendi",
    "Ödeme onayı",
]
_ICELANDIC_CZECH = [
    ("Þórður Guðmundsson", "cp1252"),
    ("Garðabær", "cp1252"),
    ("Sigurður Ýmir", "cp1252"),
    ("Hjörtur Þór", "cp1252"),
    ("Nový dodací list", "cp1250"),
    ("Starý účet", "cp1250"),
    ("Dobrý den", "cp1250"),
]


@pytest.mark.parametrize("declared", [b"", b"us-ascii", b"utf-8"])
@pytest.mark.parametrize("text", _TURKISH)
def test_turkish_without_a_label_is_read(text, declared):
    data = text.encode("cp1254")
    parsed = parse_message(_raw_mail(data, data, data, declared))
    assert (parsed.subject, parsed.from_name, [a.filename for a in parsed.attachments]) == (
        text,
        text,
        [text + ".pdf"],
    )


@pytest.mark.parametrize(("text", "codec"), _ICELANDIC_CZECH)
def test_icelandic_and_czech_letters_stay_theirs(text, codec):
    """Guard: ý, ð, þ of Icelandic and Czech text are not read as Turkish letters."""
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)
