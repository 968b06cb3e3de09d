# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A Microsoft 365 OAuth2 inbox on the real Dovecot, with Odoo's microsoft.outlook.mixin
handling the tokens. Odoo reads the Microsoft endpoint from the ``microsoft_outlook.endpoint``
parameter: it is set to the harness's loopback endpoint (which Dovecot also asks about every
token); Odoo's code runs as is. The tests both provider bridges share are in
helpdesk_mail_ticket/tests/oauth2_common.py."""

from odoo.tests import HttpCase, tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import OAuth2MailTicketCase, make_email
from odoo.addons.helpdesk_mail_ticket.tests.oauth2_common import (
    INBOX_LOGGER,
    OAuth2ConnectTests,
    OAuth2InboxTests,
    OAuth2Provider,
)


class Outlook(OAuth2Provider):
    """Odoo's Outlook credentials are the endpoint's client, its endpoint the harness's."""

    oauth2_provider = "microsoft"
    token_prefix = "microsoft_outlook"
    account_name = "Outlook"

    def lead_to_endpoint(self, endpoint):
        self.env["ir.config_parameter"].sudo().set_param(
            "microsoft_outlook.endpoint", f"{endpoint.url}/common/oauth2/v2.0/"
        )


@tagged("post_install", "-at_install")
class TestMicrosoftOutlookInbox(Outlook, OAuth2InboxTests, OAuth2MailTicketCase):
    revoked_explanation = "The refresh token is invalid, expired or revoked"

    def test_microsoft_is_a_provider(self):
        selection = dict(self.inbox._fields["oauth2_provider"].selection)
        self.assertIn("microsoft", selection)
        self.assertIn("IMAP.AccessAsUser.All", self.inbox._OUTLOOK_SCOPE)
        self.assertIn("POP.AccessAsUser.All", self.inbox._OUTLOOK_SCOPE)

    def test_expired_token_is_renewed_by_odoo_and_the_rotated_refresh_token_kept(self):
        self.endpoint.rotate_refresh_tokens = True
        self.use_expired_token_on_pop3s()
        self.deliver(make_email(subject="Renewed by Odoo's mixin"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual([(r.path, r.status) for r in self.refreshes()], [
            ("/common/oauth2/v2.0/token", 200)
        ])  # fmt: skip
        self.assertNotEqual(self.inbox.microsoft_outlook_refresh_token, self.refresh_token)
        self.assertTrue(self.endpoint.is_active(self.inbox.microsoft_outlook_access_token))

    def test_unreachable_endpoint(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "microsoft_outlook.endpoint", "http://127.0.0.1:9/"
        )
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("cannot be reached", failure)

    def test_picking_microsoft_sets_its_servers(self):
        self.assertPickedServers("imap", ("outlook.office365.com", "ssl", 993))


@tagged("post_install", "-at_install")
class TestMicrosoftOutlookConnect(Outlook, OAuth2ConnectTests, HttpCase):
    """The Connect your Outlook account flow of Odoo's module, for an inbox."""

    def check_consent_url(self, url, endpoint):
        self.assertTrue(url.startswith(endpoint.url))
