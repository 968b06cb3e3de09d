# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack: a POP3 job whose server's listing became unreadable after its cycle.

A POP3 session keeps its LIST and UIDL answers as sent and reads them when first
asked. A job processes its messages on a connection of its own, without a
synchronization: the first to ask is the download of its first message, whose
download is already marked started."""

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.mailharness.proxy import FaultProxy
from odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message import MAX_ATTEMPTS
from odoo.addons.helpdesk_mail_ticket.tests.common import make_email
from odoo.addons.queue_job.exception import RetryableJobError

from .common import JobCursorCase, trap_jobs


@tagged("post_install", "-at_install")
class TestAttackPop3UnreadableListingJob(JobCursorCase):
    def test_an_unreadable_listing_fails_the_job_not_its_message(self):
        """The server answers UIDL with a line no client can read (a message it lists
        without its key) once the job runs: each run fails on the server's answer,
        named as it is, and never counts against the message waiting in the job, which
        a readable listing then processes."""
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", use_queue_job=True)
        self.deliver(make_email(subject="Waiting in a job"), login=login)
        with trap_jobs() as trap:
            self.assertEqual(self.fetch(inbox)["enqueued"], 1)
        [job] = trap.enqueued_jobs
        line = self.ledger(inbox)
        self.deliver(make_email(subject="Listed without its key"), login=login)
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_keyless=[2]).start()
        self.addCleanup(proxy.stop)
        inbox.port = proxy.port
        for run in range(1, MAX_ATTEMPTS + 2):
            # Not in assertRaises, whose savepoint would undo the run with its error.
            self.env.flush_all()
            retried = None
            try:
                job.recordset._process_job()
            except RetryableJobError as error:
                retried = error
            self.assertIsNotNone(retried, f"run {run}: the job is retried by queue_job")
            self.assertIn("Unreadable UIDL answer", str(retried))
            self.assertNotIn("connection died", str(retried))
            self.env.invalidate_all()
            self.assertEqual(line.state, "new", f"run {run}")
            self.assertEqual(line.connection_failures, 0, f"run {run}")
        inbox.port = self.dovecot.pop3_port
        self.env.flush_all()
        job.recordset._process_job()
        self.env.invalidate_all()
        self.assertEqual((line.state, line.action), ("processed", "created"))
