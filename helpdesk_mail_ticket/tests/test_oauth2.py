# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""OAuth2 (XOAUTH2) inboxes end to end: Dovecot checks every token at the harness's
loopback endpoint, which also renews them (grant_type=refresh_token) for the inbox."""

import logging
import socket
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import OAuth2MailTicketCase, get_dovecot, make_email

INBOX_LOGGER = "odoo.addons.helpdesk_mail_ticket.models.mail_inbox"


@tagged("post_install", "-at_install")
class TestOAuth2(OAuth2MailTicketCase):
    def setUp(self):
        super().setUp()
        # The endpoint serves the whole run: start each test from its defaults.
        self.endpoint.rotate_refresh_tokens = False
        self.endpoint.refresh_lifetime = None
        self.requests_before = len(self.endpoint.requests)
        self.refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.make_oauth2(self.inbox, self.refresh_token)
        self.warning = self.env.ref("mail.mail_activity_data_warning")

    def make_oauth2(self, inbox, refresh_token, **values):
        inbox.write(
            {
                "auth_method": "oauth2",
                "password": False,  # proves the password plays no part
                "oauth2_provider": "token_endpoint",
                "oauth2_token_endpoint": self.endpoint.token_url,
                "oauth2_client_id": self.endpoint.client_id,
                "oauth2_client_secret": self.endpoint.client_secret,
                "oauth2_refresh_token": refresh_token,
                **values,
            }
        )

    def refreshes(self):
        """The renewals asked of the endpoint by this test."""
        return [
            request
            for request in self.endpoint.requests[self.requests_before :]
            if request.grant_type == "refresh_token"
        ]

    def warnings(self, inbox=None):
        return (inbox or self.inbox).activity_ids.filtered(
            lambda a: a.activity_type_id == self.warning
        )

    def failing_fetch(self, inbox=None):
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            result = (inbox or self.inbox)._fetch()
        self.assertTrue(result.get("failure"), result)
        return result["failure"]

    # -- fetching --------------------------------------------------------------------------

    def _roundtrip(self, inbox, login):
        before = len(self.refreshes())
        self.deliver(make_email(subject=f"OAuth2 {inbox.protocol}"), login=login)
        result = self.fetch(inbox)
        self.assertEqual(result["processed"], 1, result)
        ticket = self.ledger(inbox)._get_ticket()
        self.assertEqual(ticket.name, f"OAuth2 {inbox.protocol}")
        self.assertEqual(ticket.partner_id, self.alice)
        self.assertEqual(len(self.refreshes()), before + 1, "no token yet: one renewal")
        self.assertTrue(self.endpoint.is_active(inbox.oauth2_access_token))
        self.assertGreater(inbox.oauth2_access_token_expiration, fields.Datetime.now())
        self.fetch(inbox)
        self.assertEqual(len(self.refreshes()), before + 1, "a valid token is reused")
        self.assertEqual(inbox.state, "ok")

    def test_imap_inbox_fetches_with_xoauth2(self):
        self._roundtrip(self.inbox, self.mailbox_login)
        self.assertEqual(self.refreshes()[-1].client_id, self.endpoint.client_id)

    def test_pop3_inbox_fetches_with_xoauth2(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", security="ssl")
        self.make_oauth2(inbox, self.endpoint.issue_refresh_token(login))
        self._roundtrip(inbox, login)

    def test_expired_access_token_is_refreshed(self):
        expired = self.endpoint.issue_access_token(self.mailbox_login, expires_in=-60)
        self.inbox.sudo().write(
            {
                "oauth2_access_token": expired,
                "oauth2_access_token_expiration": fields.Datetime.now() - timedelta(minutes=1),
            }
        )
        self.deliver(make_email(subject="After expiry"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(len(self.refreshes()), 1)
        self.assertEqual(self.refreshes()[0].status, 200)
        self.assertNotEqual(self.inbox.oauth2_access_token, expired)

    def test_token_about_to_expire_is_refreshed_first(self):
        soon = self.endpoint.issue_access_token(self.mailbox_login, expires_in=120)
        self.inbox.sudo().write(
            {
                "oauth2_access_token": soon,
                "oauth2_access_token_expiration": fields.Datetime.now() + timedelta(minutes=2),
            }
        )
        self.inbox.action_test_connection()
        self.assertEqual(len(self.refreshes()), 1)
        self.assertNotEqual(self.inbox.oauth2_access_token, soon)

    def test_token_refused_by_the_server_is_renewed_next_time(self):
        """A stored token the server no longer accepts (revoked before its expiration):
        the cycle fails with a clear reason, the next one renews the token."""
        self.inbox.action_test_connection()
        self.endpoint.revoke(self.inbox.oauth2_access_token)
        self.deliver(make_email(subject="After a revoked access token"))
        failure = self.failing_fetch()
        self.assertIn("refused the OAuth2 access token", failure)
        self.assertEqual(len(self.refreshes()), 1)
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual(len(self.refreshes()), 2)
        self.assertEqual(self.inbox.state, "ok")

    def test_rotated_refresh_token_is_kept(self):
        self.endpoint.rotate_refresh_tokens = True
        self.inbox.action_test_connection()
        self.assertNotEqual(self.inbox.oauth2_refresh_token, self.refresh_token)
        self.inbox.sudo().oauth2_access_token_expiration = fields.Datetime.now()
        self.inbox.action_test_connection()  # the new refresh token works
        self.assertEqual([r.status for r in self.refreshes()], [200, 200])

    # -- lost authorization, failures ---------------------------------------------------

    def test_revoked_refresh_token_fails_readably_warns_and_loses_nothing(self):
        uid = self.deliver(make_email(subject="Waits for the authorization"))
        self.endpoint.revoke(self.refresh_token)
        failure = self.failing_fetch()
        self.assertIn("the refresh token was revoked or expired", failure)
        self.assertIn("Authorize the mailbox again", failure)
        self.assertEqual((self.inbox.state, self.inbox.last_error), ("error", failure))
        warning = self.warnings()
        self.assertEqual(len(warning), 1, "the admins are warned at the first failure")
        self.assertIn("must be authorized again", warning.summary)
        self.assertIn("revoked or expired", warning.note)
        self.assertEqual(self.server_uids(), [uid], "the mail stays on the server")
        self.assertFalse(self.ledger())
        self.failing_fetch()
        self.assertEqual(len(self.warnings()), 1, "one open warning is enough")
        # Authorized again: the mail is imported.
        self.inbox.oauth2_refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.assertEqual(self.fetch()["processed"], 1)

    def test_wrong_client_secret(self):
        self.inbox.oauth2_client_secret = "not-the-secret"
        failure = self.failing_fetch()
        self.assertIn("refused the client ID or secret", failure)
        self.assertEqual(self.refreshes()[-1].error, "invalid_client")
        self.assertEqual(len(self.warnings()), 1)

    def test_missing_settings_are_named(self):
        self.inbox.write({"oauth2_refresh_token": False, "oauth2_client_id": False})
        with self.assertRaises(UserError) as caught:
            self.inbox.action_test_connection()
        self.assertIn("is not set up: Client ID, OAuth2 Refresh Token", str(caught.exception))
        self.assertFalse(self.refreshes())

    def test_unreachable_endpoint_is_a_passing_failure(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed = sock.getsockname()[1]
        self.inbox.oauth2_token_endpoint = f"http://127.0.0.1:{closed}/token?tenant=x"
        failure = self.failing_fetch()
        self.assertIn(f"token endpoint http://127.0.0.1:{closed}/token cannot be reached", failure)
        self.assertFalse(self.warnings(), "may pass by itself: counted like connection errors")
        self.failing_fetch()
        self.failing_fetch()
        self.assertIn("keeps failing", self.warnings().summary)

    def test_endpoint_error_is_reported_without_secrets(self):
        self.endpoint.fail_next(500, f"server_error echoing {self.refresh_token}")
        failure = self.failing_fetch()
        self.assertIn("did not renew the access token (HTTP 500 server_error echoing ****", failure)
        self.assertNotIn(self.refresh_token, failure)
        self.endpoint.fail_next(200, "odd")  # a 200 without a token is no success either
        self.assertIn("(HTTP 200 odd no access_token in the reply)", self.failing_fetch())

    def test_authorization_expiring_soon_warns_the_admins(self):
        self.endpoint.refresh_lifetime = 30 * 86400
        self.inbox.action_test_connection()
        self.assertFalse(self.warnings())
        self.endpoint.refresh_lifetime = 3 * 86400
        self.inbox.sudo().oauth2_access_token_expiration = fields.Datetime.now()
        self.inbox.action_test_connection()
        expiration = self.inbox.oauth2_refresh_token_expiration
        self.assertAlmostEqual(
            expiration, fields.Datetime.now() + timedelta(days=3), delta=timedelta(minutes=1)
        )
        self.assertIn("expires soon", self.warnings().summary)
        self.assertIn(fields.Datetime.to_string(expiration), self.warnings().note)

    # -- admin side --------------------------------------------------------------------------

    def test_test_connection_button(self):
        self.deliver(make_email())
        action = self.inbox.action_test_connection()
        self.assertIn("IMAP, 1 message in INBOX", action["params"]["message"])
        self.endpoint.revoke(self.refresh_token)
        self.inbox.sudo().oauth2_access_token = False
        with self.assertRaises(UserError) as caught:
            self.inbox.action_test_connection()
        self.assertIn("the refresh token was revoked or expired", str(caught.exception))

    def test_server_without_xoauth2(self):
        login, password = self.new_mailbox()
        plain = get_dovecot()  # the run's Dovecot, without OAuth2
        plain.add_user(login, password)
        inbox = self.create_inbox(login, password, port=plain.imap_port)
        self.make_oauth2(inbox, self.endpoint.issue_refresh_token(login))
        with self.assertRaises(UserError) as caught:
            inbox.action_test_connection()
        self.assertIn("does not offer OAuth2 login (SASL XOAUTH2)", str(caught.exception))

    def test_manager_without_system_rights(self):
        """Secrets stay with the system group; a helpdesk manager still runs the inbox."""
        inbox = self.inbox.with_user(self.manager)
        with self.assertRaises(AccessError):
            inbox.read(["oauth2_refresh_token"])
        arch = inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="auth_method"', arch)
        self.assertIn('name="oauth2_token_endpoint"', arch)
        self.assertNotIn("oauth2_refresh_token", arch)
        self.assertNotIn("oauth2_client_secret", arch)
        self.assertIn("IMAP", inbox.action_test_connection()["params"]["message"])
        inbox.login = self.mailbox_login  # changing settings drops the access token
        self.assertFalse(self.inbox.oauth2_access_token)

    def test_changed_authorization_drops_the_access_token(self):
        self.inbox.action_test_connection()
        self.assertTrue(self.inbox.oauth2_access_token)
        self.inbox.oauth2_refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.assertFalse(self.inbox.oauth2_access_token)
        self.assertFalse(self.inbox.oauth2_access_token_expiration)

    def test_secrets_never_in_trace_log_or_errors(self):
        self.inbox.trace = True
        self.deliver(make_email(subject="Traced"))
        with (
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", logging.DEBUG) as logs,
            self.assertLogs("urllib3", logging.DEBUG) as http_logs,
        ):
            self.fetch()
            first_token = self.inbox.oauth2_access_token
            self.endpoint.revoke(first_token)
            self.endpoint.revoke(self.refresh_token)
            failure = self.inbox._fetch()["failure"]
        self.assertIn("XOAUTH2", self.inbox.debug_trace)
        self.assertIn("renewing the access token", self.inbox.debug_trace)
        texts = [
            self.inbox.debug_trace,
            self.inbox.last_error,
            failure,
            *self.warnings().mapped("note"),
            *logs.output,
            *http_logs.output,
        ]
        secrets = [first_token, self.refresh_token, self.endpoint.client_secret]
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text or "")
