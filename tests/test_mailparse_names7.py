"""Issue 14, raw 8-bit names and subjects without a label (branch names7): Turkish words
whose "ı" follows a back vowel, and Czech "-ý" adjectives and surnames that must not become
Turkish once they compete. Every text here is written for the test, none is fetched or
copied from a scored set."""

import pytest
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# --- a. Turkish "-ı" after a back vowel ------------------------------------------------
# Windows-1254's "ı" is Windows-1252's "ý" (0xFD): "Sayfa adı" and a Czech "zlatý" are the
# same bytes. A Turkish word has no cluster of three consonants and starts with at most
# one consonant, or with a Western loan's cluster ("Fransız", "Program"): a Czech word
# holding "ý" often has both ("polský", "tvrdý", "zlatý", "hladký").

_TURKISH_BACK = [
    "Sayfa adı",
    "Kargo parası",
    "Hesap kartı",
    "Sipariş durumu",  # "ş" alone
    "Yazıcı arızası",
    "Fransızca kurs",
    "Fatura tarihi Batı",
    "Yol haritası",
    "Spor salonu kartı",
    "Slavca dersi notları",
]


@pytest.mark.parametrize("text", _TURKISH_BACK)
def test_turkish_dotless_i_after_a_back_vowel_is_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


_CZECH_BACK = [
    ("Jan Zlatý", "cp1250"),
    ("Marta Hladký", "iso-8859-2"),
    ("Ota Tvrdý", "cp1250"),
    ("polský zlatý", "cp1250"),
    ("bulharský", "iso-8859-2"),
    ("Karel Mladý", "cp1250"),
    ("Jan Hloupý", "iso-8859-2"),
    ("Dobrý", "cp1250"),
    ("Modrý", "iso-8859-2"),
    ("Petr Mokrý", "cp1250"),
    ("Starý", "cp1250"),
    ("Svatý", "iso-8859-2"),
]


@pytest.mark.parametrize(("text", "codec"), _CZECH_BACK)
def test_czech_y_after_a_back_vowel_stays_czech(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- b. Icelandic "ý" before a front vowel ---------------------------------------------
# Once Turkish competes at the smaller margin, a Windows-1252 "ý" followed in its word by
# "e", "ö" or "ü" must not be Turkish "ı": a Turkish suffix after "ı" keeps a back vowel
# (a loan suffix's "i", "Sırbistan", is not judged).

_ICELANDIC_Y = ["Týrkneska", "Nýtt verkefni", "Hýbýli"]


@pytest.mark.parametrize("text", _ICELANDIC_Y)
def test_icelandic_y_before_a_front_vowel_is_not_turkish(text):
    data = text.encode("cp1252")
    assert_read_as(_raw_mail(data, data, data), text)


# --- c. Turkish in capitals ------------------------------------------------------------
# Windows-1254's "İ", "Ğ" are Windows-1252's "Ý", "Ð" (0xDD, 0xD0). The pair statistics
# count "İ" as a word's first letter; inside a capital word it is an "i" ("DİĞER" is
# "diğer"), and was scored as a rare pair ("dİ", "İğ") or, in the harmony check, as an "i"
# and a combining dot (no vowel before "Ğ").

_TURKISH_CAPITALS = ["DİĞER", "Ahmet YİĞİT", "FATURA İPTALİ", "DİĞER BELGELER"]


@pytest.mark.parametrize("text", _TURKISH_CAPITALS)
def test_turkish_capital_words_are_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


_CAPITAL_GUARDS = [
    ("PETR VESELÝ", "cp1250"),
    ("JAN ZLATÝ", "iso-8859-2"),
    ("SKÝRSLA", "cp1252"),
    ("MÝRDALUR", "cp1252"),
]


@pytest.mark.parametrize(("text", "codec"), _CAPITAL_GUARDS)
def test_capital_y_of_other_languages_is_not_turkish(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- attackn7: Turkish compounds whose "y" starts the second part -------------------------
# Turkish writes two consonants before a word-part opening on "y" ("alt" + "yapı", "üst" +
# "yazı"): three consonants, none a Czech cluster, since Czech "y" is a vowel and seldom
# stands before one. Written for the test.
_TURKISH_Y_COMPOUNDS = [
    "Altyapı",
    "Altyapı sorunu",
    "Altyazı dosyası",
    "Üstyapı",
]


@pytest.mark.parametrize("text", _TURKISH_Y_COMPOUNDS)
def test_turkish_compound_on_y_is_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


_CZECH_Y_GUARDS = [("Jan Krytý", "cp1250"), ("Eva Skrytý", "iso-8859-2"), ("Petr Tvrdý", "cp1250")]


@pytest.mark.parametrize(("text", "codec"), _CZECH_Y_GUARDS)
def test_czech_y_vowel_clusters_stay_czech(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# A liquid or "n", then a stop, then a consonant before a vowel is a Turkish syllable
# boundary ("kart-ları", "sırt-lan", "san-tralı"); Czech "-ský", Icelandic "skýrsla" keep
# their cluster before "ý" or with an "s" inside. Written for the test.
_TURKISH_SONORANT_CLUSTERS = [
    "Kredi kartları",
    "Yurtları",
    "Sırtlan",
    "Santralı",
    "Kontratı",
]


@pytest.mark.parametrize("text", _TURKISH_SONORANT_CLUSTERS)
def test_turkish_sonorant_cluster_is_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


@pytest.mark.parametrize(
    ("text", "codec"), [("Skýrsla", "cp1252"), ("Jan Polský", "cp1250"), ("Hanzlý", "iso-8859-2")]
)
def test_clusters_of_other_languages_stay(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)
