# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.addons.helpdesk_mail_ticket.hooks import drop_write_date_indexes, retire_subtype


def uninstall_hook(env):
    """helpdesk_mgmt's tickets stay: their updates by email and the followers subscribed
    to them keep a subtype once the bridge's is deleted (``retire_subtype``); and the
    write_date index the inboxes' sweep made on their table is dropped
    (helpdesk_mail_ticket's own uninstall drops it as well)."""
    retire_subtype(
        env,
        env.ref(
            "helpdesk_mail_ticket_helpdesk_mgmt.mt_helpdesk_ticket_updated_by_email",
            raise_if_not_found=False,
        ),
    )
    drop_write_date_indexes(env, [env["helpdesk.ticket"]._table])
