# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An inbox on the real Dovecot feeding OCA's helpdesk.ticket."""

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import MailTicketCase, make_email

SUBTYPE = "helpdesk_mail_ticket_helpdesk_mgmt.mt_helpdesk_ticket_updated_by_email"


@tagged("post_install", "-at_install")
class TestHelpdeskMgmtInbox(MailTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def setUp(self):
        super().setUp()
        self.inbox.write(
            {
                "target_model_id": self.env["ir.model"]._get("helpdesk.ticket").id,
                "title_pattern": "/HT[0-9]{5}/",
            }
        )

    def test_helpdesk_ticket_is_an_inbox_target(self):
        self.assertIn("helpdesk.ticket", self.inbox._get_target_model_names())

    def test_new_email_creates_a_helpdesk_mgmt_ticket(self):
        self.deliver(
            make_email(
                subject="Laptop does not boot",
                html="<p>It shows a <b>black screen</b>.</p>",
                message_id="<mgmt-1@client.example>",
            )
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual((line.state, line.action), ("processed", "created"))
        ticket = self.ticket_of(line)
        self.assertEqual(ticket._name, "helpdesk.ticket")
        self.assertEqual(ticket.name, "Laptop does not boot")
        self.assertIn("<b>black screen</b>", ticket.description)
        self.assertEqual(ticket.partner_id, self.alice)
        self.assertEqual(ticket.commercial_partner_id, self.acme)
        self.assertEqual(ticket.partner_email, self.alice.email)
        self.assertEqual(ticket.partner_name, "Alice Martin")
        self.assertEqual(ticket.origin, "mail")
        self.assertEqual(ticket.mail_inbox_id, self.inbox)
        self.assertEqual(
            ticket.channel_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
        )
        self.assertRegex(ticket.number, r"^HT\d{5}$")
        self.assertIn(self.alice, ticket.message_partner_ids)
        self.assertEqual(self.acme.name, "Acme Corp", "the caller's company is not renamed")

    def test_reply_updates_the_ticket_by_header_and_by_number(self):
        self.deliver(make_email(subject="VPN down", message_id="<mgmt-2@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        reply = make_email(
            subject="Re: VPN down",
            body="Still down this morning.\n\nOn Monday, Alice wrote:\n> VPN down\n",
            headers={"In-Reply-To": "<mgmt-2@client.example>"},
            message_id="<mgmt-3@client.example>",
        )
        self.deliver(reply)
        by_number = make_email(
            subject=f"About {ticket.number}: any news?",
            body="Any news on this?",
            message_id="<mgmt-4@client.example>",
        )
        self.deliver(by_number)
        self.fetch()
        lines = self.ledger().sorted("id")
        self.assertEqual(lines.mapped("action"), ["created", "updated", "updated"])
        self.assertEqual({self.ticket_of(line) for line in lines}, {ticket})
        self.assertEqual(
            self.env["helpdesk.ticket"].search_count([("mail_inbox_id", "=", self.inbox.id)]), 1
        )
        subtype = self.env.ref(SUBTYPE)
        self.assertEqual(subtype.res_model, "helpdesk.ticket")
        updates = ticket.message_ids.filtered(lambda m: m.subtype_id == subtype)
        self.assertEqual(len(updates), 2)
        bodies = " ".join(updates.mapped("body"))
        self.assertIn("Still down this morning.", bodies)
        self.assertNotIn("VPN down", bodies.replace("Re: VPN down", ""))
        self.assertIn("Any news on this?", bodies)

    def test_kept_email_is_removed_once_the_ticket_is_closed(self):
        self.assertEqual(self.inbox.email_storage, "keep")
        self.deliver(make_email(subject="Printer jam", message_id="<mgmt-5@client.example>"))
        self.fetch()
        line = self.ledger()
        ticket = self.ticket_of(line)
        self.assertEqual(len(self.server_uids()), 1, "kept while the ticket is open")
        self.assertTrue(line.on_server)
        self.assertFalse(ticket._mail_ticket_is_closed())
        ticket.stage_id = self.stage_done
        self.assertTrue(ticket._mail_ticket_is_closed())
        self.fetch()
        self.assertEqual(self.server_uids(), [], "removed from the mailbox once closed")
        self.assertFalse(line.on_server)

    def test_a_reply_in_a_batch_gets_its_teams_alias_as_reply_to(self):
        # helpdesk_mgmt gives a ticket its team's alias as reply-to (its own
        # _notify_get_reply_to): a batch asks that method for each post, whatever
        # it knows of aliases whose parent is a ticket.
        self.deliver(make_email(subject="VPN down", message_id="<mgmt-5@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        domain = self.env["mail.alias.domain"].search([], limit=1) or self.env[
            "mail.alias.domain"
        ].create({"name": "tickets.example"})
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Network", "alias_name": "network-team", "alias_domain_id": domain.id}
        )
        ticket.team_id = team
        self.deliver(
            make_email(
                subject="Re: VPN down",
                headers={"In-Reply-To": "<mgmt-5@client.example>"},
                message_id="<mgmt-6@client.example>",
            )
        )
        self.deliver(make_email(subject="Printer jam", message_id="<mgmt-7@client.example>"))
        self.fetch()
        self.assertEqual(
            self.ledger().sorted("id").mapped("action"), ["created", "updated", "created"]
        )
        (reply,) = ticket.message_ids.filtered(lambda m: m.message_id == "<mgmt-6@client.example>")
        self.assertIn(f"network-team@{domain.name}", reply.reply_to)
        other = self.ticket_of(self.ledger().sorted("id")[-1])
        (first,) = other.message_ids.filtered(lambda m: m.message_id == "<mgmt-7@client.example>")
        self.assertEqual(
            first.reply_to, other._notify_get_reply_to(default=first.email_from)[other.id]
        )
