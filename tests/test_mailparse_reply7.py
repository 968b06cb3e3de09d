"""New part, reply7's class (issue 14; bench/README.md, "reply7"): a signature without "-- "
and without a closing, headed by the writer's full name, with one contact line under it
(a home page, a phone, an e-mail address, a company form; a street alone is a place's) and
maybe a title or a department in capitalised words.

Synthetic mail in several languages and the layouts a helpdesk receives (answer above the
quote, below it, no quote at all). The customer's text is never lost: every test also
asserts what must stay.

Every text goes through ``parse_message`` as a plain-text mail, as the addon reads it.
"""

import pytest
from newpart_probes import parsed_reply

ANSWERS = {
    "en": "The printer on the second floor jams again since this morning.\n"
    "Could you send someone today?",
    "de": "Der Drucker im zweiten Stock klemmt seit heute Morgen wieder.\n"
    "Können Sie heute jemanden schicken?",
    "fr": "L'imprimante du deuxième étage bloque de nouveau depuis ce matin.\n"
    "Pouvez-vous envoyer quelqu'un aujourd'hui ?",
}
ATTRIBUTIONS = {
    "en": "On Mon, May 4, 2026 at 9:12 AM Bob Helper <bob@helpdesk.example> wrote:",
    "de": "Am Mo., 4. Mai 2026 um 09:12 Uhr schrieb Bob Helper <bob@helpdesk.example>:",
    "fr": "Le lun. 4 mai 2026 à 09:12, Bob Helper <bob@helpdesk.example> a écrit :",
}
QUOTE = "> Does the printer work now?\n> Please restart it first.\n"

# The writer's full name and one contact cue, maybe a title or a department between them.
SIGNATURES = [
    "Anna Kowalski\nhttp://annakowalski.example.org/",
    "Maria Lopez\nwww.lopez-consulting.example",
    "Tom Baker\n503/555-0127",
    "Karl Müller\nkarl.mueller@firma.example",
    "Jean-Luc Martin\nService Informatique\n+33 1 23 45 67 89",
    "Greg Palmer\nPresident & CEO\nPalmer Widgets LLC",
    "Frank Kelly\nPrincipal Software Engineer\nfrank.kelly@maps.example",
]


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<reply7@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


@pytest.mark.parametrize("lang", sorted(ANSWERS))
@pytest.mark.parametrize("signature", SIGNATURES)
def test_name_and_one_contact_line_is_the_signature_above_the_quote(lang, signature):
    answer = ANSWERS[lang]
    got = new_part(f"{answer}\n\n{signature}\n\n{ATTRIBUTIONS[lang]}\n{QUOTE}")
    assert got.strip() == answer, got


@pytest.mark.parametrize("signature", SIGNATURES)
def test_name_and_one_contact_line_is_the_signature_below_the_quote(signature):
    answer = ANSWERS["en"]
    got = new_part(f"{ATTRIBUTIONS['en']}\n{QUOTE}\n{answer}\n\n{signature}\n")
    assert got.strip() == answer, got


@pytest.mark.parametrize("signature", SIGNATURES)
def test_name_and_one_contact_line_is_the_signature_of_a_new_mail(signature):
    answer = ANSWERS["de"]
    assert new_part(f"Hallo,\n\n{answer}\n\n{signature}\n").strip() == f"Hallo,\n\n{answer}"


@pytest.mark.parametrize(
    "tail",
    [
        # a heading of the customer's above a link into a site
        "Release Notes\nhttps://example.com/docs/release-notes?v=2",
        "Error Log\nhttp://pastebin.example/abc123",
        "Installation Guide\nhttp://www.example.com/manual/install",
        # a field and its value
        "Serial Number\n1234-5678-90",
        "Order Number\n4455-7788-12",
        "Model Code\n+12 345 678 90",
        # a place the customer names, with its street
        "Ciao Bella Restaurant\n12 High Street",
        "Hotel Adler\nBahnhofstraße 12",
        # lower-case words are no name
        "see the docs\nhttp://www.example.com/",
    ],
)
def test_a_heading_or_a_field_above_one_line_stays(tail):
    answer = ANSWERS["en"]
    got = new_part(f"{answer}\n\n{tail}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == f"{answer}\n\n{tail}", got


@pytest.mark.parametrize(
    "intro",
    ["Please call my colleague:", "Bitte wenden Sie sich an:", "Le contact sur place :"],
)
def test_a_contact_the_customer_introduces_stays(intro):
    answer = ANSWERS["en"]
    contact = "John Smith\n+1 555 012 3456"
    got = new_part(f"{answer}\n{intro}\n\n{contact}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == f"{answer}\n{intro}\n\n{contact}", got
    # ... also with the first name on the line below the introduction
    got = new_part(f"{intro}\nJohn\n\n{contact}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == f"{intro}\nJohn\n\n{contact}", got


@pytest.mark.parametrize(
    ("intro", "contact"),
    [
        ("Please send the replacement to", "John Smith\nAcme Corp"),
        ("Bitte schicken Sie den Ersatz an", "Hans Meier\nMeier GmbH"),
        ("Merci d'envoyer la pièce à", "Jean Dupont\n+33 1 23 45 67 89"),
        ("The invoice should be addressed to", "Maria Lopez\nLopez Consulting S.A."),
        ("Our new contact person is", "Tom Baker\ntom.baker@acme.example"),
    ],
)
def test_a_contact_a_sentence_left_open_introduces_stays(intro, contact):
    """(attack on the rule: a sentence without its colon, ending on a lower-case word)"""
    text = f"The part arrived broken.\n{intro}\n\n{contact}"
    got = new_part(f"{text}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == text, got


def test_a_name_alone_with_two_lines_of_prose_stays():
    """Capitalised words above a sentence: the sentence is the customer's."""
    answer = ANSWERS["en"]
    tail = "Room 204\nThe key is at the front desk."
    got = new_part(f"{answer}\n\n{tail}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == f"{answer}\n\n{tail}", got


def test_a_colon_inside_the_answer_does_not_keep_the_signature():
    """A line introducing a link within the answer's paragraph introduces that link, not
    the signature below it."""
    answer = "This may help you:\nhttps://wiki.example.org/display/printers/Paper+Jams"
    got = new_part(f"{answer}\n\n{SIGNATURES[0]}\n\n{ATTRIBUTIONS['en']}\n{QUOTE}")
    assert got.strip() == answer, got


# --- Mutt's bracketed date, a one-word verb the lists lack -----------------------------------

ANSWER = "I restarted the node and the replica came back.\nThe index looks fine now."
LIST_QUOTE = "> The replica stays down after the restart.\n> Any idea?\n"


@pytest.mark.parametrize(
    "attribution",
    [
        "* Zoe Quill <zoe@lists.example.org> [2017-05-05 05:39]:",
        "* Zoe Quill <zoe@lists.example.org> [170505 05:39]:",
        "* Zoe Quill <zoe@lists.example.org> [Fri, 05 May 2017 05:39:00 +0800]:",
        '* "Quill, Zoe" <zoe@lists.example.org> [05.05.2017 05:39]:',
        "Zoe Quill <zoe@lists.example.org> said:",
        "Zoe Quill <zoe@lists.example.org> schreibt:",
        "<zoe@lists.example.org> said:",
    ],
)
def test_bracketed_address_then_a_date_or_one_word_is_an_attribution(attribution):
    top = new_part(f"{ANSWER}\n\n{attribution}\n{LIST_QUOTE}")
    assert top.strip() == ANSWER, top
    bottom = new_part(f"{attribution}\n{LIST_QUOTE}\n{ANSWER}\n")
    assert bottom.strip() == ANSWER, bottom
    inline = new_part(f"{attribution}\n> Down?\n\nRestarted it.\n\n> Any idea?\n\nNo.\n")
    assert inline.strip() == "> Down?\n\nRestarted it.\n\n> Any idea?\n\nNo.", inline


@pytest.mark.parametrize(
    "line",
    [
        "Forward this to Zoe <zoe@lists.example.org> today:",
        "I asked Zoe <zoe@lists.example.org> [twice]:",
        "* Zoe Quill <zoe@lists.example.org> [optional]:",
        "Please ask Zoe Quill <zoe@lists.example.org> [room 12]:",
    ],
)
def test_a_customers_line_naming_an_address_stays(line):
    got = new_part(f"{ANSWER}\n\n{line}\n{LIST_QUOTE}")
    assert got.strip() == f"{ANSWER}\n\n{line}", got


def test_the_attribution_form_without_a_quote_below_stays():
    text = f"{ANSWER}\n\n* Zoe Quill <zoe@lists.example.org> [2017-05-05 05:39]:\nSee above."
    assert new_part(text).strip() == text


# --- a list server's subscription footer below the whole message -----------------------------

LIST_ATTRIBUTION = "On Fri, May 5, 2017 at 5:39 AM, Zoe Quill <zoe@lists.example.org> wrote:"
LIST_FOOTERS = [
    "-" * 69 + "\nTo unsubscribe, e-mail: users-unsubscribe@printers.example.org\n"
    "For additional commands, e-mail: users-help@printers.example.org",
    "#" * 28 + "\n\nTo unsubscribe from the PRINT-L list, click the following link:\n"
    "https://lists.example.edu/cgi-bin/wa?SUBED1=PRINT-L&A=1",
    "-=-=-=-=-=-=-=-=-=-=-=-\nGroups.io Links: You receive all messages sent to this group.\n"
    "View/Reply Online (#42): https://groups.example.io/g/print/message/42\n"
    "Unsubscribe: https://groups.example.io/g/print/unsub [ann@customer.example]\n"
    "-=-=-=-=-=-=-=-=-=-=-=-",
    'You received this message because you are subscribed to the Google Groups "print" '
    "group.\nTo unsubscribe from this group and stop receiving emails from it, send an email "
    "to print+unsubscribe@groups.example.com.",
    "-" * 36 + "\n\nPour vous désabonner de la liste, écrivez à :\n"
    "print-desabonnement@listes.example.fr",
]


@pytest.mark.parametrize("footer", LIST_FOOTERS)
def test_a_list_footer_is_no_text_of_the_writer(footer):
    top = new_part(f"{ANSWER}\n\n{LIST_ATTRIBUTION}\n{LIST_QUOTE}\n{footer}\n")
    assert top.strip() == ANSWER, top
    bottom = new_part(f"{LIST_ATTRIBUTION}\n{LIST_QUOTE}\n{ANSWER}\n\n{footer}\n")
    assert bottom.strip() == ANSWER, bottom
    plain = new_part(f"{ANSWER}\n\n{footer}\n")
    assert plain.strip() == ANSWER, plain


@pytest.mark.parametrize(
    "tail",
    [
        "-" * 20 + "\nPlease unsubscribe me: ann@customer.example\nI never subscribed.",
        "-" * 20 + "\nWe cannot unsubscribe from https://lists.example.org/print any more.",
        "-" * 20 + "\nYour unsubscribe link https://lists.example.org/u is broken: I still "
        "get every mail.",
        # the word only inside the customer's link: what they report
        "-" * 20 + "\nhttps://news.example.com/unsubscribe?id=42",
        "-" * 20 + "\nLink: https://news.example.com/unsubscribe?id=42\nResult: error 500",
    ],
)
def test_a_customers_words_about_unsubscribing_stay(tail):
    got = new_part(f"{ANSWER}\n\n{tail}\n")
    assert got.strip() == f"{ANSWER}\n\n{tail}", got


def test_a_message_that_is_only_a_footer_stays_whole():
    footer = LIST_FOOTERS[0]
    assert new_part(f"{footer}\n").strip() == footer


def _parsed(body: str):
    return parsed_reply(
        body, "<reply7@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    )


def test_a_footer_right_below_the_writers_text_is_cut_as_a_signature():
    parsed = _parsed(f"{LIST_ATTRIBUTION}\n{LIST_QUOTE}\n{ANSWER}\n\n{LIST_FOOTERS[0]}\n")
    assert "users-unsubscribe@printers.example.org" in parsed.signature_text
    assert parsed.new_part_with_signature.strip().endswith(LIST_FOOTERS[0].split("\n")[-1])


def test_a_footer_below_the_quoted_history_goes_with_it():
    parsed = _parsed(f"{ANSWER}\n\n{LIST_ATTRIBUTION}\n{LIST_QUOTE}\n{LIST_FOOTERS[0]}\n")
    assert parsed.new_part_with_signature.strip() == ANSWER
