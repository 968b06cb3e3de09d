# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A Gmail OAuth2 inbox on the real Dovecot, with Odoo's google.gmail.mixin handling the
tokens. Only the URL of Google's token endpoint is pointed at the harness's loopback
endpoint (which Dovecot also asks about every token); Odoo's code runs as is."""

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.google_gmail.models import google_gmail_mixin
from odoo.addons.helpdesk_mail_ticket.tests.common import (
    OAuth2MailTicketCase,
    get_dovecot,
    make_email,
)

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
INBOX_LOGGER = "odoo.addons.helpdesk_mail_ticket.models.mail_inbox"


class GmailEndpointMixin:
    """Odoo's Gmail credentials are the endpoint's client; Google's token URL leads to it."""

    def use_endpoint_for_google(self, endpoint):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("google_gmail_client_id", endpoint.client_id)
        params.set_param("google_gmail_client_secret", endpoint.client_secret)
        real_post = requests.post

        def post(url, *args, **kwargs):
            return real_post(
                endpoint.token_url if url == GOOGLE_TOKEN_URL else url, *args, **kwargs
            )

        self.patch(google_gmail_mixin.requests, "post", post)


@tagged("post_install", "-at_install")
class TestGoogleGmailInbox(GmailEndpointMixin, OAuth2MailTicketCase):
    def setUp(self):
        super().setUp()
        self.endpoint.rotate_refresh_tokens = False
        self.requests_before = len(self.endpoint.requests)
        self.use_endpoint_for_google(self.endpoint)
        self.refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.inbox.write(
            {
                "auth_method": "oauth2",
                "oauth2_provider": "google",
                "password": False,
                "google_gmail_refresh_token": self.refresh_token,
            }
        )

    def refreshes(self):
        return [
            request
            for request in self.endpoint.requests[self.requests_before :]
            if request.grant_type == "refresh_token"
        ]

    def test_google_is_a_provider(self):
        selection = dict(self.inbox._fields["oauth2_provider"].selection)
        self.assertIn("google", selection)
        self.assertIsInstance(self.inbox, self.env.registry["google.gmail.mixin"])

    def test_valid_token_of_the_mixin_is_used_as_is(self):
        token = self.endpoint.issue_access_token(self.mailbox_login)
        self.inbox.write(
            {
                "google_gmail_access_token": token,
                "google_gmail_access_token_expiration": int(time.time()) + 3600,
            }
        )
        self.deliver(make_email(subject="Through Gmail OAuth2"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(self.ledger()._get_ticket().name, "Through Gmail OAuth2")
        self.assertFalse(self.refreshes())

    def test_expired_token_is_renewed_by_odoo(self):
        self.inbox.write(
            {
                "google_gmail_access_token": "at-expired",
                "google_gmail_access_token_expiration": int(time.time()) - 10,
                "protocol": "pop3",
                "security": "ssl",
            }
        )
        self.inbox.port = self.dovecot.pop3s_port
        self.deliver(make_email(subject="Renewed by Odoo's mixin"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(len(self.refreshes()), 1)
        self.assertEqual(self.refreshes()[0].client_id, self.endpoint.client_id)
        self.assertTrue(self.endpoint.is_active(self.inbox.google_gmail_access_token))
        self.assertGreater(self.inbox.google_gmail_access_token_expiration, time.time() + 3000)
        self.fetch()
        self.assertEqual(len(self.refreshes()), 1, "the renewed token is reused")

    def test_revoked_authorization(self):
        uid = self.deliver(make_email())
        self.endpoint.revoke(self.refresh_token)
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("Authorize the mailbox again", failure)
        self.assertIn("connect the Gmail account again", failure)
        warning = self.inbox.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
        )
        self.assertIn("must be authorized again", warning.summary)
        self.assertEqual(self.server_uids(), [uid])
        self.assertNotIn(self.refresh_token, failure)

    def test_not_connected(self):
        self.inbox.google_gmail_refresh_token = False
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("is not set up: connect the Gmail account", failure)

    def test_form_for_admins_and_managers(self):
        arch = self.inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("open_google_gmail_uri", arch)
        manager = self.inbox.with_user(self.manager)
        arch = manager.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("google_gmail_refresh_token", arch)  # the connect block is for admins

    def test_picking_google_sets_its_servers(self):
        inbox = self.env["mail.inbox"].new({"auth_method": "oauth2", "protocol": "pop3"})
        inbox.oauth2_provider = "google"
        inbox._onchange_oauth2_provider_google()
        self.assertEqual((inbox.server, inbox.security, inbox.port), ("pop.gmail.com", "ssl", 995))


@tagged("post_install", "-at_install")
class TestGoogleGmailConnect(GmailEndpointMixin, HttpCase):
    """The Connect your Gmail account flow of Odoo's module, for an inbox: the consent URL
    names the inbox, and Odoo's callback stores the tokens on it."""

    def test_connect_then_fetch(self):
        server = get_dovecot(oauth2=True)
        endpoint = server.oauth2
        self.use_endpoint_for_google(endpoint)
        login = "gmail-connect@helpdesk.example"
        server.add_user(login, "unused-password")
        admin = new_test_user(
            self.env,
            login="hmt_gmail_admin",
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
                "oauth2_provider": "google",
            }
        )
        action = inbox.with_user(admin).open_google_gmail_uri()
        state = json.loads(parse_qs(urlsplit(action["url"]).query)["state"][0])
        self.assertEqual((state["model"], state["id"]), ("mail.inbox", inbox.id))

        # Google's consent page would now redirect the browser with a code.
        self.authenticate(admin.login, admin.login)
        code = endpoint.issue_authorization_code(login)
        query = urlencode({"code": code, "state": json.dumps(state)})
        response = self.url_open(f"/google_gmail/confirm?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertTrue(response.headers["Location"].endswith(f"/odoo/mail.inbox/{inbox.id}"))
        inbox.invalidate_recordset()
        self.assertTrue(inbox.google_gmail_refresh_token)
        server.append(login, make_email(subject="After connecting Gmail"))
        result = inbox._fetch()  # read with the connected account's token
        self.assertFalse(result.get("failure"), result)
        self.assertEqual(result["new"], 1)
