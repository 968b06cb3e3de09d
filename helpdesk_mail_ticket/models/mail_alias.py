# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..transaction import FIRST_ALIAS_DOMAIN, remember
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
    (``mail.inbox._read_alias_domains``): a domain made, changed or deleted clears
    that, in every worker, and the first of them the processing's claim read for its
    transaction (``FIRST_ALIAS_DOMAIN``)."""

    _inherit = "mail.alias.domain"

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()
        self.env.cr.cache.pop(FIRST_ALIAS_DOMAIN, None)
        return domains

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        self.env.cr.cache.pop(FIRST_ALIAS_DOMAIN, None)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        self.env.cr.cache.pop(FIRST_ALIAS_DOMAIN, None)
        return result
