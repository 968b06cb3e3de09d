# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile input through the whole Odoo pipeline (Dovecot, ledger, tickets): each mail
ends in a clear state, processed or in error with a reason; the cycle and the messages
after it go on. (Time and memory per message are measured by ``bench/fuzz.py``.)"""

import base64
import io

from PIL import Image

from odoo.tests import tagged

from .common import MailTicketCase, make_email

HEAD = (
    "From: Alice Martin <alice@acme.example>\r\n"
    "To: support@helpdesk.example\r\n"
    "Subject: {subject}\r\n"
    "Date: Mon, 5 Jan 2026 10:00:00 +0000\r\n"
    "Message-ID: <{mid}@client.example>\r\n"
    "MIME-Version: 1.0\r\n"
)


def head(subject, mid, extra=""):
    return (HEAD.format(subject=subject, mid=mid) + extra).encode()


def nested(depth):
    body = b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe innermost words.\r\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (
            b'Content-Type: multipart/mixed; boundary="'
            + boundary
            + b'"\r\n\r\n--'
            + boundary
            + b"\r\n"
            + body
            + b"\r\n--"
            + boundary
            + b"--\r\n"
        )
    return head("Deeply nested", "bad-nested") + body


def many_parts(count):
    parts = [b"--many\r\nContent-Type: text/plain\r\n\r\nThe printer is broken.\r\n"] + [
        b"--many\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="p%d.bin"\r\n\r\nx%d\r\n' % (n, n)
        for n in range(count)
    ]
    return (
        head("Ten thousand parts", "bad-parts")
        + b'Content-Type: multipart/mixed; boundary="many"\r\n\r\n'
        + b"".join(parts)
        + b"--many--\r\n"
    )


def huge_header():
    return (
        head("Huge header", "bad-header", "X-Padding: " + "a" * 1_000_000 + "\r\n")
        + b"Content-Type: text/plain\r\n\r\nBody after a megabyte of header.\r\n"
    )


def broken_encodings():
    return head("Broken encodings", "bad-enc") + (
        b'Content-Type: multipart/alternative; boundary="e"\r\n\r\n'
        b"--e\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"VGhlIHByaW50ZXI=@@@!!%%%QQ\r\nnot base64 at all\r\n"
        b"--e\r\nContent-Type: text/html; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"<p>Caf=E9 =ZZ =\r\n=C3=28 broken</p>\r\n"
        b"--e--\r\n"
    )


def invalid_charsets():
    return head("=?x-unknown?B?SGVsbG8=?= =?utf-8?Q?caf=C3?=", "bad-charset") + (
        b"Content-Type: text/plain; charset=utf-7\r\n\r\n+ZeVnLIqe- \xff\xfe\xc3\x28 bytes\r\n"
    )


def png(width, height, mode="1"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def with_image(subject, mid, data, inline):
    encoded = base64.encodebytes(data)
    disposition = "inline" if inline else 'attachment; filename="image.png"'
    html = b'<p>See the picture:</p><img src="cid:pic1@x">' if inline else b"<p>Attached.</p>"
    return head(subject, mid) + (
        b'Content-Type: multipart/related; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n"
        b"--r\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-ID: <pic1@x>\r\nContent-Disposition: "
        + disposition.encode()
        + b"\r\n\r\n"
        + encoded
        + b"--r--\r\n"
    )


@tagged("post_install", "-at_install")
class TestHostileInput(MailTicketCase):
    def assert_clear_outcome(self, raw, mid):
        """Deliver ``raw`` between two ordinary mails; returns its ledger line once
        one cycle ran. The cycle must not fail and both ordinary mails make tickets."""
        self.deliver(make_email(subject="Before", message_id=f"<{mid}-before@client.example>"))
        self.deliver(raw)
        self.deliver(make_email(subject="After", message_id=f"<{mid}-after@client.example>"))
        result = self.inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.inbox.state, "ok")
        ledger = self.ledger()
        self.assertEqual(len(ledger), 3)
        self.assertNotIn("new", ledger.mapped("state"), "every message ends in a final state")
        line = ledger.filtered(lambda m: m.message_id == f"{mid}@client.example")
        self.assertEqual(len(line), 1, ledger.mapped("message_id"))
        if line.state == "error":
            self.assertTrue(line.reason, "an error says why")
        else:
            self.assertEqual(line.state, "processed", line.reason)
        others = ledger - line
        self.assertEqual(others.mapped("action"), ["created", "created"])
        return line

    def test_deeply_nested_mime(self):
        line = self.assert_clear_outcome(nested(600), "bad-nested")
        if line.state == "processed":
            self.assertEqual(self.ticket_of(line).name, "Deeply nested")

    def test_deeply_nested_mime_keeps_its_text(self):
        # past the parser's recursion: flattened, the innermost words reach the ticket
        line = self.assert_clear_outcome(nested(1500), "bad-nested")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertIn("The innermost words.", str(self.ticket_of(line).description))

    def test_html_nested_past_the_parser_depth_keeps_its_text(self):
        html = "<div>" * 3000 + "The innermost words." + "</div>" * 3000 + "<p>Ann</p>"
        raw = head("Deep HTML", "bad-deephtml", "Content-Type: text/html; charset=utf-8\r\n")
        line = self.assert_clear_outcome(raw + b"\r\n" + html.encode(), "bad-deephtml")
        self.assertEqual(line.state, "processed", line.reason)
        description = str(self.ticket_of(line).description)
        self.assertIn("The innermost words.", description)
        self.assertIn("Ann", description)

    def test_html_of_comments_only_shows_their_text(self):
        raw = head("Comments", "bad-comments", "Content-Type: text/html; charset=utf-8\r\n")
        line = self.assert_clear_outcome(
            raw + b"\r\n<html><body><!--The innermost words.--></body></html>", "bad-comments"
        )
        self.assertEqual(line.state, "processed", line.reason)
        description = str(self.ticket_of(line).description)
        self.assertIn("The innermost words.", description)
        self.assertNotIn("&lt;!--", description)

    def test_ten_thousand_parts(self):
        line = self.assert_clear_outcome(many_parts(10_000), "bad-parts")
        if line.state == "processed":
            ticket = self.ticket_of(line)
            self.assertIn("printer is broken", ticket.description)
            attachments = self.env["ir.attachment"].search_count(
                [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
            )
            self.assertLess(attachments, 10_000, "the part count is bounded")

    def test_megabyte_header(self):
        line = self.assert_clear_outcome(huge_header(), "bad-header")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertIn("megabyte of header", self.ticket_of(line).description)

    def test_broken_base64_and_quoted_printable(self):
        line = self.assert_clear_outcome(broken_encodings(), "bad-enc")
        self.assertEqual(line.state, "processed", line.reason)

    def test_invalid_charsets(self):
        line = self.assert_clear_outcome(invalid_charsets(), "bad-charset")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertTrue(self.ticket_of(line).name)

    def test_nul_characters_in_headers(self):
        raw = head("Nul\x00in subject", "bad-nul", "X-Other: a\x00b\r\n") + (
            b"Content-Type: text/plain\r\n\r\nBody with a \x00 NUL.\r\n"
        )
        line = self.assert_clear_outcome(raw, "bad-nul")
        self.assertNotIn("\x00", line.subject or "")

    def test_decompression_bomb_attachment(self):
        bomb = png(20_000, 20_000)  # 400 megapixels in a few kilobytes
        self.assertLess(len(bomb), 200_000)
        line = self.assert_clear_outcome(
            with_image("Bomb attached", "bad-bomb", bomb, inline=False), "bad-bomb"
        )
        self.assertEqual(line.state, "processed", line.reason)

    def test_decompression_bomb_inline(self):
        bomb = png(20_000, 20_000)
        line = self.assert_clear_outcome(
            with_image("Bomb inline", "bad-bomb-inline", bomb, inline=True), "bad-bomb-inline"
        )
        self.assertIn(line.state, ("processed", "error"))

    def test_huge_inline_image(self):
        picture = png(4000, 3000, mode="RGB")
        line = self.assert_clear_outcome(
            with_image("Huge inline", "bad-huge", picture, inline=True), "bad-huge"
        )
        self.assertEqual(line.state, "processed", line.reason)
        ticket = self.ticket_of(line)
        self.assertNotIn("cid:", ticket.description or "")

    def test_the_cron_survives_a_mailbox_of_hostile_mail(self):
        for raw in (nested(300), huge_header(), broken_encodings(), invalid_charsets()):
            self.deliver(raw)
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.inbox.state, "ok")
        self.assertEqual(len(self.ledger()), 4)
        self.assertNotIn("new", self.ledger().mapped("state"))
