# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What edges3's one mailbox for INBOX in any case left behind: the iTop import's own
reckoning of a mailbox."""

from odoo.tests import tagged

from .common import MailTicketCase


@tagged("post_install", "-at_install")
class TestAttackEdges3(MailTicketCase):
    def test_itop_import_updates_the_inbox_on_inbox_in_another_case(self):
        # The iTop import reckoned the key itself, the folder as written: the inbox on
        # "inbox" (keyed "…/INBOX" now) was not found, its creation refused.
        self.inbox.mailbox = "inbox"
        wizard = self.env["helpdesk.mail.ticket.itop.import"]
        for folder in ("inbox", "INBOX", "Inbox"):
            with self.subTest(folder=folder):
                vals = {
                    "login": self.mailbox_login.upper(),
                    "server": self.inbox.server,
                    "protocol": "imap",
                    "mailbox": folder,
                }
                self.assertEqual(wizard._find_inbox(vals), self.inbox)
