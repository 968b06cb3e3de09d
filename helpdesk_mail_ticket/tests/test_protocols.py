# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import socket

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestProtocols(MailTicketCase):
    """Every protocol and security an admin can pick, on the real Dovecot."""

    def _roundtrip(self, protocol, security):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol=protocol, security=security)
        self.deliver(make_email(subject=f"{protocol} {security}"), login=login)
        result = self.fetch(inbox)
        self.assertEqual(result["processed"], 1, result)
        ticket = self.ledger(inbox)._get_ticket()
        self.assertEqual(ticket.name, f"{protocol} {security}")
        self.assertEqual(ticket.partner_id, self.alice)
        return inbox, login

    def test_imap_plain(self):
        self._roundtrip("imap", "none")

    def test_imap_ssl(self):
        self._roundtrip("imap", "ssl")

    def test_imap_starttls(self):
        self._roundtrip("imap", "starttls")

    def test_pop3_plain_keep_then_delete_on_close(self):
        inbox, login = self._roundtrip("pop3", "none")
        self.assertEqual(len(self.dovecot.uids(login)), 1, "POP3 keeps the message too")
        self.assertEqual(self.fetch(inbox)["new"], 0, "a kept POP3 message is not processed twice")
        self.ledger(inbox)._get_ticket().stage_id = self.env.ref(
            "helpdesk_mail_ticket.stage_closed"
        )
        self.fetch(inbox)
        self.assertEqual(self.dovecot.uids(login), [])

    def test_pop3_ssl(self):
        self._roundtrip("pop3", "ssl")

    def test_pop3_starttls_delete(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(
            login, password, protocol="pop3", security="starttls", email_storage="delete"
        )
        self.deliver(make_email(), login=login)
        self.fetch(inbox)
        self.assertEqual(self.dovecot.uids(login), [])
        self.assertEqual(self.ledger(inbox).action, "created")

    def test_imap_folder(self):
        login, password = self.new_mailbox()
        self.dovecot.create_folder(login, "Support")
        inbox = self.create_inbox(login, password, mailbox="Support")
        self.deliver(make_email(subject="In a folder"), login=login, folder="Support")
        self.deliver(make_email(subject="In INBOX"), login=login)
        self.fetch(inbox)
        self.assertEqual(self.ledger(inbox).subject, "In a folder")


@tagged("post_install", "-at_install")
class TestConnectionErrors(MailTicketCase):
    """Test connection explains each failure distinctly; a failing inbox shows it."""

    def _closed_port(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def _error(self, **values):
        self.inbox.write(values)
        with self.assertRaises(UserError) as caught:
            self.inbox.action_test_connection()
        return str(caught.exception)

    def test_success(self):
        action = self.inbox.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")

    def test_unknown_host(self):
        self.assertIn("is unknown", self._error(server="no-such-host.invalid"))

    def test_refused(self):
        self.assertIn("refused the connection", self._error(port=self._closed_port()))

    def test_timeout(self):
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.socket_timeout", "1")
            message = self._error(port=silent.getsockname()[1])
        self.assertIn("did not answer in time", message)

    def test_tls_certificate_not_trusted(self):
        message = self._error(security="ssl", port=self.dovecot.imaps_port, verify_certificate=True)
        self.assertIn("secure connection", message)

    def test_tls_on_a_plain_port(self):
        self.assertIn("secure connection", self._error(security="ssl", port=self.dovecot.imap_port))

    def test_authentication(self):
        message = self._error(password="not-the-password")
        self.assertIn("rejected the login", message)
        self.assertNotIn("not-the-password", message)

    def test_missing_folder(self):
        self.assertIn("does not exist", self._error(mailbox="NoSuchFolder"))

    def test_failing_inbox_is_visible_and_others_go_on(self):
        login, password = self.new_mailbox()
        healthy = self.create_inbox(login, password)
        self.deliver(make_email(), login=login)
        self.inbox.password = "wrong"
        self.env["mail.inbox"].search([("id", "not in", (self.inbox | healthy).ids)]).active = False
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.inbox.state, "error")
        self.assertIn("rejected the login", self.inbox.last_error)
        self.assertTrue(self.inbox.last_error_date)
        self.assertEqual(healthy.state, "ok")
        self.assertEqual(self.ledger(healthy).state, "processed")
