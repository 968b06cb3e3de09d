# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A web form's mail: the form's mailer sends from its own no-reply address, the
visitor's address written as the name before it, the visitor in Reply-To (WordPress
contact forms set up to show who wrote). Each visitor is the caller of their ticket."""

from odoo.tests import tagged

from .common import MailTicketCase


def _web_form_email(visitor, number):
    return (
        f"From: {visitor} <wordpress@shop.example>\r\n"
        f"Reply-To: {visitor}\r\n"
        "To: support@helpdesk.example\r\n"
        f"Subject: Contact form {number}\r\n"
        f"Message-ID: <form-{number}@shop.example>\r\n"
        "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
        "\r\n"
        f"Question {number} from the contact form.\r\n"
    ).encode()


@tagged("post_install", "-at_install")
class TestWebFormCaller(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.inbox.unknown_caller_behavior = "create_contact"
        params = self.env["ir.config_parameter"]
        params.set_param("mail.gateway.loop.threshold", "2")
        params.set_param("mail.gateway.loop.minutes", "60")

    def test_each_visitor_is_the_caller_of_their_ticket(self):
        visitors = [f"visitor{number}@mail.example" for number in range(3)]
        for number, visitor in enumerate(visitors):
            self.deliver(_web_form_email(visitor, number))
        self.fetch()
        ledger = self.ledger().sorted("id")
        # One no-reply partner for every visitor, the answers sent to it, and the form
        # stopped by the loop limit after two tickets: never.
        self.assertEqual(ledger.mapped("action"), ["created"] * 3, ledger.mapped("reason"))
        self.assertEqual(ledger.mapped("email_from"), visitors)
        callers = [self.ticket_of(line).partner_id.email for line in ledger]
        self.assertEqual(callers, visitors)
