"""New part, reply8's classes (issue 14; bench/README.md, "reply8").

1. A signature spread over several paragraphs, written without "-- " and without a
   closing: the writer's full name (and title) in its first paragraph, the company, its
   street, the social links, an image's placeholder, the company's registration in the
   paragraphs under it (Outlook's and Gmail's rich signatures, as text).
2. Yahoo Groups' footers below the whole message: the sponsor's block between its
   "Yahoo! Groups Sponsor" rule and its "~->" rule, "To unsubscribe from this group, send
   an email to:", the "Yahoo! Groups Links" block of "<*>" items with their indented values.

Synthetic mail in several languages and the layouts a helpdesk receives (answer above the
quote, below it, no quote at all). Every test also asserts what must stay: a rule must never
drop the customer's words.
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
ANSWER = ANSWERS["en"]
ATTRIBUTIONS = {
    "en": "On Mon, May 4, 2026 at 9:12 AM Bob Helper <bob@helpdesk.example> wrote:",
    "de": "Am Mo., 4. Mai 2026 um 09:12 Uhr schrieb Bob Helper <bob@helpdesk.example>:",
    "fr": "Le lun. 4 mai 2026 à 09:12, Bob Helper <bob@helpdesk.example> a écrit :",
}
QUOTE = "> Does the printer work now?\n> Please restart it first.\n"


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<reply8@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


def layouts(text: str, tail: str, lang: str = "en") -> dict:
    """The answer ``text`` and what follows it (``tail``) in the three layouts."""
    attribution = ATTRIBUTIONS[lang]
    return {
        "top": f"{text}\n\n{tail}\n\n{attribution}\n{QUOTE}",
        "bottom": f"{attribution}\n{QUOTE}\n{text}\n\n{tail}\n",
        "new": f"{text}\n\n{tail}\n",
    }


# --- 1. a signature of several paragraphs ------------------------------------------------------

SPREAD_SIGNATURES = [
    # name and title, the company below a blank line
    "Greg Palmer\nPresident & CEO\n\nPalmer Widgets LLC",
    # name and title; company, street and its coordinates; the social links
    "Frank Kelly\nPrincipal Software Engineer\n \nMAPS \n5 Wayside Rd, Burlington, MA 01803, USA\n"
    "42° 29' 7\" N 71° 11' 32\" W\n \n <http://maps.example.com/>     "
    "<https://www.twitter.com/mapsco>\n<https://www.linkedin.com/company/mapsco>",
    # Gmail's rich signature as text: bold name and title, the logo's placeholder, the
    # street, the company's registration
    "*Richard Lindhout* | *Eigenaar*\n*Tel. +31 6 22 22 22 22*\n\n[image: logo widgets]\n\n"
    "Beatrixlaan 2, 4694EG Scherpenisse\n\n*KVK      50000000*\n*BTW     NL0000000AA0*\n"
    "*WEB     widgets.example <https://widgets.example/>*",
    # German: name and title, company, street, phone and mail in a paragraph of their own
    "Hans Meier\nLeiter IT-Service\n\nMeier Druck GmbH\nHauptstraße 12, 80331 München\n\n"
    "Tel. +49 89 1234567\nhans.meier@meier-druck.example",
    # French
    "Jean-Luc Martin\nResponsable informatique\n\nMartin & Fils SARL\n\n"
    "Tél. +33 1 23 45 67 89\nwww.martin-fils.example",
]


@pytest.mark.parametrize("lang", sorted(ANSWERS))
@pytest.mark.parametrize("signature", SPREAD_SIGNATURES)
def test_a_signature_of_several_paragraphs_is_cut(lang, signature):
    answer = ANSWERS[lang]
    for layout, body in layouts(answer, signature, lang).items():
        got = new_part(body)
        assert got.strip() == answer, (layout, got)


# What must stay: the customer's own last paragraphs that look like such a block.
KEPT_TAILS = [
    # a list of products in capitalised words: no contact at all
    "Microsoft Office\nAdobe Acrobat\n\nVisio Professional\nProject Standard",
    # a field and its value below a name
    "John Smith\nAcme Corp\n\nSerial Number: ABC-1234\nModel: LaserJet 4000",
    # an order's reference
    "Anna Kowalski\nKowalski GmbH\n\nOrder 4455-7788\nInvoice 2026-0042",
    # a sentence below
    "Hans Meier\nMeier Druck GmbH\n\nThe technician can call +49 89 1234567 before noon.",
    # the customer's own words in the first person
    "Tom Baker\nFacilities\n\nCall me at +1 555 012 3456\nor write to tom@acme.example",
]


@pytest.mark.parametrize("tail", KEPT_TAILS)
def test_the_customers_last_paragraphs_stay(tail):
    for layout, body in layouts(ANSWER, tail).items():
        got = new_part(body)
        assert got.strip() == f"{ANSWER}\n\n{tail}", (layout, got)


@pytest.mark.parametrize(
    "intro",
    [
        "Please send the replacement to:",
        "Bitte schicken Sie den Techniker zu",
        "Our new contact person for the printers is",
        "Please call my colleague on site.",
    ],
)
def test_a_contact_the_customer_introduces_stays(intro):
    contact = "John Smith\nFacility Manager\n\nAcme Corp\nBuilding 4, second floor"
    text = f"{ANSWER}\n{intro}"
    for layout, body in layouts(text, contact).items():
        got = new_part(body)
        assert got.strip() == f"{text}\n\n{contact}", (layout, got)


def test_a_message_that_is_only_such_a_block_stays_whole():
    block = SPREAD_SIGNATURES[0]
    assert new_part(f"{block}\n").strip() == block


# --- 2. Yahoo Groups' footers ------------------------------------------------------------------

YAHOO_FOOTERS = [
    "------------------------ Yahoo! Groups Sponsor ---------------------~-->\n"
    "Get fast access to your favorite Yahoo! Groups. Make Yahoo! your home page\n"
    "http://us.click.yahoo.com/dpRU5A/wUILAA/yQLSAA/TySplB/TM\n"
    "---------------------------------------------------------------------~->\n\n"
    "To unsubscribe from this group, send an email to:\n"
    "printers-unsubscribe@yahoogroups.com\n\n \n\n"
    "Your use of Yahoo! Groups is subject to http://docs.yahoo.com/info/terms/",
    "------------------------------------\n\nYahoo! Groups Links\n\n"
    "<*> To visit your group on the web, go to:\n    http://groups.yahoo.com/group/printers/\n\n"
    "<*> Your email settings:\n    Individual Email | Traditional\n\n"
    "<*> To change settings online go to:\n    http://groups.yahoo.com/group/printers/join\n"
    "    (Yahoo! ID required)\n\n"
    "<*> To change settings via email:\n    mailto:printers-digest@yahoogroups.com \n"
    "    mailto:printers-fullfeatured@yahoogroups.com\n\n"
    "<*> To unsubscribe from this group, send an email to:\n"
    "    printers-unsubscribe@yahoogroups.com\n\n"
    "<*> Your use of Yahoo! Groups is subject to:\n    http://docs.yahoo.com/info/terms/",
    # the sponsor's block alone, then the links' block
    "------------------------ Yahoo! Groups Sponsor --------------------~-->\n"
    "Printer ink at half price. Free shipping.\n"
    "http://us.click.yahoo.com/abc/def\n"
    "--------------------------------------------------------------------~->\n\n"
    "Yahoo! Groups Links\n\n"
    "<*> To unsubscribe from this group, send an email to:\n"
    "    printers-unsubscribe@yahoogroups.com",
]


@pytest.mark.parametrize("footer", YAHOO_FOOTERS)
@pytest.mark.parametrize("lang", sorted(ANSWERS))
def test_a_yahoo_groups_footer_is_no_text_of_the_writer(footer, lang):
    answer = ANSWERS[lang]
    attribution = ATTRIBUTIONS[lang]
    for layout, body in {
        "top": f"{answer}\n\n{attribution}\n{QUOTE}\n{footer}\n",
        "bottom": f"{attribution}\n{QUOTE}\n{answer}\n\n{footer}\n",
        "new": f"{answer}\n\n{footer}\n",
    }.items():
        got = new_part(body)
        assert got.strip() == answer, (layout, got)


@pytest.mark.parametrize(
    "tail",
    [
        # the customer's own settings and words between "<*>" lines
        "------------------------------------\n<*> Your email settings:\n"
        "    Individual Email | Traditional\nThese settings do not work for me.",
        # a customer quoting the sponsor's rule to report it
        "------------------------ Yahoo! Groups Sponsor ---------------------~-->\n"
        "Why do we get this advertisement in every mail? It is not ours.",
        # a customer's report of the unsubscribe address
        "------------------------------------\nTo unsubscribe from this group, send an email to:\n"
        "printers-unsubscribe@yahoogroups.com\nI did so three times and still get the mail.",
    ],
)
def test_the_customers_words_about_a_yahoo_footer_stay(tail):
    got = new_part(f"{ANSWER}\n\n{tail}\n")
    assert got.strip() == f"{ANSWER}\n\n{tail}", got


def test_a_message_that_is_only_a_yahoo_footer_stays_whole():
    footer = YAHOO_FOOTERS[0]
    assert new_part(f"{footer}\n").strip() == footer
