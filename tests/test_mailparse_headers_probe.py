"""The caller (From, Sender, Reply-To, Return-Path) and the Subject of damaged or legacy
header forms that mail clients, lists, gateways and broken MTAs write.

Each message is written for the class it stands for (probes of issue "damaged headers lose
the caller"), not copied from any corpus file.
"""

import base64

import pytest
from cpu_budget import within_cpu_budget
from mailparse import parse_message
from mailparse.peek import peek_headers

_REST = (
    "To: support@example.org\nDate: Thu, 03 Dec 2026 10:00:00 +0100\nMessage-ID: <p@x.example>\n"
)


def _raw(head: bytes, newline: bytes = b"\n") -> bytes:
    raw = head + _REST.encode() + b"\n" + b"Hello, my printer is broken.\n"
    return raw.replace(b"\n", newline)


def _parse(head: bytes, newline: bytes = b"\n"):
    return parse_message(_raw(head, newline))


def _b(data: bytes) -> bytes:
    return base64.b64encode(data)


def _caller(head: bytes):
    parsed = _parse(head + b"Subject: Printer broken\n")
    return parsed.from_email, parsed.from_name


def _subject(value: bytes) -> str:
    return _parse(b"From: Ann Lee <ann@example.com>\nSubject: " + value + b"\n").subject


# --- encoded words whose charset label is wrong or unknown ------------------------------------


@pytest.mark.parametrize(
    ("label", "text", "charset"),
    [
        # a UTF-8 label on bytes that are no UTF-8 (a script that labels everything UTF-8)
        ("utf-8", "Принтер сломан", "koi8-r"),
        ("utf-8", "Не работает почта", "cp1251"),
        ("utf-8", "打印机又坏了，请尽快处理", "gbk"),
        # a Latin-1 label on the bytes of another script (a web form's default label)
        ("iso-8859-1", "プリンターが壊れました", "shift_jis"),
        ("iso-8859-1", "Не работает почта", "cp1251"),
        # a label no codec knows (what a broken gateway writes for "I do not know")
        ("x-unknown", "プリンターが壊れました", "shift_jis"),
        ("unknown-8bit", "Принтер сломан", "koi8-r"),
    ],
)
def test_an_encoded_subject_in_another_charset_than_its_label_is_read_in_its_own(
    label, text, charset
):
    value = f"=?{label}?B?".encode() + _b(text.encode(charset)) + b"?="
    assert _subject(value) == text


def test_an_encoded_name_in_another_charset_than_its_label_is_read_in_its_own():
    value = b"=?utf-8?B?" + _b("Иван Петров".encode("koi8-r")) + b"?= <ivan@example.com>"
    assert _caller(b"From: " + value + b"\n") == ("ivan@example.com", "Иван Петров")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # what the label says, read as labelled (guards: the label is right)
        (
            b"=?iso-8859-1?Q?Probl=E8me_d'impression_=E0_l'=E9tage?=",
            "Problème d'impression à l'étage",
        ),
        (b"=?utf-8?Q?Drucker_pr=FCfen?=", "Drucker prüfen"),
        (b"=?koi8-r?B?" + _b("Принтер сломан".encode("koi8-r")) + b"?=", "Принтер сломан"),
        (b"=?iso-8859-2?Q?Drukarka_nie_dzia=B3a?=", "Drukarka nie działa"),
    ],
)
def test_an_encoded_subject_read_by_its_right_label_stays_so(value, expected):
    assert _subject(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        # one UTF-8 character split between two words whose labels are spelt differently
        b"=?utf-8?Q?Drucker_pr=C3?= =?utf8?Q?=BCfen?=",
        b"=?UTF-8?B?" + _b(b"Drucker pr\xc3") + b"?=\n =?utf-8?B?" + _b(b"\xbcfen") + b"?=",
    ],
)
def test_a_character_split_between_words_of_one_charset_spelt_differently(value):
    assert _subject(value) == "Drucker prüfen"


def test_a_gbk_character_split_between_a_gb2312_and_a_gbk_word():
    data = "打印机".encode("gbk")
    value = b"=?GB2312?B?" + _b(data[:3]) + b"?= =?gbk?B?" + _b(data[3:]) + b"?="
    assert _subject(value) == "打印机"


# --- display names: quotes and where the name stands -------------------------------------------


@pytest.mark.parametrize(
    ("field", "name"),
    [
        # Google Groups rewrites the sender so: the quotes are part of the name shown
        (b"'Ann Lee' via Support <support@groups.example>", "'Ann Lee' via Support"),
        (b"\"'Ann Lee' via Support\" <support@groups.example>", "'Ann Lee' via Support"),
        # a quote left alone at either end (a cut or hand-written field)
        (b'Ann Lee" <support@groups.example>', "Ann Lee"),
        (b'Ann Lee"<support@groups.example>', "Ann Lee"),
        # typographic quotes an editor put around the name
        ("“Ann Lee” <support@groups.example>".encode(), "Ann Lee"),
        ("„Ann Lee“ <support@groups.example>".encode(), "Ann Lee"),
        # the name after the address (bracketed), as words or as a comment
        (b"<support@groups.example> Ann Lee", "Ann Lee"),
        (b"<support@groups.example> (Ann Lee)", "Ann Lee"),
    ],
)
def test_the_display_name_is_read_as_written(field, name):
    assert _caller(b"From: " + field + b"\n") == ("support@groups.example", name)


@pytest.mark.parametrize(
    ("field", "name"),
    [
        # guards: names as they are read today
        (b"Ann O'Neil <ann@example.com>", "Ann O'Neil"),
        (b"'Ann Lee' <ann@example.com>", "Ann Lee"),
        (b'"Ann Lee" <ann@example.com>', "Ann Lee"),
        (b"John Doe <ann@example.com> (Acme IT)", "John Doe"),
        (b"<ann@example.com>", ""),
        (b"ann@example.com (Ann Lee)", "Ann Lee"),
    ],
)
def test_names_read_right_stay_so(field, name):
    assert _caller(b"From: " + field + b"\n") == ("ann@example.com", name)


# --- the caller and the subject when the first field says nothing -----------------------------


@pytest.mark.parametrize(
    "head",
    [
        # a From with the name only (a web form, a hand-made script), the address elsewhere
        b"From: Ann Lee\nReply-To: ann@example.com\n",
        b'From: "Ann Lee"\nSender: <ann@example.com>\n',
        b"From: =?utf-8?Q?Ann_Lee?=\nReply-To: <ann@example.com>\n",
    ],
)
def test_a_from_with_a_name_only_names_the_caller_whose_address_comes_after(head):
    assert _caller(head) == ("ann@example.com", "Ann Lee")


@pytest.mark.parametrize(
    "head",
    [
        # no From, an empty one, a null one: the envelope sender the delivering MTA wrote
        b"Return-Path: <ann@example.com>\n",
        b"From:\nReturn-Path: <ann@example.com>\n",
        b"From: <>\nReturn-Path: <ann@example.com>\n",
    ],
)
def test_without_any_sender_field_the_return_path_is_the_caller(head):
    assert _caller(head) == ("ann@example.com", "")


@pytest.mark.parametrize(
    "return_path",
    [
        # the envelope sender as an MTA signed it (BATV) or a forwarder rewrote it (SRS)
        b"<prvs=0123456789=ann@example.com>",
        b"<PRVS=0123456789=ann@example.com>",
        b"<SRS0=AbCd=TT=example.com=ann@forwarder.example>",
    ],
)
def test_a_signed_or_rewritten_return_path_names_the_original_sender(return_path):
    assert _caller(b"Return-Path: " + return_path + b"\n") == ("ann@example.com", "")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # guards: a group or a comment is no name; a From with an address wins over all
        (b"From: undisclosed-recipients:;\nSender: ann@example.com\n", ("ann@example.com", "")),
        (b"From: (none)\nReply-To: ann@example.com\n", ("ann@example.com", "")),
        (
            b"From: Bob <bob@example.com>\nSender: ann@example.com\nReturn-Path: <c@example.com>\n",
            ("bob@example.com", "Bob"),
        ),
        (b"From: MAILER-DAEMON\nReturn-Path: <>\n", ("", "")),
        (b"Return-Path: <>\n", ("", "")),
    ],
)
def test_fallbacks_that_must_not_name_the_caller(head, expected):
    assert _caller(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        # a gateway's empty Subject before the sender's
        b"Subject:\nSubject: Printer broken\n",
        b"Subject:   \nSubject: Printer broken\n",
        b"Subject: =?utf-8?Q??=\nSubject: Printer broken\n",
    ],
)
def test_an_empty_subject_before_the_sender_s_is_not_the_subject(head):
    raw = _raw(b"From: Ann Lee <ann@example.com>\n" + head)
    assert parse_message(raw).subject == "Printer broken"
    assert peek_headers(raw).subject == "Printer broken"


# --- line ends converted twice -----------------------------------------------------------------


@pytest.mark.parametrize("newline", [b"\r\r\n", b"\r\r\r\n"])
def test_a_message_whose_line_ends_were_converted_twice_keeps_its_header_block(newline):
    # CRLF text copied again in text mode (an FTP or a Windows tool): CR CR LF, which the
    # stdlib reads as a line end and an empty line, the header block ending after one field
    head = b"Received: from mx.example.net by mx.example.org; Thu, 3 Dec 2026 10:00:00 +0100\n"
    head += b"From: Ann Lee <ann@example.com>\nSubject: Printer broken\n"
    parsed = _parse(head, newline)
    assert (parsed.from_email, parsed.from_name, parsed.subject) == (
        "ann@example.com",
        "Ann Lee",
        "Printer broken",
    )
    assert parsed.message_id == "p@x.example"
    assert parsed.body_text == "Hello, my printer is broken."


@pytest.mark.parametrize("blank", [b"\r\n", b"\r\r\n"])
def test_fields_a_script_ended_with_a_cr_of_their_own_are_all_read(blank):
    # a script writing "\r\n" after each field, its MTA turning each "\n" into CRLF: its
    # fields end CR CR LF, below the MTA's own CRLF fields
    raw = (
        b"Received: from web.example.net by mx.example.org; Thu, 3 Dec 2026 10:00:00 +0100\r\n"
        b"Return-Path: <www-data@web.example.net>\r\n"
        b"From: Ann Lee <ann@example.com>\r\r\n"
        b"Subject: Printer broken\r\r\n"
        b"Message-ID: <p@x.example>\r\r\n" + blank + b"Hello, my printer is broken.\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.subject, parsed.message_id) == (
        "ann@example.com",
        "Printer broken",
        "p@x.example",
    )
    assert parsed.body_text == "Hello, my printer is broken."


def test_a_body_line_ending_in_a_stray_cr_is_not_read_as_converted_twice():
    raw = _raw(b"From: Ann Lee <ann@example.com>\nSubject: Printer broken\n", b"\r\n")
    raw += b"Line one\r\r\nLine two\r\n"
    parsed = parse_message(raw)
    assert parsed.subject == "Printer broken"
    assert "Line one" in parsed.body_text and "Line two" in parsed.body_text


# --- the address as written by old, hand-made or localized mailers -----------------------------


@pytest.mark.parametrize(
    "field",
    [
        # RFC 5322's obsolete source route, of more than one hop
        b"Ann Lee <@relay1.example.net,@relay2.example.net:ann@example.com>",
        # an absolute domain (its root's dot), a mailto URL with a query
        b"Ann Lee <ann@example.com.>",
        b"Ann Lee <mailto:ann@example.com?subject=Printer>",
        # the address in another kind of brackets after the name (old clients, hand-made)
        b"Ann Lee [ann@example.com]",
        b"Ann Lee (ann@example.com)",
        # full-width brackets typed with a CJK input method
        "Ann Lee ＜ann@example.com＞".encode(),
    ],
)
def test_the_address_is_read_from_its_old_or_hand_made_forms(field):
    assert _caller(b"From: " + field + b"\n") == ("ann@example.com", "Ann Lee")


def test_a_quoted_local_part_is_an_address():
    assert _caller(b'From: Ann Lee <"ann lee"@example.com>\n') == (
        '"ann lee"@example.com',
        "Ann Lee",
    )


# --- hostile sender fields ------------------------------------------------------------------------


def _caller_within_budget(raw: bytes) -> str:
    """The caller of ``raw``, parsed under the CPU budget (``cpu_budget``): far above a
    linear reading (milliseconds), below a quadratic one (a minute)."""
    return within_cpu_budget(lambda: parse_message(raw).from_email)


@pytest.mark.parametrize(
    "field",
    [
        # a long word after a bracketed address, many words and brackets before a bare one:
        # the name before each address was looked for from every character again
        b"<ann@example.com> " + b"w" * 60_000,
        b"Ann [ " * 10_000 + b"ann@example.com",
    ],
    ids=["long-word-after-address", "brackets-before-bare-address"],
)
def test_a_hostile_from_field_is_read_in_linear_time(field):
    assert _caller_within_budget(_raw(b"From: " + field + b"\nSubject: x\n")) == "ann@example.com"


# --- base64 encoded words cut or joined outside their 4-character groups -----------------------


@pytest.mark.parametrize(
    "value",
    [
        # one base64 text cut into words at a fixed width, not at a 4-character group
        b"=?utf-8?B?RHJ1Y2?= =?utf-8?B?tlciBwcsO8ZmVu?=",
        b"=?utf-8?B?RHJ1Y2tlciBwc?=\n =?utf-8?B?sO8ZmVu?=",
        # two encoded texts joined into one word, padding between them
        b"=?utf-8?B?RHJ1Y2tlciA=cHLDvGZlbg==?=",
    ],
)
def test_a_base64_subject_cut_or_joined_outside_its_groups_is_read_whole(value):
    assert _subject(value) == "Drucker prüfen"


def test_base64_words_each_without_padding_stay_words():
    # guard: words each encoded alone, their padding left out (read word by word)
    value = b"=?utf-8?B?RHJ1Y2tlcg?= =?utf-8?B?IHByw7xmZW4?="
    assert _subject(value) == "Drucker prüfen"


# --- byte order marks a Windows tool put before the text ----------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"From: =?utf-8?B?" + _b("\ufeffAnn Lee".encode()) + b"?= <ann@example.com>\n"
        b"Subject: =?utf-8?B?" + _b("\ufeffPrinter broken".encode()) + b"?=\n",
        "From: \ufeffAnn Lee <ann@example.com>\nSubject: \ufeffPrinter broken\n".encode(),
    ],
    ids=["encoded", "raw"],
)
def test_a_byte_order_mark_before_a_name_or_a_subject_is_no_text(head):
    parsed = _parse(head)
    assert (parsed.from_name, parsed.subject) == ("Ann Lee", "Printer broken")


# --- a mailing list that put its own address in From (DMARC mitigation) ------------------------

_GROUP = b"List-ID: <support.groups.example>\nList-Post: <mailto:support@groups.example>\n"


@pytest.mark.parametrize(
    "head",
    [
        # Google Groups: the author's From kept in X-Original-From
        b"From: 'Ann Lee' via Support <support@groups.example>\n"
        b"X-Original-From: Ann Lee <ann@example.com>\n"
        b"Reply-To: Ann Lee <ann@example.com>\n" + _GROUP,
        # Mailman: "<name> via <list>", the author's address in Reply-To
        b'From: "Ann Lee via Support" <support@groups.example>\n'
        b"Reply-To: Ann Lee <ann@example.com>\n" + _GROUP,
        b"From: Ann Lee via Support <support@groups.example>\nReply-To: ann@example.com\n" + _GROUP,
    ],
    ids=["google-groups", "mailman", "mailman-bare-reply-to"],
)
def test_a_list_s_rewritten_from_names_the_author_as_the_caller(head):
    assert _caller(head) == ("ann@example.com", "Ann Lee")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # guards: a list mail whose From is the author's; a Reply-To to the list itself; an
        # announcement list without an author; "via" in a name outside any list
        (
            b"From: Ann Lee <ann@example.com>\nReply-To: support@groups.example\n" + _GROUP,
            ("ann@example.com", "Ann Lee"),
        ),
        (
            b'From: "Ann Lee via Support" <support@groups.example>\n'
            b"Reply-To: support@groups.example\n" + _GROUP,
            ("support@groups.example", "Ann Lee via Support"),
        ),
        (
            b"From: News via Support <support@groups.example>\n" + _GROUP,
            ("support@groups.example", "News via Support"),
        ),
        (
            b"From: Ann Lee via Support <support@groups.example>\nReply-To: ann@example.com\n",
            ("support@groups.example", "Ann Lee via Support"),
        ),
    ],
)
def test_list_mail_whose_from_is_not_rewritten_keeps_it(head, expected):
    assert _caller(head) == expected


# --- "Last, First" names, companies and annotations -------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # a company with its legal form after a comma is no "Last, First"
        ("ACME, Inc.", "ACME, Inc."),
        ("Foo Bar, LLC", "Foo Bar, LLC"),
        ("Example GmbH, Vertrieb", "Example GmbH, Vertrieb"),
        ("Acme, S.A.", "Acme, S.A."),
        ("Smith, Jones & Co", "Smith, Jones & Co"),
        # the department or company a client writes after "Last, First" stays after it
        ("Lee, Ann (IT)", "Ann Lee (IT)"),
        ("Lee, Ann [ACME]", "Ann Lee [ACME]"),
        ("Doe, John - ACME", "John Doe - ACME"),
    ],
)
def test_a_last_first_name_is_turned_round_only_when_it_is_a_person_s(name, expected):
    field = b'From: "' + name.encode() + b'" <ann@example.com>\n'
    assert _caller(field) == ("ann@example.com", expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # guards: iTop's caller name rule
        ("Müller, Hans", "Hans Müller"),
        ("Lee, Dr. Ann", "Dr. Ann Lee"),
        ("Lee Smith, Ann Marie", "Ann Marie Lee Smith"),
    ],
)
def test_a_person_s_last_first_name_is_still_turned_round(name, expected):
    field = b'From: "' + name.encode() + b'" <ann@example.com>\n'
    assert _caller(field) == ("ann@example.com", expected)


# --- comments and swapped parts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        # a comment inside the brackets is no part of the name (RFC 5322 CFWS in an address)
        b"Ann Lee <ann(at work)@example.com>",
        b"Ann Lee <ann@(office)example.com>",
        # the address written where the name goes and the name in brackets (a CRM export)
        b"ann@example.com <Ann Lee>",
    ],
)
def test_comments_inside_or_parts_swapped_keep_name_and_address(field):
    assert _caller(b"From: " + field + b"\n") == ("ann@example.com", "Ann Lee")


def test_an_exchange_encapsulated_from_gives_way_to_the_reply_to_address():
    # Exchange wrote its internal X.500 address (IMCEAEX) where the SMTP address goes
    head = (
        b"From: Ann Lee <IMCEAEX-_O=ACME_OU=EXCHANGE_CN=RECIPIENTS_CN=ANN@acme.example>\n"
        b"Reply-To: Ann Lee <ann@example.com>\n"
    )
    assert _caller(head) == ("ann@example.com", "Ann Lee")
