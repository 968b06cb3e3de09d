# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Server faults on the real Dovecot: the inbox shows the failure and its time, the
next cycle retries, the other inboxes go on, nothing is lost or half-processed."""

import socket
import tempfile
import threading

from odoo.tests import tagged

from ..mailharness.dovecot import Dovecot
from .common import MailTicketCase, make_email


class ServerFaultCase(MailTicketCase):
    def setUp(self):
        super().setUp()
        # A healthy inbox beside the failing one: it must go on.
        self.healthy_login, healthy_password = self.new_mailbox()
        self.healthy = self.create_inbox(self.healthy_login, healthy_password, name="healthy")
        self.deliver(
            make_email(subject="Healthy", message_id="<ok-1@client.example>"),
            login=self.healthy_login,
        )
        for number in range(1, 4):
            self.deliver(
                make_email(subject=f"Request {number}", message_id=f"<sf-{number}@client.example>")
            )

    def tickets(self, inbox=None):
        return self.env["helpdesk.mail.ticket"].search(
            [("mail_inbox_id", "=", (inbox or self.inbox).id)]
        )

    def assert_failed(self, code_words):
        """One cron cycle: the faulty inbox fails with its time and an explanation, the
        healthy one is processed, nothing of the faulty one is half-done."""
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.inbox.state, "error")
        self.assertTrue(self.inbox.last_error_date)
        for word in code_words:
            self.assertIn(word, self.inbox.last_error)
        self.assertNotIn(self.mailbox_password, self.inbox.last_error)
        self.assertEqual(self.healthy.state, "ok")
        self.assertEqual(len(self.tickets(self.healthy)), 1, "the other inbox went on")
        self.assertFalse(self.ledger().filtered(lambda m: m.state == "new" and m.message_id))

    def assert_recovered(self):
        """The next cycle, once the fault is gone, processes everything once."""
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.inbox.state, "ok")
        ledger = self.ledger()
        self.assertEqual(sorted(ledger.mapped("state")), ["processed"] * 3)
        self.assertEqual(sorted(ledger.mapped("action")), ["created"] * 3)
        self.assertEqual(len(self.tickets()), 3)
        self.assertEqual(len(self.tickets(self.healthy)), 1)


@tagged("post_install", "-at_install")
class TestServerFaults(ServerFaultCase):
    def test_wrong_password(self):
        self.inbox.password = "not-the-password"
        self.assert_failed(["rejected the login", self.mailbox_login])
        self.assertFalse(self.ledger())
        self.inbox.password = self.mailbox_password
        self.assert_recovered()

    def test_closed_port(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        self.inbox.port = closed_port
        self.assert_failed(["refused the connection", str(closed_port)])
        self.inbox.port = self.dovecot.imap_port
        self.assert_recovered()

    def test_unknown_host(self):
        self.inbox.server = "mail.does-not-exist.invalid"
        self.assert_failed(["unknown"])
        self.inbox.server = self.dovecot.host
        self.assert_recovered()

    def test_wrong_certificate(self):
        # The server's certificate comes from the harness's throwaway CA, which the
        # system does not trust: with verification on, the TLS handshake must fail.
        self.inbox.write(
            {"security": "ssl", "port": self.dovecot.imaps_port, "verify_certificate": True}
        )
        self.assert_failed(["secure connection"])
        self.inbox.verify_certificate = False
        self.assert_recovered()

    def test_server_that_never_answers(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.socket_timeout", "1")
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts connections (kernel backlog), never says a word
        self.addCleanup(silent.close)
        self.inbox.port = silent.getsockname()[1]
        self.assert_failed(["did not answer in time"])
        self.inbox.port = self.dovecot.imap_port
        self.assert_recovered()

    def test_folder_removed(self):
        self.dovecot.create_folder(self.mailbox_login, "Support")
        self.inbox.mailbox = "Support"
        self.deliver(
            make_email(subject="In folder", message_id="<fold-1@client.example>"), folder="Support"
        )
        self.fetch()
        self.assertEqual(self.ledger().action, "created")
        self.dovecot.delete_folder(self.mailbox_login, "Support")
        self.assert_failed(["Support", "does not exist"])
        self.assertEqual(self.ledger().state, "processed", "the ledger keeps its history")
        self.assertEqual(len(self.tickets()), 1)
        self.inbox.mailbox = False
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.inbox.state, "ok")
        self.assertEqual(len(self.tickets()), 4)


@tagged("post_install", "-at_install")
class TestServerStoppedMidBatch(ServerFaultCase):
    """A Dovecot of its own, stopped while the batch is being processed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private_dir = tempfile.TemporaryDirectory(prefix="hmt-stop-")
        cls.addClassCleanup(cls.private_dir.cleanup)
        cls.dovecot = Dovecot(workdir=cls.private_dir.name).start()
        cls.addClassCleanup(cls.dovecot.stop)

    def test_server_stopped_then_restarted(self):
        # One message at a time: each is downloaded when its turn comes.
        self.env["ir.config_parameter"].sudo().set_param("helpdesk_mail_ticket.batch_size", "1")
        stopped = threading.Event()
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals
        server = self.dovecot

        def stop_after_first(model, email_vals):
            # The server dies while the first ticket of the batch is being made.
            if not stopped.is_set():
                stopped.set()
                server.stop()
            return original(model, email_vals)

        self.patch(ticket_class, "_mail_ticket_prepare_create_vals", stop_after_first)
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
            result = self.inbox._fetch()
        self.assertTrue(stopped.is_set())
        self.assertTrue(result.get("failure"))
        self.assertEqual(self.inbox.state, "error")
        self.assertTrue(self.inbox.last_error_date)
        ledger = self.ledger()
        self.assertEqual(len(ledger), 3, "every message seen was recorded")
        self.assertEqual(
            ledger.filtered(lambda m: m.state == "processed").mapped("action"), ["created"]
        )
        self.assertEqual(sorted(ledger.mapped("state")), ["new", "new", "processed"])
        self.assertEqual(len(self.tickets()), 1, "nothing half-processed")
        server.start()
        self.assert_recovered()

    def test_server_stopped_during_a_batchs_downloads(self):
        """A batch downloads its messages before it processes any: the server stopped
        after its first download fails the cycle with nothing processed and no attempt
        counted; only the message whose download died keeps its mark (the next cycle
        counts it as a connection failure of that message alone)."""
        message_class = type(self.env["mail.inbox.message"])
        original = message_class._get_raw
        server = self.dovecot
        downloads = []

        def stop_after_first(message, *args, **kwargs):
            if len(downloads) == 1:
                server.stop()
            downloads.append(message.id)
            return original(message, *args, **kwargs)

        self.patch(message_class, "_get_raw", stop_after_first)
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
            result = self.inbox._fetch()
        self.assertTrue(result.get("failure"))
        ledger = self.ledger().sorted("id")
        self.assertEqual(ledger.mapped("state"), ["new"] * 3)
        self.assertEqual(ledger.mapped("attempts"), [0] * 3)
        self.assertEqual(ledger.filtered("download_started").ids, downloads[1:2])
        self.assertFalse(self.tickets(), "nothing half-processed")
        server.start()
        self.assert_recovered()
