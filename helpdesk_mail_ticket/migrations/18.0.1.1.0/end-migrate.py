# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The followers of every other ticket model get the subtype their model now posts with.

Up to 18.0.1.0.0 every model inheriting the ticket mixin (an integrator's, a bridge's)
posted its updates by email with this addon's "Updated by email" subtype. That subtype is
``helpdesk.mail.ticket``'s only now, and each model posts with its own
``_mail_ticket_update_subtype`` (the discussion when it names none). A follower of such a
model subscribed to the old subtype would silently receive no more updates by email: it
is subscribed to the subtype the model now uses, and a warning names the model, for its
maintainer to check that subtype is the one meant; and so does a warning naming the saved
filters, automation rules, server actions and mail templates of the model that name the
old subtype. A module migrating its own followers first (the OCA helpdesk bridge does, in
its post-migration) leaves nothing to do here.

An end-migration: the models of the modules that depend on this addon, an integrator's
among them, are in the registry only once every module is loaded.
"""

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.helpdesk_mail_ticket.hooks import (
    describe,
    move_subscriptions,
    subtype_references,
)

_logger = logging.getLogger("odoo.addons.helpdesk_mail_ticket.migrations")

SUBTYPE = "helpdesk_mail_ticket.mt_ticket_updated_by_email"


def update_subtype(env, model):
    """The subtype ``model`` posts its updates by email with, as its mixin says now."""
    # A subtype of another model (a model built as a copy of a ticket model inherits
    # it) is never one its followers get: the mixin posts as discussion then, and its
    # followers are moved there rather than skipped as if already migrated.
    if hasattr(type(env[model]), "_mail_ticket_update_subtype_xmlid"):
        return env.ref(env[model]._mail_ticket_update_subtype_xmlid())
    xmlid = getattr(env[model], "_mail_ticket_update_subtype", None)
    subtype = xmlid and env.ref(xmlid, raise_if_not_found=False)
    if subtype and subtype._name == "mail.message.subtype" and subtype.res_model in (False, model):
        return subtype
    return env.ref("mail.mt_comment")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = env.ref(SUBTYPE, raise_if_not_found=False)
    if not old:
        return
    env.flush_all()
    for model in env["mail.inbox"]._get_target_model_names():
        new = update_subtype(env, model)
        if new == old:
            continue
        moved = move_subscriptions(cr, model, old, new)
        if moved:
            _logger.warning(
                "%s: %d followers subscribed to %r, which is %s's only since 18.0.1.1.0, "
                "are subscribed to %r (%s), the subtype %s posts its updates by email with "
                "(_mail_ticket_update_subtype): check it is the one its followers should get",
                model,
                moved,
                old.name,
                old.res_model,
                new.name,
                new.get_external_id().get(new.id, new.id),
                model,
            )
        stale = subtype_references(env, model, old)
        if stale:
            _logger.warning(
                "%s: its updates by email have the subtype %r (id %d), no longer %r (id %d), "
                "which these records still name: %s (README.rst, Upgrading to 18.0.1.1.0)",
                model,
                new.name,
                new.id,
                old.name,
                old.id,
                describe(stale),
            )
    env["mail.followers"].invalidate_model(["subtype_ids"])
