"""New-part extraction on real replies (crisp, github, talon fixtures in tests/data)."""

import json
import re
import time
from pathlib import Path

import pytest
from mailparse import Settings
from mailparse.htmlbody import html_to_text
from mailparse.htmlquote import new_part_html
from mailparse.newpart import first_fragment, split_reply, strip_signature

DATA = Path(__file__).parent / "data"
SETTINGS = Settings()
CRISP = json.loads((DATA / "crisp" / "expected.json").read_text(encoding="utf-8"))["cases"]
TALON = json.loads((DATA / "talon" / "expected.json").read_text(encoding="utf-8"))


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


CRISP_NAMES = sorted(p.stem for p in (DATA / "crisp").glob("*.txt"))


@pytest.mark.parametrize("name", CRISP_NAMES)
def test_crisp_multilingual_first_fragment(name):
    case = CRISP[name]
    expected = case.get("first_fragment_stripped") or case.get("first_fragment_exact")
    split = split_reply(read(DATA / "crisp" / f"{name}.txt"), SETTINGS)
    assert ws(first_fragment(split.new_part)) == ws(expected)


def test_outlook_header_block_is_cut_and_itop_pattern_wins_closest_to_start():
    text = (
        "Outlook with a reply directly above line\n\n"
        "From: CRM [crm@example.com]\nSent: Friday\nTo: x\n\n> old"
    )
    assert split_reply(text, SETTINGS).new_part == "Outlook with a reply directly above line"
    # Both an underscore line and a From/Sent block: the first one in the text wins.
    text = "New text\n________\nFrom: a\nSent: b\nold\nFrom: c\nSent: d\n"
    assert split_reply(text, SETTINGS).new_part == "New text"


def test_itop_patterns_only_when_builtin_detection_is_off():
    settings = Settings(builtin_quote_detection=False, strip_signatures=False)
    text = "Merci\n\nDe : Jean <j@x.fr>\nEnvoyé : lundi\nÀ : moi\n\nancien texte"
    assert split_reply(text, settings).new_part == "Merci"
    # The introductory line above a ">" block is dropped even without the built-ins.
    text = "Thanks!\nOn Monday, Bob wrote:\n> old"
    assert split_reply(text, settings).new_part == "Thanks!"


def test_inline_answers_between_quotes_are_kept():
    text = read(DATA / "github" / "email_1_2.txt")
    new_part = split_reply(text, SETTINGS).new_part
    assert new_part.startswith("Hi,")
    assert "You can list the keys for the bucket" in new_part
    assert "would do it." in new_part
    assert not new_part.rstrip().endswith(">")
    assert first_fragment(new_part) == "Hi,"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("email_iPhone", "Here is another email"),
        (
            "email_sent_from_my_not_signature",
            "Here is another email\n\nSent from my desk, is much easier then my mobile phone.",
        ),
        ("email_2_3", "Outlook with a reply directly above line"),
    ],
)
def test_github_visible_reply(name, expected):
    assert split_reply(read(DATA / "github" / f"{name}.txt"), SETTINGS).new_part == expected


def test_bullets_and_signature_after_quote():
    new_part = split_reply(read(DATA / "github" / "email_bullets.txt"), SETTINGS).new_part
    assert new_part.endswith("- and another")
    assert "Joe Smith" not in new_part


@pytest.mark.parametrize("name", ["pathological", "email_long_quote"])
def test_pathological_inputs_finish_fast(name):
    text = read(DATA / "github" / f"{name}.txt")
    started = time.perf_counter()
    split_reply(text, SETTINGS)
    assert time.perf_counter() - started < 1.0


def test_signature_delimiter_and_valediction():
    body, sig = strip_signature(["Hello", "", "-- ", "Bob", "ACME"])
    assert body == ["Hello", ""] and sig == ["-- ", "Bob", "ACME"]
    body, sig = strip_signature(["Hi,", "", "Can you help?", "", "Regards,", "", "John Doe"])
    assert body[-2] == "Can you help?" and sig[0] == "Regards,"
    # "Thanks," is not a reliable signature start: kept.
    assert strip_signature(["Hi. I am fine.", "", "Thanks,", "Alex"])[1] == []


def test_empty_new_part_falls_back_to_whole_body():
    text = "> only a quote\n> nothing new"
    assert split_reply(text, SETTINGS).new_part == text


def test_cleanup_never_raises_on_odd_input():
    for text in ("", "\x00\x01", ">" * 10000, "On wrote:\n" * 500, "-" * 5000):
        split_reply(text, SETTINGS)


@pytest.mark.parametrize(
    "name", ["gmail", "ms_outlook_2010", "thunderbird", "yandex_ru", "ms_outlook_2003"]
)
def test_talon_html_replies(name):
    markup = (DATA / "talon" / f"{name}.html").read_text(encoding="utf-8", errors="replace")
    text = html_to_text(new_part_html(markup, SETTINGS))
    expected = TALON["html_replies"][f"html_replies/{name}.html"]
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", expected)


def test_html_quote_markup_removed_and_cid_kept():
    markup = (
        '<div dir="ltr">Fixed, see <img src="cid:shot1@x"> below.<br>'
        "<blockquote>an inline quote</blockquote>my inline answer</div>"
        '<div class="gmail_quote gmail_quote_container"><div class="gmail_attr">On Mon, Jan 1, '
        '2024 at 10:00 AM Bob &lt;bob@x.org&gt; wrote:</div><blockquote class="gmail_quote">'
        "old text</blockquote></div>"
    )
    result = new_part_html(markup, SETTINGS)
    assert 'src="cid:shot1@x"' in result
    assert "my inline answer" in result
    assert "old text" not in result and "wrote:" not in result
    assert "an inline quote" not in result


def test_outlook_html_divrplyfwdmsg_and_border_top():
    markup = (
        "<div><p>New answer</p><div id='appendonsend'></div><hr><div id='divRplyFwdMsg'>"
        "<b>From:</b> a</div><div>old</div></div>"
    )
    assert "old" not in html_to_text(new_part_html(markup, SETTINGS))
    markup = (
        "<div class=WordSection1><p>Answer</p><div style='border:none;border-top:solid #E1E1E1 "
        "1.0pt;padding:3.0pt 0cm 0cm 0cm'><p><b>From:</b> Bob<br><b>Sent:</b> Monday</p></div>"
        "<p>old message</p></div>"
    )
    assert html_to_text(new_part_html(markup, SETTINGS)) == "Answer"


def test_html_only_quote_falls_back_to_whole_body():
    markup = "<blockquote type='cite'>everything is quoted</blockquote>"
    assert new_part_html(markup, SETTINGS) == markup


def test_bottom_posted_answer_after_an_attributed_quote():
    text = "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello"
    assert split_reply(text, SETTINGS).new_part == "Hello"
    text = "On Mon, Bob <b@x.org> wrote:\n> Can you check?\n> Thanks\n\nDone, see the log."
    assert split_reply(text, SETTINGS).new_part == "Done, see the log."


def test_line_glued_to_a_long_quote_is_its_lazy_wrap_not_an_answer():
    text = (
        "My answer.\n\nOn Mon, 1 Jan 2024, Bob <b@x.org> wrote:\n"
        "> this quoted sentence is long enough to have been wrapped by the\n"
        "sender's client\n> end"
    )
    assert split_reply(text, SETTINGS).new_part == "My answer."


def test_rule_lines_between_quotes_are_not_answers():
    text = "Thanks.\n\n--- Bob <b@x.org> wrote:\n> old text\n>\n*****************\n> footer\n"
    assert split_reply(text, SETTINGS).new_part == "Thanks."


@pytest.mark.parametrize("sign", ["-Abhishek Kona", "/John", "– Anna", "~Bob"])
def test_dash_or_slash_name_sign_off_is_a_signature(sign):
    text = f"Having the function would be great.\n\n{sign}\n\nOn Mon, Bob <b@x.org> wrote:\n> q"
    split = split_reply(text, SETTINGS)
    assert split.new_part == "Having the function would be great."
    assert split.signature == sign
    assert sign in split.unquoted


@pytest.mark.parametrize(
    "text",
    [
        "Shopping:\n\n- Milk\n\n- Eggs",  # a dash list, spaced out
        "Items to check:\n- the logs\n- Apache",  # no paragraph of its own
        "Tested on:\n\n-lowercase thing",  # not a name
    ],
)
def test_dash_lines_that_are_not_sign_offs_are_kept(text):
    assert split_reply(text, SETTINGS).new_part == text


@pytest.mark.parametrize(
    "text",
    [
        "----- Forwarded by Tana Jones/HOU/ECT on 03/22/2001 04:24 PM -----\n\nAnn\nTo: x\n\nold",
        # Lotus Notes wraps its marker at 75 columns:
        "---------------------- Forwarded by Karen Denne/Corp/Enron on 05/24/2001 \n"
        "05:16 PM ---------------------------\n\nSandra <s@m.com> on 05/24/2001\n\nold text",
        "-----Original Message-----\nFrom: Live Person [mailto:lp@ice.com]\nSent: Mon\n\nold",
    ],
)
def test_bare_forward_has_nothing_new(text):
    split = split_reply(text, SETTINGS)
    assert split.fallback  # nothing new: the ticket gets the whole body, flagged as such
    assert split.new_part == text.strip()


def test_wrapped_forward_marker_cuts_below_the_new_text():
    text = (
        "Please review.\n\n---------------------- Forwarded by Darron C Giron/HOU/ECT on "
        "10/18/2000 \n11:15 AM ---------------------------\n\nold text"
    )
    assert split_reply(text, SETTINGS).new_part == "Please review."


@pytest.mark.parametrize(
    "quoted",
    [
        "\tTim Belden@ECT\n\t10/17/2000 07:40 AM\n\t\t\n\t\t To: Jeff Dasovich/Na/Enron@ENRON\n"
        "\t\t cc: \n\t\t Subject: Re: ENA Successful in ISO Auction\n\nold text",
        '"Jennifer Cutaia" <jcutaia@tupac.com> on 04/26/2000 08:10:52 AM\nTo: judy@enron.com\n'
        "cc:  \nSubject: [Fwd: FW: You have to try this!]\n\nold text",
        "Janel Guerrero@ENRON\n04/11/2000 08:18 AM\nTo: Gerald Nemec/HOU/ECT@ECT\ncc:  \n"
        "Subject: lunch\n\nDo you mind meeting at 11:30?",
    ],
)
def test_lotus_notes_quote_header_without_from_field(quoted):
    text = f"11:30 sounds fine.  Meet you downstairs.\n\n\n{quoted}"
    assert split_reply(text, SETTINGS).new_part == "11:30 sounds fine.  Meet you downstairs."


def test_to_line_without_subject_is_not_a_quote_header():
    text = "Please send it.\n\nTo: the whole team\nThanks for the help.\n\nAnn"
    assert "To: the whole team" in split_reply(text, SETTINGS).new_part


def test_bare_rule_is_a_divider_unless_a_quoted_header_follows():
    settings = Settings(multiline_delimiter_patterns=(), strip_signatures=False)
    text = "Members - the table is attached.\n\nJustin\n\n_____________\n\nBill's note: rates rise."
    assert split_reply(text, settings).new_part == text
    text = "See below.\n\n________________________________\nFrom: Ann <a@x.com>\nSent: Mon\n\nold"
    assert split_reply(text, settings).new_part == "See below."


def test_message_summary_in_a_delivery_report_is_not_a_quote_header():
    text = (
        "Your message\n\n  To:      kijitora@example.org\n  Subject: Nyaan\n"
        "  Sent:    Thu, 29 Apr 2005 23:34:45 +0000\n\ndid not reach the following recipient(s)"
    )
    assert split_reply(text, SETTINGS).new_part == text


@pytest.mark.parametrize(
    "text",
    [
        ("-" * 1999 + "x\n") * 200,  # long dash runs with no "@": e-mail regexes stay linear
        ("--- Forwarded by x on 1/1/2000\n" + "-" * 70 + "x\n") * 2000,  # unclosed markers
        ("Ann@X\n01/01/2000 10:00 AM\nTo: b\ncc:\nSubject: s\n\n") * 2000,
        "text\n\n-" + "A" * 100_000,
    ],
)
def test_new_rules_stay_fast_on_pathological_input(text):
    started = time.perf_counter()
    split_reply(text, SETTINGS)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "footer",
    [
        [
            "View this message in context: http://forum.example.org/Disk-full-tp41p42.html",
            "Sent from the Backup - Users mailing list archive at Example.org.",
        ],
        [
            "View this message in context: http://lists.example.net/thread/Disk-full-42.html",
            "Sent from the backup-users mailing list archive at lists.example.net.",
        ],
    ],
)
def test_a_list_gateway_footer_below_dashes_is_not_the_authors_signature(footer):
    """A list archive appends its link to the message below "-- ": it is not the author's
    signature (Quagga's annotators keep it as body) and a personal signature above it is
    still cut."""
    text = "\n".join(
        ["Hi,", "", "The backup fails with disk full.", "", "Thanks,", "Ann", "", "-- "]
    )
    split = split_reply(text + "\n" + "\n".join(footer) + "\n", SETTINGS)
    assert split.new_part.startswith("Hi,") and split.new_part.endswith(footer[-1])
    assert split.signature == ""
    signed = "\n".join(["Hi,", "", "It fails.", "", "-- ", "Ann Lee", "ACME", "-- "])
    split = split_reply(signed + "\n" + "\n".join(footer) + "\n", SETTINGS)
    assert split.new_part.startswith("Hi,") and "Ann Lee" not in split.new_part
    assert "Ann Lee" in split.signature
