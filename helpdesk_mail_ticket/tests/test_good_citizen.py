# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the addon does on Odoo's ground stays what Odoo itself would do: updates reach
the followers of the model that posts them, a ticket made from an email subscribes and
notifies as Odoo's gateway does, no lock is taken on a ticket table by a poll cycle, and
an uninstall says what it moved."""

from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools import sql

from ..hooks import retire_subtype
from .common import MailTicketCase, make_email
from .test_mail_subtype import MIGRATIONS

INDEX = "helpdesk_mail_ticket__hmt_write_date_index"


@tagged("post_install", "-at_install")
class TestForeignUpdateSubtype(MailTicketCase):
    """A model built as a copy of a ticket model (``_name = "x"; _inherit = "helpdesk.mail.
    ticket"``) inherits its ``_mail_ticket_update_subtype``, a subtype of another model:
    its followers are never subscribed to it. Stand-in: our ticket model naming a subtype
    of res.partner."""

    def setUp(self):
        super().setUp()
        self.foreign = self.env["mail.message.subtype"].create(
            {"name": "Partner updated", "res_model": "res.partner", "default": True}
        )
        self.env["ir.model.data"].create(
            {
                "module": "hmt_test",
                "name": "mt_foreign",
                "model": "mail.message.subtype",
                "res_id": self.foreign.id,
            }
        )
        cls = type(self.env["helpdesk.mail.ticket"])
        cls._mail_ticket_update_subtype = "hmt_test.mt_foreign"
        self.addCleanup(delattr, cls, "_mail_ticket_update_subtype")

    def test_a_new_follower_is_notified_of_an_update_by_email(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Copied", "partner_id": self.alice.id}
        )
        ticket.message_subscribe(partner_ids=self.agent.partner_id.ids)
        message = ticket._mail_ticket_log_update(
            "<p>More</p>", self.alice, self.env["ir.attachment"], "<copy-1@client.example>"
        )
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.agent.partner_id, message.notified_partner_ids)
        notification = message.notification_ids.filtered(
            lambda n: n.res_partner_id == self.agent.partner_id
        )
        self.assertEqual(notification.notification_type, "email")

    def test_the_registry_warns_of_a_subtype_of_another_model(self):
        model = self.env["helpdesk.mail.ticket"]
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING") as logs:
            model._mail_ticket_check_update_subtype()
        self.assertIn("hmt_test.mt_foreign", logs.output[0])
        self.assertIn("res.partner", logs.output[0])

    def test_the_migration_moves_its_followers_to_the_discussion(self):
        path = f"{MIGRATIONS}/18.0.1.1.0/end-migrate.py"
        script = load_script(path, "hmt_migration_citizen_end")
        subtype = script.update_subtype(self.env, "helpdesk.mail.ticket")
        self.assertEqual(subtype, self.env.ref("mail.mt_comment"))


@tagged("post_install", "-at_install")
class TestCreationLikeOdooGateway(MailTicketCase):
    """Odoo's gateway (message_new) creates a record with its tracking and
    auto-subscription: an inbox's default assignee follows the ticket and is told."""

    def test_the_default_assignee_follows_and_is_notified(self):
        inbox = self.inbox
        inbox.ticket_default_values = f"user_id:{self.agent.id}"
        self.deliver(make_email(subject="Printer on fire", message_id="<asg-1@client.example>"))
        result = inbox.with_context(tracking_disable=False)._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        ticket = self.ticket_of(self.ledger())
        self.assertEqual(ticket.user_id, self.agent)
        self.assertIn(self.agent.partner_id, ticket.message_partner_ids)
        self.assertIn(self.alice, ticket.message_partner_ids)
        # Odoo's "You have been assigned" (a user notification, out of the chatter).
        assigned = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertEqual(len(assigned), 1)
        self.assertIn(self.agent.partner_id, assigned.partner_ids)
        # The chatter is still the email alone.
        self.assertEqual(ticket.message_ids.mapped("message_type"), ["email"])


@tagged("post_install", "-at_install")
class TestWriteDateIndex(MailTicketCase):
    """The sweep's index on a ticket table's write_date is made at install, not in a poll
    cycle's transaction (which would hold a lock on the table until its commit)."""

    def test_the_index_exists_after_install(self):
        self.assertTrue(sql.index_exists(self.env.cr, INDEX))

    def test_a_sweep_creates_no_index(self):
        sql.drop_index(self.env.cr, INDEX, "helpdesk_mail_ticket")
        self.inbox.email_storage = "keep"
        self.inbox.keep_swept_date = False
        self.inbox._kept_messages_to_remove()
        self.assertFalse(sql.index_exists(self.env.cr, INDEX))

    def test_an_inbox_targeting_a_model_makes_its_index(self):
        sql.drop_index(self.env.cr, INDEX, "helpdesk_mail_ticket")
        login, password = self.new_mailbox()
        self.create_inbox(login, password)
        self.assertTrue(sql.index_exists(self.env.cr, INDEX))


@tagged("post_install", "-at_install")
class TestRetireSubtypeWarns(TransactionCase):
    def test_moved_followers_are_counted_in_a_warning(self):
        document = self.env["res.partner"].create({"name": "Stays"})
        partners = self.env["res.partner"].create(
            [{"name": f"F{i}", "email": f"f{i}@x.example"} for i in range(3)]
        )
        subtype = self.env["mail.message.subtype"].create(
            {"name": "Going", "res_model": "res.partner"}
        )
        document.message_subscribe(partner_ids=partners.ids, subtype_ids=subtype.ids)
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.hooks", "WARNING") as logs:
            retire_subtype(self.env, subtype)
        self.assertIn("3 followers", logs.output[0])
        self.assertIn("Going", logs.output[0])
