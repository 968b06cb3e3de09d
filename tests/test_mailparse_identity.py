"""Digests that tell emails apart (``mailparse.identity``)."""

import email
import email.policy
from email.message import EmailMessage

from mailparse.identity import content_digest, header_digest, header_identity

MAIL = (
    b"From: Alice <alice@acme.example>\r\nTo: support@helpdesk.example\r\n"
    b"Subject: Printer\r\nDate: Mon, 1 Dec 2026 10:00:00 +0000\r\n"
    b"Message-ID: <p-1@acme.example>\r\n\r\nThe printer is broken.\r\n"
)


def test_two_relays_same_content_other_copy():
    one = b"Received: from relay1 by mx; Mon, 1 Dec 2026\r\n" + MAIL
    two = b"Received: from relay2 by mx; Mon, 1 Dec 2026\r\n" + MAIL
    assert content_digest(one) == content_digest(two) == content_digest(MAIL)
    assert header_digest(one) != header_digest(two)


def test_another_email_reusing_the_message_id():
    # A scanner sends each email at its own time; without Dates, the texts differ.
    other = MAIL.replace(b"The printer is broken.", b"The scanner is broken.")
    other = other.replace(b"10:00:00", b"10:05:00")
    assert content_digest(other) != content_digest(MAIL)
    undated = MAIL.replace(b"Date: Mon, 1 Dec 2026 10:00:00 +0000\r\n", b"")
    assert content_digest(undated.replace(b"printer", b"scanner")) != content_digest(undated)
    assert header_identity(other)[0] == header_identity(MAIL)[0] == "p-1@acme.example"


def test_header_digest_of_the_header_block_alone_and_line_endings():
    block = MAIL.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert header_digest(block) == header_digest(MAIL)
    assert header_digest(MAIL.replace(b"\r\n", b"\n")) == header_digest(MAIL)
    assert content_digest(MAIL.replace(b"\r\n", b"\n")) == content_digest(MAIL)


def test_fields_of_the_mail_store_are_left_out():
    assert header_digest(b"Status: RO\r\nX-UID: 12\r\n" + MAIL) == header_digest(MAIL)


def test_a_non_ascii_byte_in_the_message_id_is_read():
    message_id, digest = header_identity(MAIL.replace(b"p-1@", b"caf\xc3\xa9-\xe9@"))
    assert message_id.endswith("@acme.example") and len(digest) == 64
    message_id.encode("utf-8")  # storable


def test_junk_never_raises():
    for raw in (b"", b"\x00\xff\r\n\r\n", b"no header at all", b": empty name\r\n\r\nx"):
        assert len(header_digest(raw)) == len(content_digest(raw)) == 64
        assert header_identity(raw)[0] == ""


# -- The same email re-encoded by a relay, tagged or footed by a list (F6) ---------------------


def _mail(body="L'imprimante du 2e étage est cassée.\n", cte=None, subject="Printer", date=True):
    message = EmailMessage()
    message["From"] = "Alice <alice@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    if date:
        message["Date"] = "Mon, 01 Jan 2024 10:00:00 +0100"
    message["Message-ID"] = "<x-1@client.example>"
    if cte:
        message.set_content(body, cte=cte)
    else:
        message.set_content(body)
    return message.as_bytes(policy=email.policy.SMTP)


def test_reencoded_by_relay():
    assert content_digest(_mail(cte="8bit")) == content_digest(_mail(cte="quoted-printable"))


def test_base64_vs_qp():
    assert content_digest(_mail(cte="base64")) == content_digest(_mail(cte="quoted-printable"))


def test_list_footer():
    raw = _mail(cte="8bit")
    assert content_digest(raw) == content_digest(raw + b"\r\n____\r\nlist mailing list\r\n")


def test_list_subject_tag():
    assert content_digest(_mail(subject="Printer")) == content_digest(
        _mail(subject="[support] Printer")
    )


def test_the_same_date_in_another_zone_and_the_sender_in_capitals():
    raw = _mail(cte="8bit")
    other = raw.replace(b"Mon, 01 Jan 2024 10:00:00 +0100", b"Mon, 1 Jan 2024 09:00:00 +0000")
    other = other.replace(b"alice@acme.example", b"Alice@ACME.example")
    assert content_digest(other) == content_digest(raw)


def test_another_date_or_sender_is_another_email():
    raw = _mail(cte="8bit")
    later = raw.replace(b"10:00:00 +0100", b"10:00:07 +0100")
    assert content_digest(later) != content_digest(raw)
    assert content_digest(raw.replace(b"alice@", b"bob@")) != content_digest(raw)


def test_without_a_date_the_decoded_text_decides():
    plain, quoted = _mail(cte="8bit", date=False), _mail(cte="quoted-printable", date=False)
    encoded = _mail(cte="base64", date=False)
    footed = plain + b"\r\n_______________\r\nsupport mailing list\r\nhttps://lists.example\r\n"
    assert content_digest(plain) == content_digest(quoted) == content_digest(encoded)
    assert content_digest(footed) == content_digest(plain)
    other = _mail(body="Le scanner est cassé.\n", cte="8bit", date=False)
    assert content_digest(other) != content_digest(plain)


def test_without_a_date_attachments_count_decoded():
    def with_attachment(data):
        message = email.message_from_bytes(_mail(date=False), policy=email.policy.default)
        message.add_attachment(data, maintype="application", subtype="pdf", filename="s.pdf")
        return message.as_bytes(policy=email.policy.SMTP)

    assert content_digest(with_attachment(b"page 1")) != content_digest(with_attachment(b"page 2"))
    assert content_digest(with_attachment(b"page 1")) == content_digest(with_attachment(b"page 1"))
