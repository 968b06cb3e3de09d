"""Attacks on the declared label that reads a few letters (issue 14): labels lie, gateways
cut UTF-8, and a part's label may disagree with the message's. Each case is read right by
the statistics alone; a declared label must not make it worse."""

import pytest
from mailparse.charsets import decode_8bit

# Latin words (a Latin letter beside the accented one) under a label of another script: the
# label's reading mixes scripts within a word ("йl", "Сu"), no word of that script.
LATIN = ["él", "ça", "Öl", "Ñu"]
WRONG_LABELS = ["windows-1251", "koi8-r", "iso-8859-5", "windows-1253", "windows-1256"]


@pytest.mark.parametrize("label", WRONG_LABELS)
@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1", "windows-1254"])
@pytest.mark.parametrize("text", LATIN)
def test_latin_words_under_a_label_of_another_script(text, charset, label):
    assert decode_8bit(text.encode(charset), label) == text


# Real UTF-8 cut inside a multi-byte character by a gateway's byte limit (2, 3 and 4-byte
# sequences): the legacy label's reading of it is mojibake ("Р–С", "аЏб", "аёЃС"), not
# letters of one script cased as words are: the cut UTF-8 stays, with its mark.
CUT_HEADS = ["Ж", "ДС", "Ди", "Ёж", "Μα", "שם", "ก", "张", "日本", "ñ"]
CUT_LABELS = ["windows-1251", "koi8-r", "iso-8859-5", "windows-1253", "windows-1256"]
CUT_LABELS += ["windows-874", "gb2312", "shift_jis"]


def _cuts(head):
    for tail in ("ё", "日", "😀"):
        full = (head + tail).encode("utf-8")
        for cut in range(1, len(tail.encode("utf-8"))):
            yield full[:-cut]


@pytest.mark.parametrize("label", CUT_LABELS)
@pytest.mark.parametrize("head", CUT_HEADS)
def test_utf8_cut_short_under_a_legacy_label_stays_utf8(head, label):
    for raw in _cuts(head):
        assert decode_8bit(raw, label) == head + "\ufffd", raw


# A part's label and the message's naming different charsets: at most one of them is
# right, so neither wins outright; the statistics decide between them, as without the rule.
CONFLICTS = [
    ("НДС", "windows-1251", ("koi8-r", "windows-1251")),
    ("Fw: ПО", "cp866", ("windows-1251", "cp866")),
    ("Re: ИП 2024", "koi8-r", ("windows-1251", "koi8-r")),
    ("ТЗ.docx", "koi8-r", ("windows-1251", "koi8-r")),
    ("счёт", "cp866", ("koi8-r", "cp866")),
    ("да", "windows-1251", ("koi8-r", "windows-1251")),
]


@pytest.mark.parametrize("text,charset,labels", CONFLICTS)
def test_a_parts_label_and_the_messages_that_disagree(text, charset, labels):
    assert decode_8bit(text.encode(charset), *labels) == text


# A short word is a known one only as words are cased: "сО" (KOI8-R "Ян" read as
# Windows-1251) is the small word "со" in no text, and must not outscore the name.
@pytest.mark.parametrize("text", ["Ян", "Re: Ян", "Ян Ли"])
@pytest.mark.parametrize("labels", [(), ("iso-8859-1",)])
def test_a_mis_cased_short_word_is_no_known_word(text, labels):
    assert decode_8bit(text.encode("koi8-r"), *labels) == text


# A label of another script that reads the bytes as letters text hardly writes ("ΐκς" at
# a word's start, Thai "ฑใๅ"): the label lies, the statistics decide.
LYING = [
    ("Акт", "windows-1251", "windows-1253"),
    ("Акт", "windows-1251", "iso-8859-7"),
    ("Бух", "iso-8859-5", "windows-874"),
]


@pytest.mark.parametrize("text,charset,label", LYING)
def test_a_label_whose_reading_text_hardly_writes(text, charset, label):
    raw = text.encode(charset)
    assert decode_8bit(raw, label) == text
