# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on two changes: a server's NUL bytes written to the database, and a customer
known by its mailing list's address taken as the caller."""

import http.server
import json
import socketserver
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import MailTicketCase, make_email
from .test_security_secrets import _Capture


class _NulTokenEndpoint(http.server.BaseHTTPRequestHandler):
    """A token endpoint refusing the grant with a NUL in its error description."""

    def log_message(self, format, *args):
        return

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = json.dumps(
            {"error": "invalid_grant", "error_description": "token\u0000revoked"}
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@tagged("post_install", "-at_install")
class TestTokenEndpointNul(MailTicketCase):
    def test_a_token_endpoint_refusal_with_nul_warns_the_admins(self):
        """A permanent OAuth2 refusal whose description carries a NUL still fails its
        inbox with the refusal's reason and gives the admins the warning activity."""
        endpoint = _Capture(http.server.ThreadingHTTPServer, _NulTokenEndpoint)
        self.addCleanup(endpoint.stop)
        after = self.only_inboxes_with_mail(1, "after-token-nul")
        broken = self.create_inbox("oauth@helpdesk.example", "unused", sequence=-1)
        broken.write(
            {
                "auth_method": "oauth2",
                "password": False,
                "oauth2_provider": "token_endpoint",
                "oauth2_token_endpoint": f"http://127.0.0.1:{endpoint.port}/token",
                "oauth2_client_id": "hmt-client",
            }
        )
        broken.write(
            {
                "oauth2_refresh_token": "refresh-token-Nu11",
                "oauth2_access_token": "access-token-Nu11",
                "oauth2_access_token_expiration": fields.Datetime.now() - timedelta(hours=1),
            }
        )
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(after).state, "processed", "the next inbox is polled")
        self.assertEqual(broken.state, "error")
        self.assertIn("revoked", broken.last_error)
        self.assertNotIn("\x00", broken.last_error)
        warning = self.env.ref("mail.mail_activity_data_warning")
        self.assertTrue(
            broken.activity_ids.filtered(lambda a: a.activity_type_id == warning),
            "the admins are told to authorize the mailbox again",
        )


def _break_the_inbox_row(inbox):
    """A database error whose text shows the inbox's row (PostgreSQL's "Failing row
    contains (...)"), as an override's write of the inbox can meet."""
    with (
        mute_logger("odoo.sql_db"),
        inbox.env.cr.savepoint(),
    ):  # the test's transaction stays usable
        inbox.env.cr.execute("UPDATE mail_inbox SET name = NULL WHERE id = %s", [inbox.id])


@tagged("post_install", "-at_install")
class TestCycleCrashKeepsSecrets(MailTicketCase):
    """The failure a cycle records (last_error, read by helpdesk managers who may not
    read the password) never carries the mailbox password from a database error."""

    def assert_no_password(self, inbox):
        password = inbox.sudo().password
        self.assertTrue(password and len(password) >= 3)
        self.assertEqual(inbox.state, "error")
        self.assertTrue(inbox.last_error)
        self.assertNotIn(password, inbox.last_error)
        self.assertNotIn(password, inbox.debug_trace or "")

    def test_a_crash_beyond_the_cycles_guard_records_no_password(self):
        inboxes = self.only_inboxes_with_mail(2, "crash-secret")
        original = type(inboxes)._save_trace

        def save_trace(inbox, trace):
            if inbox == inboxes[0]:
                _break_the_inbox_row(inbox)
            return original(inbox, trace)

        with (
            patch.object(type(inboxes), "_save_trace", save_trace),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "ERROR"),
        ):
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(inboxes[1]).state, "processed")
        self.assert_no_password(inboxes[0])

    def test_a_crash_within_the_cycles_guard_records_no_password(self):
        inboxes = self.only_inboxes_with_mail(1, "guard-secret")
        original = type(inboxes)._fetch_from_source

        def fetch_from_source(inbox, source, limit):
            _break_the_inbox_row(inbox)
            return original(inbox, source, limit)

        with (
            patch.object(type(inboxes), "_fetch_from_source", fetch_from_source),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "ERROR"),
        ):
            self.env["mail.inbox"]._cron_fetch()
        self.assert_no_password(inboxes)


@tagged("post_install", "-at_install")
class TestListContactIsNoInsider(MailTicketCase):
    """A list's own address taken for its unknown author: never an internal user's
    (the helpdesk team's group), who takes part in every ticket."""

    def test_an_unknown_author_through_the_teams_list_is_a_stranger(self):
        new_test_user(
            self.env,
            login="hmt_team_list",
            email="team@groups.example",
            groups="base.group_user",
        )
        self.deliver(make_email(subject="Printer broken", message_id="<alice-1@customer.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.assertEqual(ticket.partner_id, self.alice)
        self.inbox.stranger_update_policy = "reject"
        self.deliver(
            make_email(
                subject="Re: Printer broken",
                sender="'Eve' via Team <team@groups.example>",
                headers={
                    "X-Original-From": "Eve <eve@attacker.example>",
                    "List-Id": "<team.groups.example>",
                    "List-Post": "<mailto:team@groups.example>",
                    "In-Reply-To": "<alice-1@customer.example>",
                },
            )
        )
        self.fetch()
        line = self.ledger().sorted("id")[-1]
        self.assertEqual(line.state, "error", "Eve is a stranger to Alice's ticket")
        self.assertNotIn("Eve", ticket.message_ids.mapped("body").__str__())


class _NulPop3Handler(socketserver.StreamRequestHandler):
    """A broken POP3 server: its greeting and its refusal of the login carry NUL bytes."""

    def handle(self):
        self.wfile.write(b"+OK ready\x00 banner\r\n")
        while line := self.rfile.readline(65536):
            command = line.split(b" ", 1)[0].strip().upper()
            if command == b"QUIT":
                self.wfile.write(b"+OK bye\r\n")
                return
            if command == b"USER":
                self.wfile.write(b"+OK\r\n")
            else:
                self.wfile.write(b"-ERR [AUTH] no\x00such user\r\n")


@tagged("post_install", "-at_install")
class TestPop3ServerTextWithNul(MailTicketCase):
    def test_a_pop3_server_answering_nul_bytes_fails_its_inbox_alone(self):
        capture = _Capture(socketserver.ThreadingTCPServer, _NulPop3Handler)
        self.addCleanup(capture.stop)
        after = self.only_inboxes_with_mail(1, "after-pop3-nul")
        broken = self.create_inbox(
            "broken-pop3@helpdesk.example",
            "secret",
            protocol="pop3",
            port=capture.port,
            sequence=-1,
            trace=True,
        )
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(after).state, "processed", "the next inbox is polled")
        self.assertEqual(broken.state, "error")
        self.assertNotIn("\x00", broken.last_error)
        self.assertIn("banner", broken.debug_trace)
        self.assertNotIn("\x00", broken.debug_trace)
