"""Issue 14, raw 8-bit names and subjects without a label (branch names8): the readings
names7 left as trades, each taken back by a rule of the language's structure. Every text
here is written for the test, none is fetched or copied from a scored set."""

import pytest
from mailparse.charsets import plausibility
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# --- a. Turkish rounding harmony ----------------------------------------------------------
# Windows-1254's "ı" is Windows-1250's and Windows-1252's "ý" (0xFD). A Turkish high vowel
# after a rounded one (o, u) is rounded ("okulu", "sorunu", "Doktoru"): an "ı" whose vowel
# before is "o" or "u" breaks the harmony as an "ı" after a front vowel does. Czech "-ý"
# after "o" or "u" ("Krutý", "Holý", "Nový", "Hustý") is that shape.

_CZECH_ROUNDED = [
    ("Petr Krutý", "cp1250"),
    ("Krutý osud", "iso-8859-2"),
    ("Jana Holý", "cp1250"),
    ("Pavel Hustý", "iso-8859-2"),
    ("Tlustý", "cp1250"),
    ("Bosý", "iso-8859-2"),
    ("Prostý", "cp1250"),
]


@pytest.mark.parametrize(("text", "codec"), _CZECH_ROUNDED)
def test_czech_y_after_a_rounded_vowel_is_not_turkish(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


_TURKISH_ROUNDED_GUARDS = [
    "Kuveyt Dinarı",  # "ı" after "a"
    "Toplantı notları",
    "Kurtarıcı",
    "Soğukkanlı",
    "Boğazı",
    "Sorunu çözüldü",
    "Bozkır",  # a compound: its second part's own harmony
    "Doğukan Soğukpınar",
]


@pytest.mark.parametrize("text", _TURKISH_ROUNDED_GUARDS)
def test_turkish_rounded_words_stay_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


# --- b. Icelandic "Þ" is no Turkish "Ş" -----------------------------------------------------
# Windows-1252's "Þ", "þ" are Windows-1254's "Ş", "ş" (0xDE, 0xFE). A Turkish word holding
# "ş" keeps Turkish syllables as one holding "ı" does: no three consonants in a row but at a
# syllable break ("Türk-çe", "kart-lar"; no "ng" closes a Turkish syllable), no opening
# cluster but a loan's; Icelandic "Þorsteinn", "Þröstur", "Þingvellir" have them.

_ICELANDIC_THORN = [
    "Þorsteinn Jónsson",
    "Þröstur",
    "Þingvellir",
    "Þriðjudagur",
    "Fundur á Þingvöllum",
]


@pytest.mark.parametrize("text", _ICELANDIC_THORN)
def test_icelandic_thorn_is_not_turkish(text):
    data = text.encode("cp1252")
    assert_read_as(_raw_mail(data, data, data), text)


_TURKISH_S_GUARDS = [
    "Perşembe",
    "Çarşamba toplantısı",
    "Eskişehir",
    "Şikayet",
    "Türkçe",
    "Kongre şubesi",
    "Şampiyonlar",
    "Kahramanmaraş",
]


@pytest.mark.parametrize("text", _TURKISH_S_GUARDS)
def test_turkish_s_words_stay_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


# --- c. A Turkish syllable break before an inner "ı" ----------------------------------------
# "Kırk-pı-nar", "Yurt-dı-şı": a liquid or "n", a consonant, then one before an "ı" that does
# not end the word is a syllable break as before any other vowel; Czech "-nzlý", "-lský" end
# the word on "ý" and still break.

_TURKISH_INNER_BREAK = ["Kırkpınar", "Kırkpınar güreşleri", "Yurtdışı"]


@pytest.mark.parametrize("text", _TURKISH_INNER_BREAK)
def test_turkish_break_before_an_inner_dotless_i(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


@pytest.mark.parametrize(("text", "codec"), [("Hanzlý", "cp1250"), ("Jan Polský", "iso-8859-2")])
def test_czech_final_y_after_a_cluster_stays(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- d. Turkish "ğ" against Icelandic "ð" -------------------------------------------------
# Windows-1254's "ğ" is Windows-1252's "ð" (0xF0), a letter only Icelandic (and Faroese)
# writes, and far more often than Turkish writes "ğ": the pairs took "Doğu" for "Doðu".
# Where the readings differ by that letter alone and each word so read keeps Turkish vowel
# harmony, Turkish (far the more frequent mail) wins unless Icelandic reads much better.

_TURKISH_SOFT_G = [
    "Doğu",
    "Hatice Doğan",
    "Oğuz Kaya",
    "Soğuk hava deposu",
    "Yağmur",
    "Kocaoğlu",
    "Niğde",
    "Yolculuğu",
    "Buğday fiyatı",
]


@pytest.mark.parametrize("text", _TURKISH_SOFT_G)
def test_turkish_soft_g_is_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


_ICELANDIC_ETH = [
    "Veður",  # "e", "u": no harmony
    "Sigurður",
    "Aðalsteinn",
    "Blaðið",
    "Friðrik Ólafsson",
    "Miðvikudagur",
    "Þórður",
    "Egilsstaðir",
    "Jóhann Guðmundsson",  # "ó": no Turkish letter
    "Rauður",  # "au": no Turkish vowels
    "Staður",  # "st": no Turkish opening
    "Suðurland",  # a voiced stop last: Turkish writes it unvoiced
    "Goðafoss",  # a double consonant last
]


@pytest.mark.parametrize("text", _ICELANDIC_ETH)
def test_icelandic_eth_stays_icelandic(text):
    data = text.encode("cp1252")
    assert_read_as(_raw_mail(data, data, data), text)


# --- e. Big5 read as two kana ---------------------------------------------------------------
# Big5's rows A4 and A5 ("中", "文", "月", "本") are EUC-JP's hiragana and katakana rows. A
# small "ゃ", "ゅ", "ょ" follows only a kana of the i column ("きゅ", "しょ"; loans "テュ",
# "フュ"): "中文" is no "いゅ". A katakana letter alone beside hiragana is no Japanese word
# (a katakana word takes a hiragana ending: "メモる"): "本月" is no "セる".

_BIG5_WORDS = ["本月", "中文", "本月報告", "中文版"]


@pytest.mark.parametrize("text", _BIG5_WORDS)
def test_big5_is_not_two_kana(text):
    data = text.encode("big5")
    assert_read_as(_raw_mail(data, data, data), text)


_KANA_GUARDS = [
    ("メモる", "euc-jp"),
    ("サボる", "shift_jis"),
    ("きょうの会議", "euc-jp"),
    ("しゅくだい", "euc-jp"),
    ("ジュースの注文", "shift_jis"),
    ("フュージョン", "euc-jp"),
    ("テストを送って", "euc-jp"),
    ("チェックしました", "shift_jis"),
]


@pytest.mark.parametrize(("text", "codec"), _KANA_GUARDS)
def test_japanese_kana_words_stay_japanese(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- f. A Japanese name written with an ideographic space -------------------------------------
# Japanese writes a full name with the ideographic space (U+3000) between surname and given
# name as often as with none: "山田　太郎" in EUC-JP was GB2312's "怀拍　吕虾".

_SPACED_NAMES = ["山田　太郎", "佐藤　花子", "鈴木　一郎", "田中　美咲"]


@pytest.mark.parametrize("codec", ["euc-jp", "shift_jis"])
@pytest.mark.parametrize("text", _SPACED_NAMES)
def test_japanese_name_with_an_ideographic_space(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


@pytest.mark.parametrize("text", ["このメールは", "のデータを", "すごーい"])
@pytest.mark.parametrize("codec", ["euc_jis_2004", "cp932"])
def test_a_katakana_word_with_its_long_vowel_mark_is_no_lone_letter(text, codec):
    """A katakana word ("メール") holds the long-vowel mark "ー" after its first letter:
    scored as every kana between kana is (1.5), not as a lone letter beside hiragana."""
    assert plausibility(text, codec) == 1.5
