# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..transaction import forget
from .helpdesk_mail_ticket_mixin import _PARENT_ALIASES


class MailAlias(models.Model):
    """A batch remembers whether aliases have tickets for parent (the reply-to of
    their posts, ``_mail_ticket_reply_to``): an alias made, changed or deleted in the
    batch's transaction makes it ask again."""

    _inherit = "mail.alias"

    @api.model_create_multi
    def create(self, vals_list):
        forget(self.env, _PARENT_ALIASES)
        return super().create(vals_list)

    def write(self, vals):
        forget(self.env, _PARENT_ALIASES)
        return super().write(vals)

    def unlink(self):
        forget(self.env, _PARENT_ALIASES)
        return super().unlink()
