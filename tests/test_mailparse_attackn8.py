"""Issue 14, raw 8-bit names without a label (branch attackn8, against names8): a Turkish
name or subject holding both "ş" and "ğ". Every text here is written for the test, none is
fetched or copied from a scored set."""

import pytest
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
