"""Mail the header probes' merge (68963e9) read worse than before it: written for the class
each stands for (a Latin-1 subject holding a symbol, a list mail whose From is not the
list's, a bounce whose caller comes from its Return-Path), not copied from any corpus."""

import pytest
from mailparse import parse_message
from mailparse.peek import peek_headers

_REST = b"To: support@helpdesk.example\nMessage-ID: <r@x.example>\n"


def _parse(head: bytes):
    raw = head + _REST + b"\nHello, my printer is broken.\n"
    return parse_message(raw), peek_headers(raw)


# --- a Latin subject whose only non-ASCII characters are symbols -------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # labelled right: a Latin-1 symbol between ASCII characters is Latin text
        (b"=?iso-8859-1?Q?Temperatur_25_=B0C?=", "Temperatur 25 °C"),
        (b"=?iso-8859-1?Q?=BD_Preis_bis_Freitag?=", "½ Preis bis Freitag"),
        (b"=?iso-8859-1?Q?Angebot_2_=D7_3_m?=", "Angebot 2 × 3 m"),
        (b"=?iso-8859-1?Q?Toleranz_=B15=25?=", "Toleranz ±5%"),
        (b"=?iso-8859-1?B?qSBBQ01FIFNlcnZpY2U=?=", "© ACME Service"),
        (b"=?iso-8859-1?Q?=A1Hola!?=", "¡Hola!"),
        # labelled UTF-8 or unknown, written in Windows-1252 (read so before the merge)
        (b"=?utf-8?Q?Temperatur_25_=B0C?=", "Temperatur 25 °C"),
        (b"=?utf-8?Q?Preis_5_=80?=", "Preis 5 €"),
        (b"=?x-unknown?Q?=A9_ACME?=", "© ACME"),
    ],
)
def test_a_symbol_standing_alone_in_a_latin_subject_is_no_other_charset(word, expected):
    parsed, peek = _parse(b"From: Ann Lee <ann@example.com>\nSubject: " + word + b"\n")
    assert (parsed.subject, peek.subject) == (expected, expected)
