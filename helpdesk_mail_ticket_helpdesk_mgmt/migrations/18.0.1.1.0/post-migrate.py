# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""OCA's tickets get an "Updated by email" subtype of their own.

Up to 18.0.1.0.0 their updates by email were posted with helpdesk_mail_ticket's subtype,
then a default of every model; it is now helpdesk.mail.ticket's only. The followers of
tickets subscribed to it are subscribed to the new one instead (those who had
unsubscribed stay so) with the admin's settings of the old one (internal, default,
description), and the updates already posted take the new subtype, so that the
chatter's filters and automation rules find old and new updates alike. The admin's own
records that name the old subtype on OCA's tickets (saved filters, automation rules,
server actions, mail templates) are not rewritten: a warning names each of them.
"""

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.helpdesk_mail_ticket.hooks import (
    describe,
    move_subscriptions,
    subtype_references,
)

_logger = logging.getLogger("odoo.addons.helpdesk_mail_ticket_helpdesk_mgmt.migrations")

MODEL = "helpdesk.ticket"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email", raise_if_not_found=False)
    new = env.ref(
        "helpdesk_mail_ticket_helpdesk_mgmt.mt_helpdesk_ticket_updated_by_email",
        raise_if_not_found=False,
    )
    if not (old and new):
        return
    # The admin's choices on the subtype OCA's tickets used (internal, followed by
    # default, its description) carry over to theirs: updates stay as visible as they were.
    new.write({field: old[field] for field in ("internal", "default", "hidden", "description")})
    env.flush_all()
    followers = move_subscriptions(cr, MODEL, old, new)
    params = {"old": old.id, "new": new.id, "model": MODEL}
    cr.execute(
        "UPDATE mail_message SET subtype_id = %(new)s"
        " WHERE subtype_id = %(old)s AND model = %(model)s",
        params,
    )
    _logger.info(
        "%s: %d followers and %d messages moved to its own subtype of updates by email",
        MODEL,
        followers,
        cr.rowcount,
    )
    env.invalidate_all()
    stale = subtype_references(env, MODEL, old)
    if stale:
        _logger.warning(
            "%s: updates by email have the subtype %r (id %d) now, no longer %r (id %d), "
            "which these records still name: %s. Point them at the new subtype "
            "(README.rst, Upgrading to 18.0.1.1.0).",
            MODEL,
            new.name,
            new.id,
            old.name,
            old.id,
            describe(stale),
        )
