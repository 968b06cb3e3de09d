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

from email.message import EmailMessage

import pytest
from mailparse.parse import parse_message
from newpart_probes import SETTINGS, parsed_reply

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
    # names the customer lists, no contact among them
    "John Smith\nJane Doe\n\nPeter Pan\nMary Poppins",
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
        "The attendees of Monday's meeting:",
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


# --- 3. list footers in HTML mail, Yahoo Groups' footer between its markers ---------------------

HTML_ANSWER = (
    "<p>The printer on the second floor jams again since this morning.</p>"
    "<p>Could you send someone today?</p>"
)
HTML_QUOTE = (
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Fri, May 5, 2017 at 5:39 AM, '
    "Zoe Quill &lt;zoe@lists.example.org&gt; wrote:<br></div>"
    '<blockquote class="gmail_quote">Does the printer work now?<br>Please restart it first.'
    "</blockquote></div>"
)
HTML_FOOTERS = {
    "ezmlm": "<div>" + "-" * 69 + "<br>To unsubscribe, e-mail: "
    '<a href="mailto:users-unsubscribe@printers.example.org">'
    "users-unsubscribe@printers.example.org</a><br>For additional commands, e-mail: "
    '<a href="mailto:users-help@printers.example.org">users-help@printers.example.org</a>'
    "<br></div>",
    "listserv": "<p>" + "#" * 72 + "</p><p>To unsubscribe from the PRINT-L list, click the "
    'following link:<br><a href="https://lists.example.edu/cgi-bin/wa?SUBED1=PRINT-L&amp;A=1">'
    "https://lists.example.edu/cgi-bin/wa?SUBED1=PRINT-L&amp;A=1</a></p>",
    "groups.io": "<div>-=-=-=-=-=-=-=-=-=-=-=-<br>Groups.io Links: You receive all messages "
    "sent to this group.<br>View/Reply Online (#42): "
    '<a href="https://groups.example.io/g/print/message/42">'
    "https://groups.example.io/g/print/message/42</a><br>Unsubscribe: "
    '<a href="https://groups.example.io/g/print/unsub">https://groups.example.io/g/print/unsub'
    "</a> [ann@customer.example]<br>-=-=-=-=-=-=-=-=-=-=-=-</div>",
    "yahoo classic": "<br><br>------------------------------------<br><br>Yahoo! Groups Links"
    "<br><br>&lt;*&gt; To visit your group on the web, go to:<br>&nbsp;&nbsp;&nbsp;&nbsp;"
    '<a href="http://groups.yahoo.com/group/printers/">http://groups.yahoo.com/group/printers/'
    "</a><br><br>&lt;*&gt; To unsubscribe from this group, send an email to:<br>"
    '&nbsp;&nbsp;&nbsp;&nbsp;<a href="mailto:printers-unsubscribe@yahoogroups.com">'
    "printers-unsubscribe@yahoogroups.com</a><br>",
    "yahoo neo": '<div id="ygrp-mlmsg"><div>__._,_.___</div><div id="ygrp-actbar">'
    '<a href="https://groups.yahoo.com/neo/groups/print/conversations/messages/42">Reply via '
    'web post</a> &bull; <a href="mailto:print@yahoogroups.com?subject=Re">Reply to group</a>'
    ' &bull; <a href="https://groups.yahoo.com/neo/groups/print/conversations/topics/42">'
    "Messages in this topic</a> (3)</div><div>Visit Your Group</div><div>"
    '<a href="https://info.yahoo.com/legal/us/yahoo/utos/terms/">Yahoo! Groups</a> &bull; '
    '<a href="mailto:print-unsubscribe@yahoogroups.com?subject=Unsubscribe">Unsubscribe</a>'
    ' &bull; <a href="https://info.yahoo.com/legal/us/yahoo/utos/terms/">Terms of Use</a>'
    "</div></div><div>__,_._,___</div>",
}


def html_new_part(markup: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Ann Lee <ann@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: printer"
    msg["Message-ID"] = "<reply8-html@customer.example>"
    msg.set_content(f"<html><body>{markup}</body></html>", subtype="html")
    return parse_message(msg.as_bytes(), SETTINGS).new_part_text


@pytest.mark.parametrize("name", sorted(HTML_FOOTERS))
def test_a_list_footer_in_html_mail_is_no_text_of_the_writer(name):
    footer = HTML_FOOTERS[name]
    for layout, markup in {
        "top": HTML_ANSWER + HTML_QUOTE + footer,
        "new": HTML_ANSWER + footer,
    }.items():
        got = html_new_part(markup)
        assert " ".join(got.split()) == " ".join(flat_answer().split()), (layout, got)


def flat_answer() -> str:
    return "The printer on the second floor jams again since this morning. " + (
        "Could you send someone today?"
    )


@pytest.mark.parametrize(
    "tail",
    [
        # the customer's report about the list, below a rule, in HTML
        "<p>" + "-" * 20 + "<br>Your unsubscribe link https://lists.example.org/u is broken: "
        "I still get every mail.</p>",
        "<p>" + "-" * 20 + "<br>Please unsubscribe me: ann@customer.example<br>"
        "I never subscribed.</p>",
    ],
)
def test_the_customers_words_about_a_list_stay_in_html_mail(tail):
    got = html_new_part(HTML_ANSWER + tail)
    assert "I " in got.split("\n")[-1] and got.rstrip().endswith(("mail.", "subscribed.")), got


YAHOO_NEO = (
    "__._,_.___\n\nPosted by: Ann Lee <ann@customer.example>\n"
    "Reply via web post \u2022 Reply to sender \u2022 Reply to group \u2022 "
    "Start a New Topic \u2022 Messages in this topic (3)\n\n"
    "Visit Your Group\n\u2022 Privacy \u2022 Unsubscribe \u2022 Terms of Use\n\n__,_._,___"
)


@pytest.mark.parametrize("lang", sorted(ANSWERS))
def test_yahoo_groups_footer_between_its_markers_is_cut(lang):
    answer = ANSWERS[lang]
    for layout, body in {
        "top": f"{answer}\n\n{ATTRIBUTIONS[lang]}\n{QUOTE}\n{YAHOO_NEO}\n",
        "bottom": f"{ATTRIBUTIONS[lang]}\n{QUOTE}\n{answer}\n\n{YAHOO_NEO}\n",
        "new": f"{answer}\n\n{YAHOO_NEO}\n",
    }.items():
        got = new_part(body)
        assert got.strip() == answer, (layout, got)


def test_a_customers_text_between_such_markers_stays():
    """Without a list's word between them, the markers hold the customer's text."""
    tail = "__._,_.___\nThe log shows error 42 twice.\n__,_._,___"
    assert new_part(f"{ANSWER}\n\n{tail}\n").strip() == f"{ANSWER}\n\n{tail}"
