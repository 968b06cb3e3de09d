# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A worker that cannot take an inbox's synchronization lock (another worker holds it)
lists nothing on the server: the listing is the holder's to make and record."""

from unittest.mock import patch

from odoo.tests import tagged

from .common import make_email
from .test_poll_cost import imap_commands
from .test_pop3_idle import Pop3IdleCase


@tagged("post_install", "-at_install")
class TestSyncLockFirst(Pop3IdleCase):
    def _sync_while_another_worker_holds_the_lock(self, inbox):
        """One cycle of ``inbox`` whose synchronization runs while another worker holds
        the inbox's row lock; returns the cycle's counts and the IMAP commands its
        synchronization sent."""
        inbox_class = type(inbox)
        holder, original, sent = self._real_env(), inbox_class._sync_mailbox, []

        def sync_mailbox(record, source):
            holder.cr.execute(
                "SELECT id FROM mail_inbox WHERE id = %s FOR NO KEY UPDATE", [record.id]
            )
            try:
                with imap_commands() as commands:
                    result = original(record, source)
                sent.extend(commands)
                return result
            finally:
                holder.cr.rollback()

        with patch.object(inbox_class, "_sync_mailbox", sync_mailbox):
            counts = self.cycle(inbox)
        return counts, sent

    def test_the_worker_without_the_lock_lists_nothing(self):
        env, login, inbox = self._committed_inbox(
            count=2, port=self.dovecot.imap_port, protocol="imap"
        )
        self.cycle(inbox)
        cursor = self.cursor_of(env, inbox)
        self.deliver(make_email(message_id="<lock-first@client.example>"), login=login)
        counts, sent = self._sync_while_another_worker_holds_the_lock(inbox)
        self.assertEqual(counts["new"], 0, "left to the worker holding the lock")
        self.assertEqual(sent, [], "no listing sent by the worker without the lock")
        self.assertEqual(len(self.lines(env, inbox)), 2)
        self.assertEqual(self.cursor_of(env, inbox), cursor, "no state written")
        self.assertEqual(self.cycle(inbox)["new"], 1, "recorded once the lock is free")

    @staticmethod
    def cursor_of(env, inbox):
        check = env.registry.cursor()
        try:
            check.execute("SELECT sync_cursor FROM mail_inbox WHERE id = %s", [inbox.id])
            return check.fetchone()[0]
        finally:
            check.close()


@tagged("post_install", "-at_install")
class TestMailboxChangedDuringCycle(Pop3IdleCase):
    """An administrator points the inbox at another folder while a cycle, connected to
    the old one, is under way: that cycle must not store the old folder's cursor over
    the reset (the next cycle would take the new folder, of the same UIDVALIDITY, for
    the old one and never record its mail)."""

    def _inbox_cycled_and_other_folder(self):
        """An IMAP inbox on INBOX (two mails, recorded by a cycle) and the folder Other
        (INBOX's UIDVALIDITY) holding two other mails."""
        env, login, inbox = self._committed_inbox(
            count=2, port=self.dovecot.imap_port, protocol="imap"
        )
        self.cycle(inbox)
        self.dovecot.create_folder(login, "Other")
        for number in range(2):
            self.deliver(
                make_email(message_id=f"<other-{number}@c.x>"), login=login, folder="Other"
            )
        self.dovecot.set_uidvalidity(login, "Other", self.dovecot.uidvalidity(login))
        return env, login, inbox

    def _assert_the_new_folder_recorded(self, env, inbox):
        self.assertEqual(self.cycle(inbox)["new"], 2, "the new folder's mail recorded")
        self.assertEqual(sum(on for _uid, on in self.lines(env, inbox)), 2)

    def test_a_cycle_connected_to_the_old_mailbox_stores_nothing(self):
        env, _login, inbox = self._inbox_cycled_and_other_folder()
        admin, inbox_class = self._real_env(), type(inbox)
        original = inbox_class._read_sync_state

        def read_sync_state(record):
            # The admin's change, committed once the cycle has connected to INBOX.
            admin["mail.inbox"].browse(record.id).write({"mailbox": "Other"})
            admin.cr.commit()
            return original(record)

        with patch.object(inbox_class, "_read_sync_state", read_sync_state):
            self.cycle(inbox)
        self._assert_the_new_folder_recorded(env, inbox)

    def test_a_cycle_that_finds_new_mail_in_the_old_mailbox_stores_nothing(self):
        # The admin's change committed while the cycle connects, after its first read
        # (which an idle cycle goes on with), and mail arrived in the old folder: the
        # change is read on a fresh snapshot before anything is recorded or stored.
        env, login, inbox = self._inbox_cycled_and_other_folder()
        self.deliver(make_email(message_id="<old-folder@c.x>"), login=login)
        admin, inbox_class, done = self._real_env(), type(inbox), []
        original = inbox_class._open_source

        def open_source(record, *args, **kwargs):
            if not done:
                done.append(True)
                admin["mail.inbox"].browse(record.id).write({"mailbox": "Other"})
                admin.cr.commit()
            return original(record, *args, **kwargs)

        with patch.object(inbox_class, "_open_source", open_source):
            self.assertEqual(self.cycle(inbox)["new"], 0)
        self.assertEqual(done, [True])
        self._assert_the_new_folder_recorded(env, inbox)
