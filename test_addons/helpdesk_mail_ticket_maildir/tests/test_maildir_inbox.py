# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Tickets fetched from a local Maildir through the source this test addon plugs in:
the main addon's ledger, processing and retention work on it unchanged."""

import mailbox
import os
import tempfile

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestMaildirInbox(MailTicketCase):
    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix="hmt-maildir-")
        self.addCleanup(tmp.cleanup)
        self.path = os.path.join(tmp.name, "Maildir")
        self.maildir = mailbox.Maildir(self.path, create=True)  # new/ cur/ tmp/
        self.inbox.write(
            {"protocol": "maildir", "server": self.path, "security": "none", "port": 0}
        )

    def deliver_here(self, raw):
        """As an MTA delivers: written in tmp/, then renamed into new/."""
        return self.maildir.add(raw)

    def keys(self, folder=None):
        box = self.maildir.get_folder(folder) if folder else self.maildir
        return sorted(box.keys())

    def test_tickets_from_a_maildir_exactly_once_and_kept(self):
        first = self.deliver_here(make_email(subject="Printer on fire", message_id="<md-1@x>"))
        self.deliver_here(make_email(subject="Screen broken", message_id="<md-2@x>"))
        result = self.fetch()
        self.assertEqual((result["new"], result["processed"]), (2, 2))
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(sorted(tickets.mapped("name")), ["Printer on fire", "Screen broken"])
        ledger = self.ledger()
        self.assertEqual(sorted(ledger.mapped("server_uid")), self.keys())
        self.assertIn(first, ledger.mapped("server_uid"))
        # Kept until the ticket closes (the default), and never imported twice.
        self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual(len(self.ledger()), 2)
        self.assertEqual(len(self.keys()), 2)
        # Read by another client meanwhile (new/ -> cur/, flag S): the same message.
        for key in self.keys():
            message = self.maildir.get_message(key)
            message.set_subdir("cur")
            message.add_flag("S")
            self.maildir[key] = message
        self.assertEqual(self.fetch()["new"], 0)
        ticket = self.ticket_of(ledger.filtered(lambda m: m.server_uid == first))
        ticket.stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.fetch()
        self.assertNotIn(first, self.keys(), "its ticket closed: removed from the Maildir")
        self.assertEqual(len(self.keys()), 1)

    def test_processed_mail_moves_to_a_maildir_folder(self):
        # The form offers the folder fields for any source with folders, not by protocol.
        self.assertTrue(self.inbox.source_has_folders)
        self.assertFalse(self.inbox.source_can_idle)
        form = self.inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="mailbox"', form)
        self.assertNotIn("protocol != 'imap'", form)
        self.inbox.write({"email_storage": "move", "target_folder": "Done"})
        self.deliver_here(make_email(subject="Move me", message_id="<md-move@x>"))
        raw = self.maildir.get_bytes(self.keys()[0])
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(self.keys(), [])
        self.assertEqual(len(self.keys("Done")), 1)
        moved = self.maildir.get_folder("Done")
        self.assertEqual(moved.get_bytes(self.keys("Done")[0]), raw, "moved byte for byte")
        self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual(len(self.ledger()), 1)

    def test_processed_mail_deleted_and_connection_test(self):
        self.inbox.write({"email_storage": "delete"})
        self.deliver_here(make_email(subject="Delete me"))
        self.assertIn("1 message(s)", self.inbox._open_source().test())
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(self.keys(), [])
        self.assertEqual(self.fetch()["new"], 0)
        self.inbox.server = os.path.join(self.path, "missing")
        self.assertIn("does not exist", self.inbox._fetch()["failure"])
