# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""OCA's tickets have an "Updated by email" subtype of their own (18.0.1.1.0)."""

import os

from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged

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
