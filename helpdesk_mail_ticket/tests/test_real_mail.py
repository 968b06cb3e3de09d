# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import glob
import os
from email import message_from_bytes, policy
from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from .common import SAMPLES, MailTicketCase, make_email

FINAL_STATES = {"processed", "error", "undesired"}


@tagged("post_install", "-at_install")
class TestRealMail(MailTicketCase):
    """Assorted real mail on IMAP and POP3: one cycle, then three more; every message
    has exactly one outcome and makes at most one ticket."""

    def _real_mail(self):
        paths = sorted(glob.glob(os.path.join(SAMPLES, "real", "*", "*.eml")))
        self.assertGreater(len(paths), 100)
        return paths

    def _run(self, protocol):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(
            login, password, protocol=protocol, unknown_caller_behavior="create_contact"
        )
        paths = self._real_mail()
        for path in paths:
            with open(path, "rb") as handle:
                self.deliver(handle.read(), login=login)
        first = self.fetch(inbox)
        self.assertEqual(first["new"], len(paths))
        self.assertEqual(first["remaining"], 0)
        ledger = self.ledger(inbox)
        self.assertEqual(len(ledger), len(paths), "one ledger row per message")
        self.assertEqual(set(ledger.mapped("state")) - FINAL_STATES, set())
        for message in ledger.filtered(lambda m: m.state == "error"):
            self.assertTrue(message.reason, f"{message.uid} is in error without a reason")
            self.assertTrue(message.raw_attachment_id, f"{message.uid} in error was not kept")
        outcome = {m.id: (m.state, m.action, m.ticket_id) for m in ledger}
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)])
        created = ledger.filtered(lambda m: m.action == "created")
        self.assertEqual(len(tickets), len(created))
        self.assertEqual(set(created.mapped("ticket_id")), set(tickets.ids))
        for _cycle in range(3):
            again = self.fetch(inbox)
            self.assertEqual((again["new"], again["processed"], again["error"]), (0, 0, 0))
        ledger.invalidate_recordset()
        self.assertEqual({m.id: (m.state, m.action, m.ticket_id) for m in ledger}, outcome)
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search_count([("mail_inbox_id", "=", inbox.id)]),
            len(tickets),
        )
        return ledger

    def test_imap(self):
        ledger = self._run("imap")
        self.assertIn("undesired", ledger.mapped("state"), "bounces and auto-replies set aside")
        self.assertIn("created", ledger.mapped("action"))

    def test_pop3(self):
        self._run("pop3")


@tagged("post_install", "-at_install")
class TestErrorForward(MailTicketCase):
    """A message in error reaches the admin, attached, through a real SMTP server."""

    def setUp(self):
        super().setUp()
        self.sink = self.use_smtp_sink()
        self.inbox.write(
            {
                "notify_errors_to": "admin@helpdesk.example",
                "notify_errors_from": "helpdesk@helpdesk.example",
            }
        )

    def _send_queue(self):
        mails = self.env["mail.mail"].search([("email_to", "=", self.inbox.notify_errors_to)])
        # Odoo never sends mail under its test runner; lift only that guard.
        with patch.object(odoo_module, "current_test", None):
            mails.send(raise_exception=True)
        return mails

    def test_forward_received(self):
        raw = make_email(
            sender="Mallory <mallory@unknown.example>",
            subject="Need help with VPN",
            message_id="<fw-1@client.example>",
        )
        self.deliver(raw)
        self.fetch()
        self.assertEqual(len(self._send_queue()), 1)
        received = self.sink.wait_for(1)
        self.assertEqual(len(received), 1)
        forward = received[0]
        self.assertEqual(forward.rcpt_tos, ["admin@helpdesk.example"])
        message = message_from_bytes(forward.data, policy=policy.default)
        self.assertEqual(message["Auto-Submitted"], "auto-generated")
        self.assertIn("Need help with VPN", message["Subject"])
        body = message.get_body(preferencelist=("html", "plain")).get_content()
        self.assertIn("Unknown caller (mallory@unknown.example)", body)
        attached = [part for part in message.iter_attachments() if part.get_filename()]
        self.assertEqual([part.get_filename() for part in attached], ["Original-Message.eml"])
        original = attached[0].get_payload(decode=True) or attached[0].get_content().as_bytes()
        self.assertIn(b"fw-1@client.example", original)

    def test_no_forward_to_one_of_our_inboxes(self):
        self.inbox.notify_errors_to = self.mailbox_login
        self.deliver(make_email(sender="x@unknown.example", message_id="<fw-2@client.example>"))
        self.fetch()
        self.assertEqual(self.ledger().state, "error")
        self.assertFalse(
            self.env["mail.mail"].search([("email_to", "=", self.mailbox_login)]),
            "an error forward to our own inbox would loop",
        )

    def test_no_forward_without_both_addresses(self):
        self.inbox.notify_errors_from = False
        self.deliver(make_email(sender="x@unknown.example", message_id="<fw-3@client.example>"))
        self.fetch()
        forwards = self.env["mail.mail"].search([("email_to", "=", "admin@helpdesk.example")])
        self.assertFalse(forwards)
