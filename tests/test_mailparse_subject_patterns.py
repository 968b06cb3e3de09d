"""The patterns an admin wrote against subjects (iTop's undesired-subject patterns, the inbox's
title pattern) read the subject as they always did: without the end spaces a sender encoded,
which the subject now keeps (a pattern anchored with ^ or $ stopped matching)."""

import pytest
from mailparse import parse_message
from mailparse.refs import title_refs
from mailparse.settings import DEFAULT_SETTINGS


def _raw(field: bytes) -> bytes:
    return b"From: ann@customer.example\nSubject:" + field + b"\n\nHello\n"


@pytest.mark.parametrize(
    "field", [b" =?utf-8?Q?Ticket_received_?=", b" =?utf-8?Q?_Ticket_received?="]
)
def test_an_anchored_undesired_pattern_still_matches_a_subject_with_encoded_end_spaces(field):
    settings = DEFAULT_SETTINGS.replace(undesired_subject_patterns=("/^Ticket received$/i",))
    automated = parse_message(_raw(field), settings).automated
    assert automated is not None and automated.kind == "undesired_subject"


def test_an_anchored_title_pattern_finds_the_reference_behind_an_encoded_space():
    assert title_refs(" R-000123 printer ", "/^R-([0-9]{6})/") == ["R-000123", "000123"]
    assert title_refs("printer R-000123 ", "/R-([0-9]{6})$/") == ["R-000123", "000123"]
