"""Issue 14, raw 8-bit names and subjects in the legacy single-byte charsets of other
scripts than Latin and CJK: Cyrillic (KOI8-R, Windows-1251, CP866, ISO-8859-5), Hebrew,
Arabic, Greek, Thai, and the Latin ones whose bytes Windows-1252 reads as other letters
(Turkish, Central European). A display name, a subject, a file name written as raw bytes
(no RFC 2047 or 2231), read as mail clients read them: by the part's declared charset,
then the message's, then by the charset whose reading is most plausible.

Every mail here is written for the test: real-language names encoded by each charset."""

import pytest
from mailparse import parse_message

# (text, charsets it is written in): names, subjects and file names as people write them.
_TEXTS = [
    ("Счёт-фактура №15.pdf", ("windows-1251", "cp866", "iso-8859-5")),
    ("Договор поставки.docx", ("koi8-r", "windows-1251", "cp866", "iso-8859-5")),
    ("Акт сверки за март.xlsx", ("koi8-r", "windows-1251", "cp866", "iso-8859-5")),
    ("Иванова Мария", ("koi8-r", "windows-1251", "cp866", "iso-8859-5")),
    ("СРОЧНО не работает почта", ("koi8-r", "windows-1251", "cp866", "iso-8859-5")),
    ("Рахунок на оплату.pdf", ("koi8-u", "windows-1251")),
    ("חשבונית מס.pdf", ("windows-1255", "iso-8859-8")),
    ("יוסי כהן", ("windows-1255", "iso-8859-8")),
    ("בעיה בהתחברות למערכת", ("windows-1255", "iso-8859-8")),
    ("فاتورة.pdf", ("windows-1256", "iso-8859-6")),
    ("محمد العلي", ("windows-1256", "iso-8859-6")),
    ("مشكلة في تسجيل الدخول", ("windows-1256", "iso-8859-6")),
    ("فاکتور فروش.pdf", ("windows-1256",)),
    ("Τιμολόγιο.pdf", ("windows-1253", "iso-8859-7")),
    ("Γιώργος Παπαδόπουλος", ("windows-1253", "iso-8859-7")),
    ("Πρόβλημα με τον εκτυπωτή", ("windows-1253", "iso-8859-7")),
    ("ใบแจ้งหนี้.pdf", ("tis-620", "windows-874")),
    ("สมชาย ใจดี", ("tis-620", "windows-874")),
    ("ไม่สามารถเข้าสู่ระบบได้", ("tis-620", "windows-874")),
    ("Fatura_ğüşıöç.pdf", ("windows-1254", "iso-8859-9")),
    ("Ödeme_belgesi_Ağustos.pdf", ("windows-1254", "iso-8859-9")),
    ("Ayşe Yılmaz", ("windows-1254", "iso-8859-9")),
    ("Şifremi unuttum giriş yapamıyorum", ("windows-1254", "iso-8859-9")),
    ("Faktura_žluťoučký.pdf", ("windows-1250", "iso-8859-2")),
    ("Jiří Dvořák", ("windows-1250", "iso-8859-2")),
    ("Umowa_Łódź_październik.pdf", ("windows-1250", "iso-8859-2")),
    ("Műszaki leírás Győr.pdf", ("windows-1250", "iso-8859-2")),
    ("Nefunguje přihlášení do systému", ("windows-1250", "iso-8859-2")),
]
# Western names: Windows-1252 / Latin-1 as they are; no other script's reading wins.
_WESTERN = [
    "Café_Müller.pdf",
    "Rechnung_März_Größe.pdf",
    "José García",
    "Devis_réparation_été.pdf",
    "Orçamento_São_Paulo.pdf",
    "Søren Ærø",
    "Prüfbericht für Straße 5",
    "Þórður Guðmundsson",
    "Facture N° 15.pdf",  # a lone symbol: a letter in Cyrillic charsets
    "Wartung – Angebot 21°.pdf",
    "Logo Relais®.png",
]
_CASES = [(text, charset) for text, charsets in _TEXTS for charset in charsets] + [
    (text, charset)
    for text in _WESTERN
    for charset in ("windows-1252", "iso-8859-1")
    if charset == "windows-1252" or text.isascii() or max(text) <= "\xff"
]
_WHERE = ("subject", "from", "name", "filename")
_PYTHON_CODEC = {"windows-874": "cp874"}  # a label Python's codecs do not know


def _mail(text: str, charset: str, where: str, declared: str | None) -> bytes:
    raw = text.encode(_PYTHON_CODEC.get(charset, charset))
    body_type = b"text/plain" + (b"; charset=" + declared.encode() if declared else b"")
    subject = raw if where == "subject" else b"the file"
    sender = raw if where == "from" else b"Ann Lee"
    name = raw if where == "name" else b"x.pdf"
    disposition = b'; filename="' + raw + b'"' if where == "filename" else b""
    return (
        b"From: " + sender + b" <ann@example.com>\nSubject: " + subject + b"\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: " + body_type + b"\n\nSee the attached file.\n--b1\n"
        b'Content-Type: application/octet-stream; name="' + name + b'"\n'
        b"Content-Disposition: attachment" + disposition + b"\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n"
    )


def _read(parsed, where: str) -> str:
    if where == "subject":
        return parsed.subject
    if where == "from":
        return parsed.from_name
    return parsed.attachments[0].filename


@pytest.mark.parametrize("where", _WHERE)
@pytest.mark.parametrize("text,charset", _CASES)
def test_a_raw_name_in_the_charset_the_message_declares_is_read(text, charset, where):
    assert _read(parse_message(_mail(text, charset, where, charset)), where) == text


# Undeclared Turkish beside letters both charsets have ("Ödeme_belgesi_Ağustos": "ğ" is
# Windows-1252's Icelandic "ð") was left in Windows-1252 as weak evidence; the Latin
# letter-pair fit reads it as Turkish now (Icelandic names stay Windows-1252: guards in
# test_mailparse_names5.py).


@pytest.mark.parametrize("where", _WHERE)
@pytest.mark.parametrize("text,charset", _CASES)
def test_a_raw_name_in_an_undeclared_charset_is_detected(text, charset, where):
    assert _read(parse_message(_mail(text, charset, where, None)), where) == text


@pytest.mark.parametrize("where", ["subject", "name"])
@pytest.mark.parametrize(
    "text,charset",
    [case for case in _CASES if case[1] not in ("windows-1254", "iso-8859-9", "iso-8859-1")],
)
def test_a_raw_name_in_another_script_than_a_latin_1_label_declares_is_detected(
    text, charset, where
):
    """The message declares iso-8859-1, a mailer's default: a name whose bytes read as no
    Latin text under it is read by the charset that reads it. (Turkish under that label
    stays as labelled: both read it as letters of one language -- weak evidence.)"""
    assert _read(parse_message(_mail(text, charset, where, "iso-8859-1")), where) == text


def test_the_parts_own_charset_comes_before_the_messages():
    """A file name in Windows-1251 on a text part labelled windows-1251, in a message whose
    body declares KOI8-R: the part's label reads it (its bytes read as KOI8-R are Cyrillic
    letters too)."""
    name = "Договор поставки.txt".encode("windows-1251")
    raw = (
        b"From: ann@example.com\nSubject: the file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
        b"Content-Type: text/plain; charset=koi8-r\n\n"
        + "Добрый день".encode("koi8-r")
        + b"\n--b1\n"
        b'Content-Type: text/plain; charset=windows-1251; name="' + name + b'"\n'
        b"Content-Disposition: attachment\n\n" + "Текст".encode("windows-1251") + b"\n--b1--\n"
    )
    assert [a.filename for a in parse_message(raw).attachments] == ["Договор поставки.txt"]


@pytest.mark.parametrize(
    "text", ["Café_Müller.pdf", "Ärger mit Zählerständen", "Grüße aus Köln", "Ångström"]
)
@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", None])
def test_a_western_subject_is_not_taken_for_another_script(text, declared):
    """Short Western subjects, whose few accented letters other charsets read as letters of
    their own script, stay as they are, with the Latin label or none."""
    raw = _mail(text, "windows-1252", "subject", declared)
    assert parse_message(raw).subject == text


@pytest.mark.parametrize(
    "text", ["Договор поставки.pdf", "Ödeme_belgesi.pdf", "Τιμολόγιο.pdf", "Café.pdf"]
)
def test_utf8_and_ascii_names_stay_as_they_are(text):
    for where in _WHERE:
        assert _read(parse_message(_mail(text, "utf-8", where, "koi8-r")), where) == text
    assert _read(parse_message(_mail("Invoice 15.pdf", "ascii", "name", "cp866")), "name") == (
        "Invoice 15.pdf"
    )


# --- bodies sent without a charset ----------------------------------------------------------
# The same detector reads a text body that declares no charset: its letters decide.
_BODIES = [
    ("Добрый день! Прошу выставить счёт на оплату за март. С уважением, Мария", "koi8-r"),
    ("Добрый день! Прошу выставить счёт на оплату за март. С уважением, Мария", "cp866"),
    ("שלום, מצורפת חשבונית מס לחודש מרץ. תודה, יוסי", "windows-1255"),
    ("مرحبا، مرفق الفاتورة لشهر مارس. شكرا، محمد", "windows-1256"),
    ("مرحبا، مرفق الفاتورة لشهر مارس. شكرا، محمد", "iso-8859-6"),
    ("Καλημέρα, σας στέλνω το τιμολόγιο του Μαρτίου. Ευχαριστώ", "windows-1253"),
    ("สวัสดีครับ แนบใบแจ้งหนี้เดือนมีนาคมมาด้วย ขอบคุณครับ", "tis-620"),
    ("Merhaba, mart ayı faturasını ekte gönderiyorum. Teşekkürler, Ayşe", "windows-1254"),
    ("Guten Tag, anbei die Rechnung für März. Grüße, Jörg Müller – 21° warm", "windows-1252"),
]


@pytest.mark.parametrize("text,charset", _BODIES)
def test_a_body_without_a_charset_is_read_in_its_script(text, charset):
    raw = (
        b"From: ann@example.com\nSubject: invoice\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n" + text.encode(charset)
    )
    assert parse_message(raw).body_text.strip() == text
