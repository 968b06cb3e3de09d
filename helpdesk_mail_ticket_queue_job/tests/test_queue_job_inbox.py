# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Inboxes on the real Dovecot whose messages are processed by OCA queue_job jobs."""

import socket
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.helpdesk_mail_ticket.mailharness.proxy import FaultProxy
from odoo.addons.helpdesk_mail_ticket.models import mail_inbox_fetch
from odoo.addons.helpdesk_mail_ticket.tests.common import make_email
from odoo.addons.helpdesk_mail_ticket.transaction import LEASE_NS
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import JobCursorCase, trap_jobs

CHANNEL = "root.helpdesk_mail_ticket"


def closed_port():
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestQueueJobInbox(JobCursorCase):
    def perform(self, jobs):
        """Run jobs as queue_job's runner would, each in its own cursor; their results."""
        self.env.flush_all()
        results = [job.perform() for job in jobs]
        self.env.invalidate_all()
        return results

    def fetch_trapped(self, inbox=None):
        """A cycle whose jobs are trapped (not stored); returns (result, jobs)."""
        with trap_jobs() as trap:
            result = self.fetch(inbox)
        return result, list(trap.enqueued_jobs)

    def stored_jobs(self, lines):
        """The jobs stored for any of these lines (of one message or a batch)."""
        jobs = self.env["queue.job"].search(
            [("model_name", "=", "mail.inbox.message"), ("method_name", "=", "_process_job")],
            order="id",
        )
        return jobs.filtered(lambda job: job.records & lines)

    def setUp(self):
        super().setUp()
        self.inbox.use_queue_job = True

    def test_the_option_is_off_by_default(self):
        """Installing the module changes no inbox (nor the main addon's tests)."""
        login, password = self.new_mailbox()
        self.assertFalse(self.create_inbox(login, password).use_queue_job)

    def test_a_cycle_enqueues_one_job_per_batch_of_new_messages(self):
        """New messages go to jobs as a cycle cuts its batches: one job for up to
        ``batch_size`` messages, each job processing its messages on one connection
        (a job a message opened a connection and ran a cycle per message)."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "2")
        for number, subject in enumerate(["Printer jam", "VPN down", "No sound"]):
            self.deliver(make_email(subject=subject, message_id=f"<qj-{number}@client.example>"))
        with trap_jobs() as trap:
            result = self.fetch()
            lines = self.ledger().sorted("id")
            self.assertEqual(lines.mapped("state"), ["new"] * 3, "nothing processed yet")
            self.assertEqual((result["new"], result["enqueued"]), (3, 3))
            self.assertEqual((result["processed"], result["remaining"]), (0, 0))
            trap.assert_jobs_count(2)
            self.assertEqual([job.recordset for job in trap.enqueued_jobs], [lines[:2], lines[2:]])
            trap.assert_enqueued_job(
                lines[:2]._process_job,
                properties={
                    "identity_key": lines[:2]._job_identity_key(),
                    "description": f"2 incoming eMails of the inbox {self.inbox.name}",
                },
            )
            trap.assert_enqueued_job(
                lines[2]._process_job,
                properties={
                    "identity_key": lines[2]._job_identity_key(),
                    "description": f"Incoming eMail {lines[2].uid} of the inbox {self.inbox.name}",
                },
            )
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {CHANNEL})
            self.assertTrue(all(job.job_config.allow_commit for job in trap.enqueued_jobs))
            jobs = list(trap.enqueued_jobs)
        with FaultProxy(self.dovecot.imap_port) as proxy:
            self.inbox.port = proxy.port
            results = self.perform(jobs)
            self.assertEqual(proxy.connections, 2, "one connection a job")
        self.assertEqual(lines.mapped("state"), ["processed"] * 3)
        self.assertEqual(lines.mapped("action"), ["created"] * 3)
        tickets = [self.ticket_of(line) for line in lines]
        self.assertEqual([t.name for t in tickets], ["Printer jam", "VPN down", "No sound"])
        self.assertEqual({t.partner_id for t in tickets}, {self.alice})
        self.assertEqual(
            results[0].splitlines(),
            [
                f"{line.uid}: Ticket created: {ticket.display_name}"
                for line, ticket in zip(lines[:2], tickets[:2], strict=True)
            ],
        )
        self.assertEqual(results[1], f"Ticket created: {tickets[2].display_name}")
        self.assertTrue(all(line.trace for line in lines), "each job traces its messages")

    def test_a_failing_message_in_a_jobs_batch_is_set_aside_alone(self):
        """A message of a job's batch that cannot be processed ends in error alone; the
        messages beside it in the same job are processed once."""
        self.deliver(make_email(subject="Before", message_id="<qj-a@client.example>"))
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Who am I"))
        self.deliver(make_email(subject="After", message_id="<qj-b@client.example>"))
        _result, jobs = self.fetch_trapped()
        self.assertEqual(len(jobs), 1)
        [result] = self.perform(jobs)
        lines = self.ledger().sorted("id")
        self.assertEqual(lines.mapped("state"), ["processed", "error", "processed"])
        self.assertEqual(lines.mapped("attempts"), [1, 1, 1])
        self.assertIn(f"{lines[1].uid}: Error: Unknown caller (zed@nowhere.example)", result)
        count = self.env["helpdesk.mail.ticket"].search_count(
            [("mail_inbox_id", "=", self.inbox.id)]
        )
        self.assertEqual(count, 2)

    def test_a_message_in_a_pending_batch_job_gets_no_second_job(self):
        """A message a pending batch job holds is not handed to another job, nor is a
        message an earlier version's job of one message holds."""
        for number in range(3):
            self.deliver(make_email(subject=f"Held {number}"))
        self.assertEqual(self.fetch()["enqueued"], 3)
        lines = self.ledger().sorted("id")
        self.assertEqual(len(self.stored_jobs(lines)), 1)
        self.assertEqual(lines._with_pending_job(), lines)
        self.deliver(make_email(subject="Later"))
        second = self.fetch()
        self.assertEqual((second["new"], second["enqueued"]), (1, 1))
        self.assertEqual(len(self.stored_jobs(self.ledger())), 2)

    def test_pending_jobs_are_read_whichever_way_queue_job_stores_their_records(self):
        """A message held by an earlier version's job of one message and by a batch job
        is found once; a done job holds nothing; records stored as a JSON object (not
        as JSON text) are read the same."""
        for number in range(3):
            self.deliver(make_email(subject=f"Stored {number}"))
        self.assertEqual(self.fetch()["enqueued"], 3)
        lines = self.ledger().sorted("id")
        batch_job = self.stored_jobs(lines)
        lines[0].with_delay(identity_key=lines[0]._job_identity_key())._process_job()
        lines[2].with_delay(identity_key=lines[2]._job_identity_key())._process_job()
        done = self.stored_jobs(lines[2]) - batch_job
        done.write({"state": "done"})
        self.assertEqual(lines._with_pending_job(), lines)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET records = (records #>> '{}')::jsonb WHERE id = %s",
            [batch_job.id],
        )
        self.env.cr.execute(
            "SELECT jsonb_typeof(records) FROM queue_job WHERE id = %s", [batch_job.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], "object")
        self.assertEqual(lines._with_pending_job(), lines)
        batch_job.invalidate_recordset()
        batch_job.write({"state": "done"})
        self.assertEqual(lines._with_pending_job(), lines[0])

    def test_jobs_create_and_update_tickets_as_a_cycle_does(self):
        self.deliver(make_email(subject="Screen flickers", message_id="<qj-3@client.example>"))
        _result, jobs = self.fetch_trapped()
        [created] = self.perform(jobs)
        ticket = self.ticket_of(self.ledger())
        self.assertEqual(created, f"Ticket created: {ticket.display_name}")
        reply = make_email(
            subject="Re: Screen flickers",
            body="It flickers more today.\n\nOn Monday, Alice wrote:\n> Screen flickers\n",
            headers={"In-Reply-To": "<qj-3@client.example>"},
            message_id="<qj-4@client.example>",
        )
        self.deliver(reply)
        result, jobs = self.fetch_trapped()
        self.assertEqual(result["enqueued"], 1)
        [updated] = self.perform(jobs)
        self.assertEqual(updated, f"Ticket updated: {ticket.display_name}")
        lines = self.ledger().sorted("id")
        self.assertEqual(lines.mapped("action"), ["created", "updated"])
        self.assertEqual({self.ticket_of(line) for line in lines}, {ticket})
        update = ticket.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
            )
        )
        self.assertEqual(len(update), 1)
        self.assertIn("It flickers more today.", update.body)
        self.assertNotIn("On Monday", update.body)

    def test_a_second_cycle_enqueues_nothing_while_the_jobs_are_pending(self):
        for number in range(3):
            self.deliver(make_email(subject=f"Pending {number}"))
        first = self.fetch()
        lines = self.ledger()
        jobs = self.stored_jobs(lines)
        self.assertEqual(first["enqueued"], 3)
        self.assertEqual(len(jobs), 1, "one batch")
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        self.assertEqual(set(jobs.mapped("method_name")), {"_process_job"})
        self.assertEqual(jobs.records.ids, lines.sorted("id").ids)
        second = self.fetch()
        self.assertEqual((second["new"], second["enqueued"], second["remaining"]), (0, 0, 0))
        self.assertEqual(self.stored_jobs(lines), jobs, "no second job for a message")
        # queue_job's own identity check refuses a duplicate too.
        lines._enqueue_process_job()
        self.assertEqual(self.stored_jobs(lines), jobs)
        self.perform([Job.load(self.env, job.uuid) for job in jobs])
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(self.fetch()["enqueued"], 0, "processed messages get no job")

    def test_a_cycle_enqueues_within_its_budget_then_the_rest(self):
        for number in range(3):
            self.deliver(make_email(subject=f"Budget {number}"))
        first = self.inbox._fetch(limit=2)
        self.assertEqual((first["enqueued"], first["remaining"]), (2, 1))
        second = self.inbox._fetch(limit=2)
        self.assertEqual(
            (second["enqueued"], second["remaining"]), (1, 0), "the messages left, not the same"
        )
        self.assertEqual(len(self.stored_jobs(self.ledger())), 2)

    def test_a_message_whose_job_gave_up_is_enqueued_again(self):
        self.deliver(make_email(subject="Given up"))
        self.fetch()
        line = self.ledger()
        job = Job.load(self.env, self.stored_jobs(line).uuid)
        job.set_failed(exc_name="RetryableJobError")
        job.store()
        self.assertEqual(self.fetch()["enqueued"], 1, "nothing lost: a new job")
        jobs = self.stored_jobs(line)
        self.assertEqual(jobs.mapped("state"), ["failed", "pending"])
        self.perform([Job.load(self.env, jobs[1].uuid)])
        self.assertEqual(line.state, "processed")

    def test_a_job_for_a_message_processed_meanwhile_does_nothing(self):
        self.deliver(make_email(subject="Processed meanwhile"))
        _result, jobs = self.fetch_trapped()
        line = self.ledger()
        with self.inbox._open_source() as source:
            self.assertEqual(line._process(source, self.inbox._get_parse_settings()), "processed")
        ticket = self.ticket_of(line)
        attempts = line.attempts
        [result] = self.perform(jobs)
        self.assertEqual(result, f"Ticket created: {ticket.display_name}")
        self.assertEqual((line.state, line.attempts), ("processed", attempts))
        count = self.env["helpdesk.mail.ticket"].search_count(
            [("mail_inbox_id", "=", self.inbox.id)]
        )
        self.assertEqual(count, 1)

    def test_a_job_leaves_a_message_another_worker_holds(self):
        self.deliver(make_email(subject="Held elsewhere"))
        _result, jobs = self.fetch_trapped()
        line = self.ledger()
        # Another worker (a cycle, another job) holds the message's lease.
        other = api.Environment(db_connect(self.env.cr.dbname).cursor(), SUPERUSER_ID, {})
        self.addCleanup(other.cr.close)
        other.cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, line.id])
        self.addCleanup(other.cr.execute, "SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, line.id])
        [result] = self.perform(jobs)
        self.assertIn("another worker has it", result)
        self.assertEqual((line.state, line.attempts), ("new", 0))
        self.assertFalse(self.ticket_of(line))

    def test_a_connection_failure_is_retried_by_queue_job(self):
        self.deliver(make_email(subject="Server gone"))
        _result, [job] = self.fetch_trapped()
        self.inbox.port = closed_port()
        with self.assertRaises(RetryableJobError) as caught:
            self.perform([job])
        self.assertIn("refused the connection", str(caught.exception))
        line = self.ledger()
        self.assertEqual((line.state, line.attempts), ("new", 0), "nothing lost")
        self.assertFalse(self.ticket_of(line))

    def test_a_kept_copy_is_processed_without_connecting(self):
        """An email set aside (its copy kept), gone from the server, then reset once
        its caller is known: its job reads the copy, never the mail server."""
        self.inbox.error_behavior = "delete"
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Kept copy"))
        _result, jobs = self.fetch_trapped()
        self.perform(jobs)
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.fetch_trapped()
        self.assertEqual((self.server_uids(), line.on_server), ([], False))
        self.assertTrue(line.raw_attachment_id)
        self.env["res.partner"].create({"name": "Zed", "email": "zed@nowhere.example"})
        line.action_reset_status()
        result, jobs = self.fetch_trapped()
        self.assertEqual(result["enqueued"], 1)
        self.inbox.port = closed_port()
        [outcome] = self.perform(jobs)
        self.assertEqual((line.state, line.action), ("processed", "created"), outcome)
        self.assertEqual(outcome, f"Ticket created: {self.ticket_of(line).display_name}")

    def test_a_kept_copy_batched_with_server_mail_needs_no_server(self):
        """A kept copy reset by an admin goes into the same job as new mail on the
        server: when the server is out of reach, the copy is processed all the same
        (it needs no connection, as in a job of its own) and the job is retried for
        the rest."""
        self.inbox.error_behavior = "delete"
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Kept copy"))
        _result, jobs = self.fetch_trapped()
        self.perform(jobs)
        kept = self.ledger()
        self.fetch_trapped()
        self.assertEqual((kept.state, kept.on_server), ("error", False))
        self.assertTrue(kept.raw_attachment_id)
        self.env["res.partner"].create({"name": "Zed", "email": "zed@nowhere.example"})
        kept.action_reset_status()
        self.deliver(make_email(subject="On the server"))
        result, jobs = self.fetch_trapped()
        fresh = self.ledger() - kept
        self.assertEqual((result["enqueued"], len(jobs)), (2, 1), "one job for both")
        self.assertEqual(jobs[0].recordset, kept | fresh)
        self.inbox.port = closed_port()
        # Called as queue_job's runner calls it, in the test's transaction: a test's
        # commits are none, and queue_job's cursor (as Odoo's assertRaises) would undo
        # the job with its error.
        self.env.flush_all()
        try:
            jobs[0].recordset._process_job()
        except RetryableJobError as error:
            self.assertIn("refused the connection", str(error))
        else:
            self.fail("the job is retried by queue_job")
        self.env.invalidate_all()
        self.assertEqual((kept.state, kept.action), ("processed", "created"))
        self.assertEqual((fresh.state, fresh.attempts), ("new", 0), "retried by queue_job")
        self.assertFalse(self.ticket_of(fresh))

    def test_processed_mail_leaves_the_server_at_the_next_cycle(self):
        self.inbox.email_storage = "delete"
        self.deliver(make_email(subject="Delete me"))
        _result, jobs = self.fetch_trapped()
        self.perform(jobs)
        line = self.ledger()
        self.assertEqual(line.state, "processed")
        self.assertEqual(len(self.server_uids()), 1, "a job touches only its message")
        result, jobs = self.fetch_trapped()
        self.assertEqual((result["enqueued"], jobs), (0, []))
        self.assertEqual(self.server_uids(), [], "deleted by the next cycle")
        self.assertFalse(line.on_server)

    def test_an_error_is_set_aside_and_warned_of_as_a_cycle_does(self):
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Who am I"))
        _result, jobs = self.fetch_trapped()
        with patch.object(mail_inbox_fetch, "ERRORS_BEFORE_WARNING", 1):
            [result] = self.perform(jobs)
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.assertEqual(result, "Error: Unknown caller (zed@nowhere.example)")
        warning = self.env.ref("mail.mail_activity_data_warning")
        self.assertEqual(
            self.inbox.activity_ids.filtered(lambda a: a.activity_type_id == warning).summary,
            f"Messages in error pile up in {self.inbox.name}",
        )

    def test_an_inbox_with_the_option_off_processes_in_the_cycle(self):
        self.inbox.use_queue_job = False
        self.deliver(make_email(subject="Inline please"))
        with trap_jobs() as trap:
            result = self.fetch()
            trap.assert_jobs_count(0)
        self.assertEqual((result["processed"], result.get("enqueued")), (1, None))
        line = self.ledger()
        self.assertEqual((line.state, line.action), ("processed", "created"))
        self.assertEqual(self.ticket_of(line).name, "Inline please")

    def test_fetch_now_tells_how_many_messages_went_to_jobs(self):
        self.deliver(make_email(subject="Fetch now"))
        with trap_jobs() as trap:
            action = self.inbox.action_fetch_now()
            trap.assert_jobs_count(1)
        self.assertEqual(action["params"]["message"], "1 new message(s), 1 handed to queue jobs.")

    def test_fetch_now_is_bounded_and_leaves_the_rest_to_the_cron(self):
        """As the main addon's Fetch now: at most a run's budget in the request."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "2")
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")
        before = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        for number in range(3):
            self.deliver(make_email(subject=f"Fetch now {number}"))
        with trap_jobs() as trap:
            action = self.inbox.action_fetch_now()
            trap.assert_jobs_count(1)
        self.assertIn("2 handed to queue jobs", action["params"]["message"])
        self.assertIn("1 more", action["params"]["message"])
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - before
        self.assertTrue(triggers, "the cron is triggered for the rest")

    def test_a_pop3_inbox_hands_its_messages_to_jobs(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", use_queue_job=True)
        self.deliver(make_email(subject="By POP3"), login=login)
        result, jobs = self.fetch_trapped(inbox)
        self.assertEqual(result["enqueued"], 1)
        self.perform(jobs)
        line = self.ledger(inbox)
        self.assertEqual((line.state, line.action), ("processed", "created"))
        self.assertEqual(self.ticket_of(line).name, "By POP3")

    def _parent_and_reply_in_two_jobs(self):
        """A customer's email and the customer's reply to it, recorded by one cycle and
        handed to two jobs (batches of one message): ``(parent, reply, parent's job,
        reply's job)``, the jobs stored as queue_job stores them, none started."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.deliver(make_email(subject="Laptop broken", message_id="<qj-parent@client.example>"))
        self.deliver(
            make_email(
                subject="Re: Laptop broken",
                body="It does not start at all now.\n",
                headers={
                    "In-Reply-To": "<qj-parent@client.example>",
                    "References": "<qj-parent@client.example>",
                },
                message_id="<qj-reply@client.example>",
            )
        )
        self.assertEqual(self.fetch()["enqueued"], 2)
        parent, reply = self.ledger().sorted("id")
        parent_job, reply_job = self.stored_jobs(parent), self.stored_jobs(reply)
        self.assertEqual((len(parent_job), len(reply_job)), (1, 1), "two jobs")
        self.assertNotEqual(parent_job, reply_job)
        return parent, reply, parent_job, reply_job

    def run_stored(self, jobs):
        """Run stored jobs as queue_job's runner does (``_try_perform_job``: performed,
        then done and stored), in this order; their results."""
        self.env.flush_all()
        loaded = [Job.load(self.env, job.uuid) for job in jobs]
        for job in loaded:
            RunJobController._try_perform_job(self.env, job)
        self.env.invalidate_all()
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        return [job.result for job in loaded]

    def pending_job(self, line):
        """The one job pending for this line."""
        [job] = self.stored_jobs(line).filtered(lambda job: job.state == "pending")
        return job

    def test_a_reply_whose_job_runs_before_its_emails_job_updates_its_ticket(self):
        """The reply's job runs first, before the job of the email it answers has even
        started: the reply must not make a ticket of its own. Once the email's job has
        run (and, if the reply was left for later, the job it hands the reply on to), there is one
        ticket, made by the email and updated by the reply."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        [left] = self.run_stored(reply_job)
        self.assertIn("retried by the next cycle", left)
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later, uncounted")
        self.assertFalse(self.ticket_of(reply))
        self.run_stored(parent_job)
        self.assertEqual(self.fetch()["enqueued"], 0, "the email's job handed the reply on")
        self.run_stored(self.pending_job(reply))
        self.assertEqual((parent.state, parent.action), ("processed", "created"))
        self.assertEqual((reply.state, reply.action), ("processed", "updated"))
        ticket = self.ticket_of(parent)
        self.assertEqual(self.ticket_of(reply), ticket, "the reply is on the email's ticket")
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(tickets, ticket, "one ticket, not two")
        self.assertIn("It does not start at all now.", "".join(ticket.message_ids.mapped("body")))

    def test_a_reply_is_not_held_back_by_an_unrelated_email_in_a_job_not_started(self):
        """An older email whose job has not started, whose Message-ID the cycle read
        when it recorded it, is not the one the reply answers: the reply's job updates
        the ticket at once instead of leaving the reply for the next cycle."""
        self.deliver(make_email(subject="Screen dark", message_id="<qj-dark@client.example>"))
        _result, jobs = self.fetch_trapped()
        self.perform(jobs)
        ticket = self.ticket_of(self.ledger())
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.deliver(make_email(subject="Mouse lost", message_id="<qj-mouse@client.example>"))
        self.deliver(
            make_email(
                subject="Re: Screen dark",
                body="Still dark.\n",
                headers={"In-Reply-To": "<qj-dark@client.example>"},
                message_id="<qj-dark-2@client.example>",
            )
        )
        self.assertEqual(self.fetch()["enqueued"], 2)
        unrelated, reply = self.ledger().sorted("id")[1:]
        self.assertEqual(unrelated.message_id, "qj-mouse@client.example", "read when recorded")
        [updated] = self.run_stored(self.stored_jobs(reply))
        self.assertEqual(updated, f"Ticket updated: {ticket.display_name}")
        self.assertEqual((unrelated.state, unrelated.attempts), ("new", 0), "its job not started")

    def test_a_reply_whose_emails_job_failed_once_waits_for_its_retry(self):
        """The email's job runs first but its attempt fails (an integrator's hook, once);
        the reply's jobs then run before the email's next job, twice: each leaves the
        reply new. Once the email's retry made its ticket, the reply updates it."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals

        def hook(model, email_vals):
            if email_vals["title"] == "Laptop broken":
                raise ConnectionResetError("the integrator's service hung up")
            return original(model, email_vals)

        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            self.run_stored(parent_job)
        self.assertEqual((parent.state, parent.attempts), ("new", 1))
        self.run_stored(reply_job)
        self.assertEqual(self.fetch()["enqueued"], 2, "both handed to jobs again")
        parent_retry, reply_again = self.pending_job(parent), self.pending_job(reply)
        self.run_stored(reply_again)
        self.assertEqual((reply.state, reply.attempts), ("new", 0))
        self.run_stored(parent_retry)
        self.assertEqual(self.fetch()["enqueued"], 0, "the email's job handed the reply on")
        self.run_stored(self.pending_job(reply))
        self.assertEqual(
            (parent.state, parent.action, parent.attempts), ("processed", "created", 2)
        )
        self.assertEqual((reply.state, reply.action, reply.attempts), ("processed", "updated", 1))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(parent))
        count = self.env["helpdesk.mail.ticket"].search_count(
            [("mail_inbox_id", "=", self.inbox.id)]
        )
        self.assertEqual(count, 1)

    def test_a_reply_whose_job_runs_before_its_emails_job_in_another_inbox(self):
        """The email lands in this inbox, the reply in another inbox's mailbox; both
        cycles hand them to jobs, and the reply's job runs first: it leaves the reply
        for the next cycle instead of making a ticket of its own, and the reply then
        updates the ticket the email's job made."""
        login, password = self.new_mailbox()
        other = self.create_inbox(login, password, use_queue_job=True)
        self.deliver(make_email(subject="Dock dead", message_id="<qx-1@client.example>"))
        self.deliver(
            make_email(
                subject="Re: Dock dead",
                body="Not even the power light.\n",
                headers={"In-Reply-To": "<qx-1@client.example>"},
                message_id="<qx-2@client.example>",
            ),
            login=login,
        )
        self.assertEqual(self.fetch()["enqueued"], 1)
        self.assertEqual(self.fetch(other)["enqueued"], 1)
        [email], [reply] = self.ledger(), self.ledger(other)
        [left] = self.run_stored(self.stored_jobs(reply))
        self.assertIn("retried by the next cycle", left)
        self.assertEqual((reply.state, reply.attempts), ("new", 0))
        self.assertIn("another inbox", reply.reason)
        self.run_stored(self.stored_jobs(email))
        self.assertEqual(self.fetch(other)["enqueued"], 1, "the next cycle hands the reply on")
        self.run_stored(self.pending_job(reply))
        self.assertEqual((email.action, reply.action), ("created", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(email))
        self.assertFalse(
            self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", other.id)]),
            "no ticket of the reply's own",
        )

    def test_one_email_to_two_inboxes_naming_itself(self):
        """One email sent to two addresses, whose References name its own Message-ID:
        both cycles hand their copy to a job before either runs. Neither copy waits
        for the other: the first makes the ticket, the second is its duplicate."""
        login, password = self.new_mailbox()
        other = self.create_inbox(login, password, use_queue_job=True)
        raw = make_email(
            subject="Loop",
            headers={"References": "<qs-0@client.example> <qs-1@client.example>"},
            message_id="<qs-1@client.example>",
        )
        self.deliver(raw)
        self.deliver(raw, login=login)
        self.assertEqual(self.fetch()["enqueued"], 1)
        self.assertEqual(self.fetch(other)["enqueued"], 1)
        [first], [second] = self.ledger(), self.ledger(other)
        self.run_stored(self.stored_jobs(first) | self.stored_jobs(second))
        self.assertEqual((first.state, second.state), ("processed", "processed"), second.reason)
        self.assertEqual((first.action, second.action), ("created", "duplicate"))
        self.assertEqual(self.ticket_of(second), self.ticket_of(first))
