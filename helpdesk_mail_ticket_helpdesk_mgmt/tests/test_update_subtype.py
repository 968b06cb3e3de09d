# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""OCA's tickets have an "Updated by email" subtype of their own (18.0.1.1.0)."""

import os

from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.test_mail_subtype import run_migration

OLD = "helpdesk_mail_ticket.mt_ticket_updated_by_email"
NEW = "helpdesk_mail_ticket_helpdesk_mgmt.mt_helpdesk_ticket_updated_by_email"
MIGRATION = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "migrations", "18.0.1.1.0", "post-migrate.py"
)


@tagged("post_install", "-at_install")
class TestHelpdeskTicketUpdateSubtype(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old, cls.new = cls.env.ref(OLD), cls.env.ref(NEW)
        cls.comment = cls.env.ref("mail.mt_comment")
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Follower {n}", "email": f"f{n}@x.example"} for n in range(2)]
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {"name": "VPN down", "description": "<p>VPN down</p>"}
        )

    def test_followers_of_a_helpdesk_ticket_get_its_subtype_by_default(self):
        self.assertEqual(self.new.res_model, "helpdesk.ticket")
        self.ticket.message_subscribe(partner_ids=self.partners[0].ids)
        follower = self.ticket.message_follower_ids.filtered(
            lambda f: f.partner_id == self.partners[0]
        )
        self.assertIn(self.new, follower.subtype_ids)
        self.assertNotIn(self.old, follower.subtype_ids)

    def test_migration_moves_subscriptions_and_messages_to_the_tickets_subtype(self):
        # As 18.0.1.0.0 left it: followers subscribed to the generic subtype (one of them
        # unsubscribed), the updates posted with it.
        self.ticket.message_subscribe(
            partner_ids=self.partners[0].ids, subtype_ids=(self.comment | self.old).ids
        )
        self.ticket.message_subscribe(
            partner_ids=self.partners[1].ids, subtype_ids=self.comment.ids
        )
        update = self.ticket.message_post(body="Update", subtype_id=self.old.id)
        followers = self.ticket.message_follower_ids
        subscribed = followers.filtered(lambda f: f.partner_id == self.partners[0])
        unsubscribed = followers.filtered(lambda f: f.partner_id == self.partners[1])
        self.assertEqual(subscribed.subtype_ids, self.comment | self.old)
        for _run in range(2):  # a retried upgrade changes nothing more
            load_script(MIGRATION, "hmt_mgmt_migration_18_0_1_1_0").migrate(
                self.env.cr, "18.0.1.0.0"
            )
            self.env.invalidate_all()
            self.assertEqual(subscribed.subtype_ids, self.comment | self.new)
            self.assertEqual(unsubscribed.subtype_ids, self.comment)
            self.assertEqual(update.subtype_id, self.new)

    def test_migration_keeps_the_admins_settings_of_the_subtype(self):
        # The admin had made updates by email internal and opt-in: still so on OCA tickets.
        self.old.write({"internal": True, "default": False, "description": "By email"})
        load_script(MIGRATION, "hmt_mgmt_migration_18_0_1_1_0").migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            (self.new.internal, self.new.default, self.new.description), (True, False, "By email")
        )

    def test_migration_names_the_records_that_name_the_old_subtype(self):
        # The admin's own configuration around OCA's tickets, by id and by xml id.
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        by_id = self.env["ir.filters"].create(
            {
                "name": "Updated by email",
                "model_id": "helpdesk.ticket",
                "domain": f"[('message_ids.subtype_id', '=', {self.old.id})]",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Escalate email updates",
                "model_id": model_id,
                "state": "code",
                "code": f"records.filtered(lambda t: env.ref('{OLD}') in t.message_ids.subtype_id)",
            }
        )
        template = self.env["mail.template"].create(
            {
                "name": "Digest of email updates",
                "model_id": model_id,
                "body_html": f'<p t-out="object.message_ids.filtered('
                f'lambda m: m.subtype_id.id == {self.old.id})"/>',
            }
        )
        # Not naming it: another number, another model.
        unrelated = self.env["ir.filters"].create(
            {
                "name": "Stage",
                "model_id": "helpdesk.ticket",
                "domain": f"[('stage_id', '=', {self.old.id}0)]",
            }
        )
        elsewhere = self.env["ir.filters"].create(
            {
                "name": "Partners",
                "model_id": "res.partner",
                "domain": f"[('message_ids.subtype_id', '=', {self.old.id})]",
            }
        )
        with self.assertLogs(
            "odoo.addons.helpdesk_mail_ticket_helpdesk_mgmt.migrations", "WARNING"
        ) as logs:
            load_script(MIGRATION, "hmt_mgmt_migration_18_0_1_1_0").migrate(
                self.env.cr, "18.0.1.0.0"
            )
        log = "\n".join(logs.output)
        for record in (by_id, action, template):
            self.assertIn(f"{record._name} #{record.id} ", log)
        for record in (unrelated, elsewhere):
            self.assertNotIn(f"{record._name} #{record.id} ", log)
        self.assertIn(f"(id {self.new.id})", log)


@tagged("post_install", "-at_install")
class TestIntegratorTicketModelMigration(TransactionCase):
    """helpdesk_mail_ticket's own 18.0.1.1.0 migration, for a ticket model of another
    module that does not migrate its followers itself (an integrator's): OCA's
    helpdesk.ticket stands for it, without its bridge's migration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old, cls.new = cls.env.ref(OLD), cls.env.ref(NEW)
        cls.comment = cls.env.ref("mail.mt_comment")
        cls.partner = cls.env["res.partner"].create({"name": "Follower", "email": "f@x.example"})
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {"name": "Mail down", "description": "<p>Mail down</p>"}
        )

    def follow_as_before(self, subtypes):
        """A follower as 18.0.1.0.0 left it: subscribed to the generic subtype."""
        self.ticket.message_subscribe(partner_ids=self.partner.ids, subtype_ids=subtypes.ids)
        return self.ticket.message_follower_ids.filtered(lambda f: f.partner_id == self.partner)

    def migrate_addon(self):
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.migrations", "WARNING") as logs:
            run_migration(
                self.env,
                os.path.join(get_module_path("helpdesk_mail_ticket"), "migrations"),
                "18.0.1.1.0",
            )
        return "\n".join(logs.output)

    def test_followers_get_the_subtype_the_models_mixin_uses(self):
        follower = self.follow_as_before(self.old)
        saved = self.env["ir.filters"].create(
            {
                "name": "Updated by email",
                "model_id": "helpdesk.ticket",
                "domain": f"[('message_ids.subtype_id', '=', {self.old.id})]",
            }
        )
        log = self.migrate_addon()
        self.assertEqual(follower.subtype_ids, self.new)
        self.assertIn("helpdesk.ticket", log)
        self.assertIn(NEW, log)
        self.assertIn(f"ir.filters #{saved.id} ", log)
        # Its updates by email reach them.
        caller = self.env["res.partner"].create({"name": "Caller", "email": "c@x.example"})
        self.ticket._mail_ticket_log_update(
            "<p>More</p>", caller, self.env["ir.attachment"], "<int-1@client.example>"
        )
        update = self.ticket.message_ids[0]
        self.assertEqual(update.subtype_id, self.new)
        self.assertIn(self.partner, update.notified_partner_ids)

    def test_followers_get_the_discussion_when_the_model_names_no_subtype(self):
        follower = self.follow_as_before(self.old)
        cls = type(self.env["helpdesk.ticket"])
        mixin = type(self.env["helpdesk.mail.ticket.mixin"])
        cls._mail_ticket_update_subtype = mixin._mail_ticket_update_subtype
        try:
            log = self.migrate_addon()
        finally:
            del cls._mail_ticket_update_subtype
        self.assertEqual(follower.subtype_ids, self.comment)
        self.assertIn("helpdesk.ticket", log)
        self.assertIn("mail.mt_comment", log)
