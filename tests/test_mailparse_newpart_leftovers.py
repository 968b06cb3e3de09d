"""New part (issue 14): what must not be left behind in it.

Attribution lines whose quote was dropped or never sent, reply separators in the languages
the core supports, Gmail's invisible marker, a quote inside one ``<pre>`` block and a
signature below a trailing quote. The texts are written for the class of mail, in the
layouts the clients produce, not copied from a corpus.
"""

from email.message import EmailMessage

import pytest
from mailparse import Settings, parse_message
from mailparse.newpart import split_reply

SETTINGS = Settings()
ANSWER = "Yes, the new toner fixed it. You can close the ticket."


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, Mar 3, 2026 at 10:00 AM Ann Example <ann@example.com> wrote:",
        "Ann Example <ann@example.com> schrieb am Di., 3. März 2026, 10:00:",
        "Am Di., 3. März 2026 um 10:00 Uhr schrieb Ann Example <ann@example.com>:",
        "Op di 3 mrt. 2026 om 10:00 schreef Ann Example <ann@example.com>:",
        "вт, 3 бер. 2026 о 10:00 Ганна Приклад <ann@example.com> пише:",
        "3 марта 2026 г., в 10:00, Анна Пример <ann@example.com> написала:",
        "2013/7/20 Ann Example via Helpdesk <helpdesk@example.com>",
        "2013/7/20 Ann Example <ann@example.com>:",
        "-------- Original Message --------",
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "-----Message d'origine-----",
        "-----Mensaje original-----",
        "-----Oorspronkelijk bericht-----",
        "-----Původní zpráva-----",
        "-----Eredeti üzenet-----",
        "-----Orijinal İleti-----",
        "-----Αρχικό μήνυμα-----",
        "-------- Weitergeleitete Nachricht --------",
    ],
)
@pytest.mark.parametrize("after", ["", "\n\n> Does the printer work now?\n"])
def test_attribution_left_at_the_end_is_not_new(attribution, after):
    text = f"{ANSWER}\n\n{attribution}{after}\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, Mar 3, 2026 at 10:00 AM Ann Example <ann@example.com> wrote:",
        "Ann Example <ann@example.com> schrieb am Di., 3. März 2026, 10:00:",
        "вт, 3 бер. 2026 о 10:00 Ганна Приклад <ann@example.com> пише:",
    ],
)
def test_attribution_left_at_the_start_is_not_new(attribution):
    # A client put its attribution above the answer (top of a bottom-posted reply whose quote
    # another client removed): the answer is what is new.
    text = f"{attribution}\n\n{ANSWER}\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


def test_gmail_invisible_marker_is_not_kept():
    text = f"{ANSWER}\n\u1427\n\nOn Tue, Mar 3, 2026 at 10:00 AM Ann <ann@example.com> wrote:\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER
    text = f"{ANSWER}\u1427\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


def test_signature_below_a_trailing_quote_takes_the_quote_out():
    text = (
        "Hi,\n\n> Is the printer on floor 3 fixed?\n\nYes, since this morning.\n\n"
        "> And the scanner?\n\nNot yet, tomorrow.\n\n> Thanks for the quick work.\n\n"
        "-- \nBob Example\nFacilities, ACME Corp.\n"
    )
    split = split_reply(text, SETTINGS)
    assert split.new_part.endswith("Not yet, tomorrow.")
    assert "Thanks for the quick work" not in split.new_part
    assert split.signature.startswith("--")


def test_quote_inside_one_pre_block_is_cut():
    message = EmailMessage()
    message["From"] = "ann@example.com"
    message["Subject"] = "Re: printer"
    message.set_content(
        "<html><body><pre>Yes, the new toner fixed it.\n\n-- \nAnn Example\nACME Corp.\n\n"
        "On Tue, Mar 3, 2026 at 10:00 AM Bob &lt;bob@example.com&gt; wrote:\n"
        "&gt; Does the printer work now?\n&gt; Bob\n</pre></body></html>",
        subtype="html",
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.new_part_text.strip() == "Yes, the new toner fixed it."


# --- a signature block written without "-- " -------------------------------------------------


def test_contact_block_without_delimiter_is_the_signature():
    text = (
        "Sure, I will send the signed form today.\n\nMaria Lopez\nAccounts Payable\n"
        "Globex Inc.\n500 Main Street, Suite 200\nSpringfield, IL 62701\n"
        "Phone: +1 217 555 0100\nmaria.lopez@globex.example\n"
    )
    split = split_reply(text, SETTINGS)
    assert split.new_part == "Sure, I will send the signed form today."
    assert split.signature.startswith("Maria Lopez")
    assert split.unquoted == text.strip()


def test_first_name_signing_above_a_contact_block_stays():
    text = "Done, the queue is empty now.\n\nTom\nIT Support, Initech Ltd\nTel +44 20 7946 0000\n"
    assert split_reply(text, SETTINGS).new_part == "Done, the queue is empty now.\n\nTom"


@pytest.mark.parametrize(
    "closing",
    [
        "Request ID          : 000042\nRequested For       : ann@example.com\n"
        "Resource Name       : Printer floor 3",
        "The new printer is at:\n1400 Smith Street, Suite 3\nHouston, Texas 77002",
        "Please call me back at 555-0100 tomorrow.\nI am in the office until 5 pm, room 12.",
    ],
)
def test_closing_paragraph_that_is_content_stays(closing):
    text = f"Hello,\n\nHere is what you asked for.\n\n{closing}\n"
    assert split_reply(text, SETTINGS).new_part == text.strip()


@pytest.mark.parametrize(
    "header",
    [
        ">>> Ann Example 03/03/26 10:00AM >>>",
        ">>> <ann.example@example.com> 3/3/2026 10:00:41 am >>>",
        '>>> "Ann Example" <ann@example.com> 03.03.2026 10:00 >>>',
    ],
)
def test_groupwise_quote_header_starts_old_content(header):
    text = (
        f"{ANSWER}\n\n{header}\n\nDoes the printer on floor 3 work again?\n"
        "It jammed twice this morning.\n"
    )
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize("mark", [":", "|"])
def test_header_block_quoted_with_another_mark_starts_old_content(mark):
    quoted = "\n".join(
        f"{mark} {line}".rstrip()
        for line in [
            "Date: Tue, 3 Mar 2026 10:00:00 +0100",
            "From: Ann Example <ann@example.com>",
            "To: users@lists.example.org",
            "Subject: printer queue",
            "",
            "Does the queue keep jobs after a restart?",
        ]
    )
    text = f"{ANSWER}\n\n{quoted}\n\n-Bob\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "block",
    [
        "Od: Ann Example <ann@example.com>\nOdesláno: 3. března 2026 10:00\n"
        "Komu: support@example.com\nPředmět: RE: tiskárna",
        "Από: Ann Example <ann@example.com>\nΑπεστάλη: Τρίτη, 3 Μαρτίου 2026 10:00\n"
        "Προς: support@example.com\nΘέμα: RE: εκτυπωτής",
        "De la: Ann Example <ann@example.com>\nTrimis: marți, 3 martie 2026 10:00\n"
        "Către: support@example.com\nSubiect: RE: imprimanta",
        "Šalje: Ann Example <ann@example.com>\nPoslano: utorak, 3. ožujka 2026. 10:00\n"
        "Prima: support@example.com\nPredmet: RE: pisač",
    ],
)
def test_outlook_header_block_in_more_languages_starts_old_content(block):
    text = f"{ANSWER}\n\n{block}\n\nDoes the printer on floor 3 work again?\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    ("text", "new_part"),
    [
        (
            "The form is signed.\n\nBest wishes,\nPriya Raman\nProcurement, Hooli GmbH\n"
            "Tel. +49 30 1234567\npriya.raman@hooli.example\n",
            "The form is signed.\n\nBest wishes,",
        ),
        (
            "Le bon de commande est signé.\n\nCordialement,\nJeanne Petit\nAchats\n"
            "12 rue des Lilas, 75011 Paris\nTél. 01 23 45 67 89\n",
            "Le bon de commande est signé.",
        ),
    ],
)
def test_a_contact_block_right_below_a_closing_is_the_signature(text, new_part):
    """A closing, then name, title and contacts in one paragraph: the closing is the
    author's ("Best wishes," stays; a valediction the rules cut goes with the block)."""
    assert split_reply(text, SETTINGS).new_part == new_part


def test_a_full_name_block_below_the_first_name_signing_is_the_signature():
    text = (
        "Thanks, see you on Monday.\nJohn\n\nJohn Van Gelder\nWest Desk, Portland\n503-555-0108\n"
    )
    assert split_reply(text, SETTINGS).new_part == "Thanks, see you on Monday.\nJohn"


@pytest.mark.parametrize(
    "text",
    [
        "Who do I call?\n\nPlease call:\n\nSara Lee\nLegal, Houston\n713-555-0100\n",
        "Here is the contact.\nSara\n\nSara Lee wants the form back\nby Friday\n",
        "The new office opens on Monday.\n\nHello Ann,\nthe keys are at reception, Suite 3\n"
        "Tel. 713-555-0100 if closed\n",
    ],
)
def test_contacts_given_as_content_stay(text):
    assert split_reply(text, SETTINGS).new_part == text.strip()


# --- attack on the signature rules above (4 December 2026) ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The job failed again last night.\nError\n\nError code 0x80070005\nat 2024-05-03 02:00\n",
        "Hi,\n\nTwo problems since the update.\n\nOutlook\n\nOutlook crashes on start\n"
        "since 2024-05-03\n",
        "Please create an account for the new hire:\nKarin\n\nKarin Olsen\nFinance\n"
        "karin.olsen@acme.example\n",
    ],
)
def test_a_paragraph_repeating_the_word_above_is_not_a_signature(text):
    assert split_reply(text, SETTINGS).new_part == text.strip()


@pytest.mark.parametrize("closing", ["Liebe Grüße,", "Beste groeten,", "Ciao,"])
def test_a_contact_block_below_a_closing_that_also_greets_is_cut(closing):
    text = (
        f"Hallo,\n\ndie Rechnung 4711 ist doppelt gebucht.\n\n{closing}\nAnna Schmidt\n"
        "Buchhaltung\nMuster GmbH, Hauptstraße 5, 10115 Berlin\nTel. +49 30 1234567\n"
        "anna.schmidt@muster.example\n"
    )
    new_part = split_reply(text, SETTINGS).new_part
    assert new_part.startswith("Hallo,\n\ndie Rechnung 4711 ist doppelt gebucht.")
    assert "Buchhaltung" not in new_part and "Tel." not in new_part


def test_a_heading_ending_with_a_comma_is_not_a_closing():
    text = (
        "Please update the contract.\n\nNew address,\n12 Main Street, Suite 4\n"
        "Springfield, IL 62701\n"
    )
    new_part = split_reply(text, SETTINGS).new_part
    assert not new_part.endswith("New address,")


def test_dashes_in_the_text_above_a_gateway_footer_are_not_a_signature():
    text = (
        "Hi all,\n\nSteps:\n--\n1. open the report\n2. click print\n--\n"
        "Result: Word crashes, error 0x80070005\n\n-- \n"
        "View this message in context: http://forum.example.org/Word-crash-tp7.html\n"
        "Sent from the Office - Users mailing list archive at Example.org.\n"
    )
    assert "Result: Word crashes" in split_reply(text, SETTINGS).new_part


def test_a_google_groups_footer_is_not_kept_in_the_new_part():
    """Google Groups is often the support address itself: its subscription footer would
    end every ticket's text."""
    text = (
        "Hi all,\n\nthe printer driver 4.2 breaks duplex printing.\n\nAnn\n\n-- \n"
        'You received this message because you are subscribed to the Google Groups "printers" '
        "group.\nTo unsubscribe from this group, send an email to "
        "printers+unsubscribe@googlegroups.com.\n"
    )
    split = split_reply(text, SETTINGS)
    assert split.new_part.endswith("Ann") and "unsubscribe" in split.signature


# --- plain text: a sign-off below the quote, more languages ----------------------------------


@pytest.mark.parametrize(
    "attribution,sign_off",
    [
        (
            "On Tue, Mar 3, 2026 at 10:00 AM Bob <bob@example.com> wrote:",
            "Best regards,\nAnn Example\nIT department",
        ),
        (
            "Am Di., 3. März 2026 um 10:00 Uhr schrieb Bob <bob@example.com>:",
            "Mit freundlichen Grüßen\nAnn Example",
        ),
        (
            "El mar, 3 mar 2026 a las 10:00, Bob (<bob@example.com>) escribió:",
            "Saludos,\nAnn Example",
        ),
    ],
)
def test_sign_off_below_a_trailing_quote_takes_quote_and_attribution_out(attribution, sign_off):
    text = f"{ANSWER}\n\n{attribution}\n> Does the printer work now?\n\n{sign_off}\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "attribution",
    [
        "2026년 3월 3일 (화) 오전 10:00, Bob <bob@example.com>님이 작성:",  # ko
        "Vào Th 3, 3 thg 3, 2026 vào lúc 10:00 Bob <bob@example.com> đã viết:",  # vi
    ],
)
@pytest.mark.parametrize("after", ["", "\n> Does the printer work now?\n"])
def test_attribution_in_more_languages_is_not_new(attribution, after):
    text = f"{ANSWER}\n\n{attribution}{after}\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "line",
    [
        "Sent via DHL.",
        "Enviado desde la oficina de Madrid el lunes.",
        "Envoyé depuis notre agence de Lyon le 3 mars.",
        "Wysłane do serwisu 3 marca.",
        "von meinem Laptop wurde die Rechnung nie gesendet",
    ],
)
def test_a_sentence_shaped_like_a_mobile_footer_does_not_cut_the_text_below(line):
    """Attack, 4 December 2026: a footer with its own full stop, Polish "do" and German
    verb-last forms made customer sentences cut everything after them."""
    text = (
        f"Hello,\n\nThe replacement part was ordered on Monday.\n{line}\n"
        "The tracking says delivered but nothing arrived, please check with the courier.\n"
    )
    assert "nothing arrived" in split_reply(text, SETTINGS).new_part


@pytest.mark.parametrize(
    "line", ["Herr Müller schrieb (Ticket: 4711):", "my colleague wrote (ticket: 4711):"]
)
def test_a_wrote_line_with_a_parenthesis_and_no_quote_below_keeps_the_text(line):
    text = f"Hallo,\n\n{line}\nder Drucker im 3. Stock ist defekt.\nBitte einen Techniker.\n"
    assert "Drucker im 3. Stock" in split_reply(text, SETTINGS).new_part


@pytest.mark.parametrize(
    "line", ["Sent via DHL", "Sent with UPS", "Sent from the office", "Envoyé de Paris"]
)
def test_a_sentence_starting_like_a_mobile_footer_in_the_text_keeps_what_follows(line):
    """Only a device footer ("Sent from my iPhone") separates the old message a mobile
    client appends: "Sent via DHL" in the middle of the customer's text does not."""
    text = (
        f"Hello,\n\nThe replacement part was ordered on Monday.\n{line}\n"
        "The tracking says delivered but nothing arrived.\n"
    )
    assert "nothing arrived" in split_reply(text, SETTINGS).new_part


def test_a_device_footer_still_separates_the_old_message():
    text = f"{ANSWER}\n\nSent from my iPhone\n\nDoes the printer on floor 3 work again?\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "attribution",
    [
        # Apple Mail's localized attributions (macOS and iOS), the verb or its phrase last
        "Op 3 mrt. 2026 om 10:00 heeft Bob <bob@example.com> het volgende geschreven:",  # nl
        "2026/03/03 10:00、Bob <bob@example.com>のメール:",  # ja
        "2026. 3. 3. 오전 10:00, Bob <bob@example.com> 작성:",  # ko
        # the verb first, the sender and the date after it
        "Wiadomość napisana przez Bob <bob@example.com> w dniu 03.03.2026, o godz. 10:00:",
    ],
)
@pytest.mark.parametrize("quote", [True, False])
def test_apple_mail_attributions_in_more_languages_start_old_content(attribution, quote):
    # Below the attribution, the old message: quoted with '>' or, as Apple Mail
    # sends it in a plain-text part, also unquoted (the quote was an HTML blockquote).
    old = "Does the printer work now?\n\nBest regards,\nSupport"
    if quote:
        old = "\n".join(f"> {line}" if line else ">" for line in old.split("\n"))
    text = f"{ANSWER}\n\n{attribution}\n\n{old}\n"
    assert split_reply(text, SETTINGS).new_part == ANSWER


@pytest.mark.parametrize(
    "line",
    [
        "De printer heeft het volgende geschreven:",  # nl: no date, no address
        "詳細は以下のメール:",  # ja: "details in the mail below"
        "보고서 작성:",  # ko: "report written"
        # a verb far from the colon, no address: the customer's sentence
        "Our accountant wrote to the bank about the two invoices and the reminder of "
        "03.03.2026, then got this answer:",
    ],
)
def test_the_same_words_in_the_customer_s_text_keep_what_follows(line):
    text = (
        f"Hello,\n\n{line}\nError 42 on tray 2, then the paper jams.\nPlease send a technician.\n"
    )
    assert "Please send a technician." in split_reply(text, SETTINGS).new_part
