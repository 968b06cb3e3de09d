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
        ("Hello,\n\n> Did you send the logs?\nAlready sent\n> And the screenshots?\n", "Already sent"),
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
