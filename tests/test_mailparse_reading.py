"""Reading the message itself (issue 14): damaged header blocks, legacy 8-bit charsets,
attachment naming, subjects, threading ids and odd MIME structures.

Every message here is written for the class of mail it stands for, not copied from a corpus.
"""

import base64
from email.message import EmailMessage

import pytest
from mailparse import Settings, parse_message

TEXT_FIRST = Settings(body_parts_order=("text/plain", "text/html"))

# A tracking header as some gateways write it: one long base64 value wrapped at 76
# characters with no leading whitespace on the continuation lines.
_TRACKING = base64.b64encode(
    b'{"campaign":"renewal-2026","recipient":"ann.example@example.com","hops":[1,2,3,4]}' * 3
).decode()
_TRACKING_LINES = [_TRACKING[i : i + 76] for i in range(0, len(_TRACKING), 76)]


def _head(*fields: str) -> str:
    return "".join(field + "\n" for field in fields)


def _tracking_header() -> str:
    return "X-Gateway-Tracking: " + "\n".join(_TRACKING_LINES)


_STANDARD = (
    "From: Ann Example <ann@example.com>",
    "To: support@example.com",
    "Subject: Printer on floor 3 jams",
    "Message-ID: <jam-42@example.com>",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
)


# --- a. header block broken by a flush-left continuation -----------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        "",  # the broken field first
        "From ann@example.com Tue Mar  3 10:00:00 2026\n",  # an mbox From_ line first
    ],
)
def test_headers_after_a_raw_wrapped_tracking_header_are_read(before):
    raw = (
        before
        + _head("Received: from mx.example.net by mail.example.com; Tue, 3 Mar 2026 10:00:00 +0000")
        + _head(_tracking_header(), *_STANDARD)
        + "\nThe printer jams on every page.\n"
    ).encode()
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.message_id) == (
        "ann@example.com",
        "Printer on floor 3 jams",
        "jam-42@example.com",
    )
    assert parsed.body_text == "The printer jams on every page."
    assert "FlushLeftContinuationDefect" in parsed.defects


def test_raw_wrapped_tracking_header_last_in_the_block_stays_out_of_the_body():
    raw = (_head(*_STANDARD, _tracking_header()) + "\nThe printer jams.\n").encode()
    parsed = parse_message(raw)
    assert parsed.subject == "Printer on floor 3 jams"
    assert parsed.body_text == "The printer jams."
    assert "FlushLeftContinuationDefect" in parsed.defects


def test_a_missing_separator_still_keeps_the_body():
    raw = b"From: ann@example.com\nSubject: hi\nHello there,\nsee you tomorrow\n\nBye\n"
    parsed = parse_message(raw)
    assert "Hello there" in parsed.body_text and "Bye" in parsed.body_text


# --- b. raw 8-bit legacy charsets in headers and file names ------------------------------------

_LEGACY = [
    ("gb2312", "张伟", "打印机又坏了，请尽快处理", "报价单.pdf"),
    ("big5", "陳小明", "印表機故障，請協助處理", "報價單.pdf"),
    ("shift_jis", "山田太郎", "プリンターが壊れました", "見積書.pdf"),
    ("koi8-r", "Иван Петров", "Принтер сломан, помогите", "Счёт.pdf"),
    ("windows-1251", "Иван Петров", "Принтер сломан, помогите", "Счёт.pdf"),
    ("windows-1252", "François Müller", "Drucker kaputt – bitte prüfen", "Devis_été.pdf"),
]


def _legacy_message(charset: str, name: str, subject: str, filename: str, declare: str) -> bytes:
    """Raw 8-bit headers and file name in ``charset``, no RFC 2047 / 2231; the text part
    declares ``declare`` (the part's charset, possibly nothing useful)."""
    head = (
        f'From: "{name}" <caller@example.com>\nTo: support@example.com\nSubject: {subject}\n'
        "Message-ID: <legacy@example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
    ).encode(charset)
    body = (
        "--b1\nContent-Type: text/plain"
        + (f"; charset={declare}" if declare else "")
        + "\nContent-Transfer-Encoding: 8bit\n\nplease help\n"
        + "--b1\nContent-Type: application/pdf\n"
        + f'Content-Disposition: attachment; filename="{filename}"\n'
        + "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n"
    ).encode(charset)
    return head + body


@pytest.mark.parametrize("charset,name,subject,filename", _LEGACY)
def test_legacy_8bit_headers_decode_by_the_declared_charset(charset, name, subject, filename):
    parsed = parse_message(_legacy_message(charset, name, subject, filename, charset))
    assert (parsed.from_name, parsed.subject) == (name, subject)
    assert [att.filename for att in parsed.attachments] == [filename]


@pytest.mark.parametrize("charset,name,subject,filename", _LEGACY)
def test_legacy_8bit_headers_decode_when_nothing_useful_is_declared(
    charset, name, subject, filename
):
    parsed = parse_message(_legacy_message(charset, name, subject, filename, "us-ascii"))
    assert (parsed.from_name, parsed.subject) == (name, subject)
    assert [att.filename for att in parsed.attachments] == [filename]


def test_utf8_headers_win_over_a_declared_legacy_charset():
    raw = _legacy_message("utf-8", "Zoë Ærø", "Überweisung fehlt", "Zoë.pdf", "iso-8859-1")
    parsed = parse_message(raw)
    assert (parsed.from_name, parsed.subject) == ("Zoë Ærø", "Überweisung fehlt")
    assert parsed.attachments[0].filename == "Zoë.pdf"


# --- c. attachment names: forwarded mail, delivery status, PGP/MIME ----------------------------


def _with_part(part: bytes, ctype: str = "multipart/mixed") -> bytes:
    return (
        (
            f"From: ann@example.com\nSubject: see below\nMIME-Version: 1.0\n"
            f'Content-Type: {ctype}; boundary="b1"\n\n'
            "--b1\nContent-Type: text/plain\n\nSee the attached mail.\n--b1\n"
        ).encode()
        + part
        + b"\n--b1--\n"
    )


def test_forwarded_message_is_named_by_its_subject():
    inner = (
        b"From: bob@example.org\nSubject: Invoice 2026/031: wrong <amount>?\n"
        b"Message-ID: <inv@example.org>\n\nThe amount is wrong.\n"
    )
    parsed = parse_message(_with_part(b"Content-Type: message/rfc822\n\n" + inner))
    [eml] = parsed.attachments
    assert eml.filename == "Invoice 2026_031_ wrong _amount.eml"
    assert eml.content_type == "message/rfc822"


def test_forwarded_message_with_an_encoded_subject_and_one_without():
    inner = b"From: bob@example.org\nSubject: =?utf-8?q?R=C3=A9union_lundi?=\n\nbody\n"
    parsed = parse_message(_with_part(b"Content-Type: message/rfc822\n\n" + inner))
    assert [a.filename for a in parsed.attachments] == ["Réunion lundi.eml"]
    inner = b"From: bob@example.org\n\nno subject here\n"
    parsed = parse_message(_with_part(b"Content-Type: message/rfc822\n\n" + inner))
    assert [a.filename for a in parsed.attachments] == ["message001.eml"]


def test_forwarded_internationalized_message_is_named_by_its_subject():
    # RFC 6532: a message with UTF-8 headers travels as message/global (an SMTPUTF8 bounce
    # returns the original so).
    inner = "From: jörg@example.de\nSubject: Rückfrage zur Rechnung\n\nbody\n".encode()
    parsed = parse_message(_with_part(b"Content-Type: message/global\n\n" + inner))
    [eml] = parsed.attachments
    assert (eml.filename, eml.content_type) == ("Rückfrage zur Rechnung.eml", "message/global")


def test_delivery_status_is_kept_on_a_bounce():
    status = (
        b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        b"Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n"
    )
    raw = _with_part(status, 'multipart/report; report-type="delivery-status"')
    names = {att.filename: att for att in parse_message(raw).attachments}
    assert "delivery-status.txt" in names
    assert b"Status: 5.1.1" in names["delivery-status.txt"].data


def test_pgp_mime_parts_get_sane_names():
    raw = (
        b"From: ann@example.com\nSubject: signed\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature";'
        b' boundary="s1"\n\n--s1\nContent-Type: text/plain\n\nSigned text.\n--s1\n'
        b"Content-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\nabc\n"
        b"-----END PGP SIGNATURE-----\n--s1--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "Signed text."
    assert [att.filename for att in parsed.attachments] == ["signature.asc"]


# --- d. spaces inside a subject -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header,expected",
    [
        ("Subject: Order  12  late", "Order  12  late"),
        (
            "Subject: =?utf-8?b?" + base64.b64encode("注文\u3000確認".encode()).decode() + "?=",
            "注文\u3000確認",
        ),
        ("Subject: a long subject\n  folded here", "a long subject  folded here"),
        ("Subject:   padded\t", "padded"),
    ],
)
def test_spaces_inside_a_subject_are_kept(header, expected):
    raw = f"From: ann@example.com\n{header}\n\nbody\n".encode()
    assert parse_message(raw).subject == expected


# --- e. threading ids and odd MIME structures --------------------------------------------------


def test_message_id_folded_inside_its_brackets_is_recognized():
    raw = (
        b"From: ann@example.com\nSubject: Re: jam\n"
        b"In-Reply-To: <CAF=very-long-id-1234567890@\n mail.gmail.com>\n"
        b"References: <first@example.com>\n <CAF=very-long-id-1234567890@\n mail.gmail.com>\n"
        b"\nthanks\n"
    )
    parsed = parse_message(raw)
    assert parsed.in_reply_to == ["CAF=very-long-id-1234567890@mail.gmail.com"]
    assert parsed.references == ["first@example.com", "CAF=very-long-id-1234567890@mail.gmail.com"]


def test_disposition_with_only_a_filename_keeps_the_name():
    part = (
        b'Content-Type: application/octet-stream\nContent-Disposition: filename="report.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK"
    )
    [att] = parse_message(_with_part(part)).attachments
    assert (att.filename, att.content_type) == ("report.pdf", "application/pdf")


def test_disposition_with_only_an_rfc2231_filename_keeps_the_name():
    part = (
        b"Content-Type: application/octet-stream\n"
        b"Content-Disposition: filename*=UTF-8''N%C3%B3mina%20marzo.pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK"
    )
    [att] = parse_message(_with_part(part)).attachments
    assert (att.filename, att.content_type) == ("Nómina marzo.pdf", "application/pdf")


def test_invalid_content_type_with_a_name_is_an_attachment():
    part = b"Content-Type: pdf; name=quote.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK"
    parsed = parse_message(_with_part(part))
    assert parsed.body_text == "See the attached mail."
    [att] = parsed.attachments
    assert (att.filename, att.content_type) == ("quote.pdf", "application/pdf")
    assert att.data == b"%PDF-1.4\n"


@pytest.mark.parametrize("multipart", [False, True])
def test_a_message_that_is_only_a_file_of_an_invalid_type_has_no_text_body(multipart):
    """A scanner's mail: nothing but the file, its type invalid. The file is an attachment,
    never the ticket's description."""
    file_part = b'Content-Type: pdf; name="scan 0042.pdf"\nContent-Transfer-Encoding: base64\n\n'
    head = b"From: scanner@example.com\nSubject: Scan from MFP-3\nMIME-Version: 1.0\n"
    if multipart:
        raw = head + b'Content-Type: multipart/mixed; boundary="s"\n\n--s\n' + file_part
        raw += b"JVBERi0xLjQK\n--s--\n"
    else:
        raw = head + file_part + b"JVBERi0xLjQK\n"
    parsed = parse_message(raw)
    assert "PDF" not in parsed.body_text
    [att] = parsed.attachments
    assert (att.filename, att.content_type) == ("scan 0042.pdf", "application/pdf")
    assert att.data == b"%PDF-1.4\n"


def _apple_mail_halves(text: str, before: str, after: str) -> bytes:
    """Apple Mail's layout: a text version, then HTML, a PDF and more HTML in a mixed."""
    message = EmailMessage()
    message["From"] = "ann@example.com"
    message["Subject"] = "Quote"
    message.set_content(text)
    html = EmailMessage()
    html.set_content(f"<html><body>{before}</body></html>", subtype="html")
    html.make_mixed()
    html.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="quote.pdf")
    tail = EmailMessage()
    tail.set_content(f"<html><body>{after}</body></html>", subtype="html")
    html.attach(tail)
    message.make_alternative()
    message.attach(html)
    return message.as_bytes()


def test_apple_mail_html_split_around_an_attachment_keeps_both_halves():
    raw = _apple_mail_halves(
        "Before the quote.\n\n[quote.pdf]\n\nAfter the quote: call me.",
        "<p>Before the quote.</p>",
        "<p>After the quote: call me.</p>",
    )
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    assert "Before the quote." in parsed.body_text
    assert "After the quote: call me." in parsed.body_text
    assert "After the quote: call me." in parsed.new_part_text
    assert [att.filename for att in parsed.attachments] == ["quote.pdf"]


def test_forwarded_message_keeps_the_name_its_sender_gave():
    inner = b"From: bob@example.org\nSubject: order\n\nbody\n"
    named = (
        b'Content-Type: message/rfc822; name="order-mail.txt"\n'
        b'Content-Disposition: attachment; filename="order-mail.txt"\n\n' + inner
    )
    assert [a.filename for a in parse_message(_with_part(named)).attachments] == ["order-mail.txt"]
    for given in ("Order 12", "Re: release v1.2 notes"):
        bare = (
            b"Content-Type: message/rfc822\n"
            + f'Content-Disposition: attachment; filename="{given}"\n\n'.encode()
        )
        [att] = parse_message(_with_part(bare + inner)).attachments
        assert att.filename == given.replace(":", "_") + ".eml"


@pytest.mark.parametrize(
    "content_type",
    ['text; name="Nachricht"', 'plain; charset=iso-8859-1; name="body"', "text; name=notes"],
)
@pytest.mark.parametrize("multipart", [False, True])
def test_a_text_of_an_invalid_type_whose_name_says_no_file_type_is_the_body(
    content_type, multipart
):
    """Only a name with a known file type makes a part of invalid type a file: a text
    named "Nachricht" stays the ticket's description (attack, 4 December 2026)."""
    text_part = f"Content-Type: {content_type}\n\nThe printer on floor 3 is broken.\n".encode()
    head = b"From: ann@example.com\nSubject: Printer\nMIME-Version: 1.0\n"
    if multipart:
        raw = head + b'Content-Type: multipart/mixed; boundary="s"\n\n--s\n' + text_part
        raw += b"--s\nContent-Type: image/png; name=shot.png\nContent-Transfer-Encoding: base64\n\n"
        raw += b"iVBORw0KGgo=\n--s--\n"
    else:
        raw = head + text_part
    parsed = parse_message(raw)
    assert parsed.body_text == "The printer on floor 3 is broken."
    assert all(att.content_type.startswith("image/") for att in parsed.attachments)


# --- the text of a table: its cells are words apart ------------------------------------------


@pytest.mark.parametrize("big", [False, True])
def test_table_cells_are_not_glued_into_one_word(big):
    """Forms, system notifications and newsletters lay their text out in tables: each
    cell's last word and the next cell's first were one token ("3shows"), in the short
    reading (html2text) and the one of an HTML too big for it (lxml)."""
    from mailparse import htmlbody

    table = (
        "<table><tr><td>Printer on floor 3</td><td>shows error 42.</td></tr>"
        "<tr><th>Serial</th><th>Location</th></tr>"
        "<tr><td><b>SN-1234</b></td><td>Room <i>3.14</i></td></tr></table>"
    )
    filler = "<p>" + "Older notes. " * 120_000 + "</p>" if big else ""
    text = htmlbody.html_to_text(f"<html><body>{table}{filler}</body></html>")
    words = text.split()
    for pair in (("3", "shows"), ("Serial", "Location"), ("SN-1234", "Room")):
        assert words[words.index(pair[0]) + 1] == pair[1], text[:200]


# --- quoted-printable with the white space a transport added -----------------------------------


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_quoted_printable_lines_lose_the_white_space_a_transport_added(newline):
    """RFC 2045 (6.7, rule 3): white space at the end of an encoded line was added in
    transit and is deleted before decoding; a soft line break followed by some ("= ")
    joined nothing and left "= " in the text."""
    body = newline.join(
        [
            b"Der Drucker im 3. Stock zeigt Fehler 42, seit gestern Abend schon, und wi= ",
            b"rd nicht mehr gefunden.   ",
            b"Gr=C3=BC=C3=9Fe\t",
            b"",
        ]
    )
    raw = (
        b"From: ann@example.com\r\nSubject: qp\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + body
    )
    text = parse_message(raw).body_text
    assert "und wird nicht mehr gefunden." in text
    assert "Grüße" in text and "= " not in text
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


def test_apple_mail_html_halves_without_blocks_stay_apart():
    """Apple Mail's halves as bare text in <body> (no <p> or <div> of their own): the last
    word before the file and the first after it were one ("before.Text")."""
    raw = _apple_mail_halves(
        "Text before the file.\n\nText after it.", "Text before the file.", "Text after it."
    )
    parsed = parse_message(raw)
    assert parsed.body_text.split() == "Text before the file. Text after it.".split()


# --- an inline OpenPGP signature ----------------------------------------------------------------


def _plain(body: str) -> bytes:
    return (
        "From: ann@example.com\nSubject: signed\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body
    ).encode()


_SIGNATURE = (
    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEEx\n=9Xa2\n-----END PGP SIGNATURE-----\n"
)


def test_an_inline_signed_text_is_read_without_its_armor():
    """Enigmail, GPG4Win and mutt sign a plain-text mail inline (RFC 4880 cleartext):
    the agent reads the text, not the armor and the signature block; a line the signer
    dash-escaped ("- -- ") is read as written, so the sender's signature is one."""
    body = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
        "The printer on floor 3 shows error 42.\n- - first check: done\n\n- -- \nAnn Lee\n"
        + _SIGNATURE
    )
    parsed = parse_message(_plain(body))
    assert parsed.body_text == (
        "The printer on floor 3 shows error 42.\n- first check: done\n\n-- \nAnn Lee"
    )
    assert "PGP" not in parsed.body_html
    assert parsed.new_part_text == "The printer on floor 3 shows error 42.\n- first check: done"


def test_a_signed_reply_keeps_its_quote_out_and_an_encrypted_text_stays():
    body = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nYes, it works now.\n\n"
        "On Tue, Mar 3, 2026 at 10:00 AM Support <help@example.com> wrote:\n"
        "> Does the printer work?\n" + _SIGNATURE
    )
    assert parse_message(_plain(body)).new_part_text == "Yes, it works now."
    encrypted = "-----BEGIN PGP MESSAGE-----\n\nhQEMA1x\n=abcd\n-----END PGP MESSAGE-----\n"
    assert "BEGIN PGP MESSAGE" in parse_message(_plain(encrypted)).body_text


# --- raw 8-bit Greek names and subjects --------------------------------------------------------

_GREEK_BODY = "Καλημέρα σας, ο εκτυπωτής δεν λειτουργεί."
_OTHER_SCRIPTS = {
    "windows-1251": ("Иван Петров", "Принтер сломался, помогите пожалуйста"),
    "koi8-r": ("Ольга Смирнова", "Не работает почта с утра"),
    "gb2312": ("张伟", "打印机坏了，请尽快处理"),
    "big5": ("陳小明", "印表機故障，請協助處理"),
    "shift_jis": ("山田太郎", "プリンターが壊れました"),
    "windows-1252": ("José Müller", "Drucker kaputt – bitte prüfen"),
}


def _raw_8bit(name: str, subject: str, charset: str, declared: str) -> bytes:
    return (
        b"From: " + name.encode(charset) + b" <u@example.com>\r\nSubject: "
        + subject.encode(charset) + b"\r\nMIME-Version: 1.0\r\n"
        + b"Content-Type: text/plain; charset=" + declared.encode() + b"\r\n\r\n"
        + _GREEK_BODY.encode(declared) + b"\r\n"
    )  # fmt: skip


@pytest.mark.parametrize("declared", ["iso-8859-7", "windows-1253"])
def test_a_raw_greek_name_and_subject_are_read_by_the_declared_greek_charset(declared):
    """Greek letters scored as no letter at all: the bytes of a Greek name read as
    Windows-1251 Cyrillic ('Гйюсгпт') scored higher than the declared reading."""
    name, subject = "Γιώργος Παπαδόπουλος", "Ο εκτυπωτής χάλασε στον τρίτο όροφο"
    parsed = parse_message(_raw_8bit(name, subject, declared, declared))
    assert (parsed.from_name, parsed.subject) == (name, subject)


@pytest.mark.parametrize("declared", ["iso-8859-7", "windows-1253"])
@pytest.mark.parametrize("charset", sorted(_OTHER_SCRIPTS))
def test_other_scripts_under_a_declared_greek_charset_keep_their_own(declared, charset):
    """The attack that took a first Greek scoring back: Cyrillic and Chinese bytes under a
    declared Greek charset came out as Greek letters (Windows-1251's 'т' is a final sigma
    there, 'а' an upsilon with two marks)."""
    name, subject = _OTHER_SCRIPTS[charset]
    parsed = parse_message(_raw_8bit(name, subject, charset, declared))
    assert (parsed.from_name, parsed.subject) == (name, subject)


@pytest.mark.parametrize("charset", ["windows-1253", "iso-8859-7"])
@pytest.mark.parametrize("body", [_GREEK_BODY, "Hello, the printer is broken."])
def test_an_undeclared_raw_greek_name_and_subject_are_detected(charset, body):
    name, subject = "Γιώργος Παπαδόπουλος", "Ο εκτυπωτής χάλασε στον τρίτο όροφο"
    raw = (
        b"From: " + name.encode(charset) + b" <u@example.com>\r\nSubject: "
        + subject.encode(charset) + b"\r\n\r\n" + body.encode(charset) + b"\r\n"
    )  # fmt: skip
    parsed = parse_message(raw)
    assert (parsed.from_name, parsed.subject) == (name, subject)
