# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Paths the earlier hunts left open (edges3): one mailbox named INBOX in another case,
a caller's address written inside a display name's encoded words."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestHuntEdges3(MailTicketCase):
    # INBOX is one mailbox whatever its case (RFC 3501 5.1): Dovecot opens the same mail
    # for "inbox", "Inbox" and "INBOX", and POP3 reads it too.

    def test_a_second_inbox_on_inbox_in_another_case_is_refused(self):
        self.deliver(make_email(message_id="<case-0@client.example>"))
        for folder, protocol in (("inbox", "imap"), ("Inbox", "imap"), (False, "pop3")):
            with self.subTest(folder=folder, protocol=protocol):
                with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
                    self.create_inbox(
                        self.mailbox_login,
                        self.mailbox_password,
                        name=f"again {folder} {protocol}",
                        mailbox=folder,
                        protocol=protocol,
                    )

    def test_inbox_in_another_case_reads_the_same_mail_once(self):
        # The inbox's own folder written in lower case: the same mailbox, no new one.
        self.deliver(make_email(message_id="<case-1@client.example>"))
        self.fetch()
        self.inbox.mailbox = "inbox"
        self.fetch()
        line = self.ledger()
        self.assertEqual(len(line), 1)
        self.assertEqual(line.state, "processed", line.reason)
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(len(tickets), 1)

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
