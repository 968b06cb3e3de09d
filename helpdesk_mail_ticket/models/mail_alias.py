# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models, tools

from ..transaction import remember
from .helpdesk_mail_ticket_mixin import ALIASES_CHANGED


class MailAlias(models.Model):
    """A batch remembers whether aliases have tickets for parent (the reply-to of
    their posts, ``_mail_ticket_reply_to``): once an alias is made, changed or
    deleted in the batch's transaction, its posts ask Odoo for the rest of the
    batch. For the rest of it: a savepoint rolled back (a message failing after
    it dropped an alias) undoes the change but not what was read meanwhile."""

    _inherit = "mail.alias"

    @api.model_create_multi
    def create(self, vals_list):
        remember(self.env, ALIASES_CHANGED, True)
        return super().create(vals_list)

    def write(self, vals):
        remember(self.env, ALIASES_CHANGED, True)
        return super().write(vals)

    def unlink(self):
        remember(self.env, ALIASES_CHANGED, True)
        return super().unlink()


class MailAliasDomain(models.Model):
    """Our inboxes read the alias domains' names and addresses once a registry
    (``mail.inbox._read_alias_domains``), and the first of them, which Odoo records on
    a ticket's posts when its company has none (``_mail_ticket_first_domain_id``): a
    domain made, changed or deleted clears that, in every worker."""

    _inherit = "mail.alias.domain"

    @api.model
    @tools.ormcache()
    def _mail_ticket_first_domain_id(self):
        """The id of the alias domain Odoo's ``_mail_get_alias_domains`` falls back on
        (the first in this model's order; False when there is none)."""
        return self.sudo().search([], limit=1).id

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()
        return domains

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
