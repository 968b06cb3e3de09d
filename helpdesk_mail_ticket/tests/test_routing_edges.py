# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Mail reaches the ticket it is about, in its company, and nothing else: no database id
read from a subject, no notification of ours posted twice, no caller mistaken for a
stranger because of a duplicate contact; and the ledger keeps what was done."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestRoutingEdges(MailTicketCase):
    def line_of(self, message_id, inbox=None):
        return self.ledger(inbox).filtered(lambda m: m.message_id == message_id)

    def test_caller_with_a_duplicate_contact_is_recognized(self):
        """The reply comes from the caller's address, whichever contact holds it."""
        twin = self.env["res.partner"].create({"name": "Alice M.", "email": "alice@acme.example"})
        self.assertGreater(twin.id, self.alice.id)
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Laptop slow", "partner_id": twin.id}
        )
        self.deliver(
            make_email(subject=f"Re: {ticket.reference}", message_id="<twin-1@client.example>")
        )
        self.fetch()
        line = self.line_of("twin-1@client.example")
        self.assertEqual((line.action, self.ticket_of(line)), ("updated", ticket), line.reason)
        post = ticket.message_ids.filtered(lambda m: m.message_id == "<twin-1@client.example>")
        self.assertEqual(
            post.subtype_id, self.env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
        )

