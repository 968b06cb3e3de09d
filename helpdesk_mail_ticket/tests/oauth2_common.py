# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the bridges to Odoo's OAuth2 mixins (helpdesk_mail_ticket_google_gmail,
helpdesk_mail_ticket_microsoft_outlook) test alike, as mixins parameterized by provider.

A bridge subclasses :class:`OAuth2Provider` with its provider's names and how Odoo's
module is pointed at the harness's endpoint, then mixes it with :class:`OAuth2InboxTests`
or :class:`OAuth2ConnectTests` into an Odoo test class. Not a test module (its name does
not start with ``test_``): the bridges import it, Odoo's runner does not collect it.
"""

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import get_dovecot, make_email
from .test_i18n import I18nChecks

INBOX_LOGGER = "odoo.addons.helpdesk_mail_ticket.models.mail_inbox"


class OAuth2Provider:
    """The names of a provider and of the Odoo mixin that handles its tokens."""

    oauth2_provider = None  # the inbox's oauth2_provider: "google"
    token_prefix = None  # of the mixin's fields, parameters, connect method and route
    account_name = None  # as users read it: "Gmail"

    def use_endpoint(self, endpoint):
        """Odoo's credentials for the provider are the harness endpoint's client, and
        Odoo's requests are led to the endpoint."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(f"{self.token_prefix}_client_id", endpoint.client_id)
        params.set_param(f"{self.token_prefix}_client_secret", endpoint.client_secret)
        self.lead_to_endpoint(endpoint)

    def lead_to_endpoint(self, endpoint):
        """A bridge points Odoo's module at ``endpoint`` instead of the provider."""
        raise NotImplementedError

    def token_field(self, name):
        return f"{self.token_prefix}_{name}"


class OAuth2InboxTests:
    """Mixed into an ``OAuth2MailTicketCase`` with an :class:`OAuth2Provider`: the inbox
    authenticates with a refresh token the endpoint issued, through Odoo's mixin."""

    # Odoo's test loader runs only the test methods a class defines itself, unless told.
    allow_inherited_tests_method = True
    # what the provider's failure adds when the authorization was revoked
    revoked_explanation = None

    def setUp(self):
        super().setUp()
        self.endpoint.rotate_refresh_tokens = False
        self.requests_before = len(self.endpoint.requests)
        self.use_endpoint(self.endpoint)
        self.refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.inbox.write(
            {
                "auth_method": "oauth2",
                "oauth2_provider": self.oauth2_provider,
                "password": False,
                self.token_field("refresh_token"): self.refresh_token,
            }
        )

    def refreshes(self):
        return [
            request
            for request in self.endpoint.requests[self.requests_before :]
            if request.grant_type == "refresh_token"
        ]

    def write_access_token(self, token, expires_in, **vals):
        self.inbox.write(
            {
                self.token_field("access_token"): token,
                self.token_field("access_token_expiration"): int(time.time()) + expires_in,
                **vals,
            }
        )

    def use_expired_token_on_pop3s(self):
        self.write_access_token("at-expired", -10, protocol="pop3", security="ssl")
        self.inbox.port = self.dovecot.pop3s_port

    def assertPickedServers(self, protocol, expected):
        """Picking the provider on a new inbox of ``protocol`` sets ``expected``:
        (server, security, port)."""
        inbox = self.env["mail.inbox"].new({"auth_method": "oauth2", "protocol": protocol})
        inbox.oauth2_provider = self.oauth2_provider
        inbox._onchange_oauth2_provider()  # the main addon's, shared by the bridges
        self.assertEqual((inbox.server, inbox.security, inbox.port), expected)

    def test_provider_branch_is_the_shared_one(self):
        """The bridge describes its provider; the main addon's one branch handles it."""
        provider = self.inbox._get_oauth2_mixin_provider()
        self.assertEqual(provider["prefix"], self.token_prefix)
        self.inbox.oauth2_provider = "token_endpoint"
        self.assertEqual(self.inbox._get_oauth2_mixin_provider(), {})

    def check_fetched_with_valid_token(self, subject):
        """A bridge checks more of what the fetch with a valid token made here."""

    def test_valid_token_of_the_mixin_is_used_as_is(self):
        self.write_access_token(self.endpoint.issue_access_token(self.mailbox_login), 3600)
        subject = f"Through {self.account_name} OAuth2"
        self.deliver(make_email(subject=subject))
        self.assertEqual(self.fetch()["processed"], 1)
        self.check_fetched_with_valid_token(subject)
        self.assertFalse(self.refreshes())

    def test_cached_token_is_dropped_when_the_server_changes(self):
        """A token issued for one server is never sent to another, even when a Settings
        administrator (who keeps the refresh token) moves the inbox."""
        self.write_access_token(self.endpoint.issue_access_token(self.mailbox_login), 3600)
        self.inbox.write({"security": "ssl", "port": self.dovecot.imaps_port})
        self.assertFalse(self.inbox[self.token_field("access_token")])
        self.assertEqual(self.inbox[self.token_field("refresh_token")], self.refresh_token)
        self.deliver(make_email(subject="After the move"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(len(self.refreshes()), 1, "a token for the new server")

    def test_revoked_authorization(self):
        uid = self.deliver(make_email())
        self.endpoint.revoke(self.refresh_token)
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("Authorize the mailbox again", failure)
        self.assertIn(self.revoked_explanation, failure)
        warning = self.inbox.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
        )
        self.assertIn("must be authorized again", warning.summary)
        self.assertEqual(self.server_uids(), [uid])
        self.assertNotIn(self.refresh_token, failure)

    def test_form_for_admins_and_managers(self):
        arch = self.inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn(f"open_{self.token_prefix}_uri", arch)
        manager = self.inbox.with_user(self.manager)
        arch = manager.get_views([(False, "form")])["views"]["form"]["arch"]
        # the connect block is for admins
        self.assertNotIn(self.token_field("refresh_token"), arch)


class OAuth2ConnectTests:
    """Mixed into an ``HttpCase`` with an :class:`OAuth2Provider`: the "Connect your
    account" flow of Odoo's module, for an inbox. The consent URL names the inbox, and
    Odoo's callback stores the tokens on it."""

    allow_inherited_tests_method = True

    def check_consent_url(self, url, endpoint):
        """A bridge checks more of the URL of the provider's consent page here."""

    def test_connect_then_fetch(self):
        server = get_dovecot(oauth2=True)
        endpoint = server.oauth2
        self.use_endpoint(endpoint)
        name = self.account_name.lower()
        login = f"{name}-connect@helpdesk.example"
        server.add_user(login, "unused-password")
        admin = new_test_user(
            self.env,
            login=f"hmt_{name}_admin",
            groups="base.group_system,helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        inbox = self.env["mail.inbox"].create(
            {
                "server": server.host,
                "protocol": "imap",
                "security": "none",
                "port": server.imap_port,
                "login": login,
                "auth_method": "oauth2",
                "oauth2_provider": self.oauth2_provider,
            }
        )
        action = getattr(inbox.with_user(admin), f"open_{self.token_prefix}_uri")()
        self.check_consent_url(action["url"], endpoint)
        state = json.loads(parse_qs(urlsplit(action["url"]).query)["state"][0])
        self.assertEqual((state["model"], state["id"]), ("mail.inbox", inbox.id))

        # The provider's consent page would now redirect the browser with a code.
        self.authenticate(admin.login, admin.login)
        code = endpoint.issue_authorization_code(login)
        query = urlencode({"code": code, "state": json.dumps(state)})
        response = self.url_open(f"/{self.token_prefix}/confirm?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertTrue(response.headers["Location"].endswith(f"/odoo/mail.inbox/{inbox.id}"))
        inbox.invalidate_recordset()
        self.assertTrue(inbox[self.token_field("refresh_token")])
        server.append(login, make_email(subject=f"After connecting {self.account_name}"))
        result = inbox._fetch()  # read with the connected account's token
        self.assertFalse(result.get("failure"), result)
        self.assertEqual(result["new"], 1)


class OAuth2BridgeI18nChecks(I18nChecks):
    """I18nChecks of a provider bridge, and its texts on the inbox in three languages,
    given as class attributes."""

    i18n_also_loaded = ("helpdesk_mail_ticket",)
    i18n_field = None  # a field the bridge adds to the inbox
    i18n_field_labels = None  # {lang: its label}
    i18n_connect_buttons = None  # {lang: the connect button of the inbox form}
    i18n_unconnected_inbox = None  # values of an OAuth2 inbox not connected to its account
    i18n_not_set_up = None  # {lang: the error testing its connection}

    def test_field_and_button_in_french_and_german(self):
        """A field the bridge adds to the inbox, and its connect button on the form."""
        self.assertFieldLabel("mail.inbox", self.i18n_field, self.i18n_field_labels)
        form = self.env.ref("helpdesk_mail_ticket.mail_inbox_view_form")
        for lang, button in self.i18n_connect_buttons.items():
            inboxes = self.env["mail.inbox"].with_context(lang=lang)
            with self.subTest(lang=lang):
                self.assertIn(f">{button}</span>", inboxes.get_view(form.id, "form")["arch"])

    def test_unconnected_account_explained_in_french_and_german(self):
        """The main addon's message around the bridge's explanation, both translated."""
        inbox = self.env["mail.inbox"].create(
            {
                "login": "helpdesk@example.com",
                "auth_method": "oauth2",
                **self.i18n_unconnected_inbox,
            }
        )
        for lang, message in self.i18n_not_set_up.items():
            with self.subTest(lang=lang), self.assertRaises(UserError) as caught:
                inbox.with_context(lang=lang).action_test_connection()
            self.assertEqual(str(caught.exception), message)
