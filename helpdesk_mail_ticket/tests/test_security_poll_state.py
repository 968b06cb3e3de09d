# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The poll's own bookkeeping (an inbox's sync cursor and status, a ledger line's
size, state, identity...) is the poll's: a helpdesk manager who could write it over RPC
would have mail skipped, an oversize message downloaded whole, or a line hidden. And
the poll itself does not trust a stored cursor ahead of its ledger."""

from xmlrpc.client import Fault

from odoo.models import MAGIC_COLUMNS
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR as ACCESS_ERROR

from ..models import mail_inbox, mail_inbox_message
from .common import MailTicketCase, make_email

INBOX_WRITES = {
    "sync_cursor": {"uidvalidity": "1", "uidnext": 999, "messages": 999},
    "state": "ok",
    "failure_count": 0,
    "last_error": False,
    "last_error_date": False,
    "last_run_date": "2020-01-01 00:00:00",
    "keep_checked_date": "2020-01-01 00:00:00",
    "keep_swept_date": "2020-01-01 00:00:00",
    "debug_trace": "forged",
}
LINE_WRITES = {
    "size": 0,
    "on_server": False,
    "attempts": 0,
    "download_started": False,
    "connection_failures": 0,
    "flagged_deleted": True,
    "header_digest": "x",
    "content_digest": "x",
    "stable_id": "<y@z>",
    "message_id": "<y@z>",
    "action": "created",
    "state": "new",
    "reason": "forged",
    "processed_date": "2020-01-01 00:00:00",
}


@tagged("post_install", "-at_install")
class TestSecurityPollState(HttpCase):
    """Over real XML-RPC, as a helpdesk manager who is not a Settings administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.login = "hmt_poll_state_manager"
        new_test_user(
            cls.env,
            login=cls.login,
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        cls.inbox = cls.env["mail.inbox"].create(
            {"server": "127.0.0.1", "login": "poll-state@x.example", "security": "none"}
        )
        cls.inbox.sync_cursor = {"uidvalidity": "7", "uidnext": 5, "messages": 4}
        cls.line = cls.env["mail.inbox.message"].create(
            {"inbox_id": cls.inbox.id, "uid": "7:4", "server_uid": "7:4", "size": 90_000_000,
             "state": "processed", "action": "updated"}
        )  # fmt: skip

    def rpc(self, model, method, *args):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, self.login, self.login, {})
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, self.login, model, method, list(args)
        )

    def assert_refused(self, model, record, vals):
        for name, value in vals.items():
            with self.subTest(field=name):
                with self.assertRaises(Fault) as caught:
                    self.rpc(model, "write", [record.id], {name: value})
                self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, caught.exception)

    def test_inbox_poll_state_refused(self):
        self.assertEqual(set(INBOX_WRITES), set(getattr(mail_inbox, "POLL_STATE_FIELDS", ())))
        self.assert_refused("mail.inbox", self.inbox, INBOX_WRITES)
        self.inbox.invalidate_recordset()
        self.assertEqual(self.inbox.sync_cursor["uidnext"], 5)
        # The rest of the inbox stays the manager's.
        self.rpc("mail.inbox", "write", [self.inbox.id], {"name": "Renamed"})
        self.inbox.invalidate_recordset()
        self.assertEqual(self.inbox.name, "Renamed")

    def test_inbox_created_without_poll_state(self):
        vals = {"server": "127.0.0.1", "login": "c@x.example"}
        with self.assertRaises(Fault) as caught:
            self.rpc("mail.inbox", "create", [dict(vals, sync_cursor=INBOX_WRITES["sync_cursor"])])
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, caught.exception)

    def test_line_bookkeeping_refused(self):
        self.assert_refused("mail.inbox.message", self.line, LINE_WRITES)
        self.line.invalidate_recordset()
        self.assertEqual((self.line.size, self.line.on_server), (90_000_000, True))
        self.assertEqual((self.line.state, self.line.action), ("processed", "updated"))

    def test_line_still_on_the_server_not_deleted(self):
        """Deleting the line of an email still on the server would have the next listing
        import it again: only lines of mail gone from the server are the manager's to
        delete."""
        with self.assertRaises(Fault) as caught:
            self.rpc("mail.inbox.message", "unlink", [self.line.id])
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR, caught.exception)
        self.assertTrue(self.line.exists())
        gone = self.line.sudo().copy({"uid": "7:3", "server_uid": "7:3", "on_server": False})
        self.rpc("mail.inbox.message", "unlink", [gone.id])
        self.assertFalse(gone.exists())

    def test_every_stored_line_field_is_the_polls(self):
        """A field added to the ledger is the poll's unless said otherwise."""
        ledger = self.env["mail.inbox.message"]
        mine = {
            name for name, field in ledger._fields.items()
            if field.store and not field.related and name not in MAGIC_COLUMNS
            and field._module == "helpdesk_mail_ticket"
        }  # fmt: skip
        self.assertEqual(mine - mail_inbox_message.BOOKKEEPING_FIELDS, set())

    def test_buttons_still_work_for_a_manager(self):
        """Reset Status and Ignore run with the poll's rights, after the user's own."""
        self.line.sudo().write({"state": "error", "reason": "broken"})
        self.rpc("mail.inbox.message", "action_reset_status", [self.line.id])
        self.line.invalidate_recordset()
        self.assertEqual((self.line.state, self.line.action), ("new", "updated"))
        self.rpc("mail.inbox.message", "action_ignore", [self.line.id])
        self.line.invalidate_recordset()
        self.assertEqual(self.line.state, "ignored")
        self.inbox.sudo().debug_trace = "old trace"
        self.rpc("mail.inbox", "action_clear_trace", [self.inbox.id])
        self.inbox.invalidate_recordset()
        self.assertFalse(self.inbox.debug_trace)


@tagged("post_install", "-at_install")
class TestSyncCursorAhead(MailTicketCase):
    """A stored cursor ahead of what the ledger holds (however it got there) skips no
    mail: the listing starts after the ledger's newest message."""

    def subjects(self):
        self.ledger().invalidate_recordset()
        return sorted(self.ledger().mapped("subject"))

    def test_cursor_ahead_skips_nothing(self):
        self.deliver(make_email(subject="One", message_id="<ahead-1@x.example>"))
        self.fetch()
        cursor = dict(self.inbox.sync_cursor)
        # What a forged write would leave: the next message counted in already.
        self.inbox.sudo().sync_cursor = dict(
            cursor, uidnext=cursor["uidnext"] + 1, messages=cursor["messages"] + 1
        )
        self.deliver(make_email(subject="Two", message_id="<ahead-2@x.example>"))
        self.fetch()
        self.assertEqual(self.subjects(), ["One", "Two"])
        self.deliver(make_email(subject="Three", message_id="<ahead-3@x.example>"))
        self.fetch()
        self.assertEqual(self.subjects(), ["One", "Three", "Two"])
