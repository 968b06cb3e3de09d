# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io

from PIL import Image

from odoo.tests import tagged

from .common import MailTicketCase, make_email


def png(width, height, mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 128) if mode == "RGBA" else 0).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestContentRules(MailTicketCase):
    """iTop's attachment and image rules, end to end on Dovecot."""

    def attachments(self, ticket):
        return self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)], order="id"
        )

    def test_signature_image_attached_once_across_replies(self):
        logo = png(200, 60)
        first = make_email(
            subject="Scanner offline",
            html='<p>Offline.</p><img src="cid:logo@acme">',
            related=[("logo.png", "image/png", logo, "logo@acme")],
            message_id="<dup-1@client.example>",
        )
        self.deliver(first)
        self.fetch()
        ticket = self.ledger()._get_ticket()
        reply = make_email(
            subject=f"Re: {ticket.reference} Scanner offline",
            html='<p>Still offline.</p><img src="cid:logo2@acme">',
            related=[("logo.png", "image/png", logo, "logo2@acme")],
            attachments=[("log.txt", "text/plain", b"scanner log")],
            message_id="<dup-2@client.example>",
        )
        self.deliver(reply)
        self.fetch()
        names = self.attachments(ticket).mapped("name")
        self.assertEqual(names.count("logo.png"), 1, "the same signature image is kept once")
        self.assertIn("log.txt", names)
        update = ticket.message_ids.filtered(lambda m: m.message_id == "<dup-2@client.example>")
        self.assertIn("/web/image/", update.body, "the duplicate still shows in place")

    def test_small_images_dropped_big_ones_resized(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mail_ticket.images_maximum_size", "300x300"
        )
        raw = make_email(
            subject="Images",
            attachments=[
                ("tiny.png", "image/png", png(50, 10)),
                ("photo.png", "image/png", png(1200, 600)),
            ],
        )
        self.deliver(raw)
        self.fetch()
        ticket = self.ledger()._get_ticket()
        attachments = self.attachments(ticket)
        self.assertEqual(attachments.mapped("name"), ["photo.png"], "a 50x10 logo is dropped")
        resized = Image.open(io.BytesIO(attachments.raw))
        self.assertEqual(resized.size, (300, 150))
        self.assertEqual(resized.format, "PNG")
        self.assertEqual(resized.mode, "RGBA", "transparency kept")

    def test_excluded_and_dangerous_attachments_dropped(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mail_ticket.exclude_attachment_types", "application/x-*"
        )
        raw = make_email(
            subject="Files",
            attachments=[
                ("tool.bin", "application/x-custom", b"data"),
                ("invoice.pdf.exe", "application/octet-stream", b"MZ" + b"\0" * 64),
                ("report.pdf", "application/pdf", b"%PDF-1.4 report"),
            ],
        )
        self.deliver(raw)
        self.fetch()
        ticket = self.ledger()._get_ticket()
        self.assertEqual(self.attachments(ticket).mapped("name"), ["report.pdf"])
