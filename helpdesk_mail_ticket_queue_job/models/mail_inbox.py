# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.helpdesk_mail_ticket.transaction import commit


class MailInbox(models.Model):
    _inherit = "mail.inbox"

    use_queue_job = fields.Boolean(
        string="Process as Queue Jobs",
        help="Each cycle records the new messages, then hands them to queue jobs (a batch "
        "of new messages each, channel root.helpdesk_mail_ticket) that any Odoo server "
        "running queue_job's job runner processes on a connection of its own. Processed "
        "mail is deleted or moved on the mail server by the next cycle. Unticked, the "
        "cycle processes the messages itself. Tick it only where queue_job's job runner "
        "runs: otherwise the messages wait for it.",
    )

    def action_fetch_now(self):
        """As in the main addon (bounded by the same limit, the rest left to the cron),
        with the count of messages handed to jobs."""
        self.ensure_one()
        if not self.use_queue_job:
            return super().action_fetch_now()
        result = self.sudo()._fetch(limit=self._get_fetch_now_limit())
        if result.get("failure"):
            raise UserError(result["failure"])
        message = self.env._(
            "%(new)s new message(s), %(enqueued)s handed to queue jobs.",
            new=result["new"],
            enqueued=result.get("enqueued", 0),
        )
        if result["remaining"]:
            self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch").sudo()._trigger()
            message += " " + self.env._(
                "%(remaining)s more will be processed in the background.", **result
            )
        return self._notify(message, reload=True)

    def _get_sync_lock_fields(self):
        # Read by every cycle (``_process_messages``): with the synchronization lock.
        return (*super()._get_sync_lock_fields(), "use_queue_job")

    def _process_messages(self, source, messages, limit=None):
        """With ``use_queue_job``, enqueue the messages as jobs instead of processing
        them: the first ``limit`` of the messages that no job is about to process yet
        (the others are counted as ``remaining``, for the next cycle), cut as a cycle
        cuts its batches (``_plan_batches``: at most ``_get_batch_size()`` messages
        without history a job, a message with history alone). Each job processes its
        messages on one connection, as a cycle does (``_process_job``). In a job
        (context ``mail_inbox_queue_job``), the cycle's own processing."""
        if not self.use_queue_job or self.env.context.get("mail_inbox_queue_job"):
            return super()._process_messages(source, messages, limit=limit)
        if messages:
            # What the synchronization left, committed before the jobs are planned
            # (the cycle's own processing commits it before its first download).
            commit(self.env)
        todo = messages - messages._with_pending_job()
        batch = todo[:limit] if limit is not None else todo
        for chunk in self._plan_batches(batch, self._get_batch_size()):
            chunk._enqueue_process_job()
        if batch:
            self._trace("%d message(s) handed to queue jobs", len(batch))
        return {
            "processed": 0,
            "error": 0,
            "undesired": 0,
            "enqueued": len(batch),
            "remaining": len(todo) - len(batch),
        }
