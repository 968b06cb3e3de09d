"""Defects of the unseen-mail change (issue 14) found by attacking it: each test is a
realistic synthetic mail of one class that the change read worse than before."""

from cpu_budget import within_cpu_budget
from mailparse import parse_message

# --- A header field of any name written with a space before its colon is read as a field
# only inside the header block. A script that forgets the blank line after its fields
# (the stdlib then starts the body at the first line that is no field) writes the text
# right below them: "Nom : Dupont" (French puts a space before a colon), "Host : web01".
# Read as fields, those lines were lost from the body.


def test_body_lines_with_a_space_before_a_colon_after_a_missing_blank_line_stay_the_body():
    raw = (
        "From: Formulaire <formulaire@mairie.example.fr>\n"
        "To: support@helpdesk.example\nSubject: Demande de contact\n"
        "Message-ID: <f1@mairie.example.fr>\nContent-Type: text/plain; charset=utf-8\n"
        "Nom : Dupont\nPrénom : Jean\nMessage : Mon imprimante ne fonctionne plus.\n"
        "\nCordialement\n"
    ).encode()
    parsed = parse_message(raw)
    assert parsed.subject == "Demande de contact"
    assert parsed.body_text.splitlines()[:3] == [
        "Nom : Dupont",
        "Prénom : Jean",
        "Message : Mon imprimante ne fonctionne plus.",
    ]
    assert "nom" not in parsed.headers


def test_monitoring_text_right_below_the_fields_stays_the_body():
    raw = (
        b"From: monitor@ops.example\nTo: support@helpdesk.example\nSubject: ALERT disk\n"
        b"Host : web01\nStatus : CRITICAL\nDisk /var at 98%\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text == "Host : web01\nStatus : CRITICAL\nDisk /var at 98%"


# --- A From holding a name only names the caller whose address a later field gives (a
# web form's mailer: the visitor's name in From, the address in Reply-To or Sender). A
# one-word name ("Maria") is a name there, as before the change: only a From that stands
# alone, with no address anywhere, may be a bare local mailbox (MAILER-DAEMON).


def test_one_word_name_only_from_names_the_address_of_a_later_field():
    raw = (
        b"From: Maria\nReply-To: maria.lopez@example.com\nTo: support@helpdesk.example\n"
        b"Subject: Contact form: my order\nMessage-ID: <wf1@forms.example>\n\n"
        b"Where is my order 1234?\n"
    )
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.from_name) == ("maria.lopez@example.com", "Maria")
    raw = (
        "From: Jürgen\nSender: forms@shop.example\nSubject: Bestellung\n"
        "Content-Type: text/plain; charset=utf-8\n\nWo ist meine Bestellung?\n"
    ).encode()
    parsed = parse_message(raw)
    assert (parsed.from_email, parsed.from_name) == ("forms@shop.example", "Jürgen")


# --- A raw 8-bit file name in a message whose text says a Western charset (the default
# label of many mailers: PHPMailer's iso-8859-1) but whose name the sender's system wrote
# in a Central European one. Read by the label, the name mixes letters no language writes
# together ("Pøíloha è. 1.pdf"): that reading said the label was wrong, and main read the
# name right; the label's doubled head start outweighed it.


def test_file_name_in_another_latin_charset_than_the_text_label_reads_right():
    for label in ("iso-8859-1", "windows-1252"):
        for codec, name in (("cp1250", "Příloha č. 1.pdf"), ("iso-8859-2", "Příloha č. 1.pdf")):
            raw = (
                b"From: faktury@firma.example.cz\nSubject: Faktura\nMIME-Version: 1.0\n"
                b'Content-Type: multipart/mixed; boundary="B"\n\n'
                b"--B\nContent-Type: text/plain; charset=" + label.encode() + b"\n\n"
                b"Dobry den, posilame fakturu.\n"
                b'--B\nContent-Type: application/pdf; name="' + name.encode(codec) + b'"\n'
                b"Content-Disposition: attachment\n\nxx\n--B--\n"
            )
            parsed = parse_message(raw)
            assert [a.filename for a in parsed.attachments] == [name], (label, codec)


# --- An HTML part without <body> shown beside the body has its document tags taken off
# (<head>...</head>, <html>): every "<head>" with no "</head>" after it, or "<html " with
# no ">", made the pattern read to the end of the part again: minutes for a 1 MB part.


def _mixed_html_parts(second: bytes) -> bytes:
    return (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/html\n\n<html><body><p>first</p></body></html>\n"
        b"--B\nContent-Type: text/html\n\n" + second + b"\n--B--\n"
    )


def test_html_part_with_many_unclosed_document_tags_parses_within_budget():
    for second in (b"<head>x" * 150000, b"<html x" * 150000):
        raw = _mixed_html_parts(second)
        text = within_cpu_budget(lambda raw=raw: parse_message(raw).body_text)
        assert text.startswith("first")


def test_html_part_without_body_still_loses_its_head_and_html_tags():
    raw = _mixed_html_parts(
        b"<html><head><title>Invoice</title><style>p{color:red}</style></head><p>second</p></html>"
    )
    parsed = parse_message(raw)
    assert parsed.body_text.split() == ["first", "second"]


def _text_then_html(html: bytes) -> bytes:
    return (
        b"From: ann@example.test\nSubject: s\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nbefore text\n"
        b"--B\nContent-Type: text/html\n\n" + html + b"\n--B--\n"
    )


def test_html_body_with_many_unclosed_opening_tags_parses_within_budget():
    # Where the blocks shown before the HTML body go: after its <body>, else its </head>,
    # else its <html> (new): each "<html " or "<body " never closed was read to the end.
    for html in (b"<html x" * 150000, b"<body x" * 150000):
        raw = _text_then_html(html)
        text = within_cpu_budget(lambda raw=raw: parse_message(raw).body_text)
        assert text.startswith("before text")


# --- A forward with no text of its own shows the forwarded text as its body; that text is
# no text of the forwarding person's mail for the automated-mail rules. A machine-readable
# notice (Amazon SES's JSON, read from the body's start) forwarded by a person to the
# desk made the person's mail a bounce: refused as undesired, no ticket (main: a ticket).


def test_forwarded_json_notice_does_not_make_the_forward_automated():
    inner = (
        b'From: "AWS Notifications" <no-reply@sns.amazonaws.com>\n'
        b"Subject: AWS Notification Message\nContent-Type: text/plain; charset=UTF-8\n\n"
        b'{"Type" : "Notification", "MessageId" : "1", "Message" : '
        b'"{\\"notificationType\\":\\"Bounce\\",\\"bounce\\":{\\"bounceType\\":\\"Permanent\\"}}"}\n'
    )
    raw = (
        b"From: Ann Admin <ann@shop.example>\nTo: support@helpdesk.example\n"
        b"Subject: Fwd: AWS Notification Message\nMessage-ID: <fj@shop.example>\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n\n"
        b"--B\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n" + inner + b"--B--\n"
    )
    parsed = parse_message(raw)
    assert parsed.body_text.startswith('{"Type"')  # the forwarded text is shown
    assert parsed.automated is None
    # The notice itself, sent to the desk, still is one.
    notice = parse_message(inner.replace(b"From:", b"To: support@helpdesk.example\nFrom:", 1))
    assert notice.automated is not None and notice.automated.kind == "bounce"


# --- A report's returned message is never read as the text of a message: the change kept
# it from the body of a bounce itself, not of a bounce forwarded with no text (inline, or
# as the message itself) nor of one wrapped in a multipart/mixed: the returned message
# (often the desk's own reply) was shown as the caller's words.

_EMPTY_REPORT = (
    b"From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail Returned to Sender\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n"
    b"--R\nContent-Type: text/plain\n\n\n"
    b"--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    b"Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n"
    b"--R\nContent-Type: message/rfc822\n\n"
    b"From: Desk <support@helpdesk.example>\nSubject: Re: [T-42] printer\n\n"
    b"Dear Bob, we replaced the toner.\n--R--\n"
)


def test_forwarded_bounce_without_text_does_not_show_its_returned_message():
    head = b"From: Ann <ann@shop.example>\nTo: support@helpdesk.example\nSubject: Fwd: bounce\n"
    inline = (
        head + b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n\n"
        b"--B\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n"
        + _EMPTY_REPORT
        + b"--B--\n"
    )
    itself = head + b"MIME-Version: 1.0\nContent-Type: message/rfc822\n\n" + _EMPTY_REPORT
    wrapped = (
        head + b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\n\n--B\n"
        + _EMPTY_REPORT[_EMPTY_REPORT.index(b"Content-Type: multipart/report") :]
        + b"--B--\n"
    )
    for raw in (inline, itself, wrapped):
        parsed = parse_message(raw)
        assert parsed.from_email == "ann@shop.example"
        assert "toner" not in parsed.body_text
