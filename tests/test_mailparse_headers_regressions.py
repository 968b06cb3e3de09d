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


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # the same symbols beside accented letters of the label's language
        (b"=?iso-8859-1?Q?=BFQu=E9_tal=3F_=A1Bien!?=", "¿Qué tal? ¡Bien!"),
        (b"=?iso-8859-1?Q?Caf=E9_=A9_2024?=", "Café © 2024"),
        (b"=?windows-1252?Q?=BFQu=E9_tal=3F?=", "¿Qué tal?"),
        (b"=?utf-8?Q?M=FCller_=B1_5?=", "Müller ± 5"),
        (b"=?utf-8?Q?Gr=F6=DFe_=BE?=", "Größe ¾"),
        # UTF-8 text with a Windows-1252 symbol pasted in (read so before the merge)
        (b"=?utf-8?Q?Gr=C3=BC=C3=9Fe_25_=B0C?=", "Grüße 25 °C"),
    ],
)
def test_a_symbol_standing_alone_beside_latin_letters_is_no_other_charset(word, expected):
    parsed, peek = _parse(b"From: Ann Lee <ann@example.com>\nSubject: " + word + b"\n")
    assert (parsed.subject, peek.subject) == (expected, expected)


# --- a list mail whose From is not the list's own address ---------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # an X-Original-From beside the author's own From (forged, or left by a forward):
        # the From is no list's, nothing was rewritten
        (
            b"From: Bob Roe <bob@customer.example>\n"
            b"X-Original-From: Carol Chief <carol@customer.example>\n"
            b"List-Id: <it.customer.example>\nSubject: Please reset my password\n",
            ("bob@customer.example", "Bob Roe"),
        ),
        (
            b"From: Ann Lee <ann@customer.example>\n"
            b"X-Original-From: Bob <bob@partner.example>\n"
            b"List-Id: <it.customer.example>\nList-Post: <mailto:it@customer.example>\n"
            b"Subject: Fwd: printer\n",
            ("ann@customer.example", "Ann Lee"),
        ),
        # a forum's notification ("<author> via <site>") whose Reply-To is the site's
        # per-topic reply address, not the author's
        (
            b"From: Jeff Roe via Example Forum <forum@forum.example>\n"
            b"Reply-To: Example Forum <forum+d1b2c3e4f5a6b7c8@forum.example>\n"
            b"List-Id: Example Forum <forum.example>\n"
            b"List-Post: <https://forum.example/t/printer/123>\nSubject: [Example Forum] Printer\n",
            ("forum@forum.example", "Jeff Roe via Example Forum"),
        ),
    ],
)
def test_a_list_mail_whose_from_is_not_the_list_s_keeps_its_caller(head, expected):
    parsed, peek = _parse(head)
    assert ((parsed.from_email, parsed.from_name), peek.email_from) == (expected, expected[0])


def test_a_list_s_rewritten_from_named_by_its_list_id_gives_the_author():
    # guard: an announcement list without List-Post, its own address named by its List-Id
    head = (
        b"From: 'Ann Lee' via IT <it@customer.example>\n"
        b"X-Original-From: Ann Lee <ann@customer.example>\n"
        b"List-Id: IT <it.customer.example>\nSubject: Printer\n"
    )
    assert _parse(head)[0].from_email == "ann@customer.example"


# --- a bounce whose only sender address is its Return-Path ------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        # a notice a relay sent with a null or missing From and its own envelope sender
        b"From: <>\nReturn-Path: <root@mx.example.net>\nSubject: Unzustellbar: Angebot 4711\n",
        b"Return-Path: <smtp@mx.example.net>\nSubject: Rejected: Your order 4711\n",
        b"From: Systemverwalter\nReturn-Path: <root@mx.example.net>\nSubject: Quota exceeded\n",
    ],
)
def test_a_bounce_named_by_its_subject_stays_automated_when_its_caller_is_the_return_path(head):
    parsed = _parse(head)[0]
    assert parsed.automated is not None and parsed.automated.kind == "bounce"


def test_a_person_s_subject_with_a_bounce_word_is_not_automated():
    # guard: the rule still needs a mail without a sender address of its own
    head = b"From: Ann Lee <ann@example.com>\nSubject: Rejected: Your order 4711\n"
    assert _parse(head)[0].automated is None


# --- "Last, First" of a person whose initials spell a legal form -------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # capital initials, each with its dot, a space between: a person's first names
        ("Kumar, B. V.", "B. V. Kumar"),
        ("Smith, S. A.", "S. A. Smith"),
        ("Ng, E. V.", "E. V. Ng"),
        # a family name that is a legal form's word when written alone before the comma
        # (Co, a Chinese-Filipino family name): no company's name is its form alone
        ("Co, Michael", "Michael Co"),
        ("Co, Ana Marie", "Ana Marie Co"),
        # guards: a company's legal form written as one word stays
        ("Acme, S.A.", "Acme, S.A."),
        ("Philips Lighting, N.V.", "Philips Lighting, N.V."),
        ("Musterverein, e. V.", "Musterverein, e. V."),
        ("Example GmbH, Vertrieb", "Example GmbH, Vertrieb"),
        ("Smith, Jones & Co", "Smith, Jones & Co"),
        ("AT&T, Support", "AT&T, Support"),
    ],
)
def test_a_person_whose_initials_spell_a_legal_form_is_turned_round(name, expected):
    head = b'From: "' + name.encode() + b'" <ann@example.com>\nSubject: Printer\n'
    assert _parse(head)[0].from_name == expected


# --- the envelope sender is the delivering MTA's Return-Path: the first ------------------------


def test_a_null_envelope_sender_above_an_older_return_path_names_no_caller():
    # a notice with a null envelope sender (the delivering MTA's Return-Path, on top) that
    # carries the Return-Path of an earlier delivery below: that older sender is no caller
    head = (
        b"Return-Path: <>\nReceived: from mx.example.net by mail.helpdesk.example\n"
        b"Return-Path: <ann@example.com>\nSubject: Your message\n"
    )
    parsed, peek = _parse(head)
    assert (parsed.from_email, peek.email_from) == ("", "")


def test_list_from_names_the_lists_own_address_only_when_the_author_replaced_it():
    list_mail = (
        b"From: 'Bob Author' via Support Group <support-group@groups.example>\r\n"
        b"X-Original-From: Bob Author <bob@customer.example>\r\n"
        b"List-Id: <support-group.groups.example>\r\n"
        b"List-Post: <mailto:support-group@groups.example>\r\n"
        b"Subject: Printer\r\n\r\nBroken.\r\n"
    )
    parsed = parse_message(list_mail)
    assert (parsed.from_email, parsed.list_from) == (
        "bob@customer.example",
        "support-group@groups.example",
    )
    plain = b"From: Bob <bob@customer.example>\r\nList-Id: <x.groups.example>\r\n\r\nHi.\r\n"
    assert parse_message(plain).list_from == ""
