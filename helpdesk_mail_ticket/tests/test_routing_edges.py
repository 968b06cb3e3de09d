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

    def test_our_own_notification_coming_back_is_not_posted_again(self):
        self.deliver(make_email(subject="Screen broken", message_id="<own-1@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        support = self.env["res.partner"].create({"name": "Support", "email": self.mailbox_login})
        ticket.message_subscribe(partner_ids=support.ids)
        notification = ticket.with_user(self.agent).message_post(
            body="We ordered a new screen.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # The support address follows the ticket: the notification lands in its inbox.
        echo = make_email(
            subject=f"Re: {ticket.reference} Screen broken",
            body="We ordered a new screen.",
            sender=f"Agent <{self.agent.email}>",
            to=self.mailbox_login,
            message_id=notification.message_id,
            headers={"References": "<own-1@client.example>"},
        )
        self.deliver(echo)
        self.fetch()
        line = self.line_of(notification.message_id.strip("<>"))
        self.assertEqual((line.state, line.action), ("processed", "duplicate"), line.reason)
        self.assertEqual(self.ticket_of(line), ticket)
        self.assertIn("already in Odoo", line.reason)
        self.assertEqual(
            self.env["mail.message"].search_count([("message_id", "=", notification.message_id)]),
            1,
            "posted once: nobody is mailed again",
        )

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

    def test_reset_of_a_processed_message_keeps_what_it_did(self):
        self.deliver(make_email(message_id="<reset-1@client.example>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.action, "created")
        processed_date = line.processed_date
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertEqual((line.state, line.action), ("processed", "created"))
        self.assertEqual(line.processed_date, processed_date)
        self.assertEqual(self.inbox.created_count, 1)

