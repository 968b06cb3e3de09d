# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A Microsoft 365 OAuth2 inbox on the real Dovecot, with Odoo's microsoft.outlook.mixin
handling the tokens. Odoo reads the Microsoft endpoint from the ``microsoft_outlook.endpoint``
parameter: it is set to the harness's loopback endpoint (which Dovecot also asks about every
token); Odoo's code runs as is."""

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import (
    OAuth2MailTicketCase,
    get_dovecot,
    make_email,
)

INBOX_LOGGER = "odoo.addons.helpdesk_mail_ticket.models.mail_inbox"


class OutlookEndpointMixin:
    """Odoo's Outlook credentials are the endpoint's client, its endpoint the harness's."""

    def use_endpoint_for_microsoft(self, endpoint):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("microsoft_outlook_client_id", endpoint.client_id)
        params.set_param("microsoft_outlook_client_secret", endpoint.client_secret)
        params.set_param("microsoft_outlook.endpoint", f"{endpoint.url}/common/oauth2/v2.0/")


@tagged("post_install", "-at_install")
class TestMicrosoftOutlookInbox(OutlookEndpointMixin, OAuth2MailTicketCase):
    def setUp(self):
        super().setUp()
        self.endpoint.rotate_refresh_tokens = False
        self.requests_before = len(self.endpoint.requests)
        self.use_endpoint_for_microsoft(self.endpoint)
        self.refresh_token = self.endpoint.issue_refresh_token(self.mailbox_login)
        self.inbox.write(
            {
                "auth_method": "oauth2",
                "oauth2_provider": "microsoft",
                "password": False,
                "microsoft_outlook_refresh_token": self.refresh_token,
            }
        )

    def refreshes(self):
        return [
            request
            for request in self.endpoint.requests[self.requests_before :]
            if request.grant_type == "refresh_token"
        ]

    def test_microsoft_is_a_provider(self):
        selection = dict(self.inbox._fields["oauth2_provider"].selection)
        self.assertIn("microsoft", selection)
        self.assertIn("IMAP.AccessAsUser.All", self.inbox._OUTLOOK_SCOPE)
        self.assertIn("POP.AccessAsUser.All", self.inbox._OUTLOOK_SCOPE)

    def test_valid_token_of_the_mixin_is_used_as_is(self):
        token = self.endpoint.issue_access_token(self.mailbox_login)
        self.inbox.write(
            {
                "microsoft_outlook_access_token": token,
                "microsoft_outlook_access_token_expiration": int(time.time()) + 3600,
            }
        )
        self.deliver(make_email(subject="Through Outlook OAuth2"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertFalse(self.refreshes())

    def test_expired_token_is_renewed_by_odoo_and_the_rotated_refresh_token_kept(self):
        self.endpoint.rotate_refresh_tokens = True
        self.inbox.write(
            {
                "microsoft_outlook_access_token": "at-expired",
                "microsoft_outlook_access_token_expiration": int(time.time()) - 10,
                "protocol": "pop3",
                "security": "ssl",
            }
        )
        self.inbox.port = self.dovecot.pop3s_port
        self.deliver(make_email(subject="Renewed by Odoo's mixin"))
        self.assertEqual(self.fetch()["processed"], 1)
        self.assertEqual([(r.path, r.status) for r in self.refreshes()], [
            ("/common/oauth2/v2.0/token", 200)
        ])  # fmt: skip
        self.assertNotEqual(self.inbox.microsoft_outlook_refresh_token, self.refresh_token)
        self.assertTrue(self.endpoint.is_active(self.inbox.microsoft_outlook_access_token))

    def test_revoked_authorization(self):
        uid = self.deliver(make_email())
        self.endpoint.revoke(self.refresh_token)
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("Authorize the mailbox again", failure)
        self.assertIn("The refresh token is invalid, expired or revoked", failure)
        warning = self.inbox.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
        )
        self.assertIn("must be authorized again", warning.summary)
        self.assertEqual(self.server_uids(), [uid])
        self.assertNotIn(self.refresh_token, failure)

    def test_unreachable_endpoint(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "microsoft_outlook.endpoint", "http://127.0.0.1:9/"
        )
        with self.assertLogs(INBOX_LOGGER, "WARNING"):
            failure = self.inbox._fetch()["failure"]
        self.assertIn("cannot be reached", failure)

    def test_form_for_admins_and_managers(self):
        arch = self.inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("open_microsoft_outlook_uri", arch)
        manager = self.inbox.with_user(self.manager)
        arch = manager.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("microsoft_outlook_refresh_token", arch)  # the connect block is for admins

    def test_picking_microsoft_sets_its_servers(self):
        inbox = self.env["mail.inbox"].new({"auth_method": "oauth2", "protocol": "imap"})
        inbox.oauth2_provider = "microsoft"
        inbox._onchange_oauth2_provider_microsoft()
        self.assertEqual(
            (inbox.server, inbox.security, inbox.port), ("outlook.office365.com", "ssl", 993)
        )


@tagged("post_install", "-at_install")
class TestMicrosoftOutlookConnect(OutlookEndpointMixin, HttpCase):
    """The Connect your Outlook account flow of Odoo's module, for an inbox."""

    def test_connect_then_fetch(self):
        server = get_dovecot(oauth2=True)
        endpoint = server.oauth2
        self.use_endpoint_for_microsoft(endpoint)
        login = "outlook-connect@helpdesk.example"
        server.add_user(login, "unused-password")
        admin = new_test_user(
            self.env,
            login="hmt_outlook_admin",
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
                "oauth2_provider": "microsoft",
            }
        )
        action = inbox.with_user(admin).open_microsoft_outlook_uri()
        self.assertTrue(action["url"].startswith(endpoint.url))
        state = json.loads(parse_qs(urlsplit(action["url"]).query)["state"][0])
        self.assertEqual((state["model"], state["id"]), ("mail.inbox", inbox.id))

        self.authenticate(admin.login, admin.login)
        code = endpoint.issue_authorization_code(login)
        query = urlencode({"code": code, "state": json.dumps(state)})
        response = self.url_open(f"/microsoft_outlook/confirm?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertTrue(response.headers["Location"].endswith(f"/odoo/mail.inbox/{inbox.id}"))
        inbox.invalidate_recordset()
        self.assertTrue(inbox.microsoft_outlook_refresh_token)
        server.append(login, make_email(subject="After connecting Outlook"))
        result = inbox._fetch()  # read with the connected account's token
        self.assertFalse(result.get("failure"), result)
        self.assertEqual(result["new"], 1)
