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
    body = f"See my answers below.\n{inline}\nA LaserJet 4200, bought in 2019.\n\n{supercite}"
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


def assert_dropped_above_inline_answers(attribution):
    """``attribution`` above two quoted questions, each answered inline: it goes, the
    questions and answers stay."""
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


@pytest.mark.parametrize("attribution", WRAPPED_ATTRIBUTIONS)
def test_wrapped_attribution_above_inline_answers_is_dropped_whole(attribution):
    assert_dropped_above_inline_answers(attribution)


# --- 3. An attribution whose address a client's HTML-to-text step set apart ----------------

# A client writing the plain-text side from its HTML turns the sender's mailto link into
# lines of their own, with blank lines between ("On … Bob Smith" / "" / "<" / "mailto:…" /
# "> wrote:"): the pieces above the quote are the attribution, not the customer's words.
SPLIT_ATTRIBUTIONS = [
    "On Tue, 5 May 2026 at 09:12 Bob Smith\n\n<\nmailto:bob.smith@support.example\n> wrote:",
    "On Tue, 5 May 2026 at 09:12 Bob Smith\n\n<\nmailto:Bob Smith <bob.smith@support.example>\n"
    "> wrote:",
    "Le mar. 5 mai 2026 à 09:12, Bob Smith\n\n<\nmailto:bob.smith@support.example\n> a écrit :",
    "Am Di., 5. Mai 2026 um 09:12 Uhr schrieb Bob Smith\n\n<\nmailto:bob.smith@support.example\n>:",
    "Op di 5 mei 2026 om 09:12 schreef Bob Smith\n\n\n<\nmailto:bob.smith@support.example\n>:",
]


def assert_cut_below_the_answer(attribution, quote):
    """The answer, then ``attribution`` and ``quote`` below it: only the answer kept."""
    body = f"Thanks, the printer works again.\n\n{attribution}\n{quote}"
    assert new_part(body) == "Thanks, the printer works again."


@pytest.mark.parametrize("attribution", SPLIT_ATTRIBUTIONS)
def test_attribution_split_by_a_mailto_link_is_cut(attribution):
    assert_cut_below_the_answer(attribution, "\n> Please restart the printer and tell us.\n")


# The same when the client also lost the quote's marks (its HTML blockquote written as plain
# lines): the attribution is found by its verb below the link, its first piece goes with it.
SPLIT_ATTRIBUTIONS_NO_MARKS = [
    "On Tue, 5 May 2026 at 09:12 Bob Smith\n\n<\nmailto:Bob Smith <bob.smith@support.example>\n"
    "> wrote:",
    "On Tue, 5 May 2026 at 09:12 Bob Smith\n\n<\nmailto:bob.smith@support.example\n> wrote:",
    "Le mar. 5 mai 2026 à 09:12, Bob Smith\n\n<\nmailto:bob.smith@support.example\n> a écrit :",
    "Am Di., 5. Mai 2026 um 09:12 Uhr schrieb Bob Smith\n\n<\nmailto:bob.smith@support.example\n>:",
]


@pytest.mark.parametrize("attribution", SPLIT_ATTRIBUTIONS_NO_MARKS)
def test_attribution_split_by_a_mailto_link_above_unmarked_quote_is_cut(attribution):
    assert_cut_below_the_answer(attribution, "\n\nPlease restart the printer and tell us.\n")


# The customer's own words ending with a link on lines of its own stay.
@pytest.mark.parametrize(
    "tail",
    [
        "On Tuesday I wrote to Bob Smith\n\n<\nmailto:bob.smith@support.example\n>",
        "Please write to our sales team\n\n<\nmailto:sales@support.example\n>",
    ],
)
@pytest.mark.parametrize("below", ["", "\nHe has not answered yet: can you ask him?\n"])
def test_customer_text_ending_with_a_split_link_is_kept(tail, below):
    body = f"Thanks, the printer works again.\n\n{tail}\n{below}"
    got = new_part(body)
    assert "mailto:" in got and tail.split("\n")[0] in got
    assert below.strip() in got


# --- 4. An attribution glued onto the quote, above a bottom-posted or inline answer --------

# Gmail wraps a long attribution inside the sender's address; the address's closing bracket
# and the verb then start the next line, which reads as a quoted one ("<bob@x" / "> wrote:",
# "> a écrit :", ">:"), also with the link on lines of its own (section 3).
GLUED_ATTRIBUTIONS = [
    "On Tue, May 5, 2026 at 9:12 AM Bob Smith <bob.smith@support.example\n> wrote:",
    "Le mar. 5 mai 2026 à 09:12, Bob Smith <bob.smith@support.example\n> a écrit :",
    "Am Di., 5. Mai 2026 um 09:12 Uhr schrieb Bob Smith <bob.smith@support.example\n>:",
    "Op di 5 mei 2026 om 09:12 schreef Bob Smith <bob.smith@support.example\n>:",
    "On Tue, 5 May 2026 at 09:12 Bob Smith\n\n<\nmailto:bob.smith@support.example\n> wrote:",
    "Am Di., 5. Mai 2026 um 09:12 Uhr schrieb Bob Smith\n\n<\nmailto:bob.smith@support.example\n>:",
]


@pytest.mark.parametrize("attribution", GLUED_ATTRIBUTIONS)
def test_glued_attribution_above_a_bottom_posted_answer(attribution):
    body = (
        f"{attribution}\n"
        "> Is the printer switched on?\n"
        "> Which model is it?\n\n"
        "Yes, it is on: a LaserJet 4200.\n"
    )
    assert new_part(body) == "Yes, it is on: a LaserJet 4200."


@pytest.mark.parametrize("attribution", GLUED_ATTRIBUTIONS)
def test_glued_attribution_above_inline_answers(attribution):
    assert_dropped_above_inline_answers(attribution)


@pytest.mark.parametrize("attribution", GLUED_ATTRIBUTIONS)
def test_glued_attribution_below_a_top_posted_answer(attribution):
    body = (
        "Yes, it is on: a LaserJet 4200.\n\n"
        f"{attribution}\n"
        "> Is the printer switched on?\n"
        "> Which model is it?\n"
    )
    assert new_part(body) == "Yes, it is on: a LaserJet 4200."
