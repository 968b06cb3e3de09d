# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Paths the earlier hunts left open (edges3): a caller's address written inside a display
name's encoded words."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestHuntEdges3(MailTicketCase):
    # A caller's address inside encoded words before the mailbox's own bracket.

    def test_an_address_in_a_names_encoded_words_does_not_write_as_that_caller(self):
        self.inbox.unknown_caller_behavior = "create_contact"
        self.deliver(
            make_email(
                subject="Please wire the refund to my new account",
                message_id="<forged-0@elsewhere.example>",
                headers={},
                sender="mallory@elsewhere.example",
            ).replace(
                b"From: mallory@elsewhere.example",
                b"From: =?utf-8?q?Alice_Martin_<alice@acme.example>?= <mallory@elsewhere.example>",
            )
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "processed", line.reason)
        ticket = self.ticket_of(line)
        self.assertNotEqual(ticket.partner_id, self.alice, "the words chose the caller")
        self.assertEqual(ticket.partner_id.email, "mallory@elsewhere.example")
