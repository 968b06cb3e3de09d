"""Issue 14, raw 8-bit names without a label (branch attackn8, against names8): a Turkish
name or subject holding both "ş" and "ğ". Every text here is written for the test, none is
fetched or copied from a scored set."""

import pytest
from mailparse.charsets import decode_8bit
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# Windows-1254's "ş" and "ğ" are Windows-1252's Icelandic "þ" and "ð" (0xFE, 0xF0). The
# pairs favour Icelandic on both ("ða" over "ğa", "þe" over "şe"), so judged on the pairs
# alone a Turkish text holding both reads Icelandic ("Ayþe Doðan"), though no word of it
# breaks Turkish harmony or syllables and it holds no letter Turkish does not write.

_TURKISH_S_AND_SOFT_G = [
    "Ayşe Doğan",
    "Uğur Şahin",
    "Doğan Şahin",
    "Şeyma Oğuz",
    "Yiğit Şahin",
    "Tuğba Şimşek",
    "Oğuzhan Şahin",
    "Ayşe Erdoğan",
    "Şubat ayı doğum günü",
    "Doğum günü kutlaması - Şule",
]


@pytest.mark.parametrize("codec", ["cp1254", "iso-8859-9"])
@pytest.mark.parametrize("text", _TURKISH_S_AND_SOFT_G)
def test_turkish_s_and_soft_g_stay_turkish(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# Guards of the other side: an Icelandic "Þ" word whose only tell is a shape Turkish words
# do not take (a voiced stop last: "Þorbjörg") stays Icelandic; a Turkish "ş" name ending
# in "-ad" ("Dilşad", "Kürşad") stays Turkish, the pairs favouring it.

_THORN_BY_SHAPE = ["Þorbjörg", "ÞORBJÖRG", "Þorbjörg Helgadóttir"]


@pytest.mark.parametrize("text", _THORN_BY_SHAPE)
def test_icelandic_thorn_word_by_its_shape(text):
    data = text.encode("cp1252")
    assert_read_as(_raw_mail(data, data, data), text)


@pytest.mark.parametrize("text", ["Dilşad", "Kürşad Demir", "Reşad", "Şad"])
def test_turkish_names_in_ad_stay_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


# --- Japanese: a katakana particle or a small "ッ" closing a casual phrase ----------------
# names8 scores a katakana letter with no katakana beside it and hiragana on one side as no
# word (Big5's "本月" is EUC-JP's "セる"). Casual Japanese writes a sentence-final particle
# ("ネ", "ヨ", "ゾ", "ナ", "カ") or the emphatic small "ッ" in katakana after hiragana, at
# the end of the phrase: "見てネ" in EUC-JP read as GB2312's "葦化生".

_KATAKANA_FINALS = ["見てネ", "いいネ", "来てネ", "行くゾ", "あッ", "えッ", "Re: いいネ"]


@pytest.mark.parametrize("codec", ["euc-jp", "shift_jis"])
@pytest.mark.parametrize("text", _KATAKANA_FINALS)
def test_katakana_particle_ending_a_phrase_is_japanese(text, codec):
    data = text.encode(codec)
    assert decode_8bit(data) == text


@pytest.mark.parametrize("text", ["本月", "月份", "Re: 本月", "中文"])
def test_big5_is_still_no_kana(text):
    assert decode_8bit(text.encode("big5")) == text
