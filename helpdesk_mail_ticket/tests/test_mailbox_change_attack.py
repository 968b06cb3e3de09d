# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Edges of the reset of an inbox pointed at another mailbox (test_mailbox_change):
lines whose header block was never digested, writes that change nothing."""

import threading
from unittest.mock import patch

from psycopg2.errors import DeadlockDetected, SerializationFailure

from odoo.tests import tagged

from ..mailsource.imap import ImapSource
from .common import MailTicketCase, make_email
from .test_pop3_idle import Pop3IdleCase


@tagged("post_install", "-at_install")
class TestMailboxChangeAttack(MailTicketCase):
    def tickets(self):
        return self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])

    def deliver_numbered(self, numbers, folder="INBOX"):
        raws = [
            make_email(subject=f"Edge {number}", message_id=f"<edge-{number}@c.example>")
            for number in numbers
        ]
        for raw in raws:
            self.deliver(raw, folder=folder)
        return raws

    def test_lines_without_header_digest_do_not_hide_the_new_folders_mail(self):
        """Lines recorded before header digests were (an upgraded database), or whose
        header block the server refused when listed, have no digest. After the inbox
        was pointed at another folder with the old one's UIDVALIDITY, such a line took
        the new folder's message of its handle for its own (no header block to compare
        with): that mail was never recorded, lost."""
        self.dovecot.create_folder(self.mailbox_login, "Other")
        self.deliver_numbered(range(2))
        self.fetch()
        self.assertEqual(len(self.tickets()), 2)
        self.env["mail.inbox.message"].flush_model()
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET header_digest = NULL WHERE inbox_id = %s",
            [self.inbox.id],
        )
        self.env["mail.inbox.message"].invalidate_model()
        self.deliver_numbered([10, 11], folder="Other")
        self.dovecot.set_uidvalidity(
            self.mailbox_login, "Other", self.dovecot.uidvalidity(self.mailbox_login)
        )
        self.inbox.mailbox = "Other"
        self.assertEqual(self.fetch()["processed"], 2, "the new folder's mail recorded")
        self.assertEqual(len(self.tickets()), 4)
        on_server = self.ledger().filtered("on_server")
        self.assertEqual(
            sorted(on_server.mapped("message_id")), ["edge-10@c.example", "edge-11@c.example"]
        )


@tagged("post_install", "-at_install")
class TestMailboxChangeDuringCycle(Pop3IdleCase):
    def test_mail_listed_before_the_change_is_not_recorded_after_it(self):
        """A POP3 cycle records the messages it does not know by their handles in
        steps of their own (``_record_identified``, a transaction each, after the
        listing's commit). The administrator pointing the inbox at another mailbox
        between the two (the reset committed) had the old mailbox's messages recorded
        after the reset, on the server under their old handles: the new mailbox's
        messages of the same handles (another account whose INBOX has the same
        UIDVALIDITY, Dovecot's UIDLs being UID and UIDVALIDITY) were taken for them,
        never recorded: lost."""
        env, old_login, inbox = self._committed_inbox(count=0)
        for number in range(2):
            self.deliver(
                make_email(subject=f"Old {number}", message_id=f"<old-{number}@c.example>"),
                login=old_login,
            )
        new_login, new_password = self.new_mailbox()
        for number in range(2):
            self.deliver(
                make_email(subject=f"New {number}", message_id=f"<new-{number}@c.example>"),
                login=new_login,
            )
        self.dovecot.set_uidvalidity(new_login, "INBOX", self.dovecot.uidvalidity(old_login))
        inbox_class = type(inbox)
        record_identified, changed = self._after_an_admins_write(
            inbox_class._record_identified, inbox, {"login": new_login, "password": new_password}
        )
        with patch.object(inbox_class, "_record_identified", record_identified):
            self.cycle(inbox)
        self.assertTrue(changed)
        env.invalidate_all()
        self.cycle(inbox)
        on_server = self.committed_message_ids(inbox, on_server=True)
        self.assertEqual(on_server, ["new-0@c.example", "new-1@c.example"])

    def test_a_change_of_mailbox_while_a_cycle_synchronizes_is_no_deadlock(self):
        """Every writer of the synchronization locks the inbox's row first, then its
        lines (the cycle: its synchronization lock, then _sync_rows / _record_batch).
        The reset of a changed mailbox set the lines off the server first (the ORM's
        write of the inbox waits for its flush), then wrote the row: an administrator
        changing the protocol while a cycle listed the mailbox held the lines the
        cycle was to write, and waited for the row it held. PostgreSQL broke the
        deadlock by failing the cycle (its check runs after deadlock_timeout in the
        session that waits: the administrator's had found no deadlock yet when the
        listing lasted longer than that; here its check never comes first)."""
        _env, _login, inbox = self._committed_inbox(count=2)
        cycle, admin = self._real_env(), self._real_env()
        admin.cr.execute("SET deadlock_timeout = '1h'")  # its check after the cycle's
        admin.cr.commit()
        # The cycle: its synchronization lock (as _lock_sync_state takes it).
        cycle.cr.execute("SELECT id FROM mail_inbox WHERE id = %s FOR NO KEY UPDATE", [inbox.id])
        admin.cr.execute("SELECT pg_backend_pid()")
        admin_pid, cycle_errors, admin_errors = admin.cr.fetchone()[0], [], []

        def change_protocol():
            for _attempt in range(5):  # as Odoo's HTTP layer retries a concurrency error
                try:
                    admin["mail.inbox"].browse(inbox.id).write(
                        {"protocol": "imap", "port": self.dovecot.imap_port}
                    )
                    admin.cr.commit()
                    return
                except (SerializationFailure, DeadlockDetected) as error:
                    admin_errors.append(error)
                    admin.cr.rollback()

        thread = threading.Thread(target=change_protocol)
        thread.start()
        try:
            waiting = self._real_env().cr
            while thread.is_alive():  # until the administrator waits for the row lock
                waiting.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                    [admin_pid],
                )
                if waiting.fetchone():
                    break
                waiting.rollback()
            # The cycle writes the inbox's lines (as _sync_rows does), then commits.
            try:
                cycle.cr.execute(
                    "UPDATE mail_inbox_message SET on_server = on_server WHERE inbox_id = %s",
                    [inbox.id],
                )
                cycle.cr.commit()
            except DeadlockDetected as error:
                cycle_errors.append(error)
                cycle.cr.rollback()
        finally:
            thread.join()
        self.assertEqual(cycle_errors, [], "the cycle failed")
        self.assertLess(len(admin_errors), 5, "the administrator's change was made")
        lines = self.lines(self._real_env(), inbox)
        self.assertEqual([on for _uid, on in lines], [False, False], "the reset was made")

    def test_the_old_folders_count_after_deletions_is_not_stored_over_the_reset(self):
        """After its server actions (mail deleted once processed), a cycle stores the
        cursor counting its deletions in (_store_count_after_server_actions), asking
        the server first whether mail arrived meanwhile: a transaction of its own,
        after the server actions' commit. The administrator pointing the inbox at
        another folder in between: the old folder's cursor was stored over the reset,
        and the new folder (the same UIDVALIDITY and counters) was then taken for
        unchanged, its mail never recorded: lost."""
        env, login, inbox = self._committed_inbox(
            count=0, port=self.dovecot.imap_port, protocol="imap"
        )
        inbox.write({"email_storage": "delete"})
        env.cr.commit()
        for number in range(2):
            self.deliver(
                make_email(subject=f"In {number}", message_id=f"<in-{number}@c.example>"),
                login=login,
            )
        # The new folder: UIDVALIDITY, UIDNEXT and count the old one's after the cycle.
        self.dovecot.create_folder(login, "Other")
        for number in range(2):
            self.deliver(
                make_email(subject=f"Other {number}", message_id=f"<other-{number}@c.example>"),
                login=login,
                folder="Other",
            )
        self.dovecot.expunge(login, 1, folder="Other")
        self.dovecot.set_uidvalidity(login, "Other", self.dovecot.uidvalidity(login))
        original, changed = ImapSource.cursor_after_changes, []

        def cursor_after_changes(source, cursor):
            if not changed:  # the administrator's write, committed in between
                admin = self._real_env()
                admin["mail.inbox"].browse(inbox.id).write({"mailbox": "Other"})
                admin.cr.commit()
                changed.append(cursor)
            return original(source, cursor)

        self.cycle(inbox)  # both recorded; one processed since (by an earlier batch)
        env.cr.execute(
            "UPDATE mail_inbox_message SET state = 'processed' WHERE inbox_id = %s "
            "AND message_id = 'in-0@c.example'",
            [inbox.id],
        )
        env.cr.commit()
        with patch.object(ImapSource, "cursor_after_changes", cursor_after_changes):
            self.cycle(inbox)  # deletes it from the server (email_storage "delete")
        self.assertTrue(changed, "the server actions deleted mail")
        env.invalidate_all()
        self.cycle(inbox)
        on_server = self.committed_message_ids(inbox, on_server=True)
        self.assertEqual(on_server, ["other-1@c.example"])
