"""Classes of defects found by reading mail the core never saw (issue 14): other projects'
fixtures (MimeKit, mime4j, mikel/mail, stalwart) parsed by the core and by postal-mime, each
disagreement judged against the RFCs and what mail clients show. Each test is a minimal
synthetic mail of one class; no fetched mail is stored."""

from mailparse import parse_message
from mailparse.charsets import decode_8bit
from mailparse.htmlbody import html_to_text

# --- Class 1: a field of any name written with spaces before its colon (RFC 5322 4.5,
# obs-optional: field-name *WSP ":") ended the header block when it came first: the stdlib
# reads no header at all, so From, Subject and Message-ID were the body. Only well-known
# names were rewritten.


def test_unknown_field_with_space_before_colon_first_keeps_the_header_block():
    raw = (
        b"Fro :uMmlti Sender <multi@example.test>\r\n"
        b"From: Ann Lee <ann@example.test>\r\n"
        b"To: desk@example.test\r\n"
        b"Subject: Printer on floor 3\r\n"
        b"Message-ID: <p3@example.test>\r\n\r\n"
        b"It jams again.\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.from_email) == ("Printer on floor 3", "ann@example.test")
    assert parsed.message_id == "p3@example.test"
    assert parsed.body_text == "It jams again."


def test_unknown_field_with_tab_before_colon_in_the_block_is_a_field():
    raw = (
        b"From: Ann Lee <ann@example.test>\nX-Archived-At\t: somewhere\n"
        b"Ticket-Ref : 42\nSubject: Printer on floor 3\n\nIt jams again.\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.body_text) == ("Printer on floor 3", "It jams again.")


def test_text_starting_with_a_word_and_colon_is_still_a_body():
    # Not a header block: no well-known field follows the first line.
    raw = b"Note : the printer\nis broken again\n\nthanks\n"
    parsed = parse_message(raw)
    assert parsed.subject == ""
    assert "the printer" in parsed.body_text


# --- Class 2: a raw 8-bit file name (no RFC 2047/2231) in a part declaring no charset, the
# message declaring one on its text part: the declared charset lost its head start (the
# part's own empty label took the first rank and halved it), so a short Polish name read
# as GB18030 ("Za矿虫.pdf").


def _with_named_part(charset: str, name: bytes) -> bytes:
    return (
        b"From: ann@example.test\nSubject: the file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain; charset=" + charset.encode() + b"\n\nsee the file\n"
        b'--B\nContent-Type: application/pdf; name="' + name + b'"\n\nxx\n--B--\n'
    )


def test_raw_8bit_file_name_is_read_by_the_charset_the_message_declares():
    for charset, name in (
        ("iso-8859-2", "Zażółć.pdf"),
        ("windows-1250", "Łódź.pdf"),
        ("iso-8859-2", "Příloha č. 1.pdf"),
    ):
        parsed = parse_message(_with_named_part(charset, name.encode(charset)))
        assert [a.filename for a in parsed.attachments] == [name], charset


def test_an_empty_first_hint_does_not_weaken_the_next():
    raw = "Zażółć".encode("iso-8859-2")
    assert decode_8bit(raw, "", "iso-8859-2") == decode_8bit(raw, "iso-8859-2") == "Zażółć"


# --- Class 3: an HTML part written without <body> (``<html>E</html>``, or a bare fragment)
# shown between other inline parts: the parts before and after were put outside its
# ``<html>`` element, so a reader joined its last word with the next part's first ("EK").


def test_html_part_without_body_tag_keeps_its_neighbours_apart():
    raw = (
        b"From: ann@example.test\nSubject: parts\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nFirst words\n"
        b"--B\nContent-Type: text/html\n\n<html>Middle words</html>\n"
        b"--B\nContent-Type: text/plain\n\nLast words\n--B--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    # One document: the neighbours inside its element (lxml, which Odoo's sanitizer parses
    # with, read "Middle words" and "Last words" as one line: "wordsLast").
    markup = parsed.body_html.lower()
    assert markup.count("<html") == 1
    order = [markup.index(mark) for mark in ("<html", "first", "last", "</html")]
    assert order == sorted(order)
    assert html_to_text(parsed.body_html).split() == [
        "First",
        "words",
        "Middle",
        "words",
        "Last",
        "words",
    ]


def test_html_part_with_head_but_no_body_tag_keeps_its_neighbours_apart():
    raw = (
        b"From: ann@example.test\nSubject: parts\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/html\n\n<HTML><HEAD><TITLE>t</TITLE></HEAD>Middle</HTML>\n"
        b"--B\nContent-Type: text/plain\n\nLast\n--B--\n"
    )
    parsed = parse_message(raw)
    words = html_to_text(parsed.body_html).split()
    assert words[-2:] == ["Middle", "Last"]


def test_later_html_part_without_body_tag_is_one_block_of_the_body():
    # Apple Mail's HTML, attachment, HTML: the second HTML part written without <body>.
    raw = (
        b"From: ann@example.test\nSubject: parts\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/html\n\n<html><body><p>Before</p></body></html>\n"
        b'--B\nContent-Type: application/pdf; name="a.pdf"\n\nxx\n'
        b"--B\nContent-Type: text/html\n\n<html><head><title>Untitled</title></head>"
        b"<header>After</header></html>\n--B--\n"
    )
    parsed = parse_message(raw)
    markup = parsed.body_html.lower()
    assert markup.count("<html") == 1 and "untitled" not in markup
    assert html_to_text(parsed.body_html).split() == ["Before", "After"]


# --- Class 4: a From holding a name and no address (``From: foo``, a local mailbox
# ``Moderator <moderator>``: what old Unix mailers and list digests write), no other field
# giving an address: the name was read, then dropped. Mail clients show it.


def test_from_with_a_name_only_keeps_the_name():
    parsed = parse_message(b"From: Printer Room\nSubject: x\n\nbody\n")
    assert (parsed.from_email, parsed.from_name) == ("", "Printer Room")


def test_from_with_a_local_mailbox_keeps_the_name():
    parsed = parse_message(b"From: Moderator-Address <moderator>\nSubject: x\n\nbody\n")
    assert (parsed.from_email, parsed.from_name) == ("", "Moderator-Address")


def test_from_with_a_group_or_a_lone_mailbox_has_no_name():
    # A lone word is a local mailbox (RFC 822 addr-spec without its domain), not a name.
    for value in (b"undisclosed-recipients:;", b"MAILER-DAEMON", b"(none)"):
        parsed = parse_message(b"From: " + value + b"\nSubject: x\n\nbody\n")
        assert (parsed.from_email, parsed.from_name) == ("", ""), value


def test_from_with_an_encoded_name_only_keeps_the_name():
    parsed = parse_message(b"From: =?utf-8?Q?J=C3=B6rg?=\nSubject: x\n\nbody\n")
    assert (parsed.from_email, parsed.from_name) == ("", "J\u00f6rg")


# --- Class 5: a forward with no text of its own (Netscape's and mutt's "forward inline": an
# empty text part and the message as an inline message/rfc822 part, or the message itself
# of that type): the ticket's description was empty, the agent had to open the .eml.
# Mail clients show the forwarded message's text in place; it is the body now, the
# forwarded mail still kept as a named .eml.

_INNER = (
    b"From: Carl <carl@example.org>\nSubject: Printer broken\nContent-Type: text/plain\n\n"
    b"The printer on floor 3 jams on every page.\n"
)


def _forward(own_text: bytes, disposition: bytes = b"inline") -> bytes:
    return (
        b"From: Ann <ann@example.test>\nSubject: Fwd: Printer broken\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n" + own_text + b"\n"
        b"--B\nContent-Type: message/rfc822\nContent-Disposition: "
        + disposition
        + b"\n\n"
        + _INNER
        + b"--B--\n"
    )


def test_forward_without_text_of_its_own_shows_the_forwarded_text():
    parsed = parse_message(_forward(b"\n\n"))
    assert parsed.body_text == "The printer on floor 3 jams on every page."
    assert [a.filename for a in parsed.attachments] == ["Printer broken.eml"]


def test_forward_of_a_forward_without_text_shows_the_first_text():
    once = _forward(b"").replace(b"B", b"INNER")
    twice = _forward(b"").replace(_INNER, once[once.index(b"\n") + 1 :])
    parsed = parse_message(twice)
    assert parsed.body_text == "The printer on floor 3 jams on every page."


def test_message_that_is_a_forwarded_message_shows_its_text():
    raw = b"From: Ann <ann@example.test>\nSubject: Fwd\nContent-Type: message/rfc822\n\n" + _INNER
    parsed = parse_message(raw)
    assert parsed.body_text == "The printer on floor 3 jams on every page."
    assert parsed.from_email == "ann@example.test"


def test_forwarded_html_message_without_own_text_shows_its_html():
    inner = (
        b"From: Carl <carl@example.org>\nSubject: Printer broken\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="A"\n\n'
        b"--A\nContent-Type: text/plain\n\nJams.\n"
        b"--A\nContent-Type: text/html\n\n<html><body><p>It <b>jams</b>.</p></body></html>\n"
        b"--A--\n"
    )
    raw = _forward(b"", b"inline").replace(_INNER, inner)
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    assert parsed.body_text.split() == ["It", "jams."]


def test_forward_with_text_of_its_own_or_sent_as_attachment_keeps_its_body():
    parsed = parse_message(_forward(b"See below, please fix."))
    assert parsed.body_text == "See below, please fix."
    parsed = parse_message(_forward(b"", b'attachment; filename="orig.eml"'))
    assert parsed.body_text == ""
    assert [a.filename for a in parsed.attachments] == ["orig.eml"]


def test_bounce_without_text_does_not_show_the_returned_message_as_its_body():
    raw = (
        b"From: MAILER-DAEMON@example.test\nSubject: Undelivered\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n"
        b"--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.test\n\n"
        b"Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"
        b"--R\nContent-Type: message/rfc822\n\n" + _INNER + b"--R--\n"
    )
    parsed = parse_message(raw)
    assert "printer" not in parsed.body_text
    assert "delivery-status.txt" in [a.filename for a in parsed.attachments]


# --- Class 6: a Content-Transfer-Encoding value with an RFC 822 comment (``base64 (from
# the scanner)``, valid in a structured field, RFC 2045 section 6), or written loosely
# (quoted, a trailing ";"): the stdlib compares the raw value, so the part was not decoded:
# the body showed its base64, an attachment stored its base64 text.


def _encoded(cte: bytes, body: bytes, ctype: bytes = b"text/plain; charset=utf-8") -> bytes:
    return (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b"Content-Type: " + ctype + b"\nContent-Transfer-Encoding: " + cte + b"\n\n" + body
    )


def test_transfer_encoding_with_a_comment_or_quotes_is_decoded():
    for cte in (b"base64 (by the scanner)", b'"base64"', b"Base64;", b"(enc) base64"):
        parsed = parse_message(_encoded(cte, b"Q2Fmw6kgb24gZmxvb3IgMw==\n"))
        assert parsed.body_text == "Café on floor 3", cte
    parsed = parse_message(_encoded(b'"quoted-printable"', b"Caf=C3=A9 on floor =\n3\n"))
    assert parsed.body_text == "Café on floor 3"


def test_attachment_with_a_commented_transfer_encoding_keeps_its_bytes():
    raw = (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nsee\n'
        b'--B\nContent-Type: application/pdf; name="a.pdf"\n'
        b"Content-Transfer-Encoding: base64 (scanner)\n\nJVBERi0xLjQK\n--B--\n"
    )
    [pdf] = parse_message(raw).attachments
    assert pdf.data == b"%PDF-1.4\n"


def test_unknown_transfer_encoding_is_left_as_it_is():
    parsed = parse_message(_encoded(b"x-something", b"Q2Fmw6k=\n"))
    assert parsed.body_text == "Q2Fmw6k="


# --- Class 7: an alternative whose preferred version holds no text (an HTML part left
# empty by a gateway or a template: "", "<html><body></body></html>", only a <style>):
# the body was empty though the plain version had the text.


def _alternative(html: bytes) -> bytes:
    return (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="A"\n\n'
        b"--A\nContent-Type: text/plain\n\nThe printer jams.\n"
        b"--A\nContent-Type: text/html\n\n" + html + b"\n--A--\n"
    )


def test_alternative_with_a_blank_html_version_shows_the_plain_one():
    for html in (
        b"",
        b"<html><body></body></html>",
        b"<html><head><style>p {color: red}</style></head><body>&nbsp;<br></body></html>",
    ):
        parsed = parse_message(_alternative(html))
        assert (parsed.body_part, parsed.body_text) == ("text/plain", "The printer jams."), html


def test_html_version_with_only_an_image_is_still_the_body():
    parsed = parse_message(_alternative(b'<html><body><img src="cid:scan@x"></body></html>'))
    assert parsed.body_part == "text/html"


def test_blank_html_body_does_not_take_a_named_text_file_as_its_body():
    raw = (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="M"\n\n'
        b"--M\nContent-Type: text/html\n\n<html><body></body></html>\n"
        b'--M\nContent-Type: text/plain; name="error.log"\n\nline 1\n--M--\n'
    )
    parsed = parse_message(raw)
    assert [a.filename for a in parsed.attachments] == ["error.log"]


# --- Class 8: a file name parameter that reads as nothing (spaces, an empty encoded word)
# on Content-Disposition hid the name the part's Content-Type gives: a default name
# ("application001.bin") for a named file.


def test_a_blank_disposition_filename_does_not_hide_the_types_name():
    for blank in (b'"   "', b'"=?utf-8?Q??="', b'"=?utf-8?B??="'):
        raw = (
            b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="M"\n\n--M\nContent-Type: text/plain\n\nsee\n'
            b'--M\nContent-Type: application/octet-stream; name="report.pdf"\n'
            b"Content-Disposition: attachment; filename=" + blank + b"\n\nxx\n--M--\n"
        )
        assert [a.filename for a in parse_message(raw).attachments] == ["report.pdf"], blank
