# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""POP3's unchanged-listing shortcut (the listing digest kept as the sync cursor) must
not leave the ledger stale: a change of the ledger that the listing does not show (a
line set off the server by a worker's older session) is still put right by the next
cycle, as the full synchronization did."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestPop3ListingDigestStale(MailTicketCase):
    def test_message_missed_by_an_older_session_is_processed_next_cycle(self):
        # Two workers poll one POP3 inbox. A's session was opened before Second came;
        # B lists it and records it; A takes it from the ledger and its session does
        # not know it (MessageNotFound: "the next sync records it").
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", email_storage="keep")
        self.deliver(make_email(subject="First"), login=login)
        self.fetch(inbox)
        with inbox._open_source() as older:
            self.deliver(make_email(subject="Second"), login=login)
            with inbox._open_source() as newer:
                inbox._sync_mailbox(newer)
            todo = self.ledger(inbox).filtered(lambda m: m.state == "new")
            self.assertEqual(len(todo), 1)
            inbox._process_messages(older, todo)
        self.assertFalse(todo.on_server, "A's session did not list it")
        self.fetch(inbox)
        self.fetch(inbox)
        self.assertEqual(
            sorted(self.ledger(inbox).mapped("state")),
            ["processed", "processed"],
            "Second, still on the server, is processed by the next cycles",
        )
