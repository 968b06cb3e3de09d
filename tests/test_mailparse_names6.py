"""Issue 14, raw 8-bit names and subjects without a label (branch names6): classes the
charset detector still read wrong after names5. Every text here is written for the test,
none is fetched or copied from a scored set."""

import pytest
from mailparse.charsets import decode_8bit
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# --- a. Turkish vowel harmony ----------------------------------------------------------
# Windows-1254's dotless "ı" is Windows-1252's and Windows-1250's "ý" (both 0xFD). Since
# names5 Windows-1254's reading competes by letter pairs, and "lı", "ı " are among Turkish's
# most frequent: a Czech surname in "-lý" ("Veselý") became "Veselı". A Turkish word does not
# write it so: its vowels agree, and "ı" (a back vowel) never follows a front one (e, i, ö,
# ü) in a word; "ğ" always follows a vowel. A Turkish reading breaking either is no Turkish.

_CZECH_Y = [
    ("Petr Veselý", "cp1250"),
    ("Emil Veselý", "iso-8859-2"),
    ("Veselý Jiří", "cp1250"),
    ("Ing. Petr Veselý (Praha)", "iso-8859-2"),
    ("Helena Veselý", "cp1250"),
    ("Ivo Chudý", "cp1250"),
]


@pytest.mark.parametrize(("text", "codec"), _CZECH_Y)
def test_czech_y_after_a_front_vowel_is_not_turkish(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


_TURKISH_HARMONY = [
    "Kullanıcı hesabı",
    "Dosya adı",
    "Yıllık rapor",
    "Kargo ücreti",
]


@pytest.mark.parametrize("text", _TURKISH_HARMONY)
def test_turkish_words_that_keep_harmony_are_turkish(text):
    data = text.encode("cp1254")
    assert_read_as(_raw_mail(data, data, data), text)


# --- b. Turkish capital İ -------------------------------------------------------------
# "İ".lower() is "i" and a combining dot: the letter-pair fit read the dot as a sign inside
# a word (the penalty of "indoné¹tina"), and every Turkish word starting with "İ" was read
# as Windows-1252's "Ý" ("Ýngiliz", "Ýstanbul").

_TURKISH_DOTTED = ["İstanbul şubesi", "İzmir", "İade talebi", "İngiliz Sterlini", "İşlem İptali"]


@pytest.mark.parametrize("text", _TURKISH_DOTTED)
def test_turkish_capital_dotted_i_is_turkish(text):
    assert decode_8bit(text.encode("cp1254")) == text


# --- c. A lone kana among Han characters -----------------------------------------------
# A kana scores 1.5 in a Japanese charset (kana text is what tells Japanese from Chinese).
# Big5's commonest row (A4: "一", "元", "月") is EUC-JP's hiragana row, and two Thai letters
# are an EUC-JP Han character and a kana: one kana among Han outweighed every other reading
# ("港元" was "岩じ", "ราคา" "智ひ"). A kana alone between non-kana characters is no more
# evidence than a common Han character, and a small kana (ゃ ゅ ょ っ ァ ィ ...) only
# follows another kana: after anything else it is what wrong bytes land on.

_LONE_KANA_MISREAD = [
    ("港元", "big5"),
    ("澳元", "big5"),
    ("退款 港元", "big5"),
    ("ราคา", "cp874"),
    ("ใบแจ้งหนี้ ราคา", "cp874"),
]


@pytest.mark.parametrize(("text", "codec"), _LONE_KANA_MISREAD)
def test_a_lone_kana_does_not_make_big5_or_thai_japanese(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


_JAPANESE_KANA = [
    ("見積り", "euc-jp"),
    ("見積り", "shift_jis"),
    ("申込み", "euc-jp"),
    ("山田さん", "euc-jp"),
    ("請求書について", "shift_jis"),
    ("お見積りのご依頼", "euc-jp"),
    ("キャンセル", "euc-jp"),
    ("ジョブ", "shift_jis"),
]


@pytest.mark.parametrize(("text", "codec"), _JAPANESE_KANA)
def test_japanese_with_kana_stays_japanese(text, codec):
    """Guard: okurigana after Han, kana words, small kana after their kana."""
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- d. Japanese personal names in EUC-JP -----------------------------------------------
# EUC-JP's Han rows are GB2312's: a Japanese name's bytes read as Chinese land on common
# characters ("山田太郎" was "怀拍吕虾"), while the name's own characters (田, 郎, 佐, 藤) are
# ones a user interface's translations hardly write, which cjk_chars.json marks down. Names
# score by their rows alone, as Chinese names do (names5): a run of Han characters read by a
# Japanese charset that starts with a common Japanese surname, and the given name after it.

_JAPANESE_NAMES = ["山田太郎", "佐藤", "鈴木一郎", "高橋 健一", "田中美咲", "渡辺 直子"]


@pytest.mark.parametrize("text", _JAPANESE_NAMES)
def test_a_japanese_name_in_euc_jp_is_japanese(text):
    data = text.encode("euc-jp")
    assert_read_as(_raw_mail(data, data, data), text)


_CHINESE_NAMES = [("王小明", "gbk"), ("林志玲", "gbk"), ("陳大文", "big5"), ("张伟", "gbk")]


@pytest.mark.parametrize(("text", "codec"), _CHINESE_NAMES)
def test_a_chinese_name_stays_chinese(text, codec):
    """Guard: the Japanese surnames do not draw Chinese names' bytes."""
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# --- e. A Chinese surname glued to a given name in pinyin ----------------------------------
# "王xiaoming": one Han character before small Latin letters. hdrs4's rule for Latin words
# whose first two accented letters a CJK charset reads as one character ("Šárka" as
# Shift_JIS "眼rka") took GBK's "王" (CD F5) for Windows-1252's "Íõ": "Íõxiaoming". The
# second letter must also form with the Latin letter after it a pair a Latin language
# writes ("ár", not "õx"); and a common surname so glued scores as a written character.

_PINYIN_NAMES = [
    ("王xiaoming", "gbk"),
    ("李xiaolong", "gbk"),
    ("张wei", "gbk"),
    ("陳xiaowen", "big5"),
]


@pytest.mark.parametrize(("text", "codec"), _PINYIN_NAMES)
def test_a_chinese_surname_glued_to_pinyin_stays_chinese(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)
