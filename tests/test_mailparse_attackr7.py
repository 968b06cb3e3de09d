"""Attack on reply7's list-footer rule (issue 14; bench/README.md, "reply7"): the customer's
own words must stay in the new part when they sit in or below lines that look like a list
server's footer (a rule, then a line naming unsubscribing with a link or an address).

Synthetic mail, several languages, read through ``parse_message`` as the addon reads it.
"""

import pytest
from newpart_probes import parsed_reply

RULE = "-" * 69
QUOTE = (
    "On Mon, May 4, 2026 at 9:12 AM Bob Helper <bob@helpdesk.example> wrote:\n"
    "> Does the newsletter still arrive?\n"
)


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<attackr7@customer.example>", "Ann Lee <ann@customer.example>", "Re: news"
    ).new_part_text


def assert_kept(text: str, *, quote_below: str = "", quote_above: str = "") -> None:
    """``text`` is the whole new part: alone, above ``quote_below``, below ``quote_above``."""
    got = new_part(f"{text}\n")
    assert got.strip() == text, got
    if quote_below:
        top = new_part(f"{text}\n\n{quote_below}")
        assert top.strip() == text, top
    if quote_above:
        bottom = new_part(f"{quote_above}\n{text}\n")
        assert bottom.strip() == text, bottom


# A rule and a line naming unsubscribing with its link, then the customer's report: lines a
# list server never writes (a result, an error, a question, a request).
REPORTS = [
    "-----\nClick Unsubscribe on https://shop.example/account/newsletter\nResult: error 500.\n"
    "Expected: a confirmation page.\nBrowser: Firefox 128 on Windows 11.",
    "=====\nSteps to reproduce\n1. Open https://shop.example/account\n"
    "2. Click Unsubscribe at https://shop.example/account/newsletter\n3. Error 500 appears.",
    RULE + "\nTo unsubscribe, e-mail: news-unsubscribe@shop.example\n\n"
    "That address bounces with error 550.\nWhat else can be done?",
    "-----\nAbmelden über https://shop.example/abo klappt nicht.\nEs kommt Fehler 500.\n"
    "Bitte prüfen Sie das.",
    "-----\nLe lien pour se désabonner https://shop.example/abo ne marche pas.\nErreur 500.",
    "-----\nEl enlace para darse de baja https://shop.example/baja no funciona.\nError 500.",
]


@pytest.mark.parametrize("report", REPORTS)
def test_a_report_below_footer_like_lines_stays(report):
    text = f"Hello,\n\nthe newsletter page fails.\n\n{report}"
    assert_kept(text, quote_below=QUOTE, quote_above=QUOTE)


@pytest.mark.parametrize(
    "intro",
    [
        "every mail from you ends with:",
        "jede Ihrer Mails endet mit:",
        "chacun de vos messages se termine par :",
    ],
)
def test_a_footer_the_customer_quotes_after_a_colon_stays(intro):
    text = (
        f"Hello,\n\nI never subscribed, yet {intro}\n\n"
        f"{RULE}\nTo unsubscribe, e-mail: news-unsubscribe@shop.example"
    )
    assert_kept(text)


# One line naming unsubscribing and a link, the customer's words going on after the link: a
# list's line ends on where to go (its link or address), a report goes on to what happened.
@pytest.mark.parametrize(
    "report",
    [
        "The unsubscribe link https://shop.example/u returns 404.",
        "Abmelden über https://shop.example/abo klappt nicht.",
        "Le lien de désinscription https://shop.example/abo renvoie une erreur 404.",
        "Darse de baja en https://shop.example/baja da error 404 desde ayer.",
    ],
)
def test_a_report_going_on_after_its_unsubscribe_link_stays(report):
    text = f"Hello,\n\n-----\n{report}"
    assert_kept(text)


def test_a_report_below_the_google_groups_lines_stays():
    """An address inside the customer's sentence does not make it a list's line."""
    text = (
        'Hi,\n\nYou received this message because you are subscribed to the Google Groups "print"'
        " group.\nTo unsubscribe from this group, send an email to "
        "print+unsubscribe@groups.example.com.\n\nThese lines end each of your mails but the "
        "group is yours. Remove ann@customer.example from it please."
    )
    assert_kept(text)


# --- reply7's full name with one contact line: the contact the customer asks the agent to use

ATTRIBUTION = "On Mon, May 4, 2026 at 9:12 AM Bob Helper <bob@helpdesk.example> wrote:"
PRINTER_QUOTE = "> Does the printer work now?\n"


@pytest.mark.parametrize(
    "text",
    [
        "The printer is still down. Please call back today.\n\nJohn Smith\n+1 555 012 3456",
        "Please create an account for the new colleague.\n\nMaria Lopez\nmaria.lopez@acme.example",
        "L'imprimante est en panne. Merci de rappeler mon collègue.\n\nJean Dupont\n"
        "+33 1 23 45 67 89",
        "Der Drucker geht nicht. Bitte rufen Sie meine Kollegin zurück.\n\nAnna Kowalski\n"
        "+49 30 1234 5678",
        "La impresora no funciona. Por favor llamen a mi compañero.\n\nCarlos Ruiz\n"
        "+34 912 345 678",
    ],
)
def test_a_contact_the_customer_asks_to_be_used_stays(text):
    assert_kept(text, quote_below=f"{ATTRIBUTION}\n{PRINTER_QUOTE}")


@pytest.mark.parametrize(
    "text",
    [
        "The toner arrived empty. Deliver the new one to the address below.\n\n"
        "Anna Kowalski\nAcme GmbH",
        "The technician should ask for our IT manager on site.\n\nPeter Brown\n+44 20 7946 0958",
        "Ansprechpartner vor Ort ist Herr Braun.\n\nPeter Braun\n+49 30 1234 5678",
        "Le technicien demandera notre interlocuteur sur place.\n\nPaul Girard\n+33 4 56 78 90 12",
        "El técnico debe preguntar por la persona de contacto abajo.\n\nLuis Gómez\n"
        "+34 912 345 678",
    ],
)
def test_a_contact_the_text_above_points_to_stays(text):
    assert_kept(text, quote_below=f"{ATTRIBUTION}\n{PRINTER_QUOTE}")


# --- reply7's "Name <addr> word:" and "Name <addr> [date]:" attributions ------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Email Tom Baker <tom@acme.example> directly:",
        "Ask Tom Baker <tom@acme.example> today:",
        "Fragen Sie Tom Baker <tom@acme.example> direkt:",
        "Contactez Paul Girard <paul@acme.example> directement:",
        "Call Tom Baker <tom@acme.example> [ext 4711]:",
        "Visit Tom Baker <tom@acme.example> [room 12]:",
    ],
)
def test_a_customers_request_naming_an_address_above_a_quote_stays(line):
    """The customer points the agent to a colleague, above the agent's question they quote:
    a word saying when or how, a bracket holding an extension or a room, is no client's
    attribution (Mutt's brackets hold a date or a time)."""
    got = new_part(f"Thanks.\n\n{line}\n> Who is the printer admin?\n")
    assert got.strip() == f"Thanks.\n\n{line}", got
    inline = new_part(f"{line}\n> Who is the printer admin?\n\nHe is, since May.\n")
    assert inline.strip().startswith(line), inline


# --- the list footers reply7 cuts stay cut ------------------------------------------------------

ANSWER = "I restarted the node and the replica came back.\nThe index looks fine now."
MORE_FOOTERS = [
    "--~--~---------~--~----~------------~-------~--~----~\n"
    'You received this message because you are subscribed to the Google Groups "print" group.\n'
    "To post to this group, send email to print@googlegroups.example.com\n"
    "To unsubscribe from this group, send email to print+unsubscribe@googlegroups.example.com\n"
    "For more options, visit this group at http://groups.example.com/group/print?hl=en\n"
    "-~----------~----~----~----~------~----~------~--~---",
    "-----\nTo unsubscribe, send a message to sympa@lists.example.org with subject: "
    "unsubscribe print",
    "-=-=-=-=-=-=-=-=-=-=-=-\nGroups.io Links: You receive all messages sent to this group.\n\n"
    "View/Reply Online (#42): https://groups.example.io/g/print/message/42\n"
    "Mute This Topic: https://groups.example.io/mt/123/456\n"
    "Group Owner: print+owner@groups.example.io\n"
    "Unsubscribe: https://groups.example.io/g/print/unsub [ann@customer.example]\n"
    "-=-=-=-=-=-=-=-=-=-=-=-",
]


@pytest.mark.parametrize("footer", MORE_FOOTERS)
def test_a_list_footer_of_the_list_servers_own_lines_is_cut(footer):
    got = new_part(f"{ANSWER}\n\n{footer}\n")
    assert got.strip() == ANSWER, got
