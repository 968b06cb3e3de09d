"""Attack on names5 (issue 14): raw 8-bit names and subjects without a label that names5
reads wrong though main read them right. Every text here is written for the test, none is
fetched or copied from a scored set."""

import pytest
from mailparse import parse_message
from test_mailparse_hdrs4 import _raw_mail, assert_read_as

# Thai is written without spaces between words, as CJK text is: a Latin brand or acronym
# stands glued to the Thai words around it ("ใบเสนอราคาiPhone", "ลูกค้าVIP"). names5's
# penalty for ASCII letters glued to a non-Latin alphabet's ones in one word took such a
# subject's right reading below a CJK charset's ("禳猜考智ひiPhone").
_THAI_GLUED = ["ใบเสนอราคาiPhone 15", "ลูกค้าVIP", "สั่งซื้อNotebookด่วน", "บริษัทABCจำกัด"]


@pytest.mark.parametrize("text", _THAI_GLUED)
def test_thai_glued_to_a_latin_word_is_read(text):
    data = text.encode("cp874")
    assert_read_as(_raw_mail(data, data, data), text)


# A Chinese name is a surname and one or two given-name characters. cjk_chars.json holds
# the characters Odoo's translations write: the most common surnames (刘, 杨, 赵, 吴, 郭)
# and the given-name characters (俊, 鑫, 燕, 娟) are no words of a user interface. names5
# scored them as level-2 characters, and a GBK name read right on main lost to Korean,
# Cyrillic or Big5 readings of its bytes ("刘俊杰" as "증에쌤", "杨鑫" as "СоцО").
_CHINESE_NAMES = [
    ("刘俊杰", "gbk"),
    ("杨鑫", "gbk"),
    ("黄丽娟", "gbk"),
    ("吴佩琪", "gbk"),
    ("郭靖", "gbk"),
    ("韩梅梅", "gbk"),
    ("蒋欣", "gbk"),
    ("潘玮柏", "gbk"),
    ("杜鹃", "gbk"),
]


@pytest.mark.parametrize(("text", "codec"), _CHINESE_NAMES)
def test_chinese_personal_names_are_read(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# A Cyrillic or Greek word one letter of which was typed as its Latin look-alike (Latin
# "O" in "Oтчет", "C" in "Cмирнов": a layout left on Latin for one key, a Greek capital's
# Latin twin) is the sender's text. names5's glued-word penalty took each letter of such a
# word and a lone word read as GBK ("O蝼弪"). Look-alike capitals and small letters (A B C E
# H K M O P T X Y, a c e o p x y) glued to that script are no other charset's misreading;
# "Инћek" (Windows-1251's "Čížek") glues "k", which is none.
_LOOK_ALIKE = [("Oтчет", "cp1251"), ("Cчет", "cp1251"), ("Pасход", "cp1251")]


@pytest.mark.parametrize(("text", "codec"), _LOOK_ALIKE)
def test_a_latin_look_alike_in_a_cyrillic_word_is_read(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


# names5 keeps Shift_JIS and Big5 readings whose trail byte is 0x40 ("@"), unless a letter
# or digit follows: that "@" was still taken for an address's. A Japanese or Chinese word
# glued to a Latin code or number after such a character ("病院A棟": 院 is 89 40, "印刷機A3",
# "警察110番", "統一PC": 一 is A4 40) was refused its charset. An address's "@" is followed by
# a domain, a dotted name ending in letters; a raw 8-bit local part keeps its "@" for that.
_AT_TRAIL_BEFORE_ALNUM = [
    ("病院A棟", "shift_jis"),
    ("印刷機A3対応", "shift_jis"),
    ("警察110番", "shift_jis"),
    ("統一PC 報價單", "big5"),
    ("第一2號", "big5"),
]


@pytest.mark.parametrize(("text", "codec"), _AT_TRAIL_BEFORE_ALNUM)
def test_an_at_trail_byte_before_a_latin_word_is_read(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data, data, data), text)


@pytest.mark.parametrize(
    ("name", "address", "codec"),
    [("André", "andré@exemple.fr", "latin-1"), ("Иван", "иван@mail.ru", "cp1251")],
)
def test_an_eight_bit_local_part_keeps_its_at(name, address, codec):
    """Guard: "é@e" is no Shift_JIS character when a domain follows."""
    raw = (
        b'From: "' + name.encode(codec) + b'" <' + address.encode(codec) + b">\r\n"
        b"Subject: " + name.encode(codec) + b"\r\n\r\nhi\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_name, parsed.subject, parsed.from_email) == (name, name, address)
