"""Attacks on branch names6's reading of raw 8-bit names, subjects and filenames (branch
attackn6): text the branch reads worse than main. Every text here is written for the test,
none is fetched or copied from a scored set."""

import pytest
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# --- a. A small kana after a Han character or a numeral ----------------------------------
# names6 scores a small kana (っ ゃ ヶ ...) that follows no kana -1: "what wrong bytes land
# on". Japanese writes two of them after other characters all the time: the small "っ" of a
# verb's te-form and past after its Han stem, before a kana ("送って", "腐った", "待った"), and
# the counter "ヶ"/"ヵ" (read ka, ga) between a numeral or a Han character and a Han
# character ("1ヶ月", "3ヵ所", place names "関ヶ原", "茅ヶ崎"). main read them; names6 gave
# Shift_JIS's as Windows-1251 ("1ѓ–ЊЋ") and EUC-JP's as GBK ("楮仳葆").

_SMALL_KANA_AFTER_HAN = [
    ("送って", "shift_jis"),
    ("腐った", "shift_jis"),
    ("待って", "euc-jp"),
    ("1ヶ月", "shift_jis"),
    ("3ヵ月", "euc-jp"),
    ("一ヶ所", "shift_jis"),
    ("関ヶ原", "shift_jis"),
    ("茅ヶ崎", "euc-jp"),
    ("霞ヶ関", "euc-jp"),
]


@pytest.mark.parametrize(("text", "codec"), _SMALL_KANA_AFTER_HAN)
def test_a_small_kana_japanese_writes_after_han_stays_japanese(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# The counter starting a subject ("ヶ国語", "ヶ所") and the long-vowel mark that Japanese input
# methods give for a dash between Han characters or numerals ("東京ー大阪", "4ー2ー8" of an
# address): main read them, names6 gave Shift_JIS's as Windows-1251 ("ѓ–ЊЋ", "УМЛЮБ[СхНу").

_SMALL_KANA_STARTING_OR_AS_DASH = [
    ("ヶ国語", "shift_jis"),
    ("ヶ所", "euc-jp"),
    ("東京ー大阪", "shift_jis"),
    ("東京ー大阪", "euc-jp"),
    ("芝公園4ー2ー8", "shift_jis"),
]


@pytest.mark.parametrize(("text", "codec"), _SMALL_KANA_STARTING_OR_AS_DASH)
def test_a_counter_starting_a_subject_or_a_dash_mark_stays_japanese(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- b. Azerbaijani in Windows-1254 -----------------------------------------------------
# Windows-1254 is Azerbaijani's (Latin) ANSI code page as well as Turkish's, and Azerbaijani
# writes q and x beside its dotless ı and ğ ("Sadıq", "Musaxanlı", "Sumqayıt", "Qarabağlı").
# names6's vowel-harmony rule took any q or x in the word of an ı or ğ for another language's
# ý or ð: "Sumqayýt", "Qarabaðlý" (main read them).

_AZERBAIJANI = [
    "Sadıq Musaxanlı",
    "Sumqayıt",
    "Qarabağlı",
    "Tapdıqoğlu",
]


@pytest.mark.parametrize("text", _AZERBAIJANI)
def test_azerbaijani_q_and_x_beside_dotless_i_stay_windows_1254(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


# --- c. A Chinese word whose EUC-JP reading starts with a one-character Japanese surname --
# names6 scores a run of Han characters read by a Japanese charset that starts with a common
# Japanese surname as a name: the surname as a written character, one to three characters
# after it as a given name. Three of those surnames are one character (林, 森, 原), and GBK's
# 抗 and 斡 are EUC-JP's 森 and 林: any Chinese word of two to six characters starting with
# them read as a Japanese name ("抗体" was "森悶", "抗诉" "森盆", "斡旋" "林傴";
# main read them).

_CHINESE_WORDS_OF_A_JAPANESE_SURNAME = [
    "抗体",
    "抗生素",
    "抗病毒",
    "抗诉",
    "斡旋",
    "抗癌药",
]


@pytest.mark.parametrize("text", _CHINESE_WORDS_OF_A_JAPANESE_SURNAME)
def test_a_chinese_word_read_as_a_one_character_surname_stays_chinese(text):
    data = text.encode("gbk")
    assert_read_as(_raw_mail(data, data, data), text)


_JAPANESE_NAMES_OF_ONE_CHARACTER_SURNAMES = ["林 真", "森 裕子", "林健太郎", "森真一"]


@pytest.mark.parametrize("text", _JAPANESE_NAMES_OF_ONE_CHARACTER_SURNAMES)
def test_a_japanese_name_of_a_one_character_surname_stays_japanese(text):
    """Guard: such a name after a space or with a given name of two or more characters."""
    data = text.encode("euc-jp")
    assert_read_as(_raw_mail(data, data, data), text)
