# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A Gmail OAuth2 inbox on the real Dovecot, with Odoo's google.gmail.mixin handling the
tokens. Only the URL of Google's token endpoint is pointed at the harness's loopback
endpoint (which Dovecot also asks about every token); Odoo's code runs as is. The tests
both provider bridges share are in helpdesk_mail_ticket/tests/oauth2_common.py."""

import time

import requests

from odoo.tests import HttpCase, tagged

from odoo.addons.google_gmail.models import google_gmail_mixin
from odoo.addons.helpdesk_mail_ticket.tests.common import OAuth2MailTicketCase, make_email
from odoo.addons.helpdesk_mail_ticket.tests.oauth2_common import (
    INBOX_LOGGER,
    OAuth2ConnectTests,
    OAuth2InboxTests,
    OAuth2Provider,
)

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


class Gmail(OAuth2Provider):
    """Odoo's Gmail credentials are the endpoint's client; Google's token URL leads to it."""

    oauth2_provider = "google"
    token_prefix = "google_gmail"
    account_name = "Gmail"

    def lead_to_endpoint(self, endpoint):
        real_post = requests.post

        def post(url, *args, **kwargs):
            return real_post(
                endpoint.token_url if url == GOOGLE_TOKEN_URL else url, *args, **kwargs
            )

        self.patch(google_gmail_mixin.requests, "post", post)


@tagged("post_install", "-at_install")
class TestGoogleGmailInbox(Gmail, OAuth2InboxTests, OAuth2MailTicketCase):
    revoked_explanation = "connect the Gmail account again"

    def test_google_is_a_provider(self):
        selection = dict(self.inbox._fields["oauth2_provider"].selection)
        self.assertIn("google", selection)
        self.assertIsInstance(self.inbox, self.env.registry["google.gmail.mixin"])

    def check_fetched_with_valid_token(self, subject):
        self.assertEqual(self.ledger()._get_ticket().name, subject)

    def test_expired_token_is_renewed_by_odoo(self):
        self.use_expired_token_on_pop3s()
        self.deliver(make_email(subject="Renewed by Odoo's mixin"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(len(self.refreshes()), 1)
        self.assertEqual(self.refreshes()[0].client_id, self.endpoint.client_id)
        self.assertTrue(self.endpoint.is_active(self.inbox.google_gmail_access_token))
        self.assertGreater(self.inbox.google_gmail_access_token_expiration, time.time() + 3000)
        self.fetch()
        self.assertEqual(len(self.refreshes()), 1, "the renewed token is reused")

    def test_not_connected(self):
        self.inbox.google_gmail_refresh_token = False
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("is not set up: connect the Gmail account", failure)

    def test_picking_google_sets_its_servers(self):
        self.assertPickedServers("pop3", ("pop.gmail.com", "ssl", 995))


@tagged("post_install", "-at_install")
class TestGoogleGmailConnect(Gmail, OAuth2ConnectTests, HttpCase):
    """The Connect your Gmail account flow of Odoo's module, for an inbox."""
