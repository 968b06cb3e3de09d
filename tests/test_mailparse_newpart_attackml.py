"""New part: the attack on the multilingual closings, separators and attributions.

A customer's own words that come after a closing in one of the new languages, or that only
look like the new separators, stay in the new part; the client's own marks still go.
"""

from email.message import EmailMessage

import pytest
from mailparse import Settings, parse_message

SETTINGS = Settings()


def new_part(body: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Tom Baker <tom@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: ticket"
    msg["Message-ID"] = "<attackml@customer.example>"
    msg.set_content(body)
    return " ".join(parse_message(msg.as_bytes(), SETTINGS).new_part_text.split())


def flat(text: str) -> str:
    return " ".join(text.split())


# A postscript below the closing and the name: the customer's words, whatever the closing's
# language (an order number ends it, so it reads as no sentence).
POSTSCRIPTS = [
    "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\nP.S. Číslo objednávky 4711\n",
    "Jó napot,\n\na számla hiányzik.\n\nTisztelettel\nKovács Péter\nP.S. Rendelés 4711\n",
    "Bună ziua,\n\nfactura lipsește.\n\nCu stimă,\nAna Pop\n\nPS. Comanda 4711\n",
    "Hyvää päivää,\n\nlasku puuttuu.\n\nTerveisin\nMatti\nPS: tilaus 4711\n",
    "Hi,\n\nthe invoice is missing.\n\nBest regards\nPeter\nP.P.S. Order 4711 too\n",
]


@pytest.mark.parametrize("body", POSTSCRIPTS)
def test_postscript_below_a_closing_is_kept(body):
    assert "4711" in new_part(body)


# The closing and name alone still go with the signature.
@pytest.mark.parametrize(
    "body",
    [
        "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\n",
        "Bună ziua,\n\nfactura lipsește.\n\nCu stimă,\nAna Pop\n",
    ],
)
def test_closing_without_postscript_still_cut(body):
    assert new_part(body) == flat(body.split("\n\n")[0] + " " + body.split("\n\n")[1])


# A question below the closing and the name: no signature's name, title or company line
# asks one, even when a number ends it.
QUESTIONS_AFTER_CLOSING = [
    "Dobrý den,\n\nfaktura nedorazila.\n\nS pozdravem\nJan Novák\nKdy přijde objednávka 4711?\n",
    "Hi,\n\nthe invoice is missing.\n\nKind regards\nPeter\nWhen do you ship order 4711?\n",
    "Hei,\n\nlasku puuttuu.\n\nTerveisin\nMatti\nMissä on tilaus 4711?\n",
]


@pytest.mark.parametrize("body", QUESTIONS_AFTER_CLOSING)
def test_question_below_a_closing_is_kept(body):
    assert "4711?" in new_part(body)
