# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.addons.helpdesk_mail_ticket.hooks import drop_write_date_indexes


def uninstall_hook(env):
    """helpdesk_mgmt's table stays: drop the write_date index the inboxes' sweep made on
    it (helpdesk_mail_ticket's own uninstall drops it as well)."""
    drop_write_date_indexes(env, [env["helpdesk.ticket"]._table])
