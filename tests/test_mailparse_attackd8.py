"""Attacks on deep8: the parser's cut at MAX_PARSED_PARTS must not drop the text and the
attachments of a normal mail whose many parts are inside an attached report or message
(parts the readers never enter)."""

from mailparse import parse_message
from mailparse.loader import MAX_PARSED_PARTS


def _bounce(recipients: int) -> bytes:
    blocks = "".join(
        f"Final-Recipient: rfc822; u{i}@example.com\nAction: failed\nStatus: 5.1.1\n\n"
        for i in range(recipients)
    )
    return (
        "From: mailer-daemon@example.com\nTo: help@example.com\nSubject: Undelivered\n"
        "Message-ID: <bounce@example.com>\nContent-Type: multipart/mixed; boundary=out\n\n"
        "--out\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        f"{blocks}\n--out\nContent-Type: text/plain\n\nThe mailing to the list bounced.\n"
        "--out\nContent-Type: application/pdf; name=r.pdf\n"
        "Content-Disposition: attachment; filename=r.pdf\nContent-Transfer-Encoding: base64\n\n"
        "JVBERi0=\n--out--\n"
    ).encode()


def test_bounce_with_many_recipient_blocks_keeps_text_and_attachment():
    parsed = parse_message(_bounce(MAX_PARSED_PARTS + 100))
    assert "The mailing to the list bounced." in parsed.body_text
    assert [a.filename for a in parsed.attachments if a.filename == "r.pdf"] == ["r.pdf"]
    assert "PartsCutDefect" not in parsed.defects


def _nested(depth: int) -> bytes:
    """Multiparts nested ``depth`` deep, a text part at the bottom, another at depth 5 and
    one at depth 120 (past the parser's recursion when ``depth`` is large: flattened)."""
    out = [
        "From: a@example.com\nTo: help@example.com\nSubject: deep\nMessage-ID: <deep@example.com>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n'
    ]
    for i in range(1, depth):
        out.append(f'--b{i - 1}\nContent-Type: multipart/mixed; boundary="b{i}"\n\n')
    out.append(f"--b{depth - 1}\nContent-Type: text/plain\n\nThe deepest text.\n")
    for i in reversed(range(depth)):
        if i in (5, 120):
            out.append(f"--b{i}\nContent-Type: text/plain\n\nThe text at depth {i}.\n")
        out.append(f"--b{i}--\n")
    return "".join(out).encode()


def test_text_parts_beside_a_deep_multipart_are_all_shown():
    for depth in (150, 1200):
        text = parse_message(_nested(depth)).body_text
        assert "The deepest text." in text, depth
        assert "The text at depth 120." in text, depth
        assert "The text at depth 5." in text, depth


def test_office_xml_in_a_conditional_comment_is_not_shown_as_text():
    """An Outlook/Word body with no text of its own (the mail is its attachment) keeps its
    Office settings XML hidden: they are no text of the sender's."""
    markup = (
        "<html><head><style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style>"
        '</head><body lang="EN-US"><!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal'
        "</w:View><w:LidThemeOther>EN-US</w:LidThemeOther></w:WordDocument></xml><![endif]-->"
        '<div class="WordSection1"><p class="MsoNormal"><o:p>&nbsp;</o:p></p></div>'
        "</body></html>"
    )
    raw = (
        "From: a@example.com\nTo: help@example.com\nSubject: file\nMessage-ID: <w@example.com>\n"
        f"Content-Type: text/html; charset=utf-8\n\n{markup}\n"
    ).encode()
    parsed = parse_message(raw)
    assert "Normal" not in parsed.body_text
    assert "HtmlCommentsShownDefect" not in parsed.defects


def test_a_link_below_the_flattened_html_depth_keeps_its_address():
    depth = 300
    markup = (
        "<html><body>" + "<div>" * depth
        + '<p>See <a href="https://example.com/invoice/42">the invoice</a></p>'
        + "</div>" * depth + "<p>After</p></body></html>"
    )  # fmt: skip
    raw = (
        "From: a@example.com\nTo: help@example.com\nSubject: deep\n"
        f"Message-ID: <dh@example.com>\nContent-Type: text/html; charset=utf-8\n\n{markup}\n"
    ).encode()
    parsed = parse_message(raw)
    assert "HtmlNestingFlattenedDefect" in parsed.defects
    assert "the invoice" in parsed.body_text
    assert 'href="https://example.com/invoice/42"' in parsed.body_html
