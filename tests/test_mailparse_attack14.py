"""Attack of issue 14's reading changes: hostile and everyday mail they misread.

Each message is written for the class of mail it stands for. A hostile input is parsed in
a child process under a CPU budget (a resource limit, no clock read here): a parse that
needs more CPU than the budget is killed, and the test fails.
"""

import base64

import pytest
from cpu_budget import within_cpu_budget
from mailparse import parse_message
from mailparse.newpart import split_reply
from newpart_probes import BELOW as _BELOW
from newpart_probes import SETTINGS, new_part_above, new_part_below


def _parse_within_budget(raw: bytes):
    """(body_text, attachment names) of ``raw``, parsed under the CPU budget."""

    def parse():
        result = parse_message(raw, SETTINGS)
        return result.body_text, [a.filename for a in result.attachments]

    return within_cpu_budget(parse)


def _message(content_type: str, cte: str, body: bytes) -> bytes:
    return (
        b"From: Ann <ann@example.com>\nTo: support@example.com\nSubject: printer\n"
        b"Message-ID: <a14@example.com>\nMIME-Version: 1.0\n"
        + f"Content-Type: {content_type}\nContent-Transfer-Encoding: {cte}\n\n".encode()
        + body
    )


# --- quoted-printable: trailing white space ------------------------------------------------------


def test_a_long_run_of_spaces_inside_a_quoted_printable_line_is_read_in_linear_time():
    # Spaces not at the end of a line: the trailing-space rule must not try every one of
    # them as the start of a run that ends the line.
    body = b"Error" + b" " * 200_000 + b"on tray 2.\n"
    text, _ = _parse_within_budget(_message("text/plain; charset=utf-8", "quoted-printable", body))
    assert text.startswith("Error") and text.endswith("on tray 2.")


# --- a multipart without a usable boundary ------------------------------------------------------


def test_many_lone_delimiter_lines_in_a_big_multipart_without_boundary_are_read_in_linear_time():
    # Each "--NNNN" line is followed by a field but never comes again: looking for it
    # again through the whole body, line after line, read a 20 MB body thousands of times.
    lines = b"".join(b"--%04x\nA:\n" % i for i in range(6500))
    body = lines + b"The printer on floor 3 is broken.\n" * 600_000
    text, _ = _parse_within_budget(_message("multipart/mixed", "7bit", body))
    assert "--0000" not in text  # no boundary its lines use: no part, as before


# --- a verb far from the colon: the customer's sentences ----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        # a verb, an address and a date in a sentence of the customer's that ends with ':'
        "I already sent an email to billing@example.com on 03.03.2026 about invoice 4711, "
        "but nobody answered. Here is what happened:",
        "We sent the offer to Ann <ann@example.com> on 03.03.2026 and got this reply:",
        "Our accountant wrote to bank@example.com about the reminder of 03.03.2026 and it says:",
    ],
)
def test_a_sentence_with_a_verb_an_address_and_a_date_keeps_what_follows(line):
    text = f"Hello,\n\n{line}\n{_BELOW}"
    split = split_reply(text, SETTINGS)
    assert "Please send a technician." in split.new_part


@pytest.mark.parametrize(
    "attribution",
    [
        "Wiadomość napisana przez Bob <bob@example.com> w dniu 03.03.2026, o godz. 10:00:",
        # Gmail in German, a name and address that take the colon past 60 characters
        "Am Di., 3. März 2026 um 10:00 Uhr schrieb Bob Example via Helpdesk System "
        "<helpdesk-notifications@support.example.com>:",
    ],
)
def test_an_attribution_with_its_verb_far_from_the_colon_still_starts_old_content(attribution):
    text = f"Thanks, it works.\n\n{attribution}\n\nDoes the printer work now?\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."


@pytest.mark.parametrize(
    "line",
    [
        # ko: "On 3 March I wrote the report (to ann@...). Its content is as follows:"
        "2026년 3월 3일 ann@example.com 으로 보고서를 작성했습니다. 내용은 다음과 같습니다:",
        "2026년 3월 3일에 보고서를 작성했고 결과는 다음과 같습니다:",
        # ja: "About the mail of 3 March 2026, please check the following points:"
        "2026年3月3日のメールについて、以下の点を確認してください：",
    ],
)
def test_apple_mail_s_korean_and_japanese_words_inside_a_sentence_keep_what_follows(line):
    # '작성' (written) and 'のメール' (the mail of) end Apple Mail's attributions, right
    # before the colon; inside a customer's sentence they are ordinary words.
    assert "Please send a technician." in new_part_below("안녕하세요.", line)


# --- a multipart sent base64 (RFC 2045 forbids it, generators do it) -----------------------------

_INNER = (
    b"--XYZ\nContent-Type: text/plain; charset=utf-8\n\nThe printer on floor 3 is broken.\n"
    b"--XYZ\nContent-Type: application/pdf; name=report.pdf\nContent-Transfer-Encoding: base64\n"
    b"\nJVBERi0xLjQK\n--XYZ--\n"
)


def test_a_multipart_sent_base64_is_read_as_its_parts():
    # No delimiter line in the body as sent: read as a text, it was the raw MIME of the
    # parts (delimiters, headers, base64 of the file) in the ticket's description.
    body = base64.encodebytes(_INNER)
    result = parse_message(_message("multipart/mixed; boundary=XYZ", "base64", body), SETTINGS)
    assert result.body_text == "The printer on floor 3 is broken."
    assert [a.filename for a in result.attachments] == ["report.pdf"]


# --- a subject whose text, once decoded, shows an encoded word among the customer's words ------


def _b_word(text: str) -> str:
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode()}?="


@pytest.mark.parametrize(
    "subject",
    [
        # a client encodes the whole subject (non-ASCII letters), literal "=?...?=" included
        "Pourquoi l'objet affiche =?UTF-8?B?SGk=?= au lieu de « Hi » ?",
        "Betreff zeigt =?iso-8859-1?Q?Gr=FC=DFe?= statt Grüße",
    ],
)
def test_an_encoded_word_the_customer_wrote_inside_an_encoded_subject_is_kept(subject):
    raw = f"From: ann@example.com\nSubject: {_b_word(subject)}\n\nx\n".encode()
    assert parse_message(raw, SETTINGS).subject == subject


@pytest.mark.parametrize("prefix", ["Re: ", "[#4711] Re: ", "AW: [Ticket 12] "])
def test_a_whole_subject_a_gateway_encoded_again_with_its_prefix_is_decoded(prefix):
    inner = prefix + _b_word("Drucker kaputt – bitte prüfen")
    raw = f"From: ann@example.com\nSubject: {_b_word(inner)}\n\nx\n".encode()
    assert parse_message(raw, SETTINGS).subject == prefix + "Drucker kaputt – bitte prüfen"


# --- "I wrote to <address>:" is a customer's sentence, not an attribution ---------------------


@pytest.mark.parametrize(
    "line",
    [
        "On 03.03.2026 I wrote to billing@example.com:",
        "Yesterday I wrote to support@example.com and got back:",
        "Am 03.03.2026 schrieb ich an billing@example.com:",
        "Le 03/03/2026 j'ai écrit à billing@example.com :",
        # no date: the verb's own rule
        "Gestern schrieb ich an billing@example.com:",
        "I also wrote to billing@example.com:",
    ],
)
def test_a_sentence_naming_whom_the_customer_wrote_to_keeps_what_follows(line):
    assert "Please send a technician." in new_part_below("Hello,", line)


# --- responsive templates: a block hidden inline that the template's style sheet shows --------


def _html_mail(body: str, head: str = "") -> bytes:
    return (
        "From: Ann <ann@example.com>\nTo: support@example.com\nSubject: printer\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><head>{head}</head><body>{body}</body></html>\n"
    ).encode()


_MEDIA_SHOWN = (
    "<style>@media only screen and (max-width:600px){"
    " .mobile-only { display:block !important; max-height:none !important; } }</style>"
)


@pytest.mark.parametrize(
    "head",
    [
        _MEDIA_SHOWN,
        # the attribute selector responsive templates write for Gmail
        '<style>@media screen and (max-width:480px){ *[class="mobile-only"]'
        " { display:table !important; } }</style>",
    ],
)
def test_a_mobile_only_block_the_style_sheet_shows_is_kept(head):
    # A marketing/ticket template: the message is in a mobile-only block hidden inline for
    # desktop and shown by a media query; its desktop twin is absent. The footer is visible.
    body = (
        '<div class="mobile-only" style="display:none;max-height:0;overflow:hidden">'
        "<p>Your order 4711 arrived damaged, please call me.</p></div>"
        "<p>Sent from ACME Shop. Unsubscribe.</p>"
    )
    parsed = parse_message(_html_mail(body, head), SETTINGS)
    assert "Your order 4711 arrived damaged" in parsed.body_text
    assert "Your order 4711 arrived damaged" in parsed.new_part_text


def test_a_hidden_preheader_the_style_sheet_does_not_show_is_still_dropped():
    body = (
        '<div class="preheader" style="display:none">Your digest preheader</div>'
        '<div class="mobile-only" style="display:none">Mobile text</div>'
        "<p>The printer on floor 3 is broken.</p>"
    )
    parsed = parse_message(_html_mail(body, _MEDIA_SHOWN), SETTINGS)
    assert "preheader" not in parsed.body_text
    assert "Mobile text" in parsed.body_text


# --- Outlook's "[mailto:…]" inside a quoted display name --------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        '"Lee, Ann [mailto:ann@example.com]" <ann@example.com>',
        '"Ann Lee [mailto:ann@example.com]" <ann@example.com>',
        "Ann Lee [mailto:ann@example.com]",
    ],
)
def test_a_mailto_bracket_inside_a_quoted_name_is_not_read_as_an_address(field):
    raw = f"From: {field}\nSubject: printer\n\nbroken\n".encode()
    parsed = parse_message(raw, SETTINGS)
    assert (parsed.from_email, parsed.from_name) == ("ann@example.com", "Ann Lee")


def test_escaped_quotes_before_a_mailto_bracket_are_read():
    # Linear reading (a result asserted, no clock): 30,000 escaped quotes, none closing.
    raw = ("From: " + '\\"' * 30_000 + "[mailto:ann@example.com]\nSubject: x\n\nb\n").encode()
    assert parse_message(raw, SETTINGS).from_email == "ann@example.com"


# --- the customer quoting what they wrote earlier -------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "As I wrote on 03.03.2026:",
        "Wie ich am 03.03.2026 schrieb:",
        "Comme je l'ai écrit le 03/03/2026 :",
        "As we wrote to you on Monday, 3 March 2026:",
    ],
)
def test_a_sentence_quoting_what_the_customer_wrote_keeps_what_follows(line):
    assert "Please send a technician." in new_part_below("Hello,", line)


@pytest.mark.parametrize(
    "attribution",
    [
        "On 3/3/26 10:00 AM, Ann I. Lee wrote:",
        "Am 03.03.2026 um 10:00 schrieb Jörg Ich-Weber <joerg@example.com>:",
        "Le 3 mars 2026 à 10:00, Jean-Pierre <jp@example.com> a écrit :",
    ],
)
def test_attributions_with_letters_like_pronouns_still_start_old_content(attribution):
    assert new_part_above(attribution) == "Thanks, it works."


# --- an inline style read as CSS reads it ----------------------------------------------------


@pytest.mark.parametrize(
    "style",
    [
        "display:none; display:block",  # the last declaration wins
        "/* display:none */ color:#333",  # a comment
        "visibility:hidden; visibility:visible",
        "font-family:'Arial'; max-display:none",  # no display declaration
    ],
)
def test_an_inline_style_that_shows_its_block_keeps_its_text(style):
    body = f'<div style="{style}">Your order 4711 arrived damaged.</div><p>Regards, Ann</p>'
    parsed = parse_message(_html_mail(body), SETTINGS)
    assert "Your order 4711 arrived damaged." in parsed.body_text
    assert "Your order 4711 arrived damaged." in parsed.new_part_text


def test_a_long_unterminated_comment_in_a_style_is_read():
    # Linear reading (a result asserted, no clock): 20,000 comment openings, none closed.
    body = '<div style="' + "/*" * 20_000 + ' display:none">Hidden words</div><p>Shown text</p>'
    assert "Shown text" in parse_message(_html_mail(body), SETTINGS).body_text
