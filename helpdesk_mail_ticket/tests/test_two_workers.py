# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Two workers on one new mailbox share it from the start: the one that synchronizes
commits a first batch of lines early and goes on recording, while the other processes
that batch, neither waiting for the other's lock (issue 13: two workers' throughput on
a small inbox). Real connections and commits, a real Dovecot."""

import threading
from unittest.mock import patch

import psycopg2

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from ..transaction import lock_row
from .common import MailTicketCase, make_email

# Longer than any step of these tests takes: a cycle that waits for the other worker's
# lock fails with a lock timeout instead of waiting for ever (the other worker is the
# test's own thread: it would never let go).
LOCK_TIMEOUT = "20s"


@tagged("post_install", "-at_install")
class TestTwoWorkersShareANewMailbox(MailTicketCase):
    def _committed_inbox(self, count):
        """An inbox (committed, so that other connections see it) on a mailbox of its own
        holding ``count`` new requests, never synchronized; batches of 3 messages."""
        mails = [
            make_email(subject=f"Shared {number}", message_id=f"<shared-{number}@c.x>")
            for number in range(count)
        ]
        return self.committed_inbox(mails, "two workers", batch_size=3)

    def _worker(self):
        """Another worker's environment, which fails instead of waiting for a lock."""
        env = self._real_env()
        env.cr.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        return env

    def test_a_cycle_meeting_a_synchronization_does_not_wait_for_its_lock(self):
        # Worker A is recording the mailbox (one step holds the inbox's row). Worker B's
        # cycle leaves the synchronization to it and ends: it neither waits for A's lock
        # (A would be held up, and B too) nor takes the row between A's steps.
        inbox = self._committed_inbox(4)
        worker_a, worker_b = self._worker(), self._worker()
        self.assertTrue(lock_row(worker_a, "mail_inbox", inbox.id, wait=False))
        with patch.object(odoo_module, "current_test", None):
            try:
                result = worker_b["mail.inbox"].browse(inbox.id)._fetch()
            except psycopg2.errors.LockNotAvailable as error:
                self.fail(f"worker B waited for worker A's lock: {error}")
            self.assertFalse(result.get("failure"), result.get("failure"))
            self.assertEqual((result["new"], result["processed"]), (0, 0))
            # B holds nothing of the row: A's next step locks it again at once.
            worker_a.cr.commit()
            self.assertTrue(lock_row(worker_a, "mail_inbox", inbox.id, wait=False))
            worker_a.cr.rollback()

    def test_the_other_worker_processes_the_first_batch_while_the_rest_is_recorded(self):
        # Worker A synchronizes 7 new messages: its first recording step is one batch
        # (3), committed before the headers of the others are read. During its next step,
        # worker B's cycle processes that batch; A then records and processes the rest.
        inbox = self._committed_inbox(7)
        worker_a, worker_b = self._worker(), self._worker()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        inbox_b = worker_b["mail.inbox"].browse(inbox.id)
        record_batch, steps, cycles_b = type(inbox_a)._record_batch, [], []

        def record_batch_while_b_polls(record, source, batch, by_message_id):
            steps.append(len(batch))
            if len(steps) == 2:  # A holds the row for its second step
                cycles_b.append(inbox_b._fetch())
            return record_batch(record, source, batch, by_message_id)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(type(inbox_a), "_record_batch", record_batch_while_b_polls),
        ):
            try:
                result_a = inbox_a._fetch()
            except psycopg2.errors.LockNotAvailable as error:
                self.fail(f"a worker waited for the other's lock: {error}")
        self.assertEqual(steps[0], 3, f"the first step records one batch: {steps}")
        self.assertEqual(sum(steps), 7)
        self.assertEqual(len(cycles_b), 1, "B polled during A's second step")
        self.assertFalse(cycles_b[0].get("failure"), cycles_b[0].get("failure"))
        self.assertEqual(cycles_b[0]["processed"], 3, "B processed the first batch")
        self.assertFalse(result_a.get("failure"), result_a.get("failure"))
        self.assertEqual((result_a["new"], result_a["processed"]), (7, 4))
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(len(lines), 7)
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(set(lines.mapped("attempts")), {1}, "each processed once")
        tickets = check["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)])
        self.assertEqual(len(tickets), 7, "one ticket an email, none twice")
        self.assertTrue(check["mail.inbox"].browse(inbox.id).sync_cursor, "A stored its cursor")

    def _failed_cycle(self, inbox_id, password):
        """A real failed cycle of another worker: the server refuses the login
        (``password`` is put back afterwards, committed)."""
        setup = self._real_env()
        setup["mail.inbox"].browse(inbox_id).password = "not-the-password"
        setup.cr.commit()
        result = self._worker()["mail.inbox"].browse(inbox_id)._fetch()
        self.assertTrue(result.get("failure"), "the cycle failed")
        setup["mail.inbox"].browse(inbox_id).password = password
        setup.cr.commit()

    @staticmethod
    def _until_it_waits_for_a_lock(watch, pid, done):
        """Return once the connection ``pid`` waits for a lock (told by
        pg_stat_activity on ``watch``'s connection, never by time), or once ``done``
        is set."""
        while not done.is_set():
            watch.cr.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                [pid],
            )
            waiting = watch.cr.fetchone()
            watch.cr.rollback()
            if waiting:
                return
            done.wait(0.05)

    def _release_when_waited_for(self, holder, waiter, done, commit=False):
        """In a thread: end ``holder``'s transaction (committed with ``commit``, else
        its worker dies: rolled back) once
        ``waiter``'s connection waits for a lock, or once ``done`` is set (it never
        waited). Told by pg_stat_activity, never by time."""
        watch = self._real_env()
        waiter.cr.execute("SELECT pg_backend_pid()")
        pid = waiter.cr.fetchone()[0]

        def release():
            self._until_it_waits_for_a_lock(watch, pid, done)
            if commit:
                holder.cr.commit()
            else:
                holder.cr.rollback()

        thread = threading.Thread(target=release)
        thread.start()
        return thread

    def test_a_recovery_is_recorded_while_another_worker_holds_the_row(self):
        # The inbox failed twice (the server refused the login); the server is back.
        # Worker A holds the inbox's row (its synchronization) and dies there: its
        # cycle records nothing. Worker B's cycle succeeds meanwhile: the inbox must
        # show it working, its failures counted from 0, or the next transient failure
        # tells the admins that the last 3 polls failed.
        inbox = self._committed_inbox(2)
        password = inbox.password
        with patch.object(odoo_module, "current_test", None):
            # A first cycle records the two messages (and processes none of them).
            first = self._worker()["mail.inbox"].browse(inbox.id)._fetch(limit=0)
            self.assertEqual((first["new"], first["processed"]), (2, 0))
            self._failed_cycle(inbox.id, password)
            self._failed_cycle(inbox.id, password)
            check = self._real_env()
            row = check["mail.inbox"].browse(inbox.id)
            self.assertEqual((row.state, row.failure_count), ("error", 2))
            check.cr.rollback()
            worker_a, worker_b = self._worker(), self._worker()
            self.assertTrue(lock_row(worker_a, "mail_inbox", inbox.id, wait=False))
            done = threading.Event()
            thread = self._release_when_waited_for(worker_a, worker_b, done)
            try:
                result = worker_b["mail.inbox"].browse(inbox.id)._fetch()
            finally:
                done.set()
                thread.join()
            self.assertFalse(result.get("failure"), result.get("failure"))
            self.assertEqual(result["processed"], 2)
            check.invalidate_all()
            self.assertEqual(
                (row.state, row.failure_count),
                ("ok", 0),
                "B's cycle succeeded: the inbox works again",
            )
            check.cr.rollback()
            self._failed_cycle(inbox.id, password)
            check.invalidate_all()
            self.assertEqual(row.failure_count, 1, "one failure since the last success")
            warning = check.ref("mail.mail_activity_data_warning")
            self.assertFalse(
                row.activity_ids.filtered(lambda a: a.activity_type_id == warning),
                "no 'keeps failing' warning after one failure",
            )
            check.cr.rollback()

    def test_a_status_written_between_two_recording_steps_does_not_stop_the_recording(self):
        # Worker A synchronizes 7 new messages in steps (3, then 4). Between the two,
        # worker B's cycle records its failure, which waits for the row (as it must)
        # and so takes it the moment A's first step commits. B is not synchronizing:
        # A's next step must not leave the 4 other messages "to it" (no worker records
        # them before a later cycle).
        inbox = self._committed_inbox(7)
        worker_a, worker_b = self._worker(), self._worker()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        inbox_b = worker_b["mail.inbox"].browse(inbox.id)
        watch = self._real_env()
        worker_a.cr.execute("SELECT pg_backend_pid()")
        pid_a = worker_a.cr.fetchone()[0]
        lock_row_of, calls = type(inbox_a)._lock_row, []
        holding, release = threading.Event(), threading.Event()

        def b_records_its_failure():
            try:
                inbox_b._record_status("Connection reset by peer")
                holding.set()
                # B's cycle ends (its trace, its commit) once A waits for the row, or
                # once A went on without waiting.
                self._until_it_waits_for_a_lock(watch, pid_a, release)
            finally:
                holding.set()
                worker_b.cr.commit()

        def lock_row_between_steps(record, wait=True):
            if record.env.cr is not worker_a.cr or wait:
                return lock_row_of(record, wait=wait)
            calls.append(wait)
            # The 1st: A's synchronization lock; then one a step (a first listing is
            # complete: each step locks the row), the 3rd: its second step's.
            if len(calls) != 3:
                return lock_row_of(record, wait=wait)
            thread = threading.Thread(target=b_records_its_failure)
            thread.start()
            holding.wait()
            try:
                return lock_row_of(record, wait=wait)
            finally:
                release.set()
                self.addCleanup(thread.join)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(type(inbox_a), "_lock_row", lock_row_between_steps),
        ):
            result_a = inbox_a._fetch()
        self.assertGreaterEqual(len(calls), 3, "A recorded in two steps")
        self.assertFalse(result_a.get("failure"), result_a.get("failure"))
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(len(lines), 7, "every listed message recorded by A's cycle")
        self.assertEqual((result_a["new"], result_a["processed"]), (7, 7))
        self.assertTrue(check["mail.inbox"].browse(inbox.id).sync_cursor, "A stored its cursor")

    def test_a_traced_cycle_ends_well_while_another_worker_writes_the_row(self):
        # The inbox's Debug Trace is on. Worker A holds the row, writing it (its own
        # status here; its sync cursor as well). Worker B's cycle goes well and ends
        # with its trace: the trace's write must not turn that cycle into a crash (a
        # serialization failure on the older snapshot, which the cron records as a
        # failure of the inbox).
        inbox = self._committed_inbox(2)
        setup = self._real_env()
        setup["mail.inbox"].browse(inbox.id).write({"trace": True})
        setup.cr.commit()
        with patch.object(odoo_module, "current_test", None):
            first = self._worker()["mail.inbox"].browse(inbox.id)._fetch(limit=0)
            self.assertEqual(first["new"], 2)
            setup.cr.execute(
                "UPDATE mail_inbox SET last_run_date = now() at time zone 'UTC' - interval "
                "'1 hour' WHERE id = %s",
                [inbox.id],
            )
            setup.cr.commit()
            worker_a, worker_b = self._worker(), self._worker()
            worker_a["mail.inbox"].browse(inbox.id)._record_status(None)
            done = threading.Event()
            thread = self._release_when_waited_for(worker_a, worker_b, done, commit=True)
            try:
                result = worker_b["mail.inbox"].browse(inbox.id)._fetch()
            except psycopg2.errors.SerializationFailure as error:
                self.fail(f"B's cycle crashed on its trace: {error}")
            finally:
                done.set()
                thread.join()
            self.assertFalse(result.get("failure"), result.get("failure"))
            self.assertEqual(result["processed"], 2)
            check = self._real_env()
            row = check["mail.inbox"].browse(inbox.id)
            self.assertEqual(row.state, "ok")
            self.assertIn("Cycle ended", row.debug_trace or "", "B's trace is saved")

    def test_new_mail_in_a_synchronized_mailbox_is_shared_from_its_first_batch(self):
        # The mailbox was synchronized before (its cursor stored): 7 new messages come
        # in one incremental listing. As for a new mailbox, worker A's first recording
        # step (one batch, 3) is committed before it records the rest, so that worker
        # B's cycle during A's second step processes that batch.
        inbox = self._committed_inbox(1)
        worker_a, worker_b = self._worker(), self._worker()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        inbox_b = worker_b["mail.inbox"].browse(inbox.id)
        with patch.object(odoo_module, "current_test", None):
            first = inbox_a._fetch()
            self.assertEqual((first["new"], first["processed"]), (1, 1))
            self.assertTrue(inbox_a.sync_cursor, "the first cycle stored its cursor")
            for number in range(7):
                raw = make_email(subject=f"Later {number}", message_id=f"<later-{number}@c.x>")
                self.deliver(raw, login=inbox.login)
            record_batch, steps, cycles_b = type(inbox_a)._record_batch, [], []

            def record_batch_while_b_polls(record, source, batch, by_message_id):
                steps.append(len(batch))
                if len(steps) == 2:  # A holds the row for its second step
                    cycles_b.append(inbox_b._fetch())
                return record_batch(record, source, batch, by_message_id)

            with patch.object(type(inbox_a), "_record_batch", record_batch_while_b_polls):
                try:
                    result_a = inbox_a._fetch()
                except psycopg2.errors.LockNotAvailable as error:
                    self.fail(f"a worker waited for the other's lock: {error}")
        self.assertEqual(steps, [3, 4], "an incremental listing: one batch, then the rest")
        self.assertEqual(len(cycles_b), 1, "B polled during A's second step")
        self.assertFalse(cycles_b[0].get("failure"), cycles_b[0].get("failure"))
        self.assertEqual(cycles_b[0]["processed"], 3, "B processed the first batch")
        self.assertFalse(result_a.get("failure"), result_a.get("failure"))
        self.assertEqual((result_a["new"], result_a["processed"]), (7, 4))
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(len(lines), 8)
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(set(lines.mapped("attempts")), {1}, "each processed once")
