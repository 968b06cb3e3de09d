# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Edges a security review found off the main path: global IMAP options that would
weaken an inbox's own connection security, ledger bookkeeping a manager could point at
another record's data, an iTop import reaching another company's inbox, and a mail of
another company's ticket taken for our own notification coming back."""

import base64
import socketserver
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

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


@tagged("post_install", "-at_install")
class TestLedgerBookkeeping(MailTicketCase):
    """The fields the poll trusts (where a line's bytes are, which message and ticket it
    is) are written by the poll alone: a manager pointing a line at another record's
    attachment would have it imported into a ticket."""

    def setUp(self):
        super().setUp()
        self.invoice = self.env["ir.attachment"].create(
            {
                "name": "invoice.txt",
                "raw": b"Subject: Invoice 4242\r\n\r\nconfidential invoice 4242\r\n",
                "res_model": "res.partner",
                "res_id": self.acme.id,
            }
        )
        self.deliver(make_email(message_id="<bk-1@client.example>"))
        self.inbox._fetch(limit=0)  # recorded, not processed
        self.line = self.ledger()
        self.assertEqual(self.line.state, "new")

    def test_manager_cannot_write_the_bookkeeping_fields(self):
        line = self.line.with_user(self.manager)
        for vals in (
            {"raw_attachment_id": self.invoice.id},
            {"big_file_path": "/etc/passwd"},
            {"uid": "other"},
            {"server_uid": "1:1"},
            {"ticket_model": "res.partner", "ticket_id": self.acme.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.write(vals)
        line.action_ignore()  # what the buttons do still works
        self.assertEqual(self.line.state, "ignored")

    def test_an_attachment_of_another_record_is_never_read_as_the_email(self):
        self.line.sudo().raw_attachment_id = self.invoice  # however it got there
        self.fetch()
        ticket = self.ticket_of(self.line)
        self.assertEqual(self.line.state, "processed", self.line.reason)
        self.assertEqual(ticket.name, "Printer broken", "the email on the server")
        self.assertNotIn("4242", str(ticket.description))
        self.assertNotEqual(self.line.raw_attachment_id, self.invoice)

    def test_the_headers_shown_are_never_another_record_attachment(self):
        self.line.sudo().raw_attachment_id = self.invoice  # however it got there
        line = self.line.with_user(self.manager)
        self.assertNotIn("4242", line.headers_text or "")

    def test_a_path_outside_big_files_dir_is_no_copy(self):
        """An error deleted from the server needs a copy; a path set by hand elsewhere
        is none."""
        self.line.sudo().write({"big_file_path": "/etc/hostname"})
        self.assertFalse(self.line._has_copy())


@tagged("post_install", "-at_install")
class TestCompanyEdges(MailTicketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main = cls.env.company
        cls.other = cls.env["res.company"].create({"name": "Other Review Co"})

    def test_itop_import_never_reaches_another_company_inbox(self):
        manager = new_test_user(
            self.env,
            login="hmt_review_manager_main",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
            company_id=self.main.id,
            company_ids=[(6, 0, self.main.ids)],
        )
        theirs = self.create_inbox(
            "theirs@other.example", "pw", company_id=self.other.id, title_pattern="/T-(\\d+)/"
        )
        csv = (
            "server;login;protocol;port;title_pattern\n"
            f"{theirs.server};theirs@other.example;imap;143;/X-(\\d+)/\n"
        )
        wizard = self.env["helpdesk.mail.ticket.itop.import"].with_user(manager)
        with self.assertRaisesRegex(UserError, "another company"):
            wizard.create({"inbox_file": base64.b64encode(csv.encode())}).action_import()
        self.assertEqual(theirs.title_pattern, "/T-(\\d+)/")
        self.assertEqual(theirs.company_id, self.other)

    def test_a_mail_of_another_company_ticket_is_not_taken_for_our_own(self):
        theirs = self.env["helpdesk.mail.ticket"].create(
            {"name": "Theirs", "partner_id": self.alice.id, "company_id": self.other.id}
        )
        notification = theirs.message_post(body="Noted.", message_type="comment")
        self.assertEqual(self.inbox.company_id, self.main)
        self.deliver(
            make_email(subject="Forwarded to the main helpdesk", message_id=notification.message_id)
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.action, "created", line.reason)
        self.assertEqual(self.ticket_of(line).company_id, self.main)


class _NulImapHandler(socketserver.StreamRequestHandler):
    """A broken server: its greeting and its refusal of the login carry NUL bytes."""

    def handle(self):
        self.wfile.write(b"* OK [CAPABILITY IMAP4rev1] ready\x00 banner\r\n")
        while line := self.rfile.readline(65536):
            tag, _sep, rest = line.partition(b" ")
            if rest.split(b" ", 1)[0].strip().upper() == b"LOGOUT":
                self.wfile.write(b"* BYE\r\n" + tag + b" OK\r\n")
                return
            self.wfile.write(tag + b" NO [AUTHENTICATIONFAILED] no\x00such user\r\n")


@tagged("post_install", "-at_install")
class TestServerTextWithNul(MailTicketCase):
    """What a server says is written to the inbox (its trace, its last error):
    PostgreSQL refuses NUL characters in text, and a broken server's NUL must neither
    fail the cron run, which stops polling the inboxes after it, nor hide the reason."""

    def test_a_server_answering_nul_bytes_fails_its_inbox_alone(self):
        capture = _Capture(socketserver.ThreadingTCPServer, _NulImapHandler)
        self.addCleanup(capture.stop)
        inboxes = self.only_inboxes_with_mail(1, "after-nul")
        broken = self.create_inbox(
            "broken@helpdesk.example", "secret", port=capture.port, sequence=-1, trace=True
        )
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(inboxes).state, "processed", "the next inbox is polled")
        self.assertEqual(broken.state, "error")
        self.assertIn("rejected the login", broken.last_error)
        self.assertIn("banner", broken.debug_trace)
        self.assertNotIn("\x00", broken.debug_trace)

    def test_a_cycle_failing_beyond_its_guard_fails_its_inbox_alone(self):
        """An override of the cycle's bookkeeping that raises (here the trace's save)
        fails its inbox, recorded with the reason; the run polls the next inboxes."""
        inboxes = self.only_inboxes_with_mail(2, "beyond-guard")
        original = type(inboxes)._save_trace

        def save_trace(inbox, trace):
            if inbox == inboxes[0]:
                raise RuntimeError("an override of the trace broke")
            return original(inbox, trace)

        with (
            patch.object(type(inboxes), "_save_trace", save_trace),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "ERROR"),
        ):
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(inboxes[1]).state, "processed", "the next inbox is polled")
        self.assertEqual(inboxes[0].state, "error")
        self.assertIn("an override of the trace broke", inboxes[0].last_error)
