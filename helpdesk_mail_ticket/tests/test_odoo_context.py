# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The context keys the addon sets for Odoo's methods stay on the calls that need them.

A ticket is created with ``mail_create_nosubscribe``, ``mail_create_nolog`` and
``tracking_disable`` (the caller is subscribed explicitly, the email itself is the
creation message). The ticket handed on to the next steps, and returned to an
integrator's override, must carry the caller's context again: a record created through
its environment must log its creation, a write must be tracked.
"""

from odoo.tests import tagged

from ..mailparse import parse_message
from .common import MailTicketCase, make_email

CREATION_KEYS = ("mail_create_nosubscribe", "mail_create_nolog", "tracking_disable")


@tagged("post_install", "-at_install")
class TestContextOfTheCreatedTicket(MailTicketCase):
    def test_the_returned_ticket_has_the_callers_context(self):
        # The environment of a cron or a user's fetch: none of the creation's keys.
        env = self.env(context={"lang": "en_US"})
        line = (
            env["mail.inbox.message"]
            .sudo()
            .create({"inbox_id": self.inbox.id, "uid": "1:1", "subject": "Printer broken"})
        )
        parsed = parse_message(
            make_email(message_id="<ctx-1@client.example>"), self.inbox._get_parse_settings()
        )
        ticket = line._create_ticket(parsed, self.alice.with_env(line.env))
        self.assertEqual(ticket._name, "helpdesk.mail.ticket")
        for key in CREATION_KEYS:
            self.assertNotIn(key, ticket.env.context)
        self.assertEqual(ticket.env.context, line.env.context)
        # What an override does next with the ticket behaves as Odoo's defaults say.
        follow_up = ticket.env["helpdesk.mail.ticket"].create({"name": "Follow-up"})
        self.assertTrue(follow_up.message_ids, "the creation of a ticket is logged")
