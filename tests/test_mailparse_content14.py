"""Issue 14, classes of mail left open by the last attack (bench/README.md).

Each message is written for the class it stands for, not copied from any corpus file.
"""

import base64
import quopri

import pytest
from mailparse import parse_message
from mailparse.newpart import split_reply
from newpart_probes import SETTINGS, new_part_above, new_part_below

# --- "wrote:" verbs inside other words, and the words after a verb --------------------------------


@pytest.mark.parametrize(
    "line",
    [
        # "sent" inside "presented" / "resent", "wrote" inside no word: not a verb there
        "The workshop was presented by Ann <ann@example.com> on 03.03.2026 and she lists:",
        "The keynote presented by Ann Lee on 03.03.2026 lists:",
        "My colleague represented us on 03.03.2026, see below what he resent:",
        "On the invoice of 03.03.2026 the sentence reads:",
        # de: a verb followed by the customer's own words, not by a sender and a date
        "Unsere Buchhaltung hat am 03.03.2026 an billing@example.com geschrieben, hier die "
        "Details:",
        "Am 03.03.2026 schrieb unser Buchhalter an billing@example.com folgende Details:",
        "Ich habe am 03.03.2026 an billing@example.com geschrieben. Details:",
    ],
)
def test_a_customer_s_sentence_with_a_verb_of_attribution_keeps_what_follows(line):
    assert "Please send a technician." in new_part_below("Hello,", line)


@pytest.mark.parametrize(
    "attribution",
    [
        "Am Di., 3. März 2026 um 10:00 Uhr schrieb Bob Example <bob@example.com>:",
        "Am 03.03.2026 um 10:00 schrieb Müller, Hans <hans.mueller@example.com>:",
        "Bob Example schrieb am Dienstag, den 03.03.2026 um 10:00:",
        "Le mar. 3 mars 2026 à 10:00, Bob <bob@example.com> a écrit :",
        "Op di 3 mrt. 2026 om 10:00 schreef Bob <bob@example.com>:",
        "On 3/3/26 10:00 AM, Bob Example wrote:",
        "Bob <bob@example.com> 于2026年3月3日周二 10:00写道：",
        "2026年3月3日 10:00，张三<zhangsan@example.com>写道：",
        "03.03.2026 10:00, Боб пишет:",
    ],
)
def test_attributions_of_mail_clients_still_start_old_content(attribution):
    assert new_part_above(attribution) == "Thanks, it works."


@pytest.mark.parametrize(
    "line",
    [
        # zh/ja/ko sentences without spaces, ending with an address and a colon
        "2026年3月3日联系了support@example.com：",
        "2026年3月3日に担当者のsupport@example.com：",
        "2026년3월3일에문의한주소는support@example.com:",
    ],
)
def test_an_address_glued_to_cjk_words_is_no_verbless_attribution(line):
    assert "Please send a technician." in new_part_below("你好，", line)


@pytest.mark.parametrize(
    "attribution",
    [
        "2026年3月3日(火) 10:00 Bob <bob@example.com>:",
        "2026/03/03 10:00 bob@example.com:",
        "2026/03/03 10:00 jürgen.müller@example.de:",
        "2026年3月3日 10:00，bob@example.com：",
    ],
)
def test_verbless_attributions_still_start_old_content(attribution):
    assert new_part_above(attribution) == "Thanks, it works."


def test_a_long_line_of_verbs_and_words_before_a_colon_is_read():
    # Linear: the rules read a bounded window before the final colon, whatever the line.
    line = "presented sent wrote, hier die " * 3000 + "Details:"
    assert "Please send a technician." in new_part_below("Hello,", line)


# --- a multipart sent quoted-printable (RFC 2045 forbids an encoding there) ---------------------

_PARTS = (
    b'--B1\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: '
    b"quoted-printable\n\nDer Drucker ist kaputt. Gr=C3=BC=C3=9Fe, Anna\n"
    b'--B1\nContent-Type: application/pdf; name="bericht.pdf"\n'
    b'Content-Disposition: attachment; filename="bericht.pdf"\n'
    b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B1--\n"
)


def _multipart(cte: str, body: bytes) -> bytes:
    return (
        b"From: Anna <anna@example.com>\nTo: support@example.com\nSubject: Drucker\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B1"\n'
        + f"Content-Transfer-Encoding: {cte}\n\n".encode()
        + body
    )


def test_the_part_headers_of_a_multipart_sent_quoted_printable_are_read_decoded():
    # A gateway encoded the whole multipart body: every '=' of the parts' parameters (and of
    # their own quoted-printable text) is '=3D'; the delimiter lines are unchanged.
    raw = _multipart("quoted-printable", quopri.encodestring(_PARTS))
    assert b"name=3D" in raw
    parsed = parse_message(raw, SETTINGS)
    assert parsed.body_text == "Der Drucker ist kaputt. Grüße, Anna"
    assert [(a.filename, a.data) for a in parsed.attachments] == [("bericht.pdf", b"%PDF-1.4\n")]


def test_base64_padding_in_a_multipart_sent_quoted_printable_survives():
    # The padding '=' at a base64 line's end was encoded '=3D' with the rest: decoded once,
    # it is padding again, not a soft line break that would eat the delimiter below.
    parts = _PARTS.replace(b"JVBERi0xLjQK\n", b"JVBERi0xLjQKJeLjCg==\n")
    parsed = parse_message(_multipart("quoted-printable", quopri.encodestring(parts)), SETTINGS)
    assert [(a.filename, a.data) for a in parsed.attachments] == [
        ("bericht.pdf", b"%PDF-1.4\n%\xe2\xe3\n")
    ]


def test_a_multipart_labelled_quoted_printable_but_sent_plain_is_read_as_sent():
    parsed = parse_message(_multipart("quoted-printable", _PARTS), SETTINGS)
    assert parsed.body_text == "Der Drucker ist kaputt. Grüße, Anna"
    assert [a.filename for a in parsed.attachments] == ["bericht.pdf"]


# --- header fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(("indent", "newline"), [(b"  ", b"\n"), (b"\t", b"\r\n")])
def test_a_header_block_indented_as_a_whole_keeps_its_fields(indent, newline):
    # Mail pasted into a tool or a forward that indented every line of the header block,
    # a folded field and the blank line too.
    lines = [
        b"From: Ann Lee <ann@example.com>",
        b"To: support@example.com",
        b"Subject: Printer on floor 3",
        b" broken",
        b"Date: Tue, 3 Mar 2026 10:00:00 +0100",
        b"Message-ID: <p3@example.com>",
        b"",
    ]
    raw = newline.join(indent + line for line in lines) + newline + b"The printer is broken."
    parsed = parse_message(raw, SETTINGS)
    assert (parsed.from_email, parsed.from_name) == ("ann@example.com", "Ann Lee")
    assert parsed.subject == "Printer on floor 3 broken"
    assert parsed.body_text == "The printer is broken."
    assert parsed.message_id == "p3@example.com"


def _encoded_word(text: str, encoding: str = "B") -> str:
    data = text.encode()
    if encoding == "B":
        return f"=?UTF-8?B?{base64.b64encode(data).decode()}?="
    quoted = "".join(f"={b:02X}" if b in b"=?_ " or b > 126 else chr(b) for b in data)
    return f"=?UTF-8?Q?{quoted}?="


@pytest.mark.parametrize("outer", ["B", "Q"])
def test_a_subject_encoded_twice_is_decoded_to_its_text(outer):
    # A gateway encoded the already encoded subject again.
    subject = "Drucker kaputt – bitte prüfen"
    twice = _encoded_word(_encoded_word(subject), outer)
    raw = f"From: ann@example.com\nSubject: Re: {twice}\n\nbroken\n".encode()
    assert parse_message(raw, SETTINGS).subject == f"Re: {subject}"


def test_a_subject_that_shows_an_encoded_word_as_text_in_plain_ascii_is_kept():
    # A subject about encoded words, written unencoded: it is the customer's text.
    raw = b"From: ann@example.com\nSubject: Why do I see =?UTF-8?B?SGk=?= in my mail?\n\nx\n"
    assert parse_message(raw, SETTINGS).subject == "Why do I see Hi in my mail?"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("Ann Lee <<ann@example.com>>", ("ann@example.com", "Ann Lee")),
        # "Lee, Ann" is shown first name first (iTop's caller name rule)
        ('"Lee, Ann" <<ann@example.com>>', ("ann@example.com", "Ann Lee")),
        ("<<ann@example.com>>", ("ann@example.com", "")),
    ],
)
def test_doubled_angle_brackets_around_the_sender_s_address(field, expected):
    raw = f"From: {field}\nReply-To: {field}\nSubject: printer\n\nbroken\n".encode()
    parsed = parse_message(raw, SETTINGS)
    assert (parsed.from_email, parsed.from_name) == expected
    assert [address for _, address in parsed.reply_to] == ["ann@example.com"]


def test_long_hostile_fields_are_read():
    # Linear reading (reasoned in the rules; a result asserted, no clock): 60,000 opening
    # brackets before the address (header values are read up to 64 KiB), an encoded word of
    # 40,000 characters inside another.
    inner = "=?UTF-8?Q?" + "a" * 40_000 + "?="
    outer = _encoded_word(inner)
    raw = (
        "From: Ann " + "<" * 60_000 + "<ann@example.com>>\n"
        f"Subject: {outer}\nTo: support@example.com\n\nbroken\n"
    ).encode()
    parsed = parse_message(raw, SETTINGS)
    assert parsed.from_email == "ann@example.com"
    assert parsed.subject.startswith("aaaa")


# --- HTML text a client does not show -----------------------------------------------------------


def _html_mail(body: str) -> bytes:
    return (
        "From: Ann <ann@example.com>\nTo: support@example.com\nSubject: printer\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><body>{body}</body></html>\n"
    ).encode()


_VISIBLE = "<p>The printer on floor 3 is broken.</p>"


@pytest.mark.parametrize(
    "hidden",
    [
        # a preheader as templates write it (shown in the inbox list, never in the mail)
        '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;'
        'max-width:0px;opacity:0;overflow:hidden;mso-hide:all;">Your ticket digest preheader'
        "</div>",
        '<span style="DISPLAY: none !important">Hidden tracking words</span>',
        '<div style="visibility:hidden">Hidden tracking words</div>',
        "<div hidden>Hidden tracking words</div>",
        '<svg width="10" height="10"><title>Logo icon</title><text x="0" y="9">Logo</text></svg>',
        "<template><p>Template row text</p></template>",
        "<noscript>Please enable JavaScript</noscript>",
    ],
)
def test_html_text_a_client_does_not_show_is_not_in_the_body_text(hidden):
    parsed = parse_message(_html_mail(hidden + _VISIBLE), SETTINGS)
    assert parsed.body_text == "The printer on floor 3 is broken."
    assert parsed.new_part_text == "The printer on floor 3 is broken."


def test_html_shown_outside_outlook_is_kept():
    # mso-hide:all alone hides a block in Outlook only; other clients show it.
    parsed = parse_message(
        _html_mail('<div style="mso-hide:all">Call us</div>' + _VISIBLE), SETTINGS
    )
    assert "Call us" in parsed.body_text


def test_an_html_body_hidden_whole_keeps_its_text():
    # Nothing shown but hidden text (a broken template): the text is kept, not lost.
    parsed = parse_message(_html_mail('<div style="display:none">' + _VISIBLE + "</div>"), SETTINGS)
    assert parsed.body_text == "The printer on floor 3 is broken."


# --- undeclared 8-bit names: Central European beside Western European --------------------------


def _file_mail(name: bytes, sender: bytes = b"ann@example.com") -> bytes:
    return (
        b"From: " + sender + b"\nTo: support@example.com\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nhi\n"
        b"--B\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="' + name + b'"\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n"
    )


@pytest.mark.parametrize(
    ("name", "charset"),
    [
        # Windows-1250 (cs, hu, hr): read as Windows-1252 they mix letters no language has
        # together ("Pøíloha è. 1", "Úøad", "Õrült")
        ("Příloha č. 1.pdf", "cp1250"),
        ("Úřad.xlsx", "cp1250"),
        ("Őrült_fájl.pdf", "cp1250"),
        # Western names stay Western
        ("Crème brûlée.pdf", "cp1252"),
        ("Bjørn Ærø.pdf", "cp1252"),
        ("Ñandú_año.pdf", "cp1252"),
        ("Åsa Öberg.docx", "cp1252"),
        ("Straße_Müller.pdf", "cp1252"),
        # and Cyrillic Cyrillic
        ("Да.txt", "cp1251"),
        ("Счёт.pdf", "cp1251"),
    ],
)
def test_an_undeclared_8_bit_file_name_is_read_in_its_language_s_charset(name, charset):
    parsed = parse_message(_file_mail(name.encode(charset)), SETTINGS)
    assert [a.filename for a in parsed.attachments] == [name]


@pytest.mark.parametrize("name", ["Jiří Novák", "Tomáš Čech", "Ondřej Dvořák"])
def test_an_undeclared_windows_1250_display_name_and_subject(name):
    raw = (
        b"From: "
        + name.encode("cp1250")
        + b" <x@example.cz>\nSubject: "
        + f"Tiskárna: {name}".encode("cp1250")
        + b"\n\nhi\n"
    )
    parsed = parse_message(raw, SETTINGS)
    assert (parsed.from_name, parsed.subject) == (name, f"Tiskárna: {name}")


# --- a multipart that is only a preamble (read on main already: a guard) -----------------------


@pytest.mark.parametrize("close", [b"--B--\n", b""])
def test_a_multipart_with_only_a_preamble_keeps_its_text(close):
    raw = (
        b"From: ann@example.com\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n"
        b"The printer on floor 3 is broken.\n" + close
    )
    assert parse_message(raw, SETTINGS).body_text == "The printer on floor 3 is broken."


# --- Outlook's "Name [mailto:addr]" in an address field ------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "Ann Lee [mailto:ann@example.com]",
        "Ann Lee [mailto: ann@example.com ]",
        '"Lee, Ann" [mailto:ann@example.com]',
    ],
)
def test_outlook_s_mailto_form_in_from(field):
    # Exchange relays and pasted forwards write the sender as Outlook shows it.
    raw = f"From: {field}\nSubject: printer\n\nbroken\n".encode()
    parsed = parse_message(raw, SETTINGS)
    assert (parsed.from_email, parsed.from_name) == ("ann@example.com", "Ann Lee")


def test_a_long_run_of_brackets_before_outlook_s_mailto_form_is_read():
    field = "Ann Lee " + "[ mailto: " * 5000 + "[mailto:ann@example.com]"
    raw = f"From: {field}\nSubject: printer\n\nbroken\n".encode()
    assert parse_message(raw, SETTINGS).from_email == "ann@example.com"


# --- more languages' attributions and Outlook header blocks; ticket systems' separators --------

_OLD = "Does the printer work now?"


@pytest.mark.parametrize(
    "attribution",
    [
        # Gmail, as it writes them in Indonesian, Thai, Romanian, Croatian, Slovak,
        # Lithuanian and Catalan
        "Pada tanggal Sel, 3 Mar 2026 pukul 10.00 Bob <bob@example.com> menulis:",
        "เมื่อ อ. 3 มี.ค. 2026 เวลา 10:00 Bob <bob@example.com> เขียนว่า:",
        "mar., 3 mar. 2026 la 10:00 Bob <bob@example.com> a scris:",
        "uto, 3. ožu 2026. u 10:00 Bob <bob@example.com> napisao je:",
        "ut 3. 3. 2026 o 10:00 Bob <bob@example.com> napísal(a):",
        "2026-03-03, an, 10:00 Bob <bob@example.com> rašė:",
        "El dt., 3 de març 2026, 10:00, Bob <bob@example.com> va escriure:",
    ],
)
def test_gmail_attributions_in_more_languages_start_old_content(attribution):
    text = f"Thanks, it works.\n\n{attribution}\n\n> {_OLD}\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."


@pytest.mark.parametrize(
    "fields",
    [
        # Outlook's header block in Hebrew, Arabic, Vietnamese, Indonesian and Thai
        ("מאת: Bob <bob@example.com>", "נשלח: יום שלישי 3 מרץ 2026 10:00", "אל: Ann", "נושא: x"),
        ("من: Bob <bob@example.com>", "تاريخ الإرسال: 3 مارس 2026 10:00", "إلى: Ann", "الموضوع: x"),
        ("Từ: Bob <bob@example.com>", "Đã gửi: Thứ Ba, 3 tháng 3 2026", "Đến: Ann", "Chủ đề: x"),
        (
            "Dari: Bob <bob@example.com>",
            "Dikirim: Selasa, 03 Maret 2026",
            "Kepada: Ann",
            "Subjek: x",
        ),
        ("จาก: Bob <bob@example.com>", "ส่ง: 3 มีนาคม 2026 10:00", "ถึง: Ann", "เรื่อง: x"),
    ],
)
def test_outlook_header_blocks_in_more_languages_start_old_content(fields):
    block = "\n".join(fields)
    text = f"Thanks, it works.\n\n________________________________\n{block}\n\n{_OLD}\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."
    # without Outlook's rule above it too
    text = f"Thanks, it works.\n\n{block}\n\n{_OLD}\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."


@pytest.mark.parametrize(
    "separator",
    [
        "##- Please type your reply above this line -##",  # Zendesk
        "-- Reply above this line --",
        "--- Please reply above this line ---",
    ],
)
def test_a_ticket_system_s_reply_above_this_line_separator_starts_old_content(separator):
    text = f"Thanks, it works.\n\n{separator}\n\n{_OLD}\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."


@pytest.mark.parametrize(
    "line",
    [
        "Saya menulis ke support@example.com pada 03.03.2026 dan hasilnya:",
        "Dari: kantor pusat, tentang printer:",
        "Please write your answer above this line and the code below it:",
    ],
)
def test_the_same_words_in_a_customer_s_sentence_keep_what_follows(line):
    assert "Please send a technician." in new_part_below("Hello,", line)
