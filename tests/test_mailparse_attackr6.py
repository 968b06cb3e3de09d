"""Attacks on reply6's new-part rules (issue 14; bench/README.md, "reply6"): an attribution
wrapped above its abbreviated month, Chinese Gmail's glued end, a customer's dated line
above a whole attribution, a file name after a dash on the last line.

Synthetic mail as clients write it (Gmail in Danish, Norwegian, Czech, Turkish, Greek,
Spanish; Thunderbird; a dash sign-off with an initial), in the three layouts a helpdesk
receives (answer above the quote, below it, between quoted questions). The customer's text
is never lost: every test asserts it is there.

Every text goes through ``parse_message`` as a plain-text mail, as the addon reads it.
"""

from email.message import EmailMessage

import pytest
from mailparse import parse_message
from newpart_probes import SETTINGS, parsed_reply
from test_mailparse_reply6 import assert_kept_above

ANSWER = "Thanks, the printer works now."
QUOTE = "> Does the printer work now?\n> Please restart it first.\n"
INLINE = "> Does the printer work now?\n\nYes, it works.\n\n> And the scanner?\n\nIt works too.\n"
INLINE_KEPT = (
    "> Does the printer work now?\n\nYes, it works.\n\n> And the scanner?\n\nIt works too."
)


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<attackr6@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


def assert_attribution_goes_in_every_layout(attribution: str) -> None:
    """``attribution`` (with its quote) goes whole above, below and between the answers."""
    top = new_part(f"{ANSWER}\n\n{attribution}\n{QUOTE}")
    assert top.strip() == ANSWER, top
    bottom = new_part(f"{attribution}\n{QUOTE}\n{ANSWER}\n")
    assert bottom.strip() == ANSWER, bottom
    inline = new_part(f"{attribution}\n{INLINE}")
    assert inline.strip() == INLINE_KEPT, inline


# --- 1. A weekday abbreviated with a dot opens Danish and Norwegian Gmail's attribution ------

# Gmail in Danish and Norwegian opens its attribution with the weekday and its dot, then the
# day's number ("fre. 28. apr. 2017 kl. 11.53 skrev …"): that reads like a month wrapped
# after a day's number, but a whole date follows it on the line (the month in words or in
# numbers). The customer's line ending
# with a number right above it (a verb among its words) is theirs, never the attribution's.
WEEKDAY_DOT_ATTRIBUTIONS = [
    "fre. 28. apr. 2017 kl. 11.53 skrev Bob Smith <bob.smith@support.example>:",
    "fre. 28. apr. 2017 kl. 11:53 skrev Bob Smith <bob.smith@support.example>:",
    "tir. 5. maj 2026 kl. 09.12 skrev Bob Smith <bob.smith@support.example>:",
    # (the date in numbers after the weekday's dot)
    "fre. 28.04.2017 kl. 11:53 skrev Bob Smith <bob.smith@support.example>:",
    "Fr. 28.04.2017 um 11:53 schrieb Bob Smith <bob.smith@support.example>:",
]
LINES_ENDING_WITH_A_NUMBER = [
    "Your technician wrote error code 42",
    "The part was sent with order 4711",
    "Teknikeren skrev fejlkode 42",
    "Der Techniker schrieb Fehler 42",
    "Le technicien a écrit erreur 42",
]


@pytest.mark.parametrize("attribution", WEEKDAY_DOT_ATTRIBUTIONS)
@pytest.mark.parametrize("line", LINES_ENDING_WITH_A_NUMBER)
def test_customer_line_above_a_weekday_dot_attribution_is_kept(line, attribution):
    assert_kept_above(line, attribution)


@pytest.mark.parametrize("attribution", WEEKDAY_DOT_ATTRIBUTIONS)
def test_weekday_dot_attribution_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# The month wrapped after the day's number still goes on the line above (reply6's class):
# its line goes on with the year or the time, no whole date of its own.
@pytest.mark.parametrize(
    "attribution",
    [
        "Bob Smith <bob.smith@support.example> skrev den fre. 28.\napr. 2017 kl. 11.53:",
        "Max Muster <max.muster@support.example> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:",
        "Kovács Max <max.kovacs@support.example> ezt írta (időpont: 2017.\nápr. 28., P 11:53):",
    ],
)
def test_month_wrapped_after_the_day_still_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# --- 2. A client's head: the date, its time and one word of the client's --------------------

# Clients put a word of their own after the time, before the sender's name (Gmail in Czech
# "… v 16:37 odesílatel", Spanish "… 4:37 p. m.,", Greek "… μ.μ., ο/η", Thunderbird in
# Turkish "… 16:37 tarihinde", Dutch "… 16:37 uur"); wrapped there, the sender's whole
# "Name <addr> wrote:" is the next line. One such word is no sentence of the customer's.
CLIENT_WORD_HEADS = [
    ("po 26. 8. 2019 v 16:37 odesílatel", "Bob Smith <bob.smith@support.example> napsal:"),
    ("26.08.2019 16:37 tarihinde", "Bob Smith <bob.smith@support.example> yazdı:"),
    ("El lun, 26 ago 2019 a las 4:37 p. m.,", "Bob Smith (<bob.smith@support.example>) escribió:"),
    ("Στις Δευ 26 Αυγ 2019 στις 4:37 μ.μ., ο/η", "Bob Smith <bob.smith@support.example> έγραψε:"),
    ("Op 26 aug. 2019, om 16:37 uur", "Bob Smith <bob.smith@support.example> schreef:"),
    ("Le 26/08/2019 à 16 h 37 min,", "Bob Smith <bob.smith@support.example> a écrit :"),
    ("26.08.2019, 16:37 пользователь", "Bob Smith <bob.smith@support.example> написал:"),
]


@pytest.mark.parametrize(("head", "tail"), CLIENT_WORD_HEADS)
def test_client_head_with_a_word_after_its_time_goes(head, tail):
    assert_attribution_goes_in_every_layout(f"{head}\n{tail}")


# The customer's dated lines stay: a clause after a time (two words of theirs or more), a
# word of theirs after a date alone.
@pytest.mark.parametrize(
    "line",
    [
        "Am 12.05.2026 kam der Techniker",
        "Am 12.05.2026 um 10:15 kam der Techniker",
        "On 12.05.2026 nothing changed",
        "On 12.05.2026 nothing",
        "Am 12.05.2026 angerufen",
        "Dne 12.05.2026 technik nepřišel",
        "12.05.2026 16:37 yazıcı bozuldu",
    ],
)
def test_customer_dated_clause_above_a_whole_attribution_is_kept(line):
    attribution = "Bob Smith <bob.smith@support.example> wrote:"
    top = new_part(f"Hello,\n{line}\n{attribution}\n{QUOTE}")
    assert top.strip() == f"Hello,\n{line}", top
    bottom = new_part(f"{line}\n{attribution}\n{QUOTE}\n{ANSWER}\n")
    assert line in bottom and ANSWER in bottom and "bob.smith" not in bottom, bottom


# --- 3. A dash sign-off with an initial is no file name --------------------------------------


# "- J.Lee": an initial glued to a short surname ends like a file's extension, and so does a
# business signing with its domain ("- Acme.com"); neither is a file's ("Rechnung.pdf").
@pytest.mark.parametrize(
    "name", ["J.Lee", "K.Kim", "T.Ng", "M.Chan", "Anna S.Park", "Acme.com", "Team Shop.de"]
)
@pytest.mark.parametrize("dash", ["- ", "-"])
def test_dash_sign_off_with_an_initial_is_cut(name, dash):
    got = new_part(f"The printer works again, thanks.\n\n{dash}{name}\n")
    assert got.strip() == "The printer works again, thanks.", got


@pytest.mark.parametrize(
    "file_name", ["Capacity Forum.doc", "Rechnung.PDF", "Scan.jpeg", "Report.docx", "Offer.xlsx"]
)
def test_file_name_after_a_dash_is_still_kept(file_name):
    got = new_part(f"See the attached file.\n\n - {file_name}\n")
    assert got.strip() == f"See the attached file.\n\n - {file_name}", got


# --- 4. Held: Chinese Gmail's glued end in other time forms ---------------------------------


@pytest.mark.parametrize(
    "attribution",
    [
        "Bob Smith <bob.smith@support.example\n> 于2026年5月5日 星期二 上午09:12:33写道：",
        "Bob Smith <bob.smith@support.example\n> 于2026年5月5日周二 09:12 写道:",
        "Bob Smith <bob.smith@support.example\n> 於 2026年5月5日 週二 下午11:12寫道：",
        "bob.smith@support.example <bob.smith@support.example\n> 于2026年5月5日周二 09:12写道：",
        "El mar, 5 may 2026 a las 9:12, Bob Smith (<bob.smith@support.example\n>) escribió:",
    ],
)
def test_glued_attribution_in_other_forms_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# --- 5. An address alone on its line, its bracket opened on the line above ------------------


# Gmail wraps after the address's opening bracket ("… Bob Smith <" / "bob@x> wrote:"); a long
# address then fills a line of its own and the end is glued onto the quote ("> wrote:", ">:").
@pytest.mark.parametrize(
    "attribution",
    [
        "On Tue, May 5, 2026 at 9:12 AM Bob Smith <\nbob.smith@support.example\n> wrote:",
        "2026年5月5日(火) 9:12 Bob Smith <\nbob.smith@support.example\n>:",
        "Am Di., 5. Mai 2026 um 09:12 Uhr schrieb Bob Smith <\nbob.smith@support.example\n>:",
    ],
)
def test_glued_end_below_an_address_alone_on_its_line_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# --- 6. The same in an HTML mail: lines set apart by <br> -----------------------------------


def html_new_part(html: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Ann Lee <ann@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: printer"
    msg["Message-ID"] = "<attackr6-html@customer.example>"
    msg.set_content(html, subtype="html")
    return parse_message(msg.as_bytes(), SETTINGS).new_part_text


@pytest.mark.parametrize("line", LINES_ENDING_WITH_A_NUMBER)
def test_html_customer_line_above_a_weekday_dot_attribution_is_kept(line):
    attribution = (
        "fre. 28. apr. 2017 kl. 11.53 skrev Bob Smith &lt;"
        '<a href="mailto:bob.smith@support.example">bob.smith@support.example</a>&gt;:'
    )
    got = html_new_part(
        f"<p>Hello,<br>{line}<br>{attribution}</p>"
        "<blockquote>Does the printer work now?<br>Please restart it first.</blockquote>"
    )
    assert got.strip() == f"Hello,\n{line}", got
