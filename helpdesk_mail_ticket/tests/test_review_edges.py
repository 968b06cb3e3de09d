# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Edges a security review found off the main path: global IMAP options that would
weaken an inbox's own connection security, ledger bookkeeping a manager could point at
another record's data, an iTop import reaching another company's inbox, and a mail of
another company's ticket taken for our own notification coming back."""

import socketserver

from odoo.tests import tagged

from .common import MailTicketCase, make_email
from .test_security_secrets import _Capture, _ImapCaptureHandler


@tagged("post_install", "-at_install")
class TestGlobalOptionsNeverWeaken(MailTicketCase):
    """The global imap_options apply to every inbox: they may add security, never take
    away the security an inbox is set to."""

    def set_options(self, options):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.imap_options", options)

    def test_notls_never_sends_the_password_of_a_starttls_inbox_in_clear(self):
        capture = _Capture(socketserver.ThreadingTCPServer, _ImapCaptureHandler)
        self.addCleanup(capture.stop)
        self.set_options("imap,notls")
        self.inbox.write({"security": "starttls", "port": capture.port})
        result = self.inbox._fetch()
        # The server greeted (it offers no STARTTLS): the connection went no further.
        self.assertIn("TLS not supported by server", result.get("failure") or "", result)
        self.assertFalse(capture.received(self.mailbox_password), "password sent in clear")

    def test_novalidate_cert_never_turns_off_an_inbox_certificate_check(self):
        """Dovecot's certificate is issued by a throwaway CA nobody trusts."""
        self.set_options("imap,novalidate-cert")
        self.inbox.write(
            {"security": "ssl", "port": self.dovecot.imaps_port, "verify_certificate": True}
        )
        self.deliver(make_email(message_id="<cert-1@client.example>"))
        result = self.inbox._fetch()
        self.assertIn("secure connection", result.get("failure") or "", result)
        self.assertFalse(self.ledger())
        # The inbox's own setting still decides.
        self.inbox.verify_certificate = False
        self.fetch()
        self.assertEqual(self.ledger().state, "processed")
