# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""OAuth2 login of the inboxes (SASL XOAUTH2), apart from the polling code.

An inbox whose *Login Method* is OAuth2 logs in with an access token instead of a
password. ``_get_oauth2_access_token()`` is the provider hook: here, a standard OAuth2
token endpoint renews the token with a refresh token; the modules
``helpdesk_mail_ticket_google_gmail`` and ``helpdesk_mail_ticket_microsoft_outlook`` add
Google and Microsoft 365 through Odoo's own token handling. Failures are ``TokenError``s,
reported like every connection failure (the inbox's error, then the admins' warning); a
lost authorization warns the admins at once.
"""

import logging
from datetime import datetime, timedelta, timezone

import psycopg2
import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..mailsource import TokenError
from ..mailsource.oauth2 import display_url, lifetime_seconds, refresh_access_token
from ..transaction import commit
from .mail_inbox import SECRETS_PREFETCH

_logger = logging.getLogger(__name__)

# An access token is renewed when it expires within this margin, so that it cannot die
# during the login. The admins are warned when the authorization itself (the refresh
# token, when the provider says when it expires) ends within OAUTH2_EXPIRY_WARNING.
OAUTH2_EXPIRY_MARGIN = timedelta(minutes=5)
OAUTH2_EXPIRY_WARNING = timedelta(days=7)
OAUTH2_DEFAULT_LIFETIME = 3600  # seconds, when the endpoint gives no expires_in
DETAIL_LIMIT = 300
# Settings that make the stored access token useless when they change (the server
# too: a token is never sent to another server than the one it was fetched for).
_ACCESS_TOKEN_INPUTS = {
    "server",
    "port",
    "protocol",
    "security",
    "verify_certificate",
    "login",
    "auth_method",
    "oauth2_provider",
    "oauth2_token_endpoint",
    "oauth2_client_id",
    "oauth2_client_secret",
    "oauth2_refresh_token",
    "oauth2_scope",
}


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    oauth2_provider = fields.Selection(
        [("token_endpoint", "OAuth2 token endpoint")],
        string="OAuth2 Provider",
        default="token_endpoint",
        help="Who issues the access tokens. OAuth2 token endpoint: any standard OAuth2 "
        "server, given its token URL, a client and a refresh token. The Google and "
        "Microsoft 365 modules of this application add their providers, connected with a "
        "button.",
    )
    oauth2_token_endpoint = fields.Char(
        string="Token Endpoint URL",
        help="Where the access token is renewed (grant_type=refresh_token), e.g. "
        "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token or "
        "https://oauth2.googleapis.com/token.",
    )
    oauth2_client_id = fields.Char(
        string="Client ID",
        help="The OAuth2 client (application) registered at the provider for reading this mailbox.",
    )
    oauth2_client_secret = fields.Char(
        string="Client Secret",
        groups="base.group_system",
        prefetch=SECRETS_PREFETCH,
        copy=False,
        help="The secret of that client; empty for a public client.",
    )
    oauth2_refresh_token = fields.Char(
        string="OAuth2 Refresh Token",
        groups="base.group_system",
        prefetch=SECRETS_PREFETCH,
        copy=False,
        help="The long-lived token given when the mailbox owner authorized the client; "
        "it renews the access token. Enter a new one to authorize the mailbox again.",
    )
    oauth2_scope = fields.Char(
        string="Scope",
        help="Optional scope sent with each renewal, e.g. "
        "'https://outlook.office.com/IMAP.AccessAsUser.All offline_access'. Empty: the "
        "scope granted with the refresh token.",
    )
    oauth2_access_token = fields.Char(
        string="OAuth2 Access Token",
        groups="base.group_system",
        prefetch=SECRETS_PREFETCH,
        copy=False,
        readonly=True,
        help="The bearer token of the XOAUTH2 login, renewed automatically.",
    )
    oauth2_access_token_expiration = fields.Datetime(
        string="Access Token Expiration",
        groups="base.group_system",
        prefetch=SECRETS_PREFETCH,
        copy=False,
        readonly=True,
        help="When the current access token expires; it is renewed a few minutes before, "
        "and after a failed connection.",
    )
    oauth2_refresh_token_expiration = fields.Datetime(
        string="Authorization Expiration",
        groups="base.group_system",
        prefetch=SECRETS_PREFETCH,
        copy=False,
        readonly=True,
        help="When the refresh token expires, if the token endpoint says so. The "
        "administrators are warned a week before: authorize the mailbox again by then.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        cached = self._get_cached_token_fields()
        if _ACCESS_TOKEN_INPUTS & vals.keys() and not cached & vals.keys():
            # Another server, account, client or authorization: the stored access token
            # (ours or a provider bridge's) is not for it.
            super(MailInbox, self.sudo()).write(dict.fromkeys(cached, False))
        return result

    @api.model
    def _get_cached_token_fields(self):
        """The fields caching an access token (and its expiry) issued for this inbox's
        server and account, cleared when one of them changes (hook: a provider bridge
        adds the fields its mixin keeps the token in)."""
        return {"oauth2_access_token", "oauth2_access_token_expiration"}

    def _get_secret_destination_fields(self):
        return super()._get_secret_destination_fields() | {
            "oauth2_token_endpoint",
            "oauth2_client_id",
        }

    # ------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------

    def _get_oauth2_login_token(self):
        """The access token of the XOAUTH2 login (used by ``_get_server_config``), from
        the provider hook ``_get_oauth2_access_token``. When the authorization is lost
        (refused refresh token or client, nothing configured) the admins get the inbox's
        warning activity at once; passing failures are counted like connection failures.
        """
        self.ensure_one()
        try:
            return self._get_oauth2_access_token()
        except TokenError as error:
            if error.permanent:
                self._warn_admins(
                    self.env._("Inbox %(inbox)s must be authorized again", inbox=self.name),
                    self._connection_error_message(error),
                )
            raise

    @api.onchange("oauth2_provider", "protocol")
    def _onchange_oauth2_provider(self):
        """The provider's own servers, over SSL, when a provider of a bridge is picked."""
        provider = self._get_oauth2_mixin_provider()
        if self.auth_method == "oauth2" and provider:
            self.server = provider["servers"].get(self.protocol, self.server)
            self.security = "ssl"

    def _get_oauth2_access_token(self):
        """A valid access token for the XOAUTH2 login, renewed first when needed
        (:meth:`_oauth2_token_needs_refresh`): by the token endpoint of the inbox, or by
        Odoo's mixin of a bridge's provider (:meth:`_get_oauth2_mixin_provider`).

        :raise TokenError: when no token can be had (``reason`` says why)
        """
        self.ensure_one()
        inbox = self.sudo()
        provider = inbox._get_oauth2_mixin_provider()
        if provider:
            return inbox._get_oauth2_mixin_access_token(provider)
        if inbox.oauth2_provider != "token_endpoint":
            raise TokenError(
                f"No token handling for the OAuth2 provider {inbox.oauth2_provider!r}",
                reason="not_configured",
                detail=self.env._(
                    "the module of the OAuth2 provider %(provider)s is not installed",
                    provider=inbox.oauth2_provider,
                ),
            )
        token, expiration = inbox.oauth2_access_token, inbox.oauth2_access_token_expiration
        if not inbox._oauth2_token_needs_refresh(token, expiration):
            inbox._trace("OAuth2: access token valid until %s", expiration)
            return token
        return inbox._refresh_oauth2_access_token()

    # ------------------------------------------------------------------
    # Providers through Odoo's OAuth2 mixins (the Gmail and Outlook bridges)
    # ------------------------------------------------------------------

    def _get_oauth2_mixin_provider(self):
        """Hook of the bridges to Odoo's OAuth2 mixins (``google.gmail.mixin``,
        ``microsoft.outlook.mixin``): for the inbox's ``oauth2_provider``, a dict of

        * ``prefix``: of the mixin's fields (``<prefix>_refresh_token``,
          ``<prefix>_access_token``, ``<prefix>_access_token_expiration`` as a timestamp);
        * ``name``: the provider as messages name it ("Google");
        * ``endpoint``: its token endpoint, for messages;
        * ``servers``: ``{protocol: host}`` set when the provider is picked;
        * ``not_connected``: the translated hint when the account is not connected;
        * ``renew``: ``callable(refresh_token)`` -> the mixin's fields to store, raising
          what Odoo's mixin raises (``requests`` errors, ``UserError``);
        * ``refused``: ``callable(UserError)`` -> the detail of a refusal;

        or an empty dict (the inbox's own token endpoint). A bridge returns its own for
        its provider and ``super()`` for the others; the token handling is this module's."""
        return {}

    def _get_oauth2_mixin_access_token(self, provider):
        """The access token Odoo's mixin stored, renewed through the mixin's token
        request when it expires soon."""
        prefix = provider["prefix"]
        if not self[f"{prefix}_refresh_token"]:
            raise TokenError(
                f"The {provider['name']} account is not connected",
                reason="not_configured",
                detail=provider["not_connected"],
            )
        token = self[f"{prefix}_access_token"]
        if not self._oauth2_token_needs_refresh(token, self[f"{prefix}_access_token_expiration"]):
            return token
        self._trace("OAuth2: renewing the %s access token", provider["name"])
        endpoint = provider["endpoint"]
        try:
            vals = provider["renew"](self[f"{prefix}_refresh_token"])
        except requests.RequestException as error:
            raise TokenError(
                f"{provider['name']} unreachable",
                reason="network",
                host=endpoint,
                detail=str(error)[:DETAIL_LIMIT],
            ) from None
        except UserError as error:
            # Odoo's mixins report every refusal alike: an administrator must act.
            raise TokenError(
                f"{provider['name']} refused to renew the access token",
                reason="invalid_grant",
                host=endpoint,
                detail=provider["refused"](error)[:DETAIL_LIMIT],
            ) from None
        expiration = vals[f"{prefix}_access_token_expiration"]
        expiration = datetime.fromtimestamp(expiration, timezone.utc).replace(tzinfo=None)
        self._save_oauth2_tokens(vals, expiration=fields.Datetime.to_string(expiration))
        return vals[f"{prefix}_access_token"]

    def _oauth2_token_needs_refresh(self, token, expiration):
        """True when ``token``, expiring at ``expiration`` (naive UTC datetime, or a Unix
        timestamp as Odoo's Google and Microsoft mixins store it), must be renewed:
        missing, expiring within OAUTH2_EXPIRY_MARGIN, or this inbox is failing (a token
        the server refused is only seen at the login: the next attempt takes a fresh one).
        """
        if not token or not expiration or self.state == "error":
            return True
        if isinstance(expiration, int | float):
            expiration = datetime.fromtimestamp(expiration, timezone.utc).replace(tzinfo=None)
        return expiration - fields.Datetime.now() < OAUTH2_EXPIRY_MARGIN

    def _refresh_oauth2_access_token(self):
        """Renew the access token at the token endpoint (RFC 6749 section 6), store it
        and return it."""
        missing = [
            self._fields[name]._description_string(self.env)
            for name in ("oauth2_token_endpoint", "oauth2_client_id", "oauth2_refresh_token")
            if not self[name]
        ]
        if missing:
            raise TokenError(
                "OAuth2 settings missing", reason="not_configured", detail=", ".join(missing)
            )
        self._trace(
            "OAuth2: renewing the access token at %s", display_url(self.oauth2_token_endpoint)
        )
        reply = refresh_access_token(
            self.oauth2_token_endpoint,
            self.oauth2_client_id,
            self.oauth2_refresh_token,
            client_secret=self.oauth2_client_secret,
            scope=self.oauth2_scope,
        )
        self._save_oauth2_tokens(self._prepare_oauth2_token_vals(reply))
        self._warn_admins_of_oauth2_expiry()
        return reply["access_token"]

    def _prepare_oauth2_token_vals(self, reply):
        """The fields to store from a token reply (the refresh token too when the
        endpoint rotates it, and its expiration when it gives one)."""
        now = fields.Datetime.now()
        vals = {
            "oauth2_access_token": reply["access_token"],
            "oauth2_access_token_expiration": now
            + timedelta(seconds=lifetime_seconds(reply.get("expires_in"), OAUTH2_DEFAULT_LIFETIME)),
        }
        if reply.get("refresh_token"):
            vals["oauth2_refresh_token"] = reply["refresh_token"]
        lifetime = lifetime_seconds(reply.get("refresh_token_expires_in"), 0)
        if lifetime:
            vals["oauth2_refresh_token_expiration"] = now + timedelta(seconds=lifetime)
        return vals

    def _save_oauth2_tokens(self, vals, expiration=None):
        """Store renewed tokens at once, committed: a rotated refresh token must outlive
        a cycle that fails later. When another worker stored its own renewal at the same
        moment, that one is as good and ours is still valid for this session.
        ``expiration`` (of the new access token) is for the trace and the log."""
        try:
            with self.env.cr.savepoint():
                self.sudo().write(vals)
        except psycopg2.errors.SerializationFailure:
            self.invalidate_recordset(list(vals))
        commit(self.env)
        expiration = expiration or vals.get("oauth2_access_token_expiration")
        self._trace("OAuth2: new access token, valid until %s", expiration)
        _logger.info("Mail inbox %s: OAuth2 access token renewed until %s", self.name, expiration)

    def _warn_admins_of_oauth2_expiry(self):
        """The inbox's warning activity when its authorization ends within a week."""
        expiration = self.sudo().oauth2_refresh_token_expiration
        if expiration and expiration - fields.Datetime.now() < OAUTH2_EXPIRY_WARNING:
            self._warn_admins(
                self.env._("The authorization of inbox %(inbox)s expires soon", inbox=self.name),
                self.env._(
                    "The OAuth2 refresh token of %(login)s expires on %(date)s (UTC): "
                    "authorize the mailbox again before then, or the inbox stops.",
                    login=self.login,
                    date=fields.Datetime.to_string(expiration),
                ),
            )

    def _connection_error_message(self, error):
        _ = self.env._
        if error.code == "token":
            return self._oauth2_error_message(error)
        if error.code == "authentication" and self.auth_method == "oauth2":
            return _(
                "The mail server %(server)s refused the OAuth2 access token of %(login)s "
                "(expired or revoked?). The next attempt renews it; if this persists, "
                "authorize the mailbox again.",
                server=self.server,
                login=self.login,
            )
        return super()._connection_error_message(error)

    def _oauth2_error_message(self, error):
        """A translated explanation of a TokenError, by reason."""
        _ = self.env._
        messages = {
            "invalid_grant": _(
                "OAuth2 login of %(login)s failed: the refresh token was revoked or "
                "expired. Authorize the mailbox again. (%(detail)s)"
            ),
            "invalid_client": _(
                "OAuth2 login of %(login)s failed: the token endpoint %(endpoint)s refused "
                "the client ID or secret; check them. (%(detail)s)"
            ),
            "not_configured": _("OAuth2 login of %(login)s is not set up: %(detail)s."),
            "network": _(
                "OAuth2 login of %(login)s failed: the token endpoint %(endpoint)s cannot be "
                "reached (%(detail)s)."
            ),
        }
        template = messages.get(
            error.reason,
            _(
                "OAuth2 login of %(login)s failed: the token endpoint %(endpoint)s did not "
                "renew the access token (%(detail)s)."
            ),
        )
        return template % {
            "login": self.login,
            "endpoint": error.host or "",
            "detail": error.detail or str(error),
        }
