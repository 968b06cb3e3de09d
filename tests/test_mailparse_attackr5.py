"""Attack on reply5 (issue 14): the customer's own line right above a client's attribution
is not that attribution's wrapped head.

reply5 reads the longest attribution above inline answers (a wrapped one's second line,
"bob@x> wrote:", reads as one by itself). A customer's sentence that opens like an
attribution ("On my side …", "Le technicien …", "El lunes …", "В понедельник …", a date)
written right above a whole, dated attribution was then read as its first line and lost.
A line that opens a dated attribution by itself does not go on one above it.

Synthetic mail; every text goes through ``parse_message`` as a plain-text mail.
"""

import pytest
from newpart_probes import parsed_reply


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<attackr5@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


INLINE = (
    "> Is the printer switched on?\n\nYes, it is on.\n\n> Which model is it?\n\nA LaserJet 4200.\n"
)

# (the customer's line, the client's attribution right below it)
LINE_ABOVE_ATTRIBUTION = [
    (
        "On our side nothing changed since Friday",
        "On Mon, Aug 26, 2019 at 4:37 PM Bob Smith <bob.smith@support.example> wrote:",
    ),
    (
        "Le technicien est venu hier matin",
        "Le lun. 26 août 2019 à 16:37, Bob Smith <bob.smith@support.example> a écrit :",
    ),
    (
        "El lunes reinicié la impresora otra vez",
        "El lun., 26 ago. 2019 a las 16:37, Bob Smith (<bob.smith@support.example>) escribió:",
    ),
    (
        "Il tecnico è arrivato ieri mattina",
        "Il giorno lun 26 ago 2019 alle ore 16:37 Bob Smith <bob.smith@support.example> "
        "ha scritto:",
    ),
    (
        "Em 20 de agosto reiniciei a impressora",
        "Em seg., 26 de ago. de 2019 às 16:37, Bob Smith <bob.smith@support.example> escreveu:",
    ),
    (
        "В понедельник я перезапустил принтер",
        "пн, 26 авг. 2019 г. в 16:37, Bob Smith <bob.smith@support.example>:",
    ),
    (
        "8月20日にプリンターを再起動しました",
        "2019年8月26日(月) 16:37 Bob Smith <bob.smith@support.example>:",
    ),
    (
        "2019-08-20 the server was restarted by our admin",
        "2019-08-26 16:37 GMT+02:00 Bob Smith <bob.smith@support.example>:",
    ),
]


@pytest.mark.parametrize(("line", "attribution"), LINE_ABOVE_ATTRIBUTION)
def test_customer_line_above_an_attribution_over_inline_answers_is_kept(line, attribution):
    got = new_part(f"{line}\n{attribution}\n{INLINE}")
    assert got.startswith(f"{line}\n> Is the printer switched on?"), got
    assert "A LaserJet 4200." in got and "Bob Smith" not in got


@pytest.mark.parametrize(("line", "attribution"), LINE_ABOVE_ATTRIBUTION)
def test_customer_line_above_an_attribution_over_a_bottom_posted_answer_is_kept(line, attribution):
    body = f"{line}\n{attribution}\n> Is the printer switched on?\n\nYes, it is on.\n"
    got = new_part(body)
    assert line in got and "Yes, it is on." in got, got
    assert "Bob Smith" not in got


# A line that reads as the glued end of an attribution (">:", "> wrote:") with no quote
# below it: the customer's own text below it stays. An HTML-to-text step sets a link on lines
# of its own ("… to Bob Smith" / "" / "<" / "mailto:…" / ">:"), a console prints ">:".
GLUED_END_WITHOUT_QUOTE = [
    "Please send the invoice to Bob Smith\n\n<\nmailto:bob.smith@customer.example\n>:\n"
    "INV-2026-0042, 120 EUR, due on 31 May.\n",
    "Bitte schicken Sie die Rechnung an Bob Smith\n\n<\nmailto:bob.smith@customer.example\n>:\n"
    "RE-2026-0042, 120 EUR, fällig am 31. Mai.\n",
    "The console shows this after the prompt of host-42 <admin@host-42.customer.example\n>:\n"
    "Error 49: the fuser is too hot, the printer stops.\n",
]


@pytest.mark.parametrize("text", GLUED_END_WITHOUT_QUOTE)
def test_text_below_a_glued_end_without_a_quote_is_kept(text):
    got = new_part(f"Thanks for the quick answer.\n\n{text}")
    assert text.strip().split("\n")[-1] in got, got


# The same with an attribution that names its sender and no date ("Bob Smith <bob@x>
# wrote:"): complete by itself, the customer's line above it is not its head. (Its wrapped
# tails, "bob@x> wrote:", "wrote:", "écrit :", still go with the line above: reply5's tests.)
LINE_ABOVE_NAMED_ATTRIBUTION = [
    ("On the second point nothing changed", "Bob Smith <bob.smith@support.example> wrote:"),
    ("Le problème persiste toujours", "Bob Smith <bob.smith@support.example> a écrit :"),
    ("Am Ende hat es wieder nicht geklappt", "Bob Smith <bob.smith@support.example> schrieb:"),
    ("On the second point nothing changed", "Bob Smith wrote:"),
    ("The printer failed again at 09:12", "Bob Smith <bob.smith@support.example> wrote:"),
    ("Copy to ann@customer.example please", "Bob Smith <bob.smith@support.example> wrote:"),
]


@pytest.mark.parametrize(("line", "attribution"), LINE_ABOVE_NAMED_ATTRIBUTION)
def test_customer_line_above_a_named_attribution_over_inline_answers_is_kept(line, attribution):
    got = new_part(f"{line}\n{attribution}\n{INLINE}")
    assert got.startswith(f"{line}\n> Is the printer switched on?"), got
    assert "A LaserJet 4200." in got and "Bob Smith" not in got


# A wrap before the sender's name: the dated head above goes with it.
def test_attribution_wrapped_before_the_name_above_inline_answers_is_dropped_whole():
    attribution = "On Mon, Aug 26, 2019 at 4:37 PM\nBob Smith <bob.smith@support.example> wrote:"
    got = new_part(f"{attribution}\n{INLINE}")
    assert got.startswith("> Is the printer switched on?"), got


@pytest.mark.parametrize(("line", "attribution"), LINE_ABOVE_NAMED_ATTRIBUTION)
def test_customer_line_above_a_named_attribution_over_a_bottom_posted_answer_is_kept(
    line, attribution
):
    body = f"{line}\n{attribution}\n> Is the printer switched on?\n\nYes, it is on.\n"
    got = new_part(body)
    assert line in got and "Yes, it is on." in got, got
    assert "Bob Smith" not in got


def test_attribution_wrapped_before_the_name_above_a_bottom_posted_answer_is_cut():
    attribution = "On Mon, Aug 26, 2019 at 4:37 PM\nBob Smith <bob.smith@support.example> wrote:"
    body = f"{attribution}\n> Is the printer switched on?\n\nYes, it is on.\n"
    assert new_part(body) == "Yes, it is on."


# Gmail's Spanish attribution sets the address in parentheses ("Bob Smith (<bob@x>)
# escribió:"): wrapped inside the address, the next line starts ">) escribió:".
SPANISH_GLUED = (
    "El mar., 5 may. 2026 a las 09:12, Bob Smith (<bob.smith@support.example\n>) escribió:"
)


def test_spanish_glued_attribution_below_a_top_posted_answer():
    body = f"Sí, una LaserJet 4200.\n\n{SPANISH_GLUED}\n> ¿Está encendida?\n> ¿Qué modelo?\n"
    assert new_part(body) == "Sí, una LaserJet 4200."


def test_spanish_glued_attribution_above_a_bottom_posted_answer():
    body = f"{SPANISH_GLUED}\n> ¿Está encendida?\n> ¿Qué modelo?\n\nSí, una LaserJet 4200.\n"
    assert new_part(body) == "Sí, una LaserJet 4200."
