"""Attack on the letter-statistics detector (issue 14): Western text whose only 8-bit byte
is a typographic sign standing between spaces or digits. Read as a seldom-sent charset
(CP866, Windows-874, ...) that byte is a letter standing alone, which the statistics score
as a one-letter word; one letter alone is no evidence of a script, so such text must stay
as Windows-1252 (or its declared Latin label) reads it, as it did before the detector."""

import pytest
from mailparse.charsets import decode_8bit, decode_body

# One typographic sign between spaces or digits, nothing else 8-bit.
WESTERN = [
    "Widerspruch nach § 5 AGB",  # CP866 "з"
    "Angebot … Preise",  # CP866 "Е"
    "Ticket 4711 · Status offen",  # Windows-874 "ท"
    "Promillegrenze 0,5 ‰",  # CP866 "Й"
    "Zitat „ 42 “ bitte",  # CP866 "Д", "У"
]


@pytest.mark.parametrize("text", WESTERN)
@pytest.mark.parametrize("label", [None, "iso-8859-1"])
def test_lone_sign_in_raw_header_stays_latin(text, label):
    assert decode_8bit(text.encode("cp1252"), label) == text


@pytest.mark.parametrize("text", WESTERN)
@pytest.mark.parametrize("label", [None, "iso-8859-1"])
def test_lone_sign_in_body_stays_latin(text, label):
    body = ("Hallo,\r\n\r\n" + text + "\r\n\r\nGruss\r\n").encode("cp1252")
    assert decode_body(body, label) == body.decode("cp1252")


# Serbian and Macedonian write Cyrillic letters Russian, Ukrainian and Bulgarian do not
# ("ђ", "ј", "ћ", "љ", "њ", "џ", "ќ", "ѓ"); the letter statistics count only those three
# languages, so a letter they never saw must not make Windows-1251 lose to CP866's box
# drawing or to Hebrew.
SERBIAN = ["Ђорђе Јовановић", "Његош Петровић", "Љубица Ђурић", "Ђоковић", "Јелена"]


@pytest.mark.parametrize("text", SERBIAN)
def test_serbian_cyrillic_raw_name(text):
    assert decode_8bit(text.encode("cp1251")) == text


@pytest.mark.parametrize("text", SERBIAN)
def test_serbian_cyrillic_undeclared_body(text):
    body = (text + "\r\n").encode("cp1251")
    assert decode_body(body) == text + "\r\n"


# Two signs side by side are a two-letter capital word in CP866 ("……" is "ЕЕ", "„“" is
# "ДУ"): too little to pick a charset mail is seldom sent in over Windows-1252.
PAIRED_SIGNS = ["…….txt", "„“.doc", "Re: …… bitte"]


@pytest.mark.parametrize("text", PAIRED_SIGNS)
def test_two_signs_side_by_side_stay_latin(text):
    assert decode_8bit(text.encode("cp1252")) == text
    body = ("Hallo\r\n" + text + "\r\n").encode("cp1252")
    assert decode_body(body) == body.decode("cp1252")


# A declared label that names a script is not overridden by another script's reading of a
# two-letter word (Russian abbreviations read as Greek "ΦΑ", "ΧΟ" or KOI8-R "жа", "во").
@pytest.mark.parametrize("word", ["ЦБ", "ЧП"])
def test_short_word_under_declared_cyrillic_label(word):
    text = "Re: " + word + " 2024"
    assert decode_8bit(text.encode("cp1251"), "windows-1251") == text


# ISO-8859-2 puts "Ž", "Š", "Ť" where Windows-1250 and -1252 put "®", "©", "«": the marks
# "®", "©", "™" follow a word or stand alone, they never lead one.
CZECH = ["Žádná země nenalezena!", "Šířka stránky (mm)", "K - FINANČNÍ A POJIŠŤOVACÍ ČINNOSTI"]


@pytest.mark.parametrize("text", CZECH)
def test_czech_iso_8859_2_capitals_are_no_marks(text):
    assert decode_8bit(text.encode("iso8859-2")) == text
    assert decode_body((text + "\r\n").encode("iso8859-2")) == text + "\r\n"


@pytest.mark.parametrize("text", ["Logo Relais®.png", "Office™ 365 für Sie"])
def test_marks_after_a_word_stay_marks(text):
    assert decode_8bit(text.encode("cp1252")) == text


# A few letters under a declared label that names their script: the statistics of running
# text cannot judge a word of two or three letters (an abbreviation's pairs are no pairs of
# running text), so the declared charset reads it when its reading is letters of one
# script, cased as words are; no other charset's reading of so few bytes outweighs it.
SHORT_DECLARED = [
    ("Re: РФ 2024", ("windows-1251", "koi8-r", "cp866", "iso-8859-5")),
    ("Re: ГФ 2024", ("windows-1251", "koi8-r", "cp866", "iso-8859-5")),
    ("ООО Ромашка", ("windows-1251", "koi8-r", "cp866")),
    ("НДС 20%", ("windows-1251", "koi8-r", "cp866")),
    ("Fwd: ДФ", ("windows-1251", "koi8-r", "cp866")),
    ("Μαΐ 2024", ("windows-1253",)),
    ("พทคะ", ("cp874",)),
]
# ... and bytes that happen to be UTF-8 cut inside its last character (a gateway's byte
# limit) are read by a declared label of another script that reads them as its letters.
CUT_UTF8_LOOKALIKES = [("умбунду", "cp866"), ("เซนา", "cp874"), ("такри", "cp866")]


@pytest.mark.parametrize(
    "text,label", [(text, label) for text, labels in SHORT_DECLARED for label in labels]
)
def test_a_few_letters_under_a_declared_label_of_their_script(text, label):
    assert decode_8bit(text.encode(label), label) == text


@pytest.mark.parametrize("text,label", CUT_UTF8_LOOKALIKES)
def test_a_declared_label_before_utf8_cut_short(text, label):
    raw = text.encode(label)
    assert decode_8bit(raw, label) == text
    # real UTF-8 cut inside its last character stays what it was, under any label
    cut = (text + "ё").encode("utf-8")[:-1]
    assert decode_8bit(cut, label) == text + "\ufffd"


# Russian abbreviations without a label: their capitals are the initials of words, so the
# pairs of running text say nothing of them ("НДС": "нд", "дс"); read by the other Cyrillic
# charset they are a short word in small letters ("оду", "ннн") that real text does not
# write. Judged as words, they are read in the charset they were written in.
ABBREVIATIONS = ["ООО", "ОАО", "ЗАО", "НДС", "ИНН", "КПП", "РФ", "БИК", "СНГ", "МВД", "ГОСТ"]
ABBREVIATIONS += ["ОГРН", "ЭДО", "ФИО", "СМС"]


@pytest.mark.parametrize("charset", ["koi8-r", "windows-1251"])
@pytest.mark.parametrize("word", ABBREVIATIONS)
def test_an_undeclared_russian_abbreviation_is_read(word, charset):
    for text in (word, "Re: " + word + " 2024", "Счет " + word):
        assert decode_8bit(text.encode(charset)) == text
