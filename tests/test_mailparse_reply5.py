"""New part, issue 14's reading classes seen among the multilingual reply set's misses
(bench/README.md, "reply_score.py"): synthetic mail written for each class.

Every text goes through ``parse_message`` as a plain-text mail, as the addon reads it.
"""

import pytest
from newpart_probes import parsed_reply


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<reply5@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


# --- 1. A Supercite quote cut below an inline answer leaves the kept ">" lines as written ---

# The Supercite run below is read as ">" marks to find the quote; a kept line written ">"
# (an empty quote line, a quoted word) must not be "restored" to the prefix of another line.
SUPERCITE_BELOW_INLINE = [
    ("KB>\nKB> Is the toner new?\nKB>\n", ">"),
    ("MS> Yes\nMS> Yes\n", "> Yes"),
    ("Tom> >\nTom> > restart it\n", "> >"),
]


@pytest.mark.parametrize(("supercite", "kept_line"), SUPERCITE_BELOW_INLINE)
def test_kept_quote_lines_are_not_rewritten_as_supercite_prefixes(supercite, kept_line):
    inline = f"> The printer shows error 49.\n{kept_line}\n> Which model is it?\n"
    body = (
        "See my answers below.\n"
        f"{inline}\n"
        "A LaserJet 4200, bought in 2019.\n\n"
        f"{supercite}"
    )
    got = new_part(body)
    assert inline.strip() in got, got
    assert "A LaserJet 4200, bought in 2019." in got
    assert "toner" not in got and "restart it" not in got


# --- 2. An inline reply's attribution wrapped over two lines goes whole ---------------------

# Gmail's attributions (English, German, French, Dutch, Spanish, Italian) as a long sender
# address makes them wrap: inside the address, after its opening bracket, or before the verb.
WRAPPED_ATTRIBUTIONS = [
    "On Mon, Aug 26, 2019 at 4:37 PM The Helpdesk Robot <\n"
    "helpdesk-notifications+4711@support.example> wrote:",
    "On Mon, Aug 26, 2019 at 4:37 PM Bob Smith <bob.smith@support.example>\nwrote:",
    "Am Mo., 26. Aug. 2019 um 16:37 Uhr schrieb Bob Smith <\nbob.smith@support.example>:",
    "Le lun. 26 août 2019 à 16:37, Bob Smith <bob.smith@support.example> a\nécrit :",
    "Op ma 26 aug. 2019 om 16:37 schreef Bob Smith <bob.smith@\nsupport.example>:",
    "El lun., 26 ago. 2019 a las 16:37, Bob Smith (<\nbob.smith@support.example>) escribió:",
    "Il giorno lun 26 ago 2019 alle ore 16:37 Bob Smith <\nbob.smith@support.example> ha scritto:",
]


@pytest.mark.parametrize("attribution", WRAPPED_ATTRIBUTIONS)
def test_wrapped_attribution_above_inline_answers_is_dropped_whole(attribution):
    body = (
        f"{attribution}\n"
        "> Is the printer switched on?\n\n"
        "Yes, it is on.\n\n"
        "> Which model is it?\n\n"
        "A LaserJet 4200.\n"
    )
    got = new_part(body)
    assert got.startswith("> Is the printer switched on?"), got
    assert "A LaserJet 4200." in got

