# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Edges of the reset of an inbox pointed at another mailbox (test_mailbox_change):
lines whose header block was never digested, writes that change nothing."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestMailboxChangeAttack(MailTicketCase):
    def tickets(self):
        return self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])

    def deliver_numbered(self, numbers, folder="INBOX"):
        raws = [
            make_email(subject=f"Edge {number}", message_id=f"<edge-{number}@c.example>")
            for number in numbers
        ]
        for raw in raws:
            self.deliver(raw, folder=folder)
        return raws

    def test_lines_without_header_digest_do_not_hide_the_new_folders_mail(self):
        """Lines recorded before header digests were (an upgraded database), or whose
        header block the server refused when listed, have no digest. After the inbox
        was pointed at another folder with the old one's UIDVALIDITY, such a line took
        the new folder's message of its handle for its own (no header block to compare
        with): that mail was never recorded, lost."""
        self.dovecot.create_folder(self.mailbox_login, "Other")
        self.deliver_numbered(range(2))
        self.fetch()
        self.assertEqual(len(self.tickets()), 2)
        self.env["mail.inbox.message"].flush_model()
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET header_digest = NULL WHERE inbox_id = %s",
            [self.inbox.id],
        )
        self.env["mail.inbox.message"].invalidate_model()
        self.deliver_numbered([10, 11], folder="Other")
        self.dovecot.set_uidvalidity(
            self.mailbox_login, "Other", self.dovecot.uidvalidity(self.mailbox_login)
        )
        self.inbox.mailbox = "Other"
        self.assertEqual(self.fetch()["processed"], 2, "the new folder's mail recorded")
        self.assertEqual(len(self.tickets()), 4)
        on_server = self.ledger().filtered("on_server")
        self.assertEqual(
            sorted(on_server.mapped("message_id")), ["edge-10@c.example", "edge-11@c.example"]
        )
