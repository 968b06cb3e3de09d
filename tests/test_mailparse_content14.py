"""Issue 14, classes of mail left open by the last attack (bench/README.md).

Each message is written for the class it stands for, not copied from any corpus file.
"""

import pytest
from mailparse import Settings
from mailparse.newpart import split_reply

SETTINGS = Settings()

_BELOW = "Error 42 on tray 2, then the paper jams.\nPlease send a technician.\n"


# --- "wrote:" verbs inside other words, and the words after a verb --------------------------------


@pytest.mark.parametrize(
    "line",
    [
        # "sent" inside "presented" / "resent", "wrote" inside no word: not a verb there
        "The workshop was presented by Ann <ann@example.com> on 03.03.2026 and she lists:",
        "The keynote presented by Ann Lee on 03.03.2026 lists:",
        "My colleague represented us on 03.03.2026, see below what he resent:",
        "On the invoice of 03.03.2026 the sentence reads:",
        # de: a verb followed by the customer's own words, not by a sender and a date
        "Unsere Buchhaltung hat am 03.03.2026 an billing@example.com geschrieben, hier die "
        "Details:",
        "Am 03.03.2026 schrieb unser Buchhalter an billing@example.com folgende Details:",
        "Ich habe am 03.03.2026 an billing@example.com geschrieben. Details:",
    ],
)
def test_a_customer_s_sentence_with_a_verb_of_attribution_keeps_what_follows(line):
    text = f"Hello,\n\n{line}\n{_BELOW}"
    assert "Please send a technician." in split_reply(text, SETTINGS).new_part


@pytest.mark.parametrize(
    "attribution",
    [
        "Am Di., 3. März 2026 um 10:00 Uhr schrieb Bob Example <bob@example.com>:",
        "Am 03.03.2026 um 10:00 schrieb Müller, Hans <hans.mueller@example.com>:",
        "Bob Example schrieb am Dienstag, den 03.03.2026 um 10:00:",
        "Le mar. 3 mars 2026 à 10:00, Bob <bob@example.com> a écrit :",
        "Op di 3 mrt. 2026 om 10:00 schreef Bob <bob@example.com>:",
        "On 3/3/26 10:00 AM, Bob Example wrote:",
        "Bob <bob@example.com> 于2026年3月3日周二 10:00写道：",
        "2026年3月3日 10:00，张三<zhangsan@example.com>写道：",
        "03.03.2026 10:00, Боб пишет:",
    ],
)
def test_attributions_of_mail_clients_still_start_old_content(attribution):
    text = f"Thanks, it works.\n\n{attribution}\n\n> Does the printer work now?\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks, it works."


def test_a_long_line_of_verbs_and_words_before_a_colon_is_read():
    # Linear: the rules read a bounded window before the final colon, whatever the line.
    line = "presented sent wrote, hier die " * 3000 + "Details:"
    text = f"Hello,\n\n{line}\n{_BELOW}"
    assert "Please send a technician." in split_reply(text, SETTINGS).new_part
