# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

import psycopg2

from odoo import models

from odoo.addons.helpdesk_mail_ticket.mailsource import MailSourceError
from odoo.addons.helpdesk_mail_ticket.models.mail_inbox import InboxTrace
from odoo.addons.helpdesk_mail_ticket.transaction import LEASE_NS
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import ENQUEUED, PENDING, STARTED, WAIT_DEPENDENCIES

_logger = logging.getLogger(__name__)

# A job in one of these states is about to process its message, or is processing it.
ACTIVE_JOB_STATES = [WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED]
# A job in one of these states has not started: it will run, and see what is new then.
NOT_STARTED_JOB_STATES = [WAIT_DEPENDENCIES, PENDING, ENQUEUED]


class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"

    def _job_identity_key(self):
        """The identity of the job of these messages: queue_job enqueues no second job
        with it while one is pending (one message's key is the one earlier versions
        gave its job)."""
        ids = ",".join(str(message_id) for message_id in sorted(self.ids))
        return f"helpdesk_mail_ticket:mail.inbox.message:{ids}:_process_job"

    def _with_pending_job(self, states=None):
        """The messages among these that a job not yet done is about to process (a job
        of one message or of a batch). queue_job stores a job's records as JSON text
        in a jsonb column (``#>> '{}'`` reads the text, whichever way it is stored).

        Each active job's records are read once, their ids joined to these by hash: a
        test of each message against each job's records (a nested loop) took 11 s for
        5,000 new messages and 500 pending jobs, at every cycle of a backlog.

        ``states``: the job states that count (ACTIVE_JOB_STATES by default)."""
        if not self:
            return self
        self.env["queue.job"].flush_model(["model_name", "method_name", "state", "records"])
        self.env.cr.execute(
            """WITH held AS MATERIALIZED (
                    SELECT jsonb_array_elements_text(
                               (job.records #>> '{}')::jsonb -> 'ids')::int AS id
                      FROM queue_job job
                     WHERE job.state = ANY(%(states)s)
                       AND job.model_name = %(model)s AND job.method_name = '_process_job'
               )
               SELECT DISTINCT line.id
                 FROM unnest(%(ids)s::int[]) AS line(id) JOIN held ON held.id = line.id""",
            {"ids": self.ids, "states": states or ACTIVE_JOB_STATES, "model": self._name},
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _enqueue_process_job(self):
        """Hand these messages (one, or a batch of one inbox) to a queue job
        (``_process_job``), on the channel its job function names
        (root.helpdesk_mail_ticket)."""
        inbox = self.inbox_id
        inbox.ensure_one()
        if len(self) == 1:
            description = self.env._(
                "Incoming eMail %(uid)s of the inbox %(inbox)s", uid=self.uid, inbox=inbox.name
            )
        else:
            description = self.env._(
                "%(count)s incoming eMails of the inbox %(inbox)s", count=len(self),
                inbox=inbox.name,
            )  # fmt: skip
        return self.with_delay(
            description=description, identity_key=self._job_identity_key()
        )._process_job()

    def _process_job(self):
        """Called as a queue job: process these messages (one, or a batch of one
        inbox) on one connection of its own, through the cycle's exactly-once path
        (``mail.inbox._process_messages``: batches, a message with history alone, a
        failing message set aside alone; each message's lease keeps a cycle or another
        job from processing it at the same time). Returns what happened to each.

        A mail server out of reach raises RetryableJobError: queue_job tries again
        later, and the messages stay ``new`` meanwhile."""
        messages = self.exists()
        if not messages:
            return self.env._("The message is no longer among the Incoming eMails: nothing to do.")
        todo = messages.filtered(lambda message: message.state == "new")
        states = todo._process_on_own_connection() if todo else {}
        if "error" in states.values():
            todo._warn_inbox_admins_of_errors()
        if todo:
            todo._hand_on_left_replies(states)
        outcomes = []
        for message in messages:
            if message in todo and states.get(message.id) is None:
                outcomes.append(self.env._(
                    "Left as it is: another worker has it, or it is retried by the next cycle."
                ))  # fmt: skip
            else:
                outcomes.append(message._job_outcome())
        if len(messages) == 1:
            return outcomes[0]
        return "\n".join(
            f"{message.uid}: {outcome}" for message, outcome in zip(messages, outcomes, strict=True)
        )

    def _hand_on_left_replies(self, states):
        """After this job processed these messages (``states``: their states by id,
        None: left new), hand on to jobs of their own the replies of the inbox left
        for later (``_leave_for_later_reply``: an older message they may answer was
        not processed yet) that no job about to start holds, instead of leaving them
        to the next cycle (a whole cron period; issue 13):

        - those newer than a message this job took out of ``new`` (processed, or set
          aside in error): it may be the one they wait for;
        - those this job left itself when no older message of the inbox is new any
          more (the one they waited for was done while this job left them).

        Never a job after job: a reply is handed on only for a message that left
        ``new`` (each does so once), or once nothing older can hold it back; a reply
        whose email keeps failing waits for the cycles, which set the email aside
        after MAX_ATTEMPTS. A reply whose next attempt is counted is no longer left
        for later (``_count_attempts`` clears its reason), and a reply another worker
        holds (its lease) is not handed on: that worker processes it, or counts its
        attempt, so that no job hands on a reply only because its lease was taken.

        Nothing of an inbox archived meanwhile: an unattended run polls it no more
        (``_is_polled``), its mail waits for it to be restored (the cycles then hand
        the replies on)."""
        done = [message_id for message_id, state in states.items() if state is not None]
        left = [message_id for message_id, state in states.items() if state is None]
        reasons = self._in_every_language("_left_for_later_reason")
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT m.id FROM mail_inbox_message m
                WHERE m.inbox_id = %(inbox)s AND m.state = 'new' AND m.reason = ANY(%(reasons)s)
                  AND EXISTS (SELECT 1 FROM mail_inbox i WHERE i.id = m.inbox_id AND i.active)
                  AND NOT EXISTS (
                        SELECT 1 FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.granted
                           AND l.classid = %(lease)s::oid AND l.objid = m.id::oid
                           AND l.objsubid = 2 AND l.pid <> pg_backend_pid())
                  AND (m.id > %(oldest_done)s
                       OR (m.id = ANY(%(left)s) AND NOT EXISTS (
                               SELECT 1 FROM mail_inbox_message o
                                WHERE o.inbox_id = m.inbox_id AND o.state = 'new'
                                  AND o.id < m.id
                                  AND (o.on_server OR o.raw_attachment_id IS NOT NULL))))
                ORDER BY m.id""",
            {
                "inbox": self.inbox_id.id,
                "lease": LEASE_NS,
                "reasons": reasons,
                "oldest_done": min(done) if done else None,
                "left": left,
            },
        )
        waiting = self.browse(row[0] for row in self.env.cr.fetchall())
        waiting -= waiting._with_pending_job(NOT_STARTED_JOB_STATES)
        if not waiting:
            return
        inbox = self.inbox_id
        for chunk in inbox._plan_batches(waiting, inbox._get_batch_size()):
            chunk._enqueue_process_job()
        inbox._trace("%d reply(ies) left for later handed on to queue jobs", len(waiting))

    def _process_on_own_connection(self):
        """Process these messages as a cycle does, with a trace of their own, on a new
        connection to their mailbox (none when every one is a kept copy; the kept
        copies are processed without it when it fails). Returns their states by id
        (None: left as it is)."""
        inbox = self.inbox_id
        inbox.ensure_one()
        debug = inbox._get_global_params().get("debug") in ("True", "1", "true")
        trace = InboxTrace(inbox.name, echo=debug)
        # In the inbox's company, as a cycle: its tickets and contacts are made there.
        inbox = inbox.with_company(inbox.company_id).with_context(
            mail_inbox_trace=trace, mail_inbox_queue_job=True
        )
        messages = self.with_context(mail_inbox_trace=trace)
        try:
            # A kept copy whose file left the file store needs the server again.
            if all(message._kept_raw_readable() for message in messages):
                inbox._process_messages(None, messages)  # their bytes are kept
            else:
                with inbox._open_source(trace=trace.add) as source:
                    inbox._process_messages(source, messages)
        except MailSourceError as error:
            # Kept copies need no server (a job of their own never connects): done now,
            # queue_job retries the job for the others. Only those before the first
            # server message still new, in id order as a cycle: a reply must not be
            # processed before an older email it may answer.
            messages.invalidate_recordset(["state"])
            todo = messages.filtered(lambda message: message.state == "new").sorted("id")
            readable = todo.filtered(lambda message: message._kept_raw_readable())
            waiting = [message.id for message in todo - readable]
            kept = readable.filtered(lambda message: not waiting or message.id < waiting[0])
            if kept:
                inbox._process_messages(None, kept)
            raise RetryableJobError(inbox._connection_error_message(error)) from error
        messages.invalidate_recordset(["state"])
        return {message.id: message.state if message.state != "new" else None
                for message in messages}  # fmt: skip

    def _job_outcome(self):
        """The job's result: what became of the message, and its ticket or reason."""
        field = "action" if self.action else "state"
        labels = dict(self._fields[field]._description_selection(self.env))
        outcome = labels[self[field]]
        ticket = self._get_ticket()
        detail = ticket.display_name if ticket else self.reason
        return f"{outcome}: {detail[:200]}" if detail else outcome

    def _warn_inbox_admins_of_errors(self):
        """As a cycle that set messages aside does: warn the inbox's admins when errors
        pile up. A conflict with another job doing the same is harmless."""
        try:
            with self.env.cr.savepoint():
                self.inbox_id._warn_admins_of_errors()
        except psycopg2.errors.SerializationFailure:
            _logger.info("Inbox %s: another worker warned of its errors", self.inbox_id.name)
