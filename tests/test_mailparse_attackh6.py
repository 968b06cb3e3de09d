"""Attacks on the hostile-input bounds of issue 14 (branch hostile6).

HTML of more than ``MAX_HTML2TEXT_TAGS`` tags (a long newsletter, a digest, an HTML report
of a few hundred KB) is converted by lxml, not html2text: its text must read as html2text
reads the same markup (CONTRACT: "html2text, links kept"), not lose every link, glue a
heading to the next paragraph or lose the list bullets.
"""

from mailparse import htmlbody
from mailparse.htmlquote import new_part_html
from mailparse.settings import DEFAULT_SETTINGS
from test_mailparse_hostile6 import python_calls

# One unit of each construct a newsletter or an HTML report is made of; {i} numbers it.
_UNITS = (
    "<h2>Item {i} headline</h2><p>Some <b>bold</b> text &amp; more&nbsp;text on {i}."
    "<br>Second line {i}</p>",
    "<ul><li>point one {i}</li><li>point <i>two</i> {i}</li></ul>",
    "<ol><li>first {i}</li><li>second {i}</li></ol>",
    '<p><a href="https://example.com/item/{i}">Read more</a> or '
    '<a href="https://example.com/x/{i}">https://example.com/x/{i}</a>, '
    '<a href="mailto:desk{i}@example.com">desk{i}@example.com</a>.</p>',
    "<table><tr><td>cell a{i}</td><td>cell b{i}</td></tr><tr><th>h{i}</th><td>v{i}</td></tr>"
    "</table>",
    '<div>Div {i}\n    wrapped\n    source line</div><div style="display:none">hidden {i}</div>',
    "<p>Before<!-- comment {i} --> after<script>var s{i} = 1;</script>"
    '<style>.c{i} {{color: red}}</style> <img src="https://e.com/{i}.png" alt="pic {i}"></p>',
    "<h1>Title {i}</h1><h3>Sub {i}</h3><p>Text {i}</p><hr><p>After rule {i}</p>",
    '<p><a href="#top">Back to top {i}</a></p>',
    "<ul><li>outer {i}<ul><li>inner {i}</li></ul></li><li>next {i}</li></ul>",
    "<pre>log {i}\n  indented  {i}\nlast</pre>",
    "<p>On Mon, Ann wrote:</p><blockquote>q {i}<br>q2<blockquote><p>deep {i}</p>"
    "<p>deep2</p></blockquote><p>back {i}</p></blockquote><p>reply {i}</p>",
)


def _doc(body: str) -> str:
    return (
        "<html><head><title>Digest</title><style>p {color: blue}</style></head><body>"
        + body
        + "</body></html>"
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_html_of_many_tags_reads_as_html2text_reads_it():
    units = [unit.format(i=i) for i in range(600) for unit in _UNITS]
    markup = _doc("".join(units))
    assert markup.count("<") > htmlbody.MAX_HTML2TEXT_TAGS  # lxml's conversion
    expected = []
    for unit in units:  # each unit alone: html2text's conversion
        expected.extend(_lines(htmlbody.html_to_text(_doc(unit))))
    got = _lines(htmlbody.html_to_text(markup))
    pairs = enumerate(zip(got, expected, strict=False))
    diff = next(
        (f"line {n}: {a!r} (html2text: {b!r})" for n, (a, b) in pairs if a != b),
        f"{len(got)} lines (html2text: {len(expected)})" if len(got) != len(expected) else "",
    )
    assert not diff, diff


def _work(markup: str) -> int:
    """Python calls (lxml's element-class hook included) to read the new part of ``markup``."""
    return python_calls(new_part_html, markup, DEFAULT_SETTINGS)[0]


def test_trailing_empty_elements_are_trimmed_without_reading_the_body_again():
    # The new part's trailing rules, breaks and empty blocks were dropped one at a time, the
    # whole body walked again to find each next last element (up to 200 times): 2 MB of
    # "<li>" (each an empty element at the end) took 50 s. The next last element is found
    # from the one removed.
    def build(n):
        return "<p>Hello, please help.</p>" + "<p>text</p>" * n + "<br><p></p>" * (n // 4)

    small, large = _work(build(300)), _work(build(600))  # 75 and 150 trailing pairs
    assert large / small < 2.4, f"work grew {large / small:.2f}x for twice the elements"
    kept = new_part_html(build(300), DEFAULT_SETTINGS)
    assert kept.endswith("<p>text</p>") and kept.count("<p>text</p>") == 300, kept[-80:]
    markup = "<p>Hi</p><div><p>x</p><div><br><p> </p></div>\n</div>"
    nested = new_part_html(markup, DEFAULT_SETTINGS)
    assert nested == "<p>Hi</p><div><p>x</p>\n</div>", nested


def test_client_markers_looked_for_without_a_step_per_element():
    # The first marker in document order was picked from a map of every element of the
    # body (a Python proxy each: 1 s of a 2 MB body of "<li>"), built for every HTML body,
    # with no marker or one. The map is built only to order two markers or more.
    from mailparse import htmlquote
    from mailparse.htmlbody import parse_html

    tree = parse_html("<p>Hello, please help.</p>" + "<li>x</li>" * 5000)
    count = python_calls(htmlquote._cut_client_markers, tree)[0]
    assert count < 1000, f"{count} Python calls for a body without markers"
    markup = '<p>Hi</p><div id="divRplyFwdMsg">From: A</div><p>old</p>'
    assert new_part_html(markup, DEFAULT_SETTINGS) == "<p>Hi</p>"
    two = (
        '<p>Hi</p><div style="border-top:solid 1pt"><p>From: B</p></div><p>old</p>'
        '<div class="yahoo_quoted">older</div>'
    )
    assert new_part_html(two, DEFAULT_SETTINGS) == "<p>Hi</p>"
