"""New part (issue 14, branch newpart4): classes read wrong on Quagga's fitting half.

The texts are written for the class of mail, in the layouts the clients produce, not
copied from a corpus.
"""

import pytest
from mailparse import Settings
from mailparse.newpart import split_reply

SETTINGS = Settings()

ANSWER = "Dear Paul,\n\nThe revised terms are fine with us. I will sign on Monday.\n\nKaren"
QUOTE = "\n".join(
    [
        "Paul Miller wrote:",
        "",
        "> Karen,",
        ">",
        "> Please find the revised terms attached. Let me know if you",
        "> can agree to them, so we can close the contract this week.",
        ">",
        "> Paul",
    ]
)


# A client or an archive lists the files of a message below its text (Lotus Notes'
# " - name.ext", Outlook's "<<name.ext>>", "(See attached file: name.ext)"): below a
# trailing quote, such a line is no answer written between the quoted lines.
@pytest.mark.parametrize(
    "listing",
    [
        " - revised_terms.doc",
        " - paul.miller.vcf",
        "<<revised terms v2.xls>>",
        " <<Revised Terms.pdf>> ",
        "(See attached file: revised_terms.doc)",
        " - revised_terms.doc\n - paul.miller.vcf",
    ],
)
def test_attachment_listing_below_quote_is_no_answer(listing):
    split = split_reply(f"{ANSWER}\n\n{QUOTE}\n\n{listing}\n", SETTINGS)
    assert "revised terms attached" not in split.new_part
    assert "The revised terms are fine with us. I will sign on Monday." in split.new_part


@pytest.mark.parametrize(
    "answer",
    [
        "I attached the signed copy - revised_terms.doc",
        "See revised_terms.doc, page 2: the date is wrong.",
        "- revised_terms.doc is signed, the other one is not",
        "- see the new revised_terms.doc",
    ],
)
def test_answer_naming_a_file_below_quote_is_kept(answer):
    text = f"{QUOTE}\n\n{answer}\n"
    split = split_reply(text, SETTINGS)
    assert answer.strip() in split.new_part


NABBLE_QUOTE = "\n".join(
    [
        "> Which release do you run? Since 5.4 there is a",
        "> command that may help.",
        ">",
        "> Best,",
        "> Ann",
    ]
)
QUESTION = "I run 5.2.1. Is there anything short of an upgrade?"


# Nabble and some web archives write the attribution as "<name> wrote", no colon, glued
# right above the quote: like "… wrote:", it is the archive's line, not the customer's.
@pytest.mark.parametrize(
    "attribution",
    [
        "Ann Example wrote",
        "Ann wrote",
        "ann.example wrote",
        "Ann Example-Smith wrote",
        "Jean Dupont a écrit",
        "Anna Beispiel schrieb",
    ],
)
def test_attribution_without_colon_glued_to_quote_is_cut(attribution):
    split = split_reply(f"{QUESTION}\n\n\n{attribution}\n{NABBLE_QUOTE}\n", SETTINGS)
    assert split.new_part == QUESTION


# The customer's own lines ending with a verb stay: a sentence, the customer speaking of
# themself, words that are not a name.
@pytest.mark.parametrize(
    "line",
    [
        "Thanks Ann, you wrote",
        "This is what I wrote",
        "Here is the reply support wrote",
        "The file Ann sent",
    ],
)
def test_line_ending_with_verb_is_kept(line):
    split = split_reply(f"{QUESTION}\n\n{line}\n{NABBLE_QUOTE}\n", SETTINGS)
    assert line in split.new_part


# "Q>" lines that each ask a question are the customer's list of questions (a label, as in a
# Q/A list), not a Supercite quote of a writer with the initial Q: they stay, also alone
# below the customer's first paragraph with nothing written after them.
@pytest.mark.parametrize(
    "tail",
    ["", "\n\nRegards,\nBob", "\n\nBob"],
)
def test_question_lines_with_one_letter_label_are_kept(tail):
    questions = (
        "Q> Does the fix also cover the 2.3 branch?\nQ> And do we need to restart the nodes?"
    )
    split = split_reply(f"Thanks for the quick answer.\n\n{questions}{tail}\n", SETTINGS)
    assert questions in split.new_part


# A Supercite quote stays a quote: the writer's initials, lines that are not all questions.
@pytest.mark.parametrize(
    "quote",
    [
        "Q> The fix covers the 2.3 branch.\nQ> Do you need to restart the nodes?",
        "JD> Does the fix cover the 2.3 branch?\nJD> Do you need to restart the nodes?",
    ],
)
def test_supercite_quote_is_still_cut(quote):
    split = split_reply(f"Thanks for the quick answer.\n\n{quote}\n", SETTINGS)
    assert "restart the nodes" not in split.new_part


# A closing word right below the greeting closes nothing the customer wrote: the short
# lines below it are the message (a terse mail without a full stop), not a signature.
@pytest.mark.parametrize(
    "body",
    [
        "Hi\nBye\nprinter on floor 2 jams again",
        "Hi\n\nBye\n\nprinter on floor 2 jams again",
        "Hello Ann,\nThanks\nthe VPN drops every hour\nsince the update",
        "Hi all\nCheers\nnew laptop for Tom needed by Monday",
    ],
)
def test_closing_right_below_greeting_keeps_what_follows(body):
    split = split_reply(body, SETTINGS)
    assert split.new_part == body


# A closing below the customer's text still opens the signature.
def test_closing_below_text_is_still_cut():
    split = split_reply("Hi\n\nprinter on floor 2 jams again\n\nBye\nTom Miller", SETTINGS)
    assert split.new_part == "Hi\n\nprinter on floor 2 jams again"
