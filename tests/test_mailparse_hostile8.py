"""Hostile shapes left after hostile7 (issue 14: every message in under 5 s, mail up to
10 MB reaches the parser). Work counted (Python calls, lines or tags read), not time."""

import html
import re
import sys

from lxml import html as lxml_html
from mailparse import htmlbody, htmlquote, newpart, parse_message
from test_mailparse_hostile6 import _html, python_calls

N = 20_000


def _calls_per_line(lines: list[str]) -> tuple[float, int]:
    calls, cut = python_calls(newpart._builtin_cut, lines)
    return calls / len(lines), cut


def test_lines_no_join_of_which_ends_an_attribution_are_not_joined():
    # "<a@b.c>" ends with a bracket: only Gmail's dated form ("2013/7/20 Ann <a@x>") ends
    # so, and it opens with a date; each line was joined with the one and two lines below
    # it and every join read as an attribution (87 calls a line)
    for line in ("<a@b.c>", "Ann <a@b.c>"):
        per_line, cut = _calls_per_line([line] * N)
        assert cut == -1
        assert per_line < 45, f"{per_line:.1f} calls a line of {line!r}"


def test_attributions_ending_with_a_bracket_a_verb_or_a_colon_still_cut():
    for attribution in (
        ["2013/7/20 Ann via Helpdesk <helpdesk@example.com>"],
        ["2013/7/20 Ann via Helpdesk", "<helpdesk@example.com>"],
        ["On Mon, 3 Mar 2026 10:00 Ann Lee <a@b.c> wrote"],
        ["Am 03.03.2026 um 10:00 schrieb Ann <a@b.c>:"],
        ["Ann Lee <a@b.c>", "napisał(a):"],
    ):
        for tail in ([], ["x"] * newpart._MANY_LINES):
            lines = ["Hello", *attribution, *tail]
            assert newpart._builtin_cut(lines) == 1, (attribution, len(tail))
            quoted = ["Hello", *attribution, "> old"]
            assert newpart._attribution_at(quoted, 1) == len(attribution), attribution


def _conversions(raw: bytes) -> tuple[int, object]:
    """HTML-to-text conversions made while the addon's fields are read."""
    count = 0

    def profile(frame, event, _arg):
        nonlocal count
        if event == "call" and frame.f_code is htmlbody.html_to_text.__code__:
            count += 1

    sys.setprofile(profile)
    try:
        parsed = parse_message(raw)
        fields = (parsed.new_part_text, parsed.body_text, parsed.new_part_html)
    finally:
        sys.setprofile(None)
    return count, (parsed, fields)


def test_html_body_with_nothing_cut_is_converted_to_text_once():
    # the new part is the whole body (nothing quoted, or nothing new found): its text was
    # made twice, 1-2 s each on 2 MB of HTML of many elements
    for unit in ("<li>", "<hr><p>x</p>", "<p>Hello, the printer jams.</p>"):
        count, (parsed, _) = _conversions(_html(unit * 200))
        assert parsed.new_part_html == parsed.body_html
        assert count == 1, (unit, count)
        assert parsed.new_part_text == parsed.body_text


def test_html_body_with_a_quote_cut_is_converted_twice():
    quoted = "<p>New answer.</p><blockquote type='cite'><p>Old question.</p></blockquote>"
    count, (parsed, _) = _conversions(_html(quoted))
    assert count == 2
    assert parsed.new_part_text == "New answer."
    assert "Old question." in parsed.body_text


def _tree(unit: str, n: int):
    return htmlbody.parse_html(unit * n)


def test_empty_elements_read_without_a_call_for_their_missing_text():
    # the HTML new part's lines: each element's text and tail were squashed and added even
    # when absent (13 calls an empty <li>)
    calls, _ = python_calls(htmlquote._collect, _tree("<li>", N), htmlquote._Lines())
    assert calls / N < 10, f"{calls / N:.1f} calls an empty <li>"


def test_body_children_serialized_in_one_call():
    # lxml.html.tostring per child of <body>: its Python wrapper and a regex per child
    # (7 calls a child), then etree.tostring per child (3 calls a child)
    for unit in ("<li>", "<hr><p>x</p>"):
        tree = _tree(unit, N)
        children = len(tree.find(".//body"))
        calls, _ = python_calls(htmlbody.to_html, tree)
        assert calls < 100, f"{calls / children:.1f} calls a child of {unit!r}"


def test_serialized_body_as_lxml_html_writes_it():
    markup = (
        'Top &amp; <b>bold</b> tail<meta http-equiv="Content-Type" content="text/html">'
        "<p style='x'>a &lt; b<!-- c --><br>é\xa0</p>x<div><meta http-equiv=\"Content-Type\""
        ' content="a"><pre>  1\n  2</pre></div>end'
    )
    tree = htmlbody.parse_html(markup)
    body = tree.find(".//body")
    expected = html.escape(body.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in body
    )
    assert htmlbody.to_html(tree) == expected
    assert "Content-Type" not in expected
    # the body's text and attributes written otherwise alone than inside it: per child
    for markup in ("<body class='a>b' hidden>T\r\n<br>é</body>", "<body>\x0b&#13;<p>x</p></body>"):
        tree = htmlbody.parse_html(markup)
        body = tree.find(".//body")
        expected = html.escape(body.text or "", quote=False) + "".join(
            lxml_html.tostring(child, encoding="unicode") for child in body
        )
        assert htmlbody.to_html(tree) == expected, markup


def test_elements_that_may_hide_found_as_by_one_predicate():
    markup = (
        "<div style='a'><span hidden>h</span><SVG><p style='b'>s</p></svg></div>"
        "<template><p>t</p></template><noscript>n</noscript><p HIDDEN style=''>x</p><p>y</p>"
    )
    tree = htmlbody.parse_html(markup)
    one = tree.xpath("//*[@hidden or @style or self::svg or self::template or self::noscript]")
    assert tree.xpath(htmlbody._MAY_HIDE) == one
    assert len(one) == 7


def _pattern_runs(function, *args) -> tuple[dict, object]:
    """How many times each compiled pattern was run (search, match, sub...) by
    ``function(*args)``, and its result."""
    runs: dict = {}

    def profile(_frame, event, arg):
        if event == "c_call" and isinstance(getattr(arg, "__self__", None), re.Pattern):
            runs[arg.__self__] = runs.get(arg.__self__, 0) + 1

    sys.setprofile(profile)
    try:
        result = function(*args)
    finally:
        sys.setprofile(None)
    return runs, result


MUTT = [f"* Name{i % 997} <a{i % 991}@b.c> [2017-05-05 05:39]:" for i in range(1000)]


def test_mutt_lines_without_a_quote_read_the_verbs_once_a_line():
    # Mutt's attribution lines with no quote below: each joined with the one and two lines
    # below it, and in each join the verbs searched before the address again (the same
    # words: what precedes the last line's address), the sender's forms read though no
    # quote follows, and Chinese "写于" looked for after the times' colons were dotted
    runs, cut = _pattern_runs(newpart._builtin_cut, MUTT)
    assert cut == -1
    per_line = {
        name: runs.get(pattern, 0) / len(MUTT)
        for name, pattern in (
            ("verbs before the address", newpart._FAR_VERB_SPACE),
            ("sender with colon", newpart._SENDER_COLON),
            ("sender then", newpart._SENDER_THEN),
            ("written at", newpart._WROTE_AT),
        )
    }
    assert per_line["verbs before the address"] < 1.5, per_line
    assert per_line["sender with colon"] + per_line["sender then"] + per_line["written at"] < 0.1, (
        per_line
    )


def test_mutt_lines_with_a_quote_and_far_verbs_still_read():
    assert newpart._attribution_at(["Hello", MUTT[0], "> old"], 1) == 1
    for line in (
        "Wiadomość napisana przez Ann <a@x> w dniu 03.03.2026, o godz. 10:00:",
        "王芳 <w@x> 写于 2026-03-03 10:00:00:",
        "Am 03.03.2026 schrieb Ann via Helpdesk <long@x>:",
    ):
        assert newpart._is_attribution(line, ["x"]), line
        assert newpart._builtin_cut(["Hello"] + [line] + ["x"] * 3) == 1, line


def test_every_verb_ends_as_an_attribution_may_end():
    # _may_end_attribution reads a text without a colon as a verb's end when it ends with a
    # letter or ")": every verb of _WROTE must (those written only before a colon aside)
    for verb in newpart._WROTE.split("|"):
        before_colon = "(?=" in verb
        sample = re.sub(r"\(\?=[^)]*\)|\(\?:[^)]*\)\?", "", verb)
        sample = sample.replace(r"\s+", " ").replace(r"\s*", "")
        sample = sample.replace("\\(", "(").replace("\\)", ")")
        if before_colon:
            assert re.match(verb, sample + ":", re.IGNORECASE), verb
            continue
        assert re.fullmatch(verb, sample, re.IGNORECASE), (verb, sample)
        assert newpart._may_end_attribution(sample[-1], False), verb
        assert newpart._may_end_attribution(sample[-1].upper(), False), verb
