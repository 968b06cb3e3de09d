# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The "Updated by email" subtype belongs to the ticket models, not to every model.

A default subtype with no model is a default of every model of the database: every
follower of every sales order or invoice would be subscribed to it, and every
subscription anywhere would pay for it (Odoo's own ``test_mail`` suite sees both).
"""

import os

from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged

from ..hooks import retire_subtype
from .common import MailTicketCase, make_email

SUBTYPE = "helpdesk_mail_ticket.mt_ticket_updated_by_email"
MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def run_migration(env, folder, version, installed="18.0.1.0.0"):
    """The migration scripts of ``version`` in ``folder``, each stage Odoo runs (pre,
    post, end) in its order, as an upgrade from ``installed`` runs them."""
    for stage in ("pre", "post", "end"):
        path = os.path.join(folder, version, f"{stage}-migrate.py")
        if os.path.exists(path):
            addon = os.path.basename(os.path.dirname(folder))
            name = f"hmt_migration_{addon}_{version}_{stage}".replace(".", "_")
            load_script(path, name).migrate(env.cr, installed)
    env.invalidate_all()


def ticket_models(env):
    return [env[name] for name in env["mail.inbox"]._get_target_model_names()]


@tagged("post_install", "-at_install")
class TestUpdateSubtypeScope(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subtype = cls.env.ref(SUBTYPE)
        cls.partner = cls.env["res.partner"].create({"name": "Follower", "email": "f@x.example"})

    def test_updated_by_email_is_no_default_of_other_models(self):
        defaults = self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        self.assertIn(self.env.ref("mail.mt_comment"), defaults)
        self.assertNotIn(self.subtype, defaults)
        document = self.env["res.partner"].create({"name": "Any document"})
        document.message_subscribe(partner_ids=self.partner.ids)
        follower = document.message_follower_ids.filtered(lambda f: f.partner_id == self.partner)
        self.assertNotIn(self.subtype, follower.subtype_ids)

    def test_followers_of_a_ticket_get_updated_by_email_by_default(self):
        self.assertEqual(self.subtype.res_model, "helpdesk.mail.ticket")
        ticket = self.env["helpdesk.mail.ticket"].create({"name": "Followed"})
        ticket.message_subscribe(partner_ids=self.partner.ids)
        follower = ticket.message_follower_ids.filtered(lambda f: f.partner_id == self.partner)
        self.assertIn(self.subtype, follower.subtype_ids)

    def test_each_ticket_model_names_a_subtype_of_its_own_or_the_discussion(self):
        comment = self.env.ref("mail.mt_comment")
        models = ticket_models(self.env)
        self.assertIn("helpdesk.mail.ticket", [model._name for model in models])
        for model in models:
            with self.subTest(model=model._name):
                subtype = self.env.ref(model._mail_ticket_update_subtype)
                self.assertEqual(subtype._name, "mail.message.subtype")
                if subtype != comment:
                    self.assertEqual(subtype.res_model, model._name)
                    self.assertTrue(subtype.default)
                    defaults = self.env["mail.message.subtype"].default_subtypes(model._name)[0]
                    self.assertIn(subtype, defaults)
        # No subtype of this repository is a default of every model.
        generic = self.env["ir.model.data"].search(
            [("model", "=", "mail.message.subtype"), ("module", "=like", "helpdesk_mail_ticket%")]
        )
        subtypes = self.env["mail.message.subtype"].browse(generic.mapped("res_id"))
        self.assertFalse(subtypes.filtered(lambda s: not s.res_model))


@tagged("post_install", "-at_install")
class TestUpdateSubtypeOnTickets(MailTicketCase):
    def test_a_follower_of_the_ticket_is_notified_of_an_update_by_email(self):
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Watched", "partner_id": self.alice.id}
        )
        ticket.message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.deliver(
            make_email(subject=f"Re: {ticket.reference}", message_id="<sub-1@client.example>")
        )
        self.fetch()
        update = ticket.message_ids.filtered(lambda m: m.subtype_id == self.env.ref(SUBTYPE))
        self.assertEqual(len(update), 1)
        self.assertIn(self.agent.partner_id, update.notified_partner_ids)

    def test_a_ticket_model_without_a_subtype_of_its_own_posts_updates_as_discussion(self):
        # An integrator's model that names no subtype: the mixin's default, the
        # discussion subtype every follower gets, never another model's subtype.
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Plain", "partner_id": self.alice.id}
        )
        mixin = type(self.env["helpdesk.mail.ticket.mixin"])
        self.assertEqual(mixin._mail_ticket_update_subtype, "mail.mt_comment")
        cls = type(ticket)
        cls._mail_ticket_update_subtype = mixin._mail_ticket_update_subtype
        try:
            message = ticket._mail_ticket_log_update(
                "<p>More</p>", self.alice, self.env["ir.attachment"], "<plain-1@client.example>"
            )
        finally:
            del cls._mail_ticket_update_subtype
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(ticket._mail_ticket_update_subtype, SUBTYPE)


@tagged("post_install", "-at_install")
class TestUpdateSubtypeMigration(TransactionCase):
    """18.0.1.1.0 moves the subtype to the ticket model on databases installed before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subtype = cls.env.ref(SUBTYPE)
        cls.comment = cls.env.ref("mail.mt_comment")
        cls.partner = cls.env["res.partner"].create({"name": "Follower", "email": "f@x.example"})

    def old_state(self):
        """The subtype as 18.0.1.0.0 left it: a default of every model."""
        self.subtype.res_model = False
        self.assertIn(
            self.subtype, self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        )

    def follow(self, record):
        record.message_subscribe(
            partner_ids=self.partner.ids, subtype_ids=(self.comment | self.subtype).ids
        )
        return record.message_follower_ids.filtered(lambda f: f.partner_id == self.partner)

    def migrate(self):
        run_migration(self.env, MIGRATIONS, "18.0.1.1.0")

    def test_migration_scopes_the_subtype_and_unsubscribes_other_models(self):
        self.old_state()
        document = self.env["res.partner"].create({"name": "Any document"})
        on_document = self.follow(document)
        ticket = self.env["helpdesk.mail.ticket"].create({"name": "Followed"})
        on_ticket = self.follow(ticket)
        self.subtype.name = "Updated by mail (renamed by the admin)"
        self.migrate()
        self.assertEqual(self.subtype.res_model, "helpdesk.mail.ticket")
        self.assertEqual(self.subtype.name, "Updated by mail (renamed by the admin)")
        self.assertNotIn(
            self.subtype, self.env["mail.message.subtype"].default_subtypes("res.partner")[0]
        )
        self.assertEqual(on_document.subtype_ids, self.comment)
        self.assertEqual(on_ticket.subtype_ids, self.comment | self.subtype)
        # Run twice (a failed upgrade retried): nothing more changes.
        self.migrate()
        self.assertEqual(on_ticket.subtype_ids, self.comment | self.subtype)

    def test_migration_keeps_the_subscriptions_where_updates_by_email_were_posted(self):
        # Another model that received updates by email (an integrator's ticket model, a
        # bridge's): its followers' choices are kept for its own subtype's migration.
        self.old_state()
        other_ticket = self.env["res.partner"].create({"name": "Integrator's ticket"})
        follower = self.follow(other_ticket)
        other_ticket.message_post(body="Update", subtype_id=self.subtype.id)
        self.migrate()
        self.assertEqual(follower.subtype_ids, self.comment | self.subtype)

    def test_migration_moves_a_subtype_an_admin_scoped_elsewhere(self):
        # An admin's workaround: the subtype scoped by hand to another model.
        self.subtype.res_model = "res.partner"
        self.migrate()
        self.assertEqual(self.subtype.res_model, "helpdesk.mail.ticket")


@tagged("post_install", "-at_install")
class TestRetireSubtype(TransactionCase):
    """An uninstall hook moves what a subtype about to be deleted still has (messages,
    subscriptions) on the models that stay."""

    def setUp(self):
        super().setUp()
        self.document = self.env["res.partner"].create({"name": "Stays"})
        self.partner = self.env["res.partner"].create({"name": "Follower", "email": "f@x.example"})

    def retire(self, internal):
        subtype = self.env["mail.message.subtype"].create(
            {"name": "Going", "res_model": "res.partner", "internal": internal}
        )
        self.document.message_subscribe(partner_ids=self.partner.ids, subtype_ids=subtype.ids)
        message = self.document.message_post(body="Update", subtype_id=subtype.id)
        retire_subtype(self.env, subtype)
        subtype.unlink()
        follower = self.document.message_follower_ids.filtered(
            lambda f: f.partner_id == self.partner
        )
        return message, follower

    def test_a_public_subtype_becomes_the_discussion(self):
        message, follower = self.retire(internal=False)
        comment = self.env.ref("mail.mt_comment")
        self.assertEqual(message.subtype_id, comment)
        self.assertEqual(follower.subtype_ids, comment)

    def test_an_internal_subtype_stays_internal(self):
        message, _follower = self.retire(internal=True)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertTrue(message.subtype_id.internal)
