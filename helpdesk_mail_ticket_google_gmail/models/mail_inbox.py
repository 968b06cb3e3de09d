# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.helpdesk_mail_ticket.models.mail_inbox import SECRETS_PREFETCH

GOOGLE_SERVERS = {"imap": "imap.gmail.com", "pop3": "pop.gmail.com"}


class MailInbox(models.Model):
    """Gmail as an OAuth2 provider of the inboxes, through Odoo's ``google.gmail.mixin``:
    its *Connect your Gmail account* flow stores the tokens on the inbox, its token
    request renews the access token with the Gmail API credentials of the Settings. The
    token handling is the main addon's (``_get_oauth2_mixin_provider``)."""

    _name = "mail.inbox"
    _inherit = ["mail.inbox", "google.gmail.mixin"]

    oauth2_provider = fields.Selection(
        selection_add=[("google", "Google (Gmail)")], ondelete={"google": "set default"}
    )
    # The mixin's tokens, read with the inbox's other secrets only.
    google_gmail_authorization_code = fields.Char(prefetch=SECRETS_PREFETCH)
    google_gmail_refresh_token = fields.Char(prefetch=SECRETS_PREFETCH)
    google_gmail_access_token = fields.Char(prefetch=SECRETS_PREFETCH)
    google_gmail_access_token_expiration = fields.Integer(prefetch=SECRETS_PREFETCH)

    @api.model
    def _get_cached_token_fields(self):
        """The access token the mixin keeps is dropped too when the server changes."""
        return super()._get_cached_token_fields() | {
            "google_gmail_access_token",
            "google_gmail_access_token_expiration",
        }

    def _get_oauth2_mixin_provider(self):
        if self.oauth2_provider != "google":
            return super()._get_oauth2_mixin_provider()
        return {
            "prefix": "google_gmail",
            "name": "Google",
            "endpoint": "https://oauth2.googleapis.com/token",
            "servers": GOOGLE_SERVERS,
            "not_connected": self.env._(
                "connect the Gmail account with Connect your Gmail account"
            ),
            "renew": self._renew_google_gmail_access_token,
            "refused": lambda error: self.env._(
                "Google refused to renew the access token: connect the Gmail account "
                "again, and check the Gmail API credentials in the Settings"
            ),
        }

    def _renew_google_gmail_access_token(self, refresh_token):
        token, expiration = self._fetch_gmail_access_token(refresh_token)
        return {
            "google_gmail_access_token": token,
            "google_gmail_access_token_expiration": expiration,
        }
