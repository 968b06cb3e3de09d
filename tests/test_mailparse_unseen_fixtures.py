"""Classes of defects found by scoring the core on other projects' fixtures (issue 14,
bench/fixture_score.py): each test is a minimal synthetic mail of one class."""

from mailparse import parse_message


def _mixed(*parts: bytes, outer: bytes = b"multipart/mixed") -> bytes:
    body = b"".join(b"--OUT\n" + part + b"\n" for part in parts)
    return (
        b"From: Ann <ann@example.com>\nSubject: parts\nMIME-Version: 1.0\n"
        b"Content-Type: " + outer + b"; boundary=OUT\n\n" + body + b"--OUT--\n"
    )


def _alternative(text: bytes, html: bytes, boundary: bytes = b"ALT") -> bytes:
    return (
        b"Content-Type: multipart/alternative; boundary=" + boundary + b"\n\n"
        b"--" + boundary + b"\nContent-Type: text/plain\n\n" + text + b"\n"
        b"--" + boundary + b"\nContent-Type: text/html\n\n" + html + b"\n"
        b"--" + boundary + b"--"
    )


# Class A: a multipart/mixed shows every inline text part in order (Thunderbird, Apple
# Mail, Gmail); the core kept only the chosen body and its same-type siblings, so a list
# footer after an alternative, a text part beside an HTML one or a text part in a nested
# mixed was neither body nor attachment: lost.


def test_list_footer_after_an_alternative_is_shown():
    raw = _mixed(
        _alternative(b"Dear Sir, the printer is down.", b"<p>Dear Sir, the printer is down.</p>"),
        b"Content-Type: text/plain\n\n___\nList footer: unsubscribe at lists.example.com",
    )
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    assert "the printer is down" in parsed.body_text
    assert "unsubscribe at lists.example.com" in parsed.body_text
    assert parsed.body_text.index("printer") < parsed.body_text.index("unsubscribe")


def test_text_part_beside_an_html_part_is_shown_in_order():
    raw = _mixed(
        b"Content-Type: text/plain\n\nFirst the plain words.",
        b"Content-Type: text/html\n\n<html><body><p>Then the <b>HTML</b> words.</p></body></html>",
        b"Content-Type: text/plain; charset=utf-8\n\nAnd plain words <again> & last.",
    )
    parsed = parse_message(raw)
    assert parsed.body_part == "text/html"
    text = parsed.body_text
    assert text.index("First the plain") < text.index("Then the") < text.index("And plain")
    # the text part is escaped into the HTML, not read as markup
    assert "&lt;again&gt; &amp; last" in parsed.body_html
    assert parsed.attachments == []


def test_text_part_in_a_nested_mixed_is_shown():
    nested = (
        b"Content-Type: multipart/mixed; boundary=IN\n\n--IN\nContent-Type: text/plain\n\n"
        b"Hi there, this is the fish.\n--IN\nContent-Type: image/gif; name=fish.gif\n"
        b"Content-Disposition: attachment; filename=fish.gif\nContent-Transfer-Encoding: base64\n\n"
        b"R0lGODlhAQABAAAAACw=\n--IN--"
    )
    raw = _mixed(b"Content-Type: text/plain\n\nA text part first.", nested)
    parsed = parse_message(raw)
    assert "A text part first." in parsed.body_text
    assert "this is the fish" in parsed.body_text
    assert [a.filename for a in parsed.attachments] == ["fish.gif"]


def test_alternative_shows_one_version_and_named_text_stays_a_file():
    raw = _mixed(
        _alternative(b"plain version", b"<p>html version</p>"),
        b"Content-Type: text/plain; name=notes.txt\nContent-Disposition: inline; filename=notes.txt"
        b"\n\nnotes file",
    )
    parsed = parse_message(raw)
    assert "html version" in parsed.body_text
    assert "plain version" not in parsed.body_text
    assert "notes file" not in parsed.body_text
    assert [a.filename for a in parsed.attachments] == ["notes.txt"]


def test_html_part_after_a_plain_body_is_shown_as_text():
    from mailparse import Settings

    raw = _mixed(
        b"Content-Type: text/plain\n\nplain words",
        b"Content-Type: text/html\n\n<p>html <i>words</i></p>",
    )
    parsed = parse_message(raw, Settings(body_parts_order=("text/plain", "text/html")))
    assert parsed.body_part == "text/plain"
    assert "plain words" in parsed.body_text
    assert "html words" in parsed.body_text.replace("*", "").replace("_", "")
    assert "<p>" not in parsed.body_text


# Class B: a message that is nothing but a text file sent as an attachment (a report
# mailer's CSV, a log) was neither body nor attachment: the file was lost. Mail clients
# show an empty message with the file attached.


def test_single_part_text_sent_as_attachment_is_a_file():
    raw = (
        b"From: reports@example.com\nSubject: Test\nMIME-Version: 1.0\n"
        b'Content-Type: text/plain; name="test.csv"\n'
        b'Content-Disposition: attachment; filename="test.csv"\n'
        b"Content-Transfer-Encoding: base64\n\nVGVzdDtUZXN0Cg==\n"
    )
    parsed = parse_message(raw)
    assert [(a.filename, a.data, a.kept) for a in parsed.attachments] == [
        ("test.csv", b"Test;Test\n", True)
    ]
    assert "Test;Test" not in parsed.body_text


def test_single_part_unnamed_text_attachment_is_kept_as_a_file():
    raw = (
        b"From: a@example.com\nSubject: log\nContent-Type: text/plain\n"
        b"Content-Disposition: attachment\n\nline one of the log\n"
    )
    parsed = parse_message(raw)
    (att,) = parsed.attachments
    assert att.data.strip() == b"line one of the log"
    assert att.filename.endswith(".txt")


def test_single_part_text_body_is_still_the_body():
    raw = b"From: a@example.com\nSubject: s\nContent-Type: text/plain\n\nhello there\n"
    parsed = parse_message(raw)
    assert parsed.body_text == "hello there"
    assert parsed.attachments == []


# Class C: a raw 8-bit UTF-8 name cut inside its last character (Yahoo cuts long
# attachment names at a byte limit) was read as Windows-1252 in its last word
# ("таким Ñ‡Ñ‚Ð"); clients read it as UTF-8 and mark the cut character.


def test_utf8_file_name_cut_inside_a_character_stays_utf8():
    name = "Картинка с очень длинным именем таким чт".encode() + "ч".encode()[:1]
    raw = (
        b"From: a@example.com\nSubject: pic\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee\n"
        b'--B\nContent-Type: image/png; name="' + name + b'"\n'
        b'Content-Disposition: attachment; filename="' + name + b'"\n'
        b"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--B--\n"
    )
    (att,) = parse_message(raw).attachments
    assert att.filename == "Картинка с очень длинным именем таким чт\ufffd"


def test_utf8_subject_cut_inside_a_character_stays_utf8():
    raw = b"From: a@example.com\nSubject: " + "Счёт за июнь".encode()[:-1] + b"\n\nx\n"
    assert parse_message(raw).subject == "Счёт за июн\ufffd"


def test_latin1_word_ending_in_a_lead_byte_is_not_read_as_cut_utf8():
    raw = (
        b"From: a@example.com\nSubject: Caf\xe9\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\nx\n"
    )
    assert parse_message(raw).subject == "Caf\xe9"


# Class D: a nested multipart that reuses its parent's boundary (seen on malware and on
# some bulk mailers): the stdlib ends the outer multipart at the inner close delimiter,
# so the parts after it (the attachment) fell into the epilogue and were lost, and the
# inner alternative's two versions were read as two parts of the outer one. Streaming
# parsers (postal-mime, mailparser) give the boundary to the innermost open multipart.


def test_nested_multipart_reusing_its_parents_boundary_keeps_the_attachment():
    raw = (
        b"From: a@example.com\nSubject: z\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="SAME"\n\n'
        b'--SAME\nContent-Type: multipart/alternative; boundary="SAME"\n\n'
        b"--SAME\nContent-Type: text/plain\n\nSent from my phone\n"
        b"--SAME\nContent-Type: text/html\n\n<p>Sent from my phone</p>\n--SAME--\n\n"
        b'--SAME\nContent-Type: application/zip; name="photo.zip"\n'
        b"Content-Transfer-Encoding: base64\n\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\n--SAME--\n"
    )
    parsed = parse_message(raw)
    assert [a.filename for a in parsed.attachments] == ["photo.zip"]
    assert parsed.attachments[0].data.startswith(b"PK")
    assert parsed.body_text.count("Sent from my phone") == 1
