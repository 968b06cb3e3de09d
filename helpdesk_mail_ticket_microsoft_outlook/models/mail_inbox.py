# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.helpdesk_mail_ticket.models.mail_inbox import SECRETS_PREFETCH

MICROSOFT_SERVERS = {"imap": "outlook.office365.com", "pop3": "outlook.office365.com"}


class MailInbox(models.Model):
    """Microsoft 365 / Outlook as an OAuth2 provider of the inboxes, through Odoo's
    ``microsoft.outlook.mixin``: its *Connect your Outlook account* flow stores the tokens
    on the inbox, its token request (endpoint ``microsoft_outlook.endpoint``, credentials of
    the Settings) renews the access token and the rotated refresh token. The token handling
    is the main addon's (``_get_oauth2_mixin_provider``)."""

    _name = "mail.inbox"
    _inherit = ["mail.inbox", "microsoft.outlook.mixin"]

    # Delegated access to the mailbox by IMAP and by POP3 (whichever the inbox uses).
    _OUTLOOK_SCOPE = (
        "https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/POP.AccessAsUser.All"
    )

    oauth2_provider = fields.Selection(
        selection_add=[("microsoft", "Microsoft 365 (Outlook)")],
        ondelete={"microsoft": "set default"},
    )
    # The mixin's tokens, read with the inbox's other secrets only.
    microsoft_outlook_refresh_token = fields.Char(prefetch=SECRETS_PREFETCH)
    microsoft_outlook_access_token = fields.Char(prefetch=SECRETS_PREFETCH)
    microsoft_outlook_access_token_expiration = fields.Integer(prefetch=SECRETS_PREFETCH)

    @api.model
    def _get_cached_token_fields(self):
        """The access token the mixin keeps is dropped too when the server changes."""
        return super()._get_cached_token_fields() | {
            "microsoft_outlook_access_token",
            "microsoft_outlook_access_token_expiration",
        }

    def _get_oauth2_mixin_provider(self):
        if self.oauth2_provider != "microsoft":
            return super()._get_oauth2_mixin_provider()
        return {
            "prefix": "microsoft_outlook",
            "name": "Microsoft",
            "endpoint": self._get_microsoft_endpoint(),
            "servers": MICROSOFT_SERVERS,
            "not_connected": self.env._(
                "connect the Outlook account with Connect your Outlook account"
            ),
            "renew": self._renew_microsoft_outlook_access_token,
            # Odoo's message carries Microsoft's error_description (AADSTS...).
            "refused": str,
        }

    def _renew_microsoft_outlook_access_token(self, refresh_token):
        refresh_token, token, expiration = self._fetch_outlook_access_token(refresh_token)
        return {
            "microsoft_outlook_refresh_token": refresh_token,
            "microsoft_outlook_access_token": token,
            "microsoft_outlook_access_token_expiration": expiration,
        }
