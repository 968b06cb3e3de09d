# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timezone

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.helpdesk_mail_ticket.mailsource import TokenError

MICROSOFT_SERVERS = {"imap": "outlook.office365.com", "pop3": "outlook.office365.com"}


class MailInbox(models.Model):
    """Microsoft 365 / Outlook as an OAuth2 provider of the inboxes, through Odoo's
    ``microsoft.outlook.mixin``: its *Connect your Outlook account* flow stores the tokens
    on the inbox, its token request (endpoint ``microsoft_outlook.endpoint``, credentials of
    the Settings) renews the access token and the rotated refresh token."""

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

    @api.onchange("oauth2_provider", "protocol")
    def _onchange_oauth2_provider_microsoft(self):
        """Microsoft's own servers, over SSL, when Microsoft 365 is picked."""
        if self.auth_method == "oauth2" and self.oauth2_provider == "microsoft":
            self.server = MICROSOFT_SERVERS.get(self.protocol, self.server)
            self.security = "ssl"

    @api.model
    def _get_cached_token_fields(self):
        """The access token the mixin keeps is dropped too when the server changes."""
        return super()._get_cached_token_fields() | {
            "microsoft_outlook_access_token",
            "microsoft_outlook_access_token_expiration",
        }

    def _get_oauth2_access_token(self):
        """Microsoft 365: the access token Odoo's mixin stored, renewed with its refresh
        token through the mixin's token request when it expires soon."""
        if self.oauth2_provider != "microsoft":
            return super()._get_oauth2_access_token()
        self.ensure_one()
        inbox = self.sudo()
        if not inbox.microsoft_outlook_refresh_token:
            raise TokenError(
                "The Outlook account is not connected",
                reason="not_configured",
                detail=self.env._("connect the Outlook account with Connect your Outlook account"),
            )
        token = inbox.microsoft_outlook_access_token
        if not inbox._oauth2_token_needs_refresh(
            token, inbox.microsoft_outlook_access_token_expiration
        ):
            return token
        return inbox._refresh_microsoft_outlook_access_token()

    def _refresh_microsoft_outlook_access_token(self):
        inbox = self.sudo()
        endpoint = inbox._get_microsoft_endpoint()
        self._trace("OAuth2: renewing the Outlook access token")
        try:
            refresh_token, token, expiration = inbox._fetch_outlook_access_token(
                inbox.microsoft_outlook_refresh_token
            )
        except requests.RequestException as error:
            raise TokenError(
                "Microsoft unreachable", reason="network", host=endpoint, detail=str(error)[:300]
            ) from None
        except UserError as error:
            # Odoo's message carries Microsoft's error_description (AADSTS...).
            raise TokenError(
                "Microsoft refused to renew the access token",
                reason="invalid_grant",
                host=endpoint,
                detail=str(error)[:300],
            ) from None
        vals = {
            "microsoft_outlook_refresh_token": refresh_token,
            "microsoft_outlook_access_token": token,
            "microsoft_outlook_access_token_expiration": expiration,
        }
        inbox._save_oauth2_tokens(vals, expiration=fields.Datetime.to_string(_utc(expiration)))
        return token


def _utc(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).replace(tzinfo=None)
