"""Attack on hostile8's shortcuts (issue 14): what an agent reads must not change."""

import html

from lxml import html as lxml_html
from mailparse import htmlbody, parse_message


def _reply(body_attributes: str) -> bytes:
    return (
        "From: Ann <ann@example.com>\nTo: help@example.com\nSubject: Re: printer\n"
        "Message-ID: <x@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        f"<html><body {body_attributes}><p>The printer is broken again.</p>"
        "<div>On Mon, Jan 5, 2026 at 10:00 AM Bob &lt;bob@example.com&gt; wrote:</div>"
        "<blockquote>old text</blockquote></body></html>\n"
    ).encode()


# Attributes the HTML parser keeps on <body> that no new element may carry: XHTML's
# "xml:lang", Word's namespace declarations, templates' ":class", a form feed in a value
_BODY_ATTRIBUTES = (
    'xml:lang="fr"',
    'xmlns:o="urn:schemas-microsoft-com:office:office"',
    ':class="x" v-on:click="y"',
    'title="a\x0cb"',
)


def test_body_attributes_no_new_element_may_carry_keep_the_quote_cut():
    for attributes in _BODY_ATTRIBUTES:
        parsed = parse_message(_reply(attributes))
        assert parsed.new_part_text == "The printer is broken again.", attributes
        assert parsed.new_part_html == "<p>The printer is broken again.</p>", attributes


def test_body_attributes_no_new_element_may_carry_serialized_as_lxml_html_writes_them():
    for attributes in _BODY_ATTRIBUTES:
        tree = htmlbody.parse_html(f"<body {attributes}>Top<p>a</p>tail<br>end</body>")
        body = tree.find(".//body")
        expected = html.escape(body.text or "", quote=False) + "".join(
            lxml_html.tostring(child, encoding="unicode") for child in body
        )
        assert htmlbody.to_html(tree) == expected, attributes
