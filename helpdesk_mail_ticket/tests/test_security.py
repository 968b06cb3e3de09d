# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestPasswordOverRpc(HttpCase):
    """The mailbox password is readable by Settings admins only, through any RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="hmt_rpc_manager",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        cls.agent = new_test_user(
            cls.env,
            login="hmt_rpc_agent",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_user",
        )
        cls.inbox = cls.env["mail.inbox"].create(
            {
                "server": "127.0.0.1",
                "login": "rpc@helpdesk.example",
                "password": "S3cret-Pw",
                "security": "none",
            }
        )

    def _rpc(self, login, method, *args, password=None, **kwargs):
        password = password or login
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, password, {})
        self.assertTrue(uid, f"{login} could not log in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, password, "mail.inbox", method, list(args), kwargs
        )

    def test_helpdesk_manager_cannot_read_the_password(self):
        rows = self._rpc("hmt_rpc_manager", "read", [self.inbox.id], fields=["login", "server"])
        self.assertEqual(rows[0]["login"], "rpc@helpdesk.example")
        all_fields = self._rpc("hmt_rpc_manager", "read", [self.inbox.id])
        self.assertNotIn("password", all_fields[0])
        self.assertNotIn("S3cret-Pw", repr(all_fields))
        with self.assertRaises(Fault) as caught, self.assertLogs("odoo.http", logging.WARNING):
            self._rpc("hmt_rpc_manager", "read", [self.inbox.id], fields=["password"])
        self.assertNotIn("S3cret-Pw", caught.exception.faultString)

    def test_helpdesk_agent_cannot_read_inboxes(self):
        with self.assertRaises(Fault), self.assertLogs("odoo.http", logging.WARNING):
            self._rpc("hmt_rpc_agent", "read", [self.inbox.id], fields=["login"])

    def test_settings_admin_reads_the_password(self):
        admin = new_test_user(
            self.env,
            login="hmt_rpc_sysadmin",
            groups="base.group_system,helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        self.assertTrue(admin)
        rows = self._rpc("hmt_rpc_sysadmin", "read", [self.inbox.id], fields=["password"])
        self.assertEqual(rows[0]["password"], "S3cret-Pw")


@tagged("post_install", "-at_install")
class TestPasswordNeverLeaks(MailTicketCase):
    def test_password_absent_from_trace_errors_and_forward(self):
        secret = "Leak-Me-Not-42"
        self.dovecot.add_user(self.mailbox_login, secret)
        self.inbox.write({"password": secret, "trace": True})
        self.deliver(
            make_email(sender="stranger@unknown.example", message_id="<pw-1@client.example>")
        )
        self.fetch()
        self.inbox.password = "wrong-password"
        result = self.inbox._fetch()
        self.assertTrue(result.get("failure"))
        self.dovecot.add_user(self.mailbox_login, self.mailbox_password)
        texts = [
            self.inbox.debug_trace or "",
            self.inbox.last_error or "",
            result["failure"],
            " ".join(self.ledger().mapped("reason")),
        ]
        self.assertTrue(self.inbox.debug_trace)
        for text in texts:
            self.assertNotIn(secret, text)
            self.assertNotIn("wrong-password", text)
