# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestInboxUi(HttpCase, MailTicketCase):
    """In Chromium: an admin opens the inbox form and its Mailbox Content tab."""

    def test_mailbox_content_tab(self):
        self.inbox.name = "tour-inbox"
        self.deliver(make_email(subject="Tour printer request"))
        self.deliver(make_email(subject="From a stranger", sender="stranger@unknown.example"))
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("state")), ["error", "processed"])
        self.start_tour(
            "/odoo/action-helpdesk_mail_ticket.mail_inbox_action",
            "helpdesk_mail_ticket_mailbox_content",
            login="admin",
        )
        stranger = self.ledger().filtered(lambda m: m.email_from == "stranger@unknown.example")
        self.assertEqual(stranger.state, "new", "the tour's Reset Status reached the database")
