"""New part of multilingual replies and forwards (issue 14): classes of layout the core
missed on another project's fixtures (the fitting half of ``bench/reply_score.py``).

The texts are written here for each class, in the layouts clients and converters produce,
not copied from those fixtures.
"""

import pytest
from mailparse import Settings
from mailparse.newpart import split_reply

SETTINGS = Settings()
ANSWER = "The label printer prints again since this morning, thank you."
OLD = ["Please power the printer off and on again.", "", "Kind regards", "The helpdesk"]


def new_part(lines: list[str]) -> str:
    return split_reply("\n".join(lines), SETTINGS).new_part.strip()


# --- a separator set in bold or italics ---------------------------------------------------
# A client converting HTML to text marks the bold or underlined separator of the quoted
# message ("*-------- Original Message --------*", "_-----Message d'origine-----_"): it
# starts the old message as the bare separator does.
@pytest.mark.parametrize(
    "separator, sender",
    [
        ("*-------- Original Message --------*", "From: Help Desk <help@example.com>"),
        ("**-----Ursprüngliche Nachricht-----**", "Von: Help Desk <help@example.com>"),
        ("_-----Message d'origine-----_", "De : Help Desk <help@example.com>"),
        ("*-------- Doorgestuurd bericht --------*", "Van: Help Desk <help@example.com>"),
    ],
)
def test_separator_in_emphasis_starts_the_old_message(separator, sender):
    assert new_part([ANSWER, "", separator, sender, "", *OLD]) == ANSWER


def test_english_separator_in_emphasis_alone_starts_the_old_message():
    """As the bare "-------- Original Message --------" does, with no header below."""
    assert new_part([ANSWER, "", "*-------- Original Message --------*", "", *OLD]) == ANSWER


def test_emphasised_heading_between_rules_is_kept():
    """A heading of the customer's own, set in bold between rules, names no old message."""
    body = [ANSWER, "", "*------ Steps I tried ------*", "", "1. restarted it", "2. new cable"]
    assert "Steps I tried" in new_part(body)
    assert "new cable" in new_part(body)
