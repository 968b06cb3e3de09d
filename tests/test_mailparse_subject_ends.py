"""What the branch keeping a subject's encoded end spaces must not change: a line break or
tab a generator encoded at an end (or a control space written raw there) is layout, not a
space the sender typed: it went with the other end spaces before, and became one after."""

import pytest
from mailparse import parse_message
from mailparse.peek import peek_headers


def _raw(field: bytes) -> bytes:
    return b"From: ann@customer.example\nSubject:" + field + b"\n\nHello\n"


@pytest.mark.parametrize(
    "field, subject",
    [
        # A Japanese mailer's B-encoded subject whose last encoded word ends with a line
        # feed after the ISO-2022-JP return to ASCII.
        (b" =?iso-2022-jp?B?GyRCJUslYyE8JXMbKEIK?=", "ニャーン"),
        (b" =?utf-8?Q?Drucker_defekt=0D=0A?=", "Drucker defekt"),
        (b" =?utf-8?Q?=09Drucker_defekt?=", "Drucker defekt"),
        (b" =?utf-8?Q?Drucker_defekt?= \x0b", "Drucker defekt"),
        (b" Drucker defekt\x0c", "Drucker defekt"),
    ],
)
def test_control_spaces_at_the_subject_ends_are_layout(field, subject):
    raw = _raw(field)
    assert parse_message(raw).subject == subject
    assert peek_headers(raw).subject == subject


def test_the_spaces_a_sender_encoded_are_still_kept():
    assert parse_message(_raw(b" =?utf-8?Q?Drucker_defekt_?=")).subject == "Drucker defekt "
