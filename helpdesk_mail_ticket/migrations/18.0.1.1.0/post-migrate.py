# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The "Updated by email" subtype becomes the ticket model's own.

Up to 18.0.1.0.0 it was a default subtype with no model: a default of every model, so
every follower of any document (sales order, invoice, task...) was subscribed to it. Its
record is ``noupdate``: the new ``res_model`` of the data file does not reach existing
databases, this script sets it (the admin's other changes to the record are kept).

The subscriptions it added on models that never received an update by email are
removed: no message of this subtype is ever posted there, they only cost every
subscription and notification a row. On the ticket models (this addon's, every model
inheriting the ticket mixin, the models inboxes target, any model that has messages of
the subtype) they are kept: they are followers' choices, which a ticket model declaring
a subtype of its own migrates (the OCA helpdesk bridge does), else end-migrate.py.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

TICKET_MODEL = "helpdesk.mail.ticket"
MIXIN = "helpdesk.mail.ticket.mixin"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    subtype = env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email", raise_if_not_found=False)
    if not subtype:
        return
    if subtype.res_model != TICKET_MODEL:
        # Also when an admin had scoped it to another model by hand (to work around its
        # being a default of every model): updates of this addon's tickets use it. The
        # ORM write also clears mail's caches of default subtypes.
        _logger.info("Subtype %r: model %r -> %r", subtype.name, subtype.res_model, TICKET_MODEL)
        subtype.res_model = TICKET_MODEL
    env.flush_all()
    # The models inheriting the ticket mixin are read from Odoo's reflection of the
    # inheritance tree: those of modules depending on this one (an integrator's) are not
    # loaded yet; end-migrate.py subscribes their followers to their own subtype.
    cr.execute(
        """
        WITH RECURSIVE heirs(id) AS (
                SELECT id FROM ir_model WHERE model = %(mixin)s
                 UNION SELECT inherit.model_id FROM ir_model_inherit inherit
                          JOIN heirs ON heirs.id = inherit.parent_id)
        SELECT %(model)s
         UNION SELECT model FROM ir_model WHERE id IN (SELECT id FROM heirs)
         UNION SELECT target_model FROM mail_inbox WHERE target_model IS NOT NULL
         UNION SELECT DISTINCT model FROM mail_message
                WHERE subtype_id = %(subtype)s AND model IS NOT NULL
        """,
        {"mixin": MIXIN, "model": TICKET_MODEL, "subtype": subtype.id},
    )
    ticket_models = [model for (model,) in cr.fetchall()]
    cr.execute(
        """
        DELETE FROM mail_followers_mail_message_subtype_rel rel
              USING mail_followers follower
              WHERE rel.mail_followers_id = follower.id
                AND rel.mail_message_subtype_id = %s
                AND follower.res_model <> ALL(%s)
        """,
        [subtype.id, ticket_models],
    )
    unsubscribed = cr.rowcount
    _logger.info(
        "Subtype %r now applies to %s only; unsubscribed %d followers of other models (kept on %s)",
        subtype.name,
        subtype.res_model,
        unsubscribed,
        ", ".join(ticket_models),
    )
    env["mail.followers"].invalidate_model(["subtype_ids"])
