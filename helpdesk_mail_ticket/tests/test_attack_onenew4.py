# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on onenew4's two cuts of the one-new cycle: the fresh read of the
synchronization state taking the row lock itself (``FOR NO KEY UPDATE SKIP LOCKED``,
falling back to the read and lock of before when it gets no row), and the processing's
claim reading the inbox's row with the line (its columns put in the ORM's cache)."""

from unittest.mock import patch

import psycopg2

from odoo.tests import tagged

from .common import MailTicketCase
from .test_attack_pollcost import CommittedImapCycle


@tagged("post_install", "-at_install")
class TestAttackOnenew4LockingRead(CommittedImapCycle, MailTicketCase):
    """What happens around the read that locks the row, with real commits (as
    TestAttackUnlockedRead): another worker holding the row there, a conflict in the
    instant between its snapshot and its lock, an administrator's change of mailbox."""

    new_message_id = "<onenew4-new@client.example>"

    def _around_locking_read(self, inbox, before=None, after=None):
        """A cycle of ``inbox`` whose read locking the row (``lock=True``) is preceded
        by ``before(record)`` and followed by ``after()``, once. Returns the cycle's
        counts and what that read answered (``"conflict"`` when it raised one)."""
        inbox_class = type(inbox)
        original, answers = inbox_class._read_state_row, []

        def read_state_row(record, names, recorded=True, lock=False):
            if not (lock and not answers):
                return original(record, names, recorded=recorded, lock=lock)
            if before:
                before(record)
            try:
                answer = original(record, names, recorded=recorded, lock=lock)
            except psycopg2.errors.SerializationFailure:
                answers.append("conflict")
                raise
            answers.append(answer)
            if after:
                after()
            return answer

        with patch.object(inbox_class, "_read_state_row", read_state_row):
            counts = self.cycle(inbox)
        return counts, answers

    def _race_lines(self, env, inbox):
        lines = self.lines(env, inbox)
        self.assertEqual(len(lines), 3, lines)
        self.assertEqual(len({uid for uid, _on in lines}), 3, lines)
        return lines

    def _hold_row(self, other, inbox):
        other.cr.execute("SELECT id FROM mail_inbox WHERE id = %s FOR NO KEY UPDATE", [inbox.id])

    def test_a_row_held_then_written_meanwhile_leaves_the_mail_to_the_next_cycle(self):
        # The fallback's window between its read and its lock (what TestAttackUnlockedRead
        # tested before onenew4): another worker holds the row during the locking read
        # (SKIP LOCKED: no row), then writes it and commits before the lock of before is
        # tried on the older snapshot: not locked, nothing recorded; the next cycle
        # records the mail, once.
        env, inbox = self._imap_inbox()
        other = self._real_env()

        def write_and_release():
            other.cr.execute(
                "UPDATE mail_inbox SET last_run_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                [inbox.id],
            )
            other.cr.commit()

        counts, answers = self._around_locking_read(
            inbox, before=lambda _record: self._hold_row(other, inbox), after=write_and_release
        )
        self.assertEqual(answers, [None], "the locking read got the held row")
        self.assertEqual(counts["new"], 0)
        self.assertEqual(len(self.lines(env, inbox)), 2)
        self.assertEqual(self.cycle(inbox)["new"], 1)
        self._race_lines(env, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 0)
        self._race_lines(env, inbox)

    def test_a_row_held_then_released_unchanged_is_locked_by_the_fallback(self):
        # The holder lets the row go unchanged before the fallback's lock: this cycle
        # records the mail, once, as the read and lock of before did.
        env, inbox = self._imap_inbox()
        other = self._real_env()
        counts, answers = self._around_locking_read(
            inbox, before=lambda _record: self._hold_row(other, inbox), after=other.cr.rollback
        )
        self.assertEqual(answers, [None])
        self.assertEqual(counts["new"], 1)
        self._race_lines(env, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 0)
        self._race_lines(env, inbox)

    def test_a_row_held_through_the_cycle_stalls_nothing(self):
        # Another worker holds the row for the whole cycle: nothing is recorded, the
        # cycle ends without waiting, and the mail is recorded once the row is free.
        env, inbox = self._imap_inbox()
        other = self._real_env()
        counts, answers = self._around_locking_read(
            inbox, before=lambda _record: self._hold_row(other, inbox)
        )
        other.cr.rollback()
        self.assertEqual(answers, [None])
        self.assertEqual(counts["new"], 0)
        self.assertEqual(self.cycle(inbox)["new"], 1)
        self._race_lines(env, inbox)

    def test_a_conflict_between_the_snapshot_and_the_lock_is_read_again(self):
        # The instant between the locking read's snapshot and its lock, widened: the
        # snapshot taken by a statement first, then another worker's write of the row
        # committed. The read fails on the conflict; rolled back, the state is read and
        # locked again on a fresh snapshot: the mail recorded by this cycle, once.
        env, inbox = self._imap_inbox()
        other = self._real_env()

        def snapshot_then_write(record):
            record.env.cr.execute("SELECT 1")
            other.cr.execute(
                "UPDATE mail_inbox SET last_run_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                [inbox.id],
            )
            other.cr.commit()

        counts, answers = self._around_locking_read(inbox, before=snapshot_then_write)
        self.assertEqual(answers, ["conflict"])
        self.assertEqual(counts["new"], 1)
        self._race_lines(env, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 0)
        self._race_lines(env, inbox)

    def test_a_change_of_mailbox_before_the_locking_read_records_nothing(self):
        # An administrator points the inbox at another mailbox after the cycle's first
        # read (its connection is to the old one): the locking read sees the new
        # settings, nothing of the old mailbox is recorded nor its cursor stored, and
        # the row is not left locked (an admin's write after the cycle does not wait).
        env, inbox = self._imap_inbox()
        login, password = self.new_mailbox()

        def change_mailbox(_record):
            admin = self._real_env()
            admin["mail.inbox"].browse(inbox.id).write({"login": login, "password": password})
            admin.cr.commit()

        counts, answers = self._around_locking_read(inbox, before=change_mailbox)
        self.assertEqual(len(answers), 1)
        self.assertTrue(answers[0])
        self.assertEqual(counts["new"], 0)
        uids = [uid for uid, _on in self.lines(env, inbox)]
        self.assertEqual(len(uids), 2, uids)
        check = self._real_env()
        check.cr.execute("SET LOCAL lock_timeout = '5s'")
        check.cr.execute(
            "SELECT sync_cursor FROM mail_inbox WHERE id = %s FOR NO KEY UPDATE NOWAIT",
            [inbox.id],
        )
        self.assertIsNone(check.cr.fetchone()[0], "the old mailbox's cursor stored")
        check.cr.rollback()


@tagged("post_install", "-at_install")
class TestAttackOnenew4ClaimCache(MailTicketCase):
    """The inbox's columns the processing's claim reads with the line are what the ORM
    would put in its cache, whatever the column holds."""

    def _new_line(self):
        return self.env["mail.inbox.message"].create(
            {"inbox_id": self.inbox.id, "uid": "9:1", "server_uid": "9:1", "subject": "Claim"}
        )

    def _claimed_cache(self, line, names):
        inbox = line.inbox_id
        self.env.invalidate_all()
        self.assertTrue(line._claim())
        cache = self.env.cache
        fields_ = inbox._fields
        missing = [name for name in names if not cache.contains(inbox, fields_[name])]
        self.assertEqual(missing, [], "read by the claim but not put in the cache")
        return {name: cache.get(inbox, fields_[name]) for name in names}

    def _orm_cache(self, inbox, names):
        self.env.invalidate_all()
        inbox.fetch(names)
        return {name: self.env.cache.get(inbox, inbox._fields[name]) for name in names}

    def test_the_claims_inbox_columns_are_the_orms(self):
        line = self._new_line()
        names = line._claim_inbox_fields()
        self.assertIn("target_model", names)
        self.assertIn("company_id", names)
        claimed = self._claimed_cache(line, names)
        self.assertEqual(claimed, self._orm_cache(line.inbox_id, names))

    def test_null_columns_are_cached_as_the_orm_caches_them(self):
        # Columns left NULL (a boolean added by a later module's column, a selection
        # or many2one emptied by SQL): the same values in the cache, and in records.
        line = self._new_line()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_inbox SET verify_certificate = NULL, trace = NULL, "
            "ticket_type = NULL, company_id = NULL, port = NULL WHERE id = %s",
            [self.inbox.id],
        )
        names = line._claim_inbox_fields()
        claimed = self._claimed_cache(line, names)
        inbox = line.inbox_id
        as_records = {
            name: inbox[name]
            for name in ("verify_certificate", "trace", "ticket_type", "company_id", "port")
        }
        self.assertEqual(claimed, self._orm_cache(inbox, names))
        self.assertEqual(
            as_records,
            {
                name: inbox[name]
                for name in ("verify_certificate", "trace", "ticket_type", "company_id", "port")
            },
        )
