# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack: a job whose message's kept copy left the file store while the mail server
still has the email."""

import os

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.mailharness.proxy import FaultProxy
from odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message import MAX_ATTEMPTS
from odoo.addons.helpdesk_mail_ticket.tests.common import make_email
from odoo.addons.helpdesk_mail_ticket.transaction import LEASE_NS
from odoo.addons.queue_job.exception import RetryableJobError

from .common import JobCursorCase, trap_jobs


@tagged("post_install", "-at_install")
class TestAttackKeptLostJob(JobCursorCase):
    def setUp(self):
        super().setUp()
        self.inbox.use_queue_job = True

    def perform(self, jobs):
        self.env.flush_all()
        results = [job.perform() for job in jobs]
        self.env.invalidate_all()
        return results

    def fetch_trapped(self):
        with trap_jobs() as trap:
            result = self.fetch()
        return result, list(trap.enqueued_jobs)

    def _error_reset_with_its_copy_lost(self):
        """An email set aside (unknown caller), kept on the server (the default error
        behaviour) and on its line; its caller then known, reset by the admin, and
        its kept file lost."""
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Lost in a job"))
        _result, jobs = self.fetch_trapped()
        self.perform(jobs)
        line = self.ledger()
        self.assertEqual((line.state, line.on_server), ("error", True))
        self.env["res.partner"].create({"name": "Zed", "email": "zed@nowhere.example"})
        line.action_reset_status()
        attachment = line.raw_attachment_id
        os.unlink(attachment._full_path(attachment.store_fname))
        attachment.invalidate_recordset()
        return line

    def test_a_jobs_lost_copy_is_read_again_from_the_server(self):
        """A job of kept copies opens no connection; a copy whose file is lost needs
        one: the email is read again from the server in that job, as a cycle does,
        without a failure logged nor a connection failure counted against it."""
        line = self._error_reset_with_its_copy_lost()
        result, jobs = self.fetch_trapped()
        self.assertEqual(result["enqueued"], 1)
        [outcome] = self.perform(jobs)
        self.assertEqual((line.state, line.action), ("processed", "created"), outcome)
        self.assertEqual(line.connection_failures, 0)
        self.assertFalse(line.download_started)

    def test_a_jobs_first_download_that_kills_the_connection_is_counted(self):
        """A job's opening commit claims its first message and marks its download: a
        death of that download retries the job, and the next run counts it against
        the message (``_count_connection_failure``), up to MAX_ATTEMPTS, then sets it
        aside; no lease is left by any run."""
        uid = self.deliver(make_email(subject="Killer in a job"))
        _result, [job] = self.fetch_trapped()
        proxy = FaultProxy(self.dovecot.imap_port, "imap", reset_uids=[uid]).start()
        self.addCleanup(proxy.stop)
        self.inbox.port = proxy.port
        line = self.ledger()
        for run in range(1, MAX_ATTEMPTS + 1):
            # Not in assertRaises, whose savepoint would undo the run with its error.
            self.env.flush_all()
            retried = None
            try:
                job.recordset._process_job()
            except RetryableJobError as error:
                retried = error
            self.assertIsNotNone(retried, "the job is retried by queue_job")
            self.env.invalidate_all()
            self.assertEqual((line.state, line.attempts), ("new", 0))
            self.assertEqual(line.connection_failures, run - 1)
            self.assertTrue(line.download_started)
            self.env.cr.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %s::oid AND objsubid = 2 AND pid = pg_backend_pid()",
                [LEASE_NS],
            )
            self.assertEqual(self.env.cr.fetchone()[0], 0, f"run {run}")
        self.env.flush_all()
        job.recordset._process_job()
        self.env.invalidate_all()
        self.assertEqual(line.state, "error")
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS)
