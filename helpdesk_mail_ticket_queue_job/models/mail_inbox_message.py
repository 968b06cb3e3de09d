# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

import psycopg2

from odoo import models

from odoo.addons.helpdesk_mail_ticket.mailsource import MailSourceError
from odoo.addons.helpdesk_mail_ticket.models.mail_inbox import InboxTrace
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import ENQUEUED, PENDING, STARTED, WAIT_DEPENDENCIES

_logger = logging.getLogger(__name__)

# A job in one of these states is about to process its message, or is processing it.
ACTIVE_JOB_STATES = [WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED]


class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"

    def _job_identity_key(self):
        """The identity of this message's job: queue_job enqueues no second job with
        it while one is pending."""
        self.ensure_one()
        return f"helpdesk_mail_ticket:mail.inbox.message:{self.id}:_process_job"

    def _with_pending_job(self):
        """The messages among these that a job not yet done is about to process."""
        if not self:
            return self
        keys = {message._job_identity_key(): message.id for message in self}
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search_read(
                [("identity_key", "in", list(keys)), ("state", "in", ACTIVE_JOB_STATES)],
                ["identity_key"],
            )
        )
        return self.browse({keys[job["identity_key"]] for job in jobs})

    def _enqueue_process_job(self):
        """Hand this message to a queue job (``_process_job``), on the channel its job
        function names (root.helpdesk_mail_ticket)."""
        self.ensure_one()
        description = self.env._(
            "Incoming eMail %(uid)s of the inbox %(inbox)s", uid=self.uid, inbox=self.inbox_id.name
        )
        return self.with_delay(
            description=description, identity_key=self._job_identity_key()
        )._process_job()

    def _process_job(self):
        """Called as a queue job: process this message on a connection of its own,
        through the messages' exactly-once path (its lease keeps a cycle or another job
        from processing it at the same time). Returns what happened.

        A mail server out of reach raises RetryableJobError: queue_job tries again
        later, and the message stays ``new`` meanwhile."""
        self.ensure_one()
        message = self.exists()
        if not message:
            return self.env._("The message is no longer among the Incoming eMails: nothing to do.")
        if message.state != "new":
            return message._job_outcome()
        state = message._process_on_own_connection()
        if state is None:
            return self.env._(
                "Left as it is: another worker has it, or it is retried by the next cycle."
            )
        if state == "error":
            message._warn_inbox_admins_of_errors()
        return message._job_outcome()

    def _process_on_own_connection(self):
        """Process this message as a cycle does, with a trace of its own, on a new
        connection to its mailbox (none for a kept copy). Returns its state, or None
        when it is left as it is."""
        inbox = self.inbox_id
        debug = inbox._get_global_params().get("debug") in ("True", "1", "true")
        trace = InboxTrace(inbox.name, echo=debug)
        message = self.with_context(mail_inbox_trace=trace)
        settings = inbox._get_parse_settings()
        try:
            if message.raw_attachment_id:  # its bytes are kept: no connection needed
                return message._process_isolated(None, settings)
            with inbox._open_source(trace=trace.add) as source:
                return message._process_isolated(source, settings)
        except MailSourceError as error:
            raise RetryableJobError(inbox._connection_error_message(error)) from error

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
