# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpdesk users work tickets; they never read the inboxes, the ledger or the raw mail
it keeps: tested through XML-RPC and HTTP as those users, not through the ORM."""

import logging
from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged

from .common import make_email

RAW = make_email(
    subject="Salary slips of the whole company",
    body="CONFIDENTIAL-RAW-MARKER",
    message_id="<raw-1@client.example>",
)


@tagged("post_install", "-at_install")
class TestLedgerAccessOverRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="hmt_acl_agent",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="hmt_acl_manager",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        cls.inbox = cls.env["mail.inbox"].create(
            {"server": "127.0.0.1", "login": "acl@helpdesk.example", "security": "none"}
        )
        cls.line = cls.env["mail.inbox.message"].create(
            {"inbox_id": cls.inbox.id, "uid": "1:1", "server_uid": "1:1", "subject": "Slips"}
        )
        cls.line._keep_raw(RAW)
        cls.raw = cls.line.raw_attachment_id
        cls.ticket = cls.env["helpdesk.mail.ticket"].create(
            {"name": "A ticket", "partner_id": cls.env.user.partner_id.id}
        )
        cls.ticket_file = cls.env["ir.attachment"].create(
            {
                "name": "screenshot.txt",
                "raw": b"ticket file",
                "res_model": "helpdesk.mail.ticket",
                "res_id": cls.ticket.id,
            }
        )

    def rpc(self, login, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        self.assertTrue(uid, f"{login} could not log in")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, login, model, method, list(args), kwargs
        )

    def assert_refused(self, login, model, method, *args, **kwargs):
        with self.assertRaises(Fault) as caught, self.assertLogs("odoo.http", logging.WARNING):
            self.rpc(login, model, method, *args, **kwargs)
        self.assertNotIn("CONFIDENTIAL-RAW-MARKER", caught.exception.faultString)
        return caught.exception

    def test_agent_cannot_read_inboxes_or_the_ledger(self):
        self.assert_refused("hmt_acl_agent", "mail.inbox", "search_read", [], fields=["login"])
        self.assert_refused(
            "hmt_acl_agent", "mail.inbox.message", "search_read", [], fields=["subject"]
        )
        self.assert_refused(
            "hmt_acl_agent", "mail.inbox.message", "read", [self.line.id], fields=["subject"]
        )

    def test_agent_cannot_read_the_raw_mail(self):
        self.assert_refused(
            "hmt_acl_agent", "ir.attachment", "read", [self.raw.id], fields=["datas", "name"]
        )
        found = self.rpc(
            "hmt_acl_agent",
            "ir.attachment",
            "search_read",
            [("res_model", "=", "mail.inbox.message")],
            fields=["datas"],
        )
        self.assertEqual(found, [])
        found = self.rpc(
            "hmt_acl_agent",
            "ir.attachment",
            "search_read",
            [("id", "=", self.raw.id)],
            fields=["name"],
        )
        self.assertEqual(found, [])

    def test_agent_cannot_download_the_raw_mail(self):
        self.authenticate("hmt_acl_agent", "hmt_acl_agent")
        for url in (
            f"/web/content/{self.raw.id}?download=true",
            f"/web/content/mail.inbox.message/{self.line.id}/raw_attachment_id",
            f"/web/content/ir.attachment/{self.raw.id}/datas",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn(b"CONFIDENTIAL-RAW-MARKER", response.content, url)

    def test_agent_reads_ticket_files_and_manager_reads_the_raw_mail(self):
        # The controls: the same calls succeed for who is entitled to them.
        rows = self.rpc(
            "hmt_acl_agent", "ir.attachment", "read", [self.ticket_file.id], fields=["name"]
        )
        self.assertEqual(rows[0]["name"], "screenshot.txt")
        rows = self.rpc(
            "hmt_acl_manager", "mail.inbox.message", "read", [self.line.id], fields=["subject"]
        )
        self.assertEqual(rows[0]["subject"], "Slips")
        rows = self.rpc("hmt_acl_manager", "ir.attachment", "read", [self.raw.id], fields=["name"])
        self.assertEqual(rows[0]["name"], self.raw.name)
        self.authenticate("hmt_acl_manager", "hmt_acl_manager")
        response = self.url_open(f"/web/content/{self.raw.id}?download=true")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"CONFIDENTIAL-RAW-MARKER", response.content)
