"""Attacks on branch hdrs4's reading of names and addresses (branch attackh4): mail the
branch could read worse than main. Every mail here is written for the test, none is fetched;
the names are made up in the way people write them (a Central European first name beside a
German surname, a Scandinavian street, an Italian word ending in a stressed vowel)."""

import pytest
from mailparse import parse_message
from mailparse.charsets import decode_8bit
from test_mailparse_hdrs4 import _names, _pct, _with_part, assert_read_as

# --- a. An RFC 2231 value under its own Central European label -------------------------
# A mailer writes windows-1250 or iso-8859-2 on a name only where the sender's system is
# Central European: the label is what the bytes are. hdrs4 detected the charset of every
# single-byte Latin label; a Central European name beside a German one ("Łuczka Jähn",
# "Kovač Söding") mixes letters no one language writes, the label lost its head start and
# Windows-1252 won ("£uczka", "Kovaè", "Bla¾ková"). main read them as labelled.

_LABELLED_CENTRAL = [
    "Natasza Łuczka Jähn.pdf",
    "Jelena Kovač Söding.pdf",
    "Petra Brajković Röhrdanz.pdf",
    "Zdenka Prtenjača Fröhlich.pdf",
    "Renáta Blažková Müller.pdf",
    "Dušková Müllerová k.s..pdf",
    "Šárka Müllerová.pdf",
    "Faktura Łódź – Müller GmbH.pdf",
]


@pytest.mark.parametrize("label", ["windows-1250", "iso-8859-2", "ISO-8859-2"])
@pytest.mark.parametrize("name", _LABELLED_CENTRAL)
def test_rfc2231_value_under_its_central_european_label(name, label):
    try:
        data = name.encode(label)
    except UnicodeEncodeError:  # ISO-8859-2 has no dash
        name = name.replace("–", "-")
        data = name.encode(label)
    encoded = _pct(data)
    for header in (
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*="
        + label.encode()
        + b"''"
        + encoded,
        b"Content-Type: application/pdf;\r\n name*=" + label.encode() + b"''" + encoded,
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*="
        + label.encode()
        + b"''"
        + encoded[:12]
        + b";\r\n filename*1*="
        + encoded[12:],
    ):
        assert _names(_with_part(header)) == [name], header


@pytest.mark.parametrize(
    ("name", "codec", "label"),
    [
        ("Счет на оплату.pdf", "cp1251", "windows-1250"),
        ("Счет на оплату.pdf", "cp1251", "iso-8859-2"),
    ],
)
def test_rfc2231_value_under_a_central_label_that_reads_as_nothing(name, codec, label):
    """Guard: a Central European label whose reading is no text ("Ń÷ĺň íŕ îďëŕňó") is
    still no declaration: the bytes are detected (a Windows-1251 name)."""
    header = b"Content-Type: application/pdf; name*=" + label.encode() + b"''"
    header += _pct(name.encode(codec))
    assert _names(_with_part(header)) == [name]


# --- b. What belongs to an address inside its brackets -----------------------------------
# hdrs4 drops invisible characters inside an address's brackets (a copied address's
# no-break space, zero-width space, direction mark). Two of them are letters' own in the
# scripts that join: the zero-width non-joiner and joiner (U+200C, U+200D) spell Persian
# and Indic words ("می‌خواهم", a Devanagari half form), IDNA2008 allows them in domain names
# (CONTEXTJ) and an internationalized address (RFC 6531) holds them in its local part.
# Dropped, the caller's address is another mailbox: another contact. Inside a quoted local
# part every character is the address's own (RFC 5322's quoted string; RFC 6532).

_JOINED_ADDRESSES = [
    "مدیر\u200cفروش@example.ir",  # Persian: "sales manager", written with its ZWNJ
    "پشتیبانی@شرکت\u200cما.ایران",  # the non-joiner in the domain
    "क्\u200dष@example.in",  # Devanagari: a half form after the virama
    "ന്\u200dമ@example.in",  # Malayalam: a chillu written with ZWJ
    "می\u200cخواهم.کمک@example.com",
]


@pytest.mark.parametrize("address", _JOINED_ADDRESSES)
@pytest.mark.parametrize("name", ["", "Ali ", '"Ali Rezaei" '])
def test_a_joiner_between_letters_of_an_internationalized_address_stays(address, name):
    raw = ("From: " + name + "<" + address + ">\r\nReply-To: <" + address + ">\r\n").encode()
    parsed = parse_message(raw + b"Subject: s\r\n\r\nhi\r\n")
    assert parsed.from_email == address
    assert parsed.reply_to == [("", address)]


@pytest.mark.parametrize("char", ["\u00a0", "\u3000", "\u200b", "\u200e"])
def test_a_quoted_local_part_keeps_its_characters(char):
    address = '"ann' + char + 'lee"@example.com'
    parsed = parse_message(("From: Ann <" + address + ">\r\nSubject: s\r\n\r\nhi\r\n").encode())
    assert parsed.from_email == address


@pytest.mark.parametrize("char", ["\u200c", "\u200d"])
@pytest.mark.parametrize("address", ["ann@example.com", "مدیر@example.ir", "रवि@example.in"])
def test_a_joiner_at_an_address_end_is_still_no_part_of_it(char, address):
    """Guard: a joiner beside ASCII or at the address's ends is a copied address's mark."""
    for written in (char + address, address + char, address.replace("@", char + "@")):
        parsed = parse_message(("From: Ann <" + written + ">\r\nSubject: s\r\n\r\nhi\r\n").encode())
        assert (parsed.from_email, parsed.from_name) == (address, "Ann"), written


# --- c. Long values: read by their first kilobytes --------------------------------------
# A name of tens of thousands of escapes under a label that cannot tell (hdrs4 detects its
# charset) cost 0.5 s each: 40 such parts, a 2.8 MB message, took 21 s (main: 1 s; issue 14
# wants any message under 5 s; bench figures in bench/README.md, no timing here). The
# charset is now told by the first 4 KB, the whole value read by it.


@pytest.mark.parametrize(
    ("word", "codec"),
    [("Zażółć gęślą jaźń ", "cp1250"), ("Счёт на оплату ", "cp1251"), ("Größe über ", "cp1252")],
)
def test_a_long_value_is_read_by_the_charset_of_its_start(word, codec):
    text = word * 2000
    header = b"Content-Type: application/pdf; name*=utf-8''" + _pct(text.encode(codec))
    (name,) = _names(_with_part(header))
    assert text.startswith(name.strip()) and len(name) > 100
    assert decode_8bit((word * 500).encode(codec)) == word * 500


# --- d. One CJK character before small Latin letters ------------------------------------
# hdrs4 scores a lone CJK character before a word of small Latin letters as a Latin word's
# two accented first letters misread ("Šárka" as "眼rka"). Chinese and Japanese write a
# character straight before a Latin word ("新app.pdf", "表data.xlsx", "図abc.pdf"): main read
# them, hdrs4 read "ĞÂapp.pdf", "ąídata.xlsx", "ђ}abc.pdf". A misread Latin word's
# character has bytes that read in a Latin charset as two letters, the second small ("Šá",
# "Ýp"); "新" in GBK reads "ÐÂ", "表" "±í", "図" in Shift_JIS "\x90}": no word's start.


def _raw_mail(data: bytes) -> bytes:
    return (
        b"From: " + data + b" <ann@example.com>\r\nSubject: " + data + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        b"Content-Type: text/plain\r\n\r\nhi\r\n--b1\r\n"
        b'Content-Type: application/pdf; name="' + data + b'.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
    )


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("新app", "gbk"),
        ("表data", "gbk"),
        ("新version", "gbk"),
        ("旧version", "gbk"),
        ("図abc", "shift_jis"),
        ("新app", "shift_jis"),
        ("表data", "shift_jis"),
        ("件mail", "shift_jis"),
        ("新app", "big5"),
    ],
)
def test_one_cjk_character_before_a_latin_word_stays_cjk(text, codec):
    data = text.encode(codec)
    assert_read_as(_raw_mail(data), text)


@pytest.mark.parametrize(
    ("text", "codec"),
    # ("Ýpsilon" until names6: see test_mailparse_hdrs4's _LEADING_ACCENTS)
    [("Šárka", "cp1250"), ("Šíma", "cp1250"), ("Úprava", "cp1250")],
)
def test_a_latin_word_starting_with_two_accented_letters_still_latin(text, codec):
    """Guard of hdrs4's class: its character's bytes read as two Latin letters."""
    data = text.encode(codec)
    parsed = parse_message(_raw_mail(data))
    assert (parsed.subject, parsed.from_name) == (text, text)


# --- e. Western text without a label: what held -----------------------------------------
# hdrs4 reads unlabelled text as Central European where a letter-pair model fits it clearly
# better. Held: sentences, names with two accented letters or more, all-caps subjects with
# numbers, labelled names. Lost (a trade hdrs4 made, measured in bench/README.md): a word
# with one accented letter whose pairs Odoo's translations hardly hold ("lunedì", "Goñi",
# "Cauã", "Loïc" as "lunedě", "Gońi", "Cauă", "Loďc"), about 0.3 % of Western names.

_WESTERN_HELD = [
    "Buongiorno, la fattura è già stata pagata lunedì. Perché non è ancora registrata?",
    "Olá, não recebi a fatura de março. Você pode reenviar? Obrigado, João",
    "Hola, el año pasado pedí una señal de España. Saludos, Begoña Muñoz",
    "Hej, jeg har ikke modtaget fakturaen. Med venlig hilsen Søren Østergaard, Århus",
    "Sæl, ég fékk ekki reikninginn. Kveðja, Þórður",
    "Ça ne marche pas très bien, voilà. À bientôt, Hélène",
    "DOMANDA SU FATTURA N° 123 – È URGENTE",
    "Bestellung #123 – Ørsted A/S",
    "Re: Pedido nº 55 de Begoña",
    "Hervé Lefèvre",
    "Conceição Gonçalves",
    "Søknad_2024.pdf",
]


@pytest.mark.parametrize("label", [None, "us-ascii", "utf-8"])
@pytest.mark.parametrize("text", _WESTERN_HELD)
def test_western_text_without_a_label_held(text, label):
    assert decode_8bit(text.encode("cp1252"), label) == text
