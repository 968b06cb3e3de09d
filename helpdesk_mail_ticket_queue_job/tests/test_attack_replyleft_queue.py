# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply left new by its job while the email it answers waits in queue_job: never
held for good, never a ticket of its own (attacks on the replyjob change)."""

from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.tests.common import make_email
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from . import test_queue_job_inbox


@tagged("post_install", "-at_install")
class TestReplyLeftByItsJob(test_queue_job_inbox.TestQueueJobInbox):
    """Only the tests below (Odoo's loader runs no inherited test)."""

    def one_ticket(self, email, *replies):
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(tickets, self.ticket_of(email), "one ticket")
        for reply in replies:
            self.assertEqual((reply.state, reply.action), ("processed", "updated"))

    def test_the_emails_job_postponed_by_a_connection_failure(self):
        """The email's job meets a dead server and is postponed by queue_job (pending,
        its retry later); the reply's jobs run meanwhile, cycle after cycle: each leaves
        the reply new. Once the email's retry ran, the reply lands on its ticket."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        port = self.inbox.port
        self.inbox.port = test_queue_job_inbox.closed_port()
        self.env.flush_all()
        job = Job.load(self.env, parent_job.uuid)
        with self.assertRaises(RetryableJobError):
            job.perform()
        job.postpone(result="server gone", seconds=600)
        job.set_pending(reset_retry=False)
        job.store()
        self.inbox.port = port
        self.run_stored(reply_job)
        for _cycle in range(3):
            self.assertEqual(self.fetch()["enqueued"], 1, "the reply alone, again")
            self.run_stored(self.pending_job(reply))
            self.assertEqual((reply.state, reply.attempts), ("new", 0))
        self.assertEqual(parent.state, "new")
        self.run_stored(self.pending_job(parent))
        self.assertEqual(self.fetch()["enqueued"], 0, "the email's job handed the reply on")
        self.run_stored(self.pending_job(reply))
        self.one_ticket(parent, reply)

    def test_a_chain_whose_jobs_run_newest_first(self):
        """An email, a reply, a reply to the reply, one job each, always run newest
        first: each cycle takes one more; one ticket in the end."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.deliver(make_email(subject="Chain", message_id="<qc-1@client.example>"))
        for number in (2, 3):
            refs = " ".join(f"<qc-{n}@client.example>" for n in range(1, number))
            self.deliver(
                make_email(
                    subject="Re: Chain",
                    body=f"Reply {number}.\n",
                    headers={
                        "In-Reply-To": f"<qc-{number - 1}@client.example>",
                        "References": refs,
                    },
                    message_id=f"<qc-{number}@client.example>",
                )
            )
        for _cycle in range(4):
            self.fetch()
            lines = self.ledger().sorted("id", reverse=True)
            for line in lines:
                jobs = self.stored_jobs(line).filtered(lambda job: job.state == "pending")
                if jobs:
                    self.run_stored(jobs)
        email, first, second = self.ledger().sorted("id")
        self.one_ticket(email, first, second)
