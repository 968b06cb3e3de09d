"""UTF-8 text with stray Windows-1252 bytes (issue 14): a word or sign pasted from a legacy
editor into a UTF-8 name, subject or body. Read before as a whole in another single-byte
charset (Windows-1250 mojibake for every UTF-8 letter: "Ă¤Ă¶ĂĽ"), or with the UTF-8 signs
beside it as Windows-1252 mojibake ("â€“"), or a last stray letter as a cut character
("caf\ufffd"). Valid UTF-8 stays UTF-8; the stray bytes read as Windows-1252."""

from mailparse import parse_message
from mailparse.charsets import decode_8bit, decode_body


def _stray(text: str, *signs: str) -> bytes:
    """``text`` in UTF-8, the first of each of ``signs`` in Windows-1252."""
    data = text.encode()
    for sign in signs:
        data = data.replace(sign.encode(), sign.encode("cp1252"), 1)
    return data


def test_a_body_of_utf8_with_stray_bytes_is_utf8():
    data = _stray("Here it goes - äöü - 差出人 Here it goes - äöü - hi", "ä", "ö", "ü")
    assert decode_body(data, "") == "Here it goes - äöü - 差出人 Here it goes - äöü - hi"


def test_a_body_under_an_unknown_label_with_a_stray_soft_hyphen_is_utf8():
    data = "Grüße aus Köln – die Übersicht folgt.".encode() + b" \xad"
    assert decode_body(data, "x-unknown") == "Grüße aus Köln – die Übersicht folgt. \xad"


def test_a_stray_letter_at_the_end_of_a_utf8_subject_is_no_cut_character():
    assert decode_8bit(_stray("Grüße aus Köln – café", "é")) == "Grüße aus Köln – café"


def test_utf8_signs_beside_a_stray_letter_stay_utf8():
    assert decode_8bit(_stray("Señora García – Büro", "í")) == "Señora García – Büro"


def test_stray_guillemets_beside_utf8_read_as_windows_1252():
    data = _stray("Fehler «E42» bei Müller – dringend", "«", "»")
    assert decode_8bit(data) == "Fehler «E42» bei Müller – dringend"


def test_a_file_name_of_utf8_with_a_stray_byte():
    name = _stray("Übersicht «final» – Zürich.pdf", "«", "»")
    raw = (
        b"From: ann@example.test\nSubject: file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nsee\n'
        b'--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="'
        + name
        + b'"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n'
    )
    assert [att.filename for att in parse_message(raw).attachments] == [
        "Übersicht «final» – Zürich.pdf"
    ]


# --- guards: what was read right stays so


def test_utf8_cut_inside_its_last_character_still_shows_the_cut():
    assert decode_8bit("Grüße aus Kö".encode()[:-1]) == "Grüße aus K\ufffd"
    assert decode_8bit("打印机坏了".encode()[:-1]) == "打印机坏\ufffd"


def test_legacy_words_beside_utf8_are_still_detected():
    data = "[Список]".encode() + b" " + "Счёт на оплату".encode("cp1251")
    assert decode_8bit(data) == "[Список] Счёт на оплату"
    assert decode_8bit("[Выпуск]".encode() + b" " + "打印机坏了".encode("gbk")) == (
        "[Выпуск] 打印机坏了"
    )


def test_a_legacy_body_stays_legacy():
    assert decode_body("Счёт на оплату «ООО Ромашка»".encode("cp1251"), "") == (
        "Счёт на оплату «ООО Ромашка»"
    )
    assert decode_body("打印机坏了请帮忙，谢谢。".encode("gbk"), "") == "打印机坏了请帮忙，谢谢。"


def test_a_legacy_word_that_happens_to_be_utf8_is_not_read_as_utf8():
    # Czech "ÚŽ" in Windows-1250 is a valid UTF-8 pair (an Arabic letter).
    assert "ÚŽ" in decode_8bit("Účet ÚŽ".encode("cp1250"))
    # DOS Cyrillic's small letters and Thai's consonants form UTF-8 sequences too.
    assert decode_8bit("умбунду".encode("cp866"), "cp866") == "умбунду"
    assert decode_body("สาธารณรัฐแอฟริกากลาง".encode("cp874"), "") == "สาธารณรัฐแอฟริกากลาง"


# --- KOI8-U without a label: Ukrainian's є, і, ї, ґ are box drawings in KOI8-R, the only
# KOI8 the detector tried ("Зв╕т за кв╕тень"), or the word went to a CJK charset.


def test_ukrainian_in_koi8_u_without_a_label():
    for text in ("Звіт за квітень", "Принтер не працює, їжак", "Привіт", "Ґанок і ґудзик"):
        assert decode_8bit(text.encode("koi8-u")) == text


def test_russian_in_koi8_r_without_a_label_stays_koi8_r():
    assert decode_8bit("Счёт на оплату".encode("koi8-r")) == "Счёт на оплату"
