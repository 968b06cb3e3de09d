"""New part, reply6's classes (issue 14; bench/README.md, "reply6"): an attribution wrapped
after the day's number above its abbreviated month, Chinese Gmail's attribution glued onto
the quote, a customer's line that opens with a date right above a whole attribution.

Synthetic mail in several languages and the three layouts a helpdesk receives (answer
above the quote, below it, between quoted questions). The customer's text is never lost:
every test also asserts it is there.

Every text goes through ``parse_message`` as a plain-text mail, as the addon reads it.
"""

import pytest
from newpart_probes import parsed_reply

ANSWER = "Thanks, the printer works now."
QUOTE = "> Does the printer work now?\n> Please restart it first.\n"


def new_part(body: str) -> str:
    return parsed_reply(
        body, "<reply6@customer.example>", "Ann Lee <ann@customer.example>", "Re: printer"
    ).new_part_text


def assert_attribution_goes_in_every_layout(attribution: str) -> None:
    """``attribution`` (with its quote) goes whole above, below and between the answers;
    the answers stay."""
    top = new_part(f"{ANSWER}\n\n{attribution}\n{QUOTE}")
    assert top.strip() == ANSWER, top
    bottom = new_part(f"{attribution}\n{QUOTE}\n{ANSWER}\n")
    assert bottom.strip() == ANSWER, bottom
    inline = new_part(
        f"{attribution}\n> Does the printer work now?\n\nYes, it works.\n\n"
        "> And the scanner?\n\nIt works too.\n"
    )
    assert inline.strip() == (
        "> Does the printer work now?\n\nYes, it works.\n\n> And the scanner?\n\nIt works too."
    ), inline


# --- 1. A date wrapped after the day's number, the abbreviated month on the next line -------

# Gmail's attribution as a long sender makes it wrap after the day: the next line opens with
# the month's abbreviation and its dot, which is no weekday opening an attribution of its own.
WRAPPED_AT_MONTH = [
    "Max Mustermann <max.mustermann@support.example> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:",
    "Max Dupont <max.dupont@support.example> a écrit le ven. 28\navr. 2017 à 11:53 :",
    "Max García <max.garcia@support.example> escribió el vie., 28\nabr. 2017 a las 11:53:",
    "Kovács Max <max.kovacs@support.example> ezt írta (időpont: 2017.\nápr. 28., P 11:53):",
    "Max Rossi <max.rossi@support.example> ha scritto il giorno ven 28\napr. 2017 alle 11:53:",
]


@pytest.mark.parametrize("attribution", WRAPPED_AT_MONTH)
def test_attribution_wrapped_before_its_abbreviated_month_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# The customer's own line ending with a number, right above a client's attribution that
# opens with an abbreviated weekday and a comma (Gmail in Russian, German): still theirs.
LINE_ENDING_WITH_A_NUMBER = [
    (
        "Please call me back on extension 28",
        "пт, 28 апр. 2017 г. в 11:53, Max <max@support.example>:",
    ),
    ("Ticket number is 4711", "Fr., 28. Apr. 2017 um 11:53 Uhr schrieb Max <max@support.example>:"),
]


@pytest.mark.parametrize(("line", "attribution"), LINE_ENDING_WITH_A_NUMBER)
def test_customer_line_ending_with_a_number_above_an_attribution_is_kept(line, attribution):
    got = new_part(f"{ANSWER}\n{line}\n{attribution}\n{QUOTE}")
    assert got.strip() == f"{ANSWER}\n{line}", got


# A customer's line with an address and a number at its end, above a line of theirs that
# opens with a month and ends with a verb: no client's date goes on across them.
CUSTOMER_LINES_ABOVE_A_MONTH = [
    (
        "Please write to bob@support.example about ticket 12",
        "Apr. 2026 was the last time Bob Smith <bob@support.example> wrote:",
    ),
    (
        "Our contract with billing@support.example dates from 2017.",
        "Jan. 2018 is when your colleague wrote:",
    ),
]


@pytest.mark.parametrize(("line", "below"), CUSTOMER_LINES_ABOVE_A_MONTH)
def test_customer_line_above_a_line_opening_with_a_month_is_kept(line, below):
    got = new_part(f"Hello,\n{line}\n{below}\n> Does the printer work?\n")
    assert line in got, got


# --- 2. Chinese Gmail's attribution wrapped inside the address, its end glued to the quote --

GLUED_CJK = [
    "Bob Smith <bob.smith@support.example\n> 于2026年5月5日周二 09:12写道：",
    "Bob Smith <bob.smith@support.example\n>于2026年5月5日周二 上午9:12写道：",
    "Bob Smith <bob.smith@support.example\n> 於 2026年5月5日 週二 上午9:12寫道：",
    # (already read: Japanese and Korean Gmail, kept as guards)
    "2026年5月5日(火) 9:12 Bob Smith <bob.smith@support.example\n>:",
    "2026年5月5日(火) 9:12 に Bob Smith <bob.smith@support.example\n> が書きました:",
    "2026년 5월 5일 (화) 오전 9:12, Bob Smith <bob.smith@support.example\n>님이 작성:",
]


@pytest.mark.parametrize("attribution", GLUED_CJK)
def test_cjk_attribution_glued_onto_the_quote_goes(attribution):
    assert_attribution_goes_in_every_layout(attribution)


# The same quoted line right below a customer's line that leaves no address open: the
# customer's quote of a Chinese thread, their line is kept above and below.
@pytest.mark.parametrize(
    "line", ["我们昨天重启了打印机", "2026年5月5日我们重启了打印机", "On Monday we restarted it"]
)
def test_customer_line_above_a_quoted_chinese_attribution_is_kept(line):
    quote = "> 于2026年5月5日周二 09:12写道：\n> 打印机好了吗？\n"
    top = new_part(f"你好，\n{line}\n{quote}")
    assert top.strip() == f"你好，\n{line}", top
    bottom = new_part(f"{line}\n{quote}\n好了，谢谢。\n")
    assert line in bottom and "好了，谢谢。" in bottom, bottom


# Any glued end ("> wrote:", ">:", "> 写道：") is read only below an address left open: a
# customer's line above a quote that starts so is theirs (no client wraps a name alone).
@pytest.mark.parametrize(
    "line", ["我们昨天重启了打印机", "프린터를 다시 켰습니다", "Bob Smith", "昨天 Bob 说"]
)
@pytest.mark.parametrize("end", ["> wrote:", "> 写道：", "> schrieb:"])
def test_customer_line_above_a_quote_opening_with_a_glued_end_is_kept(line, end):
    quote = f"{end}\n> 打印机好了吗？\n"
    top = new_part(f"你好，\n{line}\n{quote}")
    assert top.strip() == f"你好，\n{line}", top
    bottom = new_part(f"{line}\n{quote}\n好了，谢谢。\n")
    assert line in bottom and "好了，谢谢。" in bottom, bottom


# A customer's quoted line of their own that ends like it (a quoted sentence about what
# someone wrote) is no attribution: with no address above it, the text above stays.
def test_quoted_chinese_sentence_with_the_verb_cuts_nothing_above():
    body = f"{ANSWER}\n请看下面：\n> 于是他写道：\n> 打印机坏了。\n\n我们明天再试。\n"
    got = new_part(body)
    assert ANSWER in got and "请看下面" in got and "我们明天再试。" in got, got


# --- 3. A customer's line opening with a date, right above a whole attribution -------------

CUSTOMER_DATED_LINES = [
    "On 12.05.2026 the technician replaced the fuser",
    "Mon, 12 May 2026 the printer jammed again",
    "2026-05-12 10:00 printer restarted, still jams",
    "Am 12.05.2026 kam der Techniker",
    "12.05.2026 Techniker war da, Drucker geht wieder",
    "Le 12/05/2026 le technicien est passé",
    "El 12/05/2026 vino el técnico otra vez",
    "2026/05/12 打印机又卡纸了",
    "2026年5月12日 技术员来过了。",
    "2026년 5월 12일 프린터가 또 걸렸습니다",
]
WHOLE_ATTRIBUTIONS = [
    "Bob Smith <bob.smith@support.example> wrote:",
    "Bob Smith <bob.smith@support.example> schrieb:",
    "Bob Smith <bob.smith@support.example> a écrit :",
]


@pytest.mark.parametrize("attribution", WHOLE_ATTRIBUTIONS)
@pytest.mark.parametrize("line", CUSTOMER_DATED_LINES)
def test_customer_dated_line_above_a_whole_attribution_is_kept(line, attribution):
    assert_kept_above(line, attribution)


def assert_kept_above(line, attribution):
    """The customer's ``line`` right above Bob's ``attribution`` is kept, and the
    attribution goes, with the answer above the quote, below it, and between its lines."""
    top = new_part(f"Hello,\n{line}\n{attribution}\n{QUOTE}")
    assert top.strip() == f"Hello,\n{line}", top
    bottom = new_part(f"{line}\n{attribution}\n{QUOTE}\n{ANSWER}\n")
    assert line in bottom and ANSWER in bottom and "bob.smith" not in bottom, bottom
    inline = new_part(
        f"Hello,\n{line}\n{attribution}\n> Does the printer work now?\n\nYes, it works.\n\n"
        "> And the scanner?\n\nIt works too.\n"
    )
    assert inline.startswith(f"Hello,\n{line}\n> Does the printer work now?"), inline
    assert "It works too." in inline and "bob.smith" not in inline, inline


# A client's head that holds the date alone (the sender and verb wrapped onto the next
# line) still goes with the attribution, in every layout.
DATE_ONLY_HEADS = [
    "On Mon, Aug 26, 2019 at 4:37 PM",
    "On Monday, August 26, 2019 4:37 PM,",
    "On 26.08.2019 16:37,",
    "Am 26.08.2019 um 16:37,",
    "Le lun. 26 août 2019 à 16:37,",
    "El lun., 26 ago. 2019 a las 16:37,",
    "Op ma 26 aug. 2019 om 16:37,",
    "26.08.2019 16:37 GMT+02:00",
    "2019年8月26日(月) 16:37",
    "Am Mo., 26. Aug. 2019 um 16:37 Uhr schrieb",
]


@pytest.mark.parametrize("head", DATE_ONLY_HEADS)
def test_client_date_only_head_goes_with_the_attribution(head):
    tail = (
        "Bob Smith <bob.smith@support.example>:"
        if head.endswith("schrieb")
        else ("Bob Smith <bob.smith@support.example> wrote:")
    )
    assert_attribution_goes_in_every_layout(f"{head}\n{tail}")


# --- 4. A file name after a dash on the last line is no dash sign-off -----------------------

# Lotus Notes lists the attached files below the text (" - name.ext"); a customer lists
# theirs the same way. A file name is no signed name: the line stays in the new part.
FILE_LINES = [
    ("FYI", "Capacity Forum.doc"),
    ("Anbei die Rechnung.", "Rechnung.pdf"),
    ("Voici la facture de mars.", "Facture Mars.pdf"),
    ("Adjunto el presupuesto.", "Presupuesto.xlsx"),
    ("See the screenshot of the error.", "Screenshot.png"),
]


@pytest.mark.parametrize(("text", "file_name"), FILE_LINES)
def test_file_name_after_a_dash_is_kept(text, file_name):
    got = new_part(f"{text}\n\n - {file_name}\n")
    assert got.strip() == f"{text}\n\n - {file_name}", got


# A name signed with a dash is still the signature ("-Tom", "- Jane Doe", "- J.R. Ewing").
@pytest.mark.parametrize("name", ["Tom", "Jane Doe", "J.R. Ewing", "Ann-Kathrin"])
def test_dash_sign_off_is_still_cut(name):
    got = new_part(f"The printer works again, thanks.\n\n- {name}\n")
    assert got.strip() == "The printer works again, thanks.", got
