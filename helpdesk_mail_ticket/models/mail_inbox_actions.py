# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The inbox form's buttons: test the connection, fetch now, test an email, the
tickets and messages of the inbox."""

from odoo import models
from odoo.exceptions import UserError

from ..mailsource import MailSourceError
from .mail_inbox import DEFAULT_RUN_BUDGET

# Messages one *Fetch now* processes inside its HTTP request (at most the per-run budget);
# the cron takes the rest.
FETCH_NOW_MAX_MESSAGES = 100


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    def action_test_connection(self):
        self.ensure_one()
        try:
            with self._open_source() as source:
                summary = source.test()
        except MailSourceError as error:
            raise UserError(self._connection_error_message(error)) from None
        return self._notify(self.env._("Connection test succeeded: %(summary)s", summary=summary))

    def action_fetch_now(self):
        self.ensure_one()
        # Processed as the cron does it, whoever clicks: the outcome must not depend on
        # the clicking user's rights.
        result = self.sudo()._fetch(limit=self._get_fetch_now_limit())
        if result.get("failure"):
            raise UserError(result["failure"])
        message = self.env._(
            "%(new)s new message(s): %(processed)s processed, %(error)s in error, "
            "%(undesired)s undesired.",
            **result,
        )
        if result["remaining"]:
            # The rest is the cron's: an HTTP request must end in time.
            self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch").sudo()._trigger()
            message += " " + self.env._(
                "%(remaining)s more will be processed in the background.", **result
            )
        return self._notify(message, reload=True)

    def _get_fetch_now_limit(self):
        """How many messages *Fetch now* processes in its request: the per-run budget
        (``max_messages_per_run``), at most FETCH_NOW_MAX_MESSAGES."""
        budget = self._get_number_setting("max_messages_per_run", DEFAULT_RUN_BUDGET)
        return min(budget, FETCH_NOW_MAX_MESSAGES) if budget > 0 else FETCH_NOW_MAX_MESSAGES

    def action_clear_trace(self):
        self.check_access("write")
        self.sudo().write({"debug_trace": False})
        return True

    def action_test_email(self):
        self.ensure_one()
        wizard = self.env["mail.inbox.test.email"].create({"inbox_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test an email"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tickets"),
            "res_model": self.target_model,
            "view_mode": "list,form",
            "domain": [("mail_inbox_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_view_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mail_ticket.mail_inbox_message_action"
        )
        action["domain"] = [("inbox_id", "=", self.id)]
        state = self.env.context.get("message_state")
        if state:
            action["context"] = {f"search_default_state_{state}": 1}
        return action

    def _notify(self, message, reload=False):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"} if reload else False,
            },
        }
