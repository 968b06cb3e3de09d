"""Attacks on branch newpart4's four new-part rules (file listings below a quote, "<name>
wrote" without colon, "Q>" question lists, a closing right below the greeting): mail a
helpdesk receives that those rules read worse than before.

The texts are written for the class of mail, not copied from a corpus.
"""

import pytest
from mailparse.newpart import split_reply
from newpart_probes import SETTINGS


def new_part(text: str) -> str:
    return split_reply(text, SETTINGS).new_part


# A short answer ending with a verb of _WROTE ("Already sent", "Ya escribió"), written
# right below a quoted line and glued above the next one: the customer's inline answer, no
# colonless "<name> wrote" attribution (Nabble's stands above the first quote, never below
# a quoted line); "sent" with no colon is a clause ("Invoice sent"), not an attribution.
@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (
            "Hi Paul,\n\n> Please send us the signed form by Friday.\n>\nForm sent\n>\n"
            "> Regards, Support\n",
            "Form sent",
        ),
        (
            "Hello,\n\n> Did you send the logs?\nAlready sent\n> And the screenshots?\n",
            "Already sent",
        ),
        ("Hi,\n\n> Did the invoice go out?\n\nInvoice sent\n> Thanks!\n", "Invoice sent"),
        ("Hi,\n\n> Could you send the serial number?\nSerial sent\n", "Serial sent"),
        ("Hola,\n\n> ¿Le ha escrito al proveedor?\nYa escribió\n> Saludos\n", "Ya escribió"),
    ],
)
def test_short_answer_ending_with_a_verb_is_kept(text, answer):
    assert answer in new_part(text)


# Top-posted, glued above the quote: the answer alone is new, the quote stays out.
def test_top_posted_sent_answer_glued_to_the_quote():
    text = "Already sent\n> Did you send the invoice?\n> Regards, Support\n"
    assert new_part(text) == "Already sent"


# A list of file names answering a quoted question ("Which files…?"): the customer typed
# it, no client's listing of the quoted message's attachments.
@pytest.mark.parametrize(
    "text",
    [
        "Hello,\n\n> Which documents are missing on your side?\n\n- Invoice_2026-03.pdf\n"
        "- Delivery note 4711.pdf\n",
        "Hi,\n\n> Which files did you change?\n\n - config.xml\n - settings.xml\n",
        "Bonjour,\n\n> Quels fichiers manquent ?\n\n- Facture_mars.pdf\n- Bon de livraison.pdf\n",
    ],
)
def test_file_listing_answering_a_quoted_question_is_kept(text):
    listing = text.split("\n\n")[-1].strip()
    assert listing in new_part(text)


# Below a reply written above the quote, the listing under a quoted question is still the
# client's (Lotus Notes lists the quoted message's files below it).
def test_listing_below_a_quoted_question_under_a_top_posted_reply_is_cut():
    text = (
        "Hi Paul,\n\nsigned, see attached.\n\nPaul Miller wrote:\n\n"
        "> Can you sign the terms?\n\n - revised_terms.doc\n"
    )
    assert new_part(text) == "Hi Paul,\n\nsigned, see attached."


# A Supercite quote of a writer with one initial ("H>" for "Helpdesk") whose lines are
# questions is still a quote: only a letter that labels a question ("Q", and "F", "V",
# "P", "D": Frage/Fråga, Vraag, Pregunta/Pergunta, Domanda) makes a list.
def test_one_letter_supercite_quote_of_questions_is_cut():
    text = (
        "Version 5.2.1, and yes, twice.\n\n"
        "H> Which version do you run?\nH> Did you restart the service?\n"
    )
    assert new_part(text) == "Version 5.2.1, and yes, twice."


@pytest.mark.parametrize("label", ["F", "V", "P", "D"])
def test_question_labels_of_other_languages_are_kept(label):
    questions = f"{label}> Geht das auch mit 2.3?\n{label}> Muss man neu starten?"
    assert questions in new_part(f"Danke für die Antwort.\n\n{questions}\n")


# A mail that is only a greeting, a closing and the sender's name (and title, company): the
# usual body of a mail carrying an attachment. The closing opens the signature there; only
# text that is no name below it is the message ("Hi / Bye / printer jams").
@pytest.mark.parametrize(
    ("greeting", "signature"),
    [
        ("Hello,", "Best regards,\nTom Baker\nACME"),
        ("Hi,", "Regards,\nTom"),
        ("Hello Support,", "Best regards\nTom Baker"),
        ("Hallo,", "Mit freundlichen Grüßen\nTom Becker\nEinkauf"),
        ("Bonjour,", "Cordialement,\nJean Dupont\nService achats"),
        ("Guten Tag,", "Viele Grüße\nKarl Heinz Müller"),
        ("Hej,", "Med vänliga hälsningar\nAnna Svensson\nInköp"),
        ("Hola,", "Saludos cordiales\nMaría de la Cruz"),
    ],
)
def test_greeting_closing_and_name_only_is_cut_as_signature(greeting, signature):
    assert new_part(f"{greeting}\n\n{signature}\n") == greeting
