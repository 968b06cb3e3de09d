# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply to an archived helpdesk.ticket (OCA's tickets have ``active``): no agent sees
an archived ticket, so a reply posted there is lost to them. Matched by its number, it
already made a new ticket (the search leaves archived tickets out); by its headers, it
must too."""

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestArchivedTicketReply(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.inbox.write(
            {
                "target_model_id": self.env["ir.model"]._get("helpdesk.ticket").id,
                "title_pattern": "/HT[0-9]{5}/",
            }
        )
        self.deliver(make_email(subject="VPN down", message_id="<arch-0@client.example>"))
        self.fetch()
        self.archived = self.ticket_of(self.ledger())
        self.archived.active = False

    def test_a_reply_to_an_archived_ticket_makes_a_new_visible_ticket(self):
        self.deliver(
            make_email(
                subject="Re: VPN down",
                body="Down again.",
                headers={"In-Reply-To": "<arch-0@client.example>"},
                message_id="<arch-1@client.example>",
            )
        )
        self.deliver(
            make_email(
                subject=f"About {self.archived.number}",
                body="Any news?",
                message_id="<arch-2@client.example>",
            )
        )
        self.fetch()
        for message_id in ("arch-1@client.example", "arch-2@client.example"):
            line = self.ledger().filtered(lambda m, mid=message_id: m.message_id == mid)
            with self.subTest(message_id=message_id):
                self.assertEqual((line.state, line.action), ("processed", "created"), line.reason)
                ticket = self.ticket_of(line)
                self.assertNotEqual(ticket, self.archived, "posted on the archived ticket")
                self.assertTrue(ticket.active)
        posted = self.archived.message_ids.mapped("message_id")
        self.assertNotIn("<arch-1@client.example>", posted, "posted on the archived ticket")
        self.assertNotIn("<arch-2@client.example>", posted, "posted on the archived ticket")
