"""Deep and odd structures found by hostile8's shapes: the text a sender wrote reaches the
agent (body text, new part, and the HTML the ticket shows), the flattening is recorded
among the defects, and the work stays bounded (counted, not timed)."""

from mailparse import parse_message

HEAD = (
    "From: Customer <c@example.org>\r\nTo: support@example.com\r\nSubject: deep\r\n"
    "Message-ID: <d@example.org>\r\nMIME-Version: 1.0\r\n"
)


def _html(body: str) -> bytes:
    return (HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()


def _deep_multipart(depth: int, text: str = "Printer on floor 3 is jammed") -> bytes:
    head = "".join(
        f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(depth)
    )
    tail = "".join(f"--b{i}--\r\n" for i in range(depth, -1, -1))
    body = head + f"--b{depth}\r\nContent-Type: text/plain\r\n\r\n{text}\r\n" + tail
    return (HEAD + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n" + body).encode()


def _reaches_agent(parsed, *words):
    for word in words:
        assert word in parsed.body_text, (word, parsed.body_text[-200:])
        assert word in parsed.new_part_text, (word, parsed.new_part_text[-200:])
        assert word in parsed.body_html, word


def test_html_nested_past_the_parser_depth_keeps_its_text():
    # libxml2 stops at 256 open elements: all text below (and after) was lost
    for opening, closing in (("<div>", "</div>"), ("<blockquote>", ""), ("<font>", "")):
        for depth in (300, 3000):
            markup = opening * depth + "Printer jammed" + closing * depth + "<p>Thanks, Ann</p>"
            parsed = parse_message(_html(markup))
            _reaches_agent(parsed, "Printer jammed")
            if closing:
                _reaches_agent(parsed, "Thanks, Ann")
            assert "HtmlNestingFlattenedDefect" in parsed.defects
            # what the ticket shows is read whole by an HTML parser of the default depth
            assert parsed.body_html.count("<div>") < 256


def test_html_nested_within_the_parser_depth_is_unchanged():
    markup = "<div>" * 200 + "Printer jammed" + "</div>" * 200
    parsed = parse_message(_html(markup))
    assert parsed.body_html == markup
    assert "HtmlNestingFlattenedDefect" not in parsed.defects


def test_html_body_of_comments_only_shows_their_text_not_markup():
    for markup in (
        "<!-- Printer jammed -->",
        "<html><body><!--Printer jammed<br>Ann--></body></html>",
        "<!--[if mso]><p>Printer jammed</p><![endif]-->",
    ):
        parsed = parse_message(_html(markup))
        _reaches_agent(parsed, "Printer jammed")
        assert "<!--" not in parsed.body_text and "-->" not in parsed.body_text
        assert "<!--" not in parsed.body_html, parsed.body_html
        assert "HtmlCommentsShownDefect" in parsed.defects


def test_comments_beside_shown_text_stay_comments():
    markup = "<p>Printer jammed</p><!-- tracking 123 -->"
    parsed = parse_message(_html(markup))
    assert "tracking" not in parsed.body_text
    assert parsed.body_html == markup
    assert "HtmlCommentsShownDefect" not in parsed.defects


def test_multipart_nested_past_the_parser_recursion_keeps_its_text():
    for depth in (1000, 5000):
        parsed = parse_message(_deep_multipart(depth))
        assert parsed.error == "", parsed.error
        _reaches_agent(parsed, "Printer on floor 3 is jammed")
        assert "MultipartNestingFlattenedDefect" in parsed.defects


def test_multipart_nested_200_deep_is_unchanged():
    parsed = parse_message(_deep_multipart(200))
    assert "Printer on floor 3 is jammed" in parsed.body_text
    assert "MultipartNestingFlattenedDefect" not in parsed.defects


def test_parts_past_the_limit_are_not_built_by_the_parser():
    # the stdlib parser built every part of a 10 MB message of 277,000 parts though only
    # the first MAX_PARTS are read (over 5 s); counted: the parts the parser makes
    import email.feedparser  # pylint: disable=import-outside-toplevel

    from mailparse import parse  # pylint: disable=import-outside-toplevel

    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\nhi {i}\r\n" for i in range(30_000))
    raw = (
        HEAD + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        "Content-Type: text/plain\r\n\r\nPrinter jammed\r\n" + parts + "--b--\r\n"
    ).encode()
    made = [0]
    original = email.feedparser.FeedParser._new_message

    def counting(self):
        made[0] += 1
        return original(self)

    email.feedparser.FeedParser._new_message = counting
    try:
        parsed = parse_message(raw)
    finally:
        email.feedparser.FeedParser._new_message = original
    assert "Printer jammed" in parsed.body_text
    assert parsed.error.startswith(f"more than {parse.MAX_PARTS} MIME parts"), parsed.error
    assert made[0] <= 5 * parse.MAX_PARTS, made[0]
