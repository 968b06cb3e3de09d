# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Whoever cannot read a mailbox secret cannot send it elsewhere: a helpdesk manager
(not a Settings administrator) who points an inbox at a host of their choosing, over
JSON-RPC as the web client does, finds the password and the OAuth2 tokens gone before
anything connects there. The hosts "of their choosing" are loopback servers of this test
that record every byte they receive."""

import base64
import binascii
import http.server
import socketserver
import threading
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import MailTicketCase, sample


class _ImapCaptureHandler(socketserver.StreamRequestHandler):
    """Greets as an IMAP server offering LOGIN and XOAUTH2, records every line, refuses
    every login."""

    def handle(self):
        seen = self.server.seen
        self.wfile.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2] ready\r\n")
        while line := self.rfile.readline(65536):
            seen.append(line)
            tag, _sep, rest = line.partition(b" ")
            command = rest.split(b" ", 1)[0].strip().upper()
            if command == b"AUTHENTICATE":
                self.wfile.write(b"+ \r\n")
                seen.append(self.rfile.readline(65536))
                self.wfile.write(tag + b" NO [AUTHENTICATIONFAILED] refused\r\n")
            elif command == b"LOGOUT":
                self.wfile.write(b"* BYE\r\n" + tag + b" OK\r\n")
                return
            else:
                self.wfile.write(tag + b" NO [AUTHENTICATIONFAILED] refused\r\n")


class _HttpCaptureHandler(http.server.BaseHTTPRequestHandler):
    """Records every request body; answers as a token endpoint refusing the grant."""

    def log_message(self, format, *args):
        return

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append(self.rfile.read(length))
        data = b'{"error": "invalid_grant"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Capture:
    def __init__(self, server_class, handler):
        self.server = server_class(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.seen = []
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def received(self, secret):
        """Whether ``secret`` arrived, as is or base64-encoded (SASL)."""
        for chunk in self.server.seen:
            try:
                decoded = base64.b64decode(chunk.strip(), validate=True)
            except (binascii.Error, ValueError):
                decoded = b""  # not base64: only the chunk as is can hold it
            if secret.encode() in chunk or secret.encode() in decoded:
                return True
        return False


@tagged("post_install", "-at_install")
class TestSecretsFollowTheirReaders(HttpCase, MailTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sysadmin = new_test_user(
            cls.env,
            login="hmt_secret_sysadmin",
            groups="base.group_system,helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )

    def setUp(self):
        super().setUp()
        self.imap_capture = _Capture(socketserver.ThreadingTCPServer, _ImapCaptureHandler)
        self.addCleanup(self.imap_capture.stop)
        self.http_capture = _Capture(http.server.ThreadingHTTPServer, _HttpCaptureHandler)
        self.addCleanup(self.http_capture.stop)

    def call(self, user, method, args, **kwargs):
        """``mail.inbox.<method>(*args, **kwargs)`` over JSON-RPC as ``user``."""
        self.authenticate(user.login, user.login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/mail.inbox/{method}",
            {"model": "mail.inbox", "method": method, "args": args, "kwargs": kwargs},
        )

    def assert_connection_refused(self, user):
        with self.assertRaises(JsonRpcException):
            self.call(user, "action_test_connection", [[self.inbox.id]])

    def make_oauth2(self):
        secrets = {
            "oauth2_client_secret": "client-secret-Zx81",
            "oauth2_refresh_token": "refresh-token-Qw72",
            "oauth2_access_token": "access-token-Ty55",
        }
        self.inbox.write(
            {
                "auth_method": "oauth2",
                "password": False,
                "oauth2_provider": "token_endpoint",
                "oauth2_token_endpoint": "https://login.example.com/oauth2/token",
                "oauth2_client_id": "hmt-client",
            }
        )
        self.inbox.write(
            {
                **secrets,
                "oauth2_access_token_expiration": fields.Datetime.now() + timedelta(hours=1),
            }
        )
        return secrets

    def test_manager_pointing_a_password_inbox_elsewhere_sends_no_password(self):
        # Saving the form unchanged keeps the password.
        self.call(self.manager, "write", [[self.inbox.id], {"server": self.inbox.server}])
        self.assertEqual(self.inbox.sudo().password, self.mailbox_password)
        self.call(self.manager, "write", [[self.inbox.id], {"port": self.imap_capture.port}])
        self.assert_connection_refused(self.manager)
        self.assertTrue(self.imap_capture.server.seen, "the test connected to the new host")
        self.assertFalse(self.imap_capture.received(self.mailbox_password))
        self.assertFalse(self.inbox.sudo().password)
        note = self.inbox.message_ids.filtered(lambda m: "Settings administrator" in m.body)
        self.assertIn("Port", note.body)
        self.assertIn(self.manager.name, note.body)

    def test_manager_pointing_an_oauth2_inbox_elsewhere_sends_no_token(self):
        secrets = self.make_oauth2()
        self.call(
            self.manager,
            "write",
            [[self.inbox.id], {"server": "127.0.0.1", "port": self.imap_capture.port}],
        )
        self.assert_connection_refused(self.manager)
        sent = [secret for secret in secrets.values() if self.imap_capture.received(secret)]
        self.assertEqual(sent, [], "secrets sent to the manager's host")
        self.assertFalse(any(self.inbox.sudo().read(list(secrets))[0][name] for name in secrets))

    def test_manager_changing_the_token_endpoint_sends_no_refresh_token(self):
        secrets = self.make_oauth2()
        url = f"http://127.0.0.1:{self.http_capture.port}/token"
        self.call(self.manager, "write", [[self.inbox.id], {"oauth2_token_endpoint": url}])
        self.assert_connection_refused(self.manager)
        sent = [secret for secret in secrets.values() if self.http_capture.received(secret)]
        self.assertEqual(sent, [], "secrets sent to the manager's token endpoint")
        self.assertEqual(self.inbox.oauth2_token_endpoint, url)
        self.assertFalse(self.inbox.sudo().oauth2_refresh_token)

    def test_manager_changing_the_client_id_drops_the_client_secret(self):
        self.make_oauth2()
        self.call(self.manager, "write", [[self.inbox.id], {"oauth2_client_id": "other"}])
        inbox = self.inbox.sudo()
        self.assertFalse(inbox.oauth2_client_secret or inbox.oauth2_refresh_token)

    def test_settings_admin_moves_the_inbox_with_its_secrets(self):
        """The control: who can read the secrets keeps them, but the cached access
        token, issued for the old server, is always dropped."""
        secrets = self.make_oauth2()
        self.call(self.sysadmin, "write", [[self.inbox.id], {"port": self.imap_capture.port}])
        inbox = self.inbox.sudo()
        self.assertEqual(inbox.oauth2_refresh_token, secrets["oauth2_refresh_token"])
        self.assertEqual(inbox.oauth2_client_secret, secrets["oauth2_client_secret"])
        self.assertFalse(inbox.oauth2_access_token)
        self.assertFalse(inbox.oauth2_access_token_expiration)

    def test_manager_importing_itop_settings_cannot_move_a_password(self):
        """The iTop import writes with sudo: it is still the manager who asks."""
        csv = sample("itop/MailInboxStandard-codes.csv")
        wizard = self.env["helpdesk.mail.ticket.itop.import"].with_user(self.manager)
        wizard.create({"inbox_file": base64.b64encode(csv)}).action_import()
        inbox = self.env["mail.inbox"].search([("login", "=", "changes@example.org")])
        self.assertEqual(inbox.sudo().password, "pw-changes", "their own password is kept")
        inbox.sudo().password = "set-by-the-admin"
        moved = csv.replace(b"pw-changes;imap;993", b"********;imap;143")
        wizard.create({"inbox_file": base64.b64encode(moved)}).action_import()
        self.assertEqual(inbox.port, 143)
        self.assertFalse(inbox.sudo().password)
