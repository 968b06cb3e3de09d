# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timezone

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.helpdesk_mail_ticket.mailsource import TokenError

GOOGLE_SERVERS = {"imap": "imap.gmail.com", "pop3": "pop.gmail.com"}


class MailInbox(models.Model):
    """Gmail as an OAuth2 provider of the inboxes, through Odoo's ``google.gmail.mixin``:
    its *Connect your Gmail account* flow stores the tokens on the inbox, its token
    request renews the access token with the Gmail API credentials of the Settings."""

    _name = "mail.inbox"
    _inherit = ["mail.inbox", "google.gmail.mixin"]

    oauth2_provider = fields.Selection(
        selection_add=[("google", "Google (Gmail)")], ondelete={"google": "set default"}
    )

    @api.onchange("oauth2_provider", "protocol")
    def _onchange_oauth2_provider_google(self):
        """Gmail's own servers, over SSL, when Google is picked."""
        if self.auth_method == "oauth2" and self.oauth2_provider == "google":
            self.server = GOOGLE_SERVERS.get(self.protocol, self.server)
            self.security = "ssl"

    @api.model
    def _get_cached_token_fields(self):
        """The access token the mixin keeps is dropped too when the server changes."""
        return super()._get_cached_token_fields() | {
            "google_gmail_access_token",
            "google_gmail_access_token_expiration",
        }

    def _get_oauth2_access_token(self):
        """Gmail: the access token Odoo's mixin stored, renewed with its refresh token
        through the mixin's token request when it expires soon."""
        if self.oauth2_provider != "google":
            return super()._get_oauth2_access_token()
        self.ensure_one()
        inbox = self.sudo()
        if not inbox.google_gmail_refresh_token:
            raise TokenError(
                "The Gmail account is not connected",
                reason="not_configured",
                detail=self.env._("connect the Gmail account with Connect your Gmail account"),
            )
        token = inbox.google_gmail_access_token
        if not inbox._oauth2_token_needs_refresh(token, inbox.google_gmail_access_token_expiration):
            return token
        return inbox._refresh_google_gmail_access_token()

    def _refresh_google_gmail_access_token(self):
        inbox, endpoint = self.sudo(), "https://oauth2.googleapis.com/token"
        self._trace("OAuth2: renewing the Gmail access token")
        try:
            token, expiration = inbox._fetch_gmail_access_token(inbox.google_gmail_refresh_token)
        except requests.RequestException as error:
            raise TokenError(
                "Google unreachable", reason="network", host=endpoint, detail=str(error)[:300]
            ) from None
        except UserError:
            # Odoo reports every refusal alike; an administrator must act on any of them.
            raise TokenError(
                "Google refused to renew the access token",
                reason="invalid_grant",
                host=endpoint,
                detail=self.env._(
                    "Google refused to renew the access token: connect the Gmail account "
                    "again, and check the Gmail API credentials in the Settings"
                ),
            ) from None
        vals = {
            "google_gmail_access_token": token,
            "google_gmail_access_token_expiration": expiration,
        }
        inbox._save_oauth2_tokens(vals, expiration=fields.Datetime.to_string(_utc(expiration)))
        return token


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).replace(tzinfo=None)
