"""Reply separators drawn with other rule characters than dashes (issue 14).

cc:Mail and Lotus write "____ Reply Separator ____", some Outlook add-ins and web mailers
"===== Original Message =====" or "**** Forwarded message ****". Synthetic messages."""

import pytest
from mailparse import Settings, parse_message

TEXT_FIRST = Settings(body_parts_order=("text/plain", "text/html"))


def _reply(separator: str) -> bytes:
    body = (
        "Thursday works for me, I will book the room.\n\n"
        "Dana\n\n"
        f"{separator}\n"
        "Subject:    Planning meeting\n"
        "Author:     Lee Walker <lee.walker@example.com>\n"
        "Date:       03/02/2021 9:15 AM\n\n"
        "Could we meet this week to plan the migration?\n"
    )
    head = "From: dana@example.org\nSubject: Re: Planning meeting\n\n"
    return (head + body).encode()


@pytest.mark.parametrize(
    "separator",
    [
        "____________________Reply Separator____________________",
        "______________________________ Reply Separator _________________________________",
        "===== Original Message =====",
        "=====Original Message=====",
        "******** Forwarded message ********",
        "___________ Ursprüngliche Nachricht ___________",
    ],
)
def test_a_separator_drawn_with_underscores_equals_or_stars_starts_old_content(separator):
    parsed = parse_message(_reply(separator), TEXT_FIRST)
    assert "plan the migration" not in parsed.new_part_text
    assert "Thursday works for me" in parsed.new_part_text


def test_a_heading_between_rules_without_separator_words_is_kept():
    raw = (
        b"From: dana@example.org\nSubject: Notes\n\n"
        b"Here are the notes.\n\n"
        b"===== Agenda =====\n"
        b"1. Budget\n2. Hiring\n"
    )
    assert "Budget" in parse_message(raw, TEXT_FIRST).new_part_text
