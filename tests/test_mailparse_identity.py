"""Digests that tell emails apart (``mailparse.identity``)."""

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
    other = MAIL.replace(b"The printer is broken.", b"The scanner is broken.")
    assert content_digest(other) != content_digest(MAIL)
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
