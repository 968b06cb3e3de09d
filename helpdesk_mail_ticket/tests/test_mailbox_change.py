# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An administrator points an inbox that has run at another mailbox (protocol, server,
login or folder changed): what the inbox knows of the old one (its sync cursor, the
handles of its lines) must neither hide the new mailbox's mail (lost) nor make known
mail into tickets again (duplicates)."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestMailboxChange(MailTicketCase):
    def tickets(self):
        return self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])

    def deliver_numbered(self, numbers, folder="INBOX"):
        """Deliver the emails ``numbers`` to ``folder``; returns them (bytes)."""
        raws = [
            make_email(subject=f"Switch {number}", message_id=f"<switch-{number}@c.example>")
            for number in numbers
        ]
        for raw in raws:
            self.deliver(raw, folder=folder)
        return raws

    def test_back_to_imap_after_pop3_makes_no_ticket_twice(self):
        """IMAP, then POP3 (the lines take the POP3 handles), then IMAP again: the
        cursor stored by the first IMAP cycles was used again, its listing from the
        UID the ledger no longer held, and every mail became a ticket twice."""
        self.deliver_numbered(range(2))
        self.fetch()
        self.inbox.write({"protocol": "pop3", "port": self.dovecot.pop3_port})
        self.assertEqual(self.fetch()["new"], 0, "known mail recognized over POP3")
        self.deliver_numbered([2])
        self.assertEqual(self.fetch()["processed"], 1)
        self.inbox.write({"protocol": "imap", "port": self.dovecot.imap_port})
        self.assertEqual(self.fetch()["new"], 0, "known mail recognized over IMAP")
        self.assertEqual(len(self.tickets()), 3)
        self.assertEqual(len(self.ledger()), 3)
        self.deliver_numbered([3])
        self.assertEqual(self.fetch()["processed"], 1, "new mail still recorded")
        self.assertEqual(len(self.tickets()), 4)
        self.assertTrue(all(self.ledger().mapped("on_server")))

    def test_another_folder_with_the_same_uidvalidity_loses_no_mail(self):
        """The new folder has the old one's UIDVALIDITY (servers numbering from 1,
        folders made in the same second) and as many messages: the stored cursor said
        "no change", its mail was never recorded; with handles equal to the lines'
        ones, even a full listing took it for the old folder's mail."""
        self.dovecot.create_folder(self.mailbox_login, "Other")
        self.deliver_numbered(range(2))
        self.fetch()
        self.deliver_numbered([10, 11], folder="Other")
        self.dovecot.set_uidvalidity(
            self.mailbox_login, "Other", self.dovecot.uidvalidity(self.mailbox_login)
        )
        self.inbox.mailbox = "Other"
        self.assertEqual(self.fetch()["processed"], 2)
        self.assertEqual(len(self.tickets()), 4)
        on_server = self.ledger().filtered("on_server")
        self.assertEqual(
            sorted(on_server.mapped("message_id")), ["switch-10@c.example", "switch-11@c.example"]
        )

    def test_the_same_mail_in_the_new_folder_is_recognized(self):
        """The new folder holds copies of mail already made into tickets (the admin
        moved it there), under the same UIDs: recognized by its headers, no ticket
        again; the copies' lines are the known ones, back on the server."""
        self.dovecot.create_folder(self.mailbox_login, "Moved")
        for raw in self.deliver_numbered(range(2)):  # the very same emails
            self.deliver(raw, folder="Moved")
        self.dovecot.set_uidvalidity(
            self.mailbox_login, "Moved", self.dovecot.uidvalidity(self.mailbox_login)
        )
        self.fetch()
        self.inbox.mailbox = "Moved"
        self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual(len(self.tickets()), 2)
        self.assertEqual(len(self.ledger()), 2)
        self.assertTrue(all(self.ledger().mapped("on_server")))

    def test_the_admin_is_told_the_mailbox_is_listed_again(self):
        notes = self.inbox.message_ids
        self.inbox.write({"protocol": "pop3", "port": self.dovecot.pop3_port})
        self.inbox.write({"protocol": "imap", "port": self.dovecot.imap_port})
        self.assertEqual(self.inbox.message_ids, notes, "nothing listed yet: nothing to tell")
        self.deliver_numbered(range(1))
        self.fetch()
        self.assertTrue(self.inbox.sync_cursor)
        notes = self.inbox.message_ids
        self.inbox.write({"login": self.mailbox_login.upper()})  # the same key: nothing
        self.assertEqual(self.inbox.message_ids, notes)
        self.assertTrue(self.inbox.sync_cursor)
        self.inbox.write({"protocol": "pop3", "port": self.dovecot.pop3_port})
        self.assertFalse(self.inbox.sync_cursor)
        note = self.inbox.message_ids - notes
        self.assertEqual(len(note), 1)
        self.assertIn("lists the whole mailbox again", note.body)
