# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply left new by its job while the email it answers waits in another job is
handed on to a job of its own as soon as that email's job is done, without waiting for
the next cycle (issue 13: with two job runners, the replies waited a whole cron
period); never a job after job for a reply whose email keeps failing."""

from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.transaction import LEASE_NS

from . import test_queue_job_inbox


@tagged("post_install", "-at_install")
class TestHandOnLeftReplies(test_queue_job_inbox.TestQueueJobInbox):
    """Only the tests below (Odoo's loader runs no inherited test)."""

    def test_the_emails_job_hands_the_left_reply_on_to_a_job(self):
        """The reply's job runs first and leaves the reply new; the email's job, once
        it made the ticket, hands the reply to a job of its own: no cycle runs, and the
        reply lands on the email's ticket."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        self.run_stored(reply_job)
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later")
        self.run_stored(parent_job)
        self.assertEqual((parent.state, parent.action), ("processed", "created"))
        [updated] = self.run_stored(self.pending_job(reply))
        self.assertEqual(updated, f"Ticket updated: {self.ticket_of(parent).display_name}")
        self.assertEqual((reply.state, reply.action, reply.attempts), ("processed", "updated", 1))
        count = self.env["helpdesk.mail.ticket"].search_count(
            [("mail_inbox_id", "=", self.inbox.id)]
        )
        self.assertEqual(count, 1, "one ticket")
        self.assertFalse(
            self.stored_jobs(parent | reply).filtered(lambda job: job.state != "done"),
            "no job left behind",
        )

    def test_a_failing_email_hands_nothing_on_and_ends_in_error(self):
        """The email's attempts keep failing: its jobs hand the left reply on to no
        job (the email is not done); the cycles retry the email until it is set aside
        in error, and only then is the reply handed on (a ticket of its own)."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals

        def hook(model, email_vals):
            if email_vals["title"] == "Laptop broken":
                raise ConnectionResetError("the integrator's service hung up")
            return original(model, email_vals)

        self.run_stored(reply_job)
        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            self.run_stored(parent_job)
            self.assertFalse(
                self.stored_jobs(reply).filtered(lambda job: job.state == "pending"),
                "a failed attempt hands nothing on",
            )
            for _cycle in range(10):
                if parent.state != "new":
                    break
                self.fetch()
                self.run_stored(self.pending_job(parent))
                jobs = self.stored_jobs(reply).filtered(lambda job: job.state == "pending")
                self.assertLessEqual(len(jobs), 1, "never two jobs for the reply")
                if parent.state == "new":
                    self.run_stored(jobs)  # the cycle's own, left again
                    self.assertEqual((reply.state, reply.attempts), ("new", 0))
        self.assertEqual(parent.state, "error", "set aside, visible")
        self.run_stored(self.pending_job(reply))
        self.assertEqual((reply.state, reply.action), ("processed", "created"))
        self.assertFalse(
            self.stored_jobs(parent | reply).filtered(lambda job: job.state != "done"),
            "no job after job",
        )

    def test_a_reply_another_worker_holds_is_not_handed_on(self):
        """The reply left for later is taken by another worker (its lease) when the
        email's job ends: that worker processes it or counts its attempt, so the job
        hands it on to no job (one that found the lease taken would leave it again,
        job after job, while the holder works)."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        self.run_stored(reply_job)
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later")
        other = api.Environment(db_connect(self.env.cr.dbname).cursor(), SUPERUSER_ID, {})
        self.addCleanup(other.cr.close)
        other.cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, reply.id])
        self.addCleanup(other.cr.execute, "SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, reply.id])
        self.run_stored(parent_job)
        self.assertEqual(parent.state, "processed")
        self.assertFalse(
            self.stored_jobs(reply).filtered(lambda job: job.state == "pending"),
            "no job for a reply another worker holds",
        )
