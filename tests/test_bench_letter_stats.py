"""bench/build_letter_stats.py counts letters, words and word ends the way
``mailparse.charsets`` reads them (issue 14): a Thai vowel or tone mark goes on a word
("ค่า" is one word of three letters), a Thai digit is no letter."""

import sys
from pathlib import Path

from mailparse import charsets

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import build_letter_stats
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return build_letter_stats


def test_a_thai_word_with_a_tone_mark_is_one_word():
    low, high = _builder().SCRIPTS["thai"][1]
    letters, pairs = _builder().counts("ค่า ก", low, high)
    # "ค่า": pairs inside the word and its end; "ก": a one-letter word.
    assert dict(pairs) == {"ค่": 1, "่า": 1, "า ": 1, " ก": 1}
    assert dict(letters) == {"ค": 1, "่": 1, "า": 1, "ก": 1}


def test_thai_digits_are_no_letters():
    low, high = _builder().SCRIPTS["thai"][1]
    letters, pairs = _builder().counts("๑๒ คน", low, high)
    assert "๑" not in letters and not any("๑" in pair for pair in pairs)
    assert dict(pairs) == {"คน": 1, "น ": 1}


def test_the_builder_and_the_reader_agree_on_what_a_letter_is():
    low, high = _builder().SCRIPTS["thai"][1]
    for code in range(low, high + 1):
        char = chr(code)
        assert _builder().is_letter(char) == charsets._is_letter(char), hex(code)
