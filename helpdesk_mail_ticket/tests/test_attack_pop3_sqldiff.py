# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack on the POP3 sync computed by the database (``_listing_changes``): nothing lost,
nothing duplicated, on_server right, on empty mailboxes, duplicate handles, resized lines,
large listings and two workers (a serialization retry)."""

from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from ..mailsource import RemoteMessage
from ..models.mail_inbox_sync import MailInbox
from .common import MailTicketCase, make_email


def tickets(env, inbox):
    return env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)])


@tagged("post_install", "-at_install")
class TestAttackPop3SqlDiff(MailTicketCase):
    def _pop3(self, **values):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", email_storage="keep", **values)
        return login, inbox

    def _expunge_all(self, login):
        with self.dovecot.imap(login, "INBOX") as client:
            client.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()

    def test_mailbox_emptied_then_one_new(self):
        login, inbox = self._pop3()
        for number in range(3):
            self.deliver(make_email(subject=f"E{number}"), login=login)
        self.fetch(inbox)
        self.fetch(inbox)
        self._expunge_all(login)
        self.fetch(inbox)
        self.assertEqual(self.ledger(inbox).mapped("on_server"), [False] * 3)
        self.assertEqual(self.fetch(inbox)["new"], 0, "empty mailbox, idle")
        self.deliver(make_email(subject="After"), login=login)
        self.assertEqual(self.fetch(inbox)["new"], 1)
        self.fetch(inbox)
        lines = self.ledger(inbox)
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines.filtered("on_server").subject, "After")
        self.assertEqual(len(tickets(self.env, inbox)), 4)

    def test_line_wrongly_marked_gone_comes_back_once(self):
        login, inbox = self._pop3()
        for number in range(2):
            self.deliver(make_email(subject=f"B{number}"), login=login)
        self.fetch(inbox)
        self.fetch(inbox)
        line = self.ledger(inbox).sorted("id")[0]
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = %s", [line.id]
        )
        line.invalidate_recordset()
        self.assertEqual(self.fetch(inbox)["new"], 0)
        self.assertTrue(line.on_server, "back on the server")
        self.assertEqual(len(self.ledger(inbox)), 2)
        self.assertEqual(len(tickets(self.env, inbox)), 2)

    def test_duplicate_handle_lines(self):
        login, inbox = self._pop3()
        self.deliver(make_email(subject="Dup"), login=login)
        self.fetch(inbox)
        self.fetch(inbox)
        line = self.ledger(inbox)
        self.env.cr.execute(
            "INSERT INTO mail_inbox_message (inbox_id, uid, server_uid, size, state, attempts, "
            "on_server) SELECT inbox_id, uid || '#copy', server_uid, size, 'processed', 0, TRUE "
            "FROM mail_inbox_message WHERE id = %s RETURNING id",
            [line.id],
        )
        copy = self.env["mail.inbox.message"].browse(self.env.cr.fetchone()[0])
        self.assertEqual(self.fetch(inbox)["new"], 0)
        self.assertEqual((line | copy).mapped("on_server"), [True, True], "listed: both stay")
        self._expunge_all(login)
        self.fetch(inbox)
        (line | copy).invalidate_recordset()
        self.assertEqual((line | copy).mapped("on_server"), [False, False], "both left")
        self.assertEqual(len(tickets(self.env, inbox)), 1)

    def test_message_id_as_uid_resized_same_message(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        login, inbox = self._pop3()
        self.deliver(make_email(subject="Sized", message_id="<sized@c.x>"), login=login)
        self.fetch(inbox)
        self.fetch(inbox)
        line = self.ledger(inbox)
        size = line.size
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET size = size + 7 WHERE id = %s", [line.id]
        )
        line.invalidate_recordset()
        self.assertEqual(self.fetch(inbox)["new"], 0)
        line.invalidate_recordset()
        self.assertEqual((line.size, line.on_server), (size, True))
        self.assertEqual(len(self.ledger(inbox)), 1)
        self.assertEqual(len(tickets(self.env, inbox)), 1)

    def test_large_listing_without_source(self):
        inbox = self.inbox
        remote = [RemoteMessage(uid=f"h{n}", number=n, size=100 + n) for n in range(1, 20001)]
        self.assertEqual(len(inbox._sync_with_server(remote)), 20000)
        self.assertEqual(len(inbox._sync_with_server(remote)), 0)
        changed = remote[5:] + [RemoteMessage(uid=f"x{n}", number=n, size=5) for n in range(5)]
        self.assertEqual(len(inbox._sync_with_server(changed)), 5)
        lines = self.ledger(inbox)
        self.assertEqual(len(lines), 20005)
        self.assertEqual(
            sorted(lines.filtered(lambda m: not m.on_server).mapped("server_uid")),
            [f"h{n}" for n in range(1, 6)],
        )
        self.assertEqual(len(inbox._sync_with_server(remote)), 0, "the five came back")
        self.assertEqual(len(self.ledger(inbox).filtered("on_server")), 20000)
        self.assertEqual(len(inbox._sync_with_server([])), 0)
        self.assertFalse(self.ledger(inbox).filtered("on_server"), "empty listing: all gone")


@tagged("post_install", "-at_install")
class TestAttackPop3SqlDiffWorkers(MailTicketCase):
    def test_serialization_retry_reads_changes_again(self):
        setup = self._real_env()
        login, password = self.new_mailbox()
        inbox = setup["mail.inbox"].create(
            {"name": "retry", "server": self.dovecot.host, "port": self.dovecot.pop3_port,
             "protocol": "pop3", "security": "none", "login": login, "password": password}
        )  # fmt: skip
        setup.cr.commit()
        self.addCleanup(self._cleanup, inbox.id)
        first = [RemoteMessage(uid=f"r{n}", number=n, size=10) for n in range(1, 6)]
        inbox._sync_with_server(first)
        setup.cr.commit()
        listing = [*first[1:], RemoteMessage(uid="r6", number=6, size=10)]
        worker_a, worker_b = self._real_env(), self._real_env()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        inbox_b = worker_b["mail.inbox"].browse(inbox.id)
        real, calls = MailInbox._sync_rows, []

        def sync_rows(self, *args, **kwargs):
            calls.append(kwargs.get("changes"))
            if len(calls) == 1 and self.env.cr is worker_a.cr:
                # B syncs the same listing and commits after A's snapshot.
                inbox_b._sync_with_server(listing)
                worker_b.cr.commit()
            return real(self, *args, **kwargs)

        with patch.object(odoo_module, "current_test", None), \
                patch.object(MailInbox, "_sync_rows", sync_rows):  # fmt: skip
            new_a = inbox_a._sync_with_server(listing)
        worker_a.cr.commit()
        self.assertIsNotNone(calls[0])
        self.assertEqual(len(calls), 3, "A, B, then A again")
        self.assertIsNone(calls[2], "A's retry re-reads the changes")
        self.assertFalse(new_a, "B recorded r6")
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(len(lines), 6)
        self.assertEqual(lines.filtered(lambda m: not m.on_server).server_uid, "r1")

    def _cleanup(self, inbox_id):
        env = self._real_env()
        env["mail.inbox"].browse(inbox_id).unlink()
        env.cr.commit()
