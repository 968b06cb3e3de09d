"""Attacks on the stray Windows-1252 byte rules (issue 14, branch hdrs3)."""

from mailparse.charsets import decode_8bit

# --- UTF-8 cut by a gateway's byte limit right after a Latin word: the lead byte of the
# cut character is no Windows-1252 letter when the text is no Latin text (a CJK or
# Cyrillic one) or the character cut is a four-byte one (an emoji after a word).


def test_an_emoji_cut_after_a_word_shows_the_cut():
    assert decode_8bit("Grüße und Danke😊".encode()[:-3]) == "Grüße und Danke\ufffd"


def test_a_cjk_character_cut_after_a_latin_word_in_cyrillic_text_shows_the_cut():
    assert decode_8bit("Привет Windows版".encode()[:-2]) == "Привет Windows\ufffd"


def test_a_stray_letter_after_a_latin_word_in_latin_text_is_still_read():
    assert decode_8bit("Grüße – café".encode()[:-2] + b"\xe9") == "Grüße – café"
