# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..mailparse import parse_message
from ..models.mail_inbox_message_route import VERDICTS


class MailInboxTestEmail(models.TransientModel):
    """Show what an inbox would do with an email, creating nothing."""

    _name = "mail.inbox.test.email"
    _description = "Test an email against an inbox"

    inbox_id = fields.Many2one("mail.inbox", required=True, ondelete="cascade")
    eml = fields.Binary(string="Email (.eml)")
    eml_filename = fields.Char()
    ledger_message_id = fields.Many2one(
        "mail.inbox.message",
        string="Or a message of the mailbox",
        domain="[('inbox_id', '=', inbox_id), ('raw_attachment_id', '!=', False)]",
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Analyzed")], default="draft")
    outcome = fields.Selection(VERDICTS, readonly=True)
    explanation = fields.Text(readonly=True)
    ticket_ref = fields.Char(string="Ticket", readonly=True)
    title = fields.Char(readonly=True)
    caller_id = fields.Many2one("res.partner", string="Caller Contact", readonly=True)
    caller_note = fields.Char(string="Caller", readonly=True)
    description_preview = fields.Html(string="Description", readonly=True, sanitize=False)
    new_part_preview = fields.Html(string="New part", readonly=True, sanitize=False)
    attachments_report = fields.Html(string="Attachments", readonly=True, sanitize=False)

    def action_analyze(self):
        """Parse the email and route it as processing would (``mail.inbox.message.
        _route``), creating nothing: a picked message is routed as itself (what a Reset
        Status would do), an uploaded email as a new message of the inbox."""
        self.ensure_one()
        raw = self._get_raw()
        inbox = self.inbox_id
        parsed = parse_message(raw, inbox._get_parse_settings())
        message = self.ledger_message_id if not self.eml else self.env["mail.inbox.message"]
        if not message:
            message = message.new({"inbox_id": inbox.id, "uid": "test"})
        route = message._route(parsed, raw)
        model = self.env[inbox.target_model]
        self.write(
            {
                "state": "done",
                "outcome": route.verdict,
                "explanation": route.reason,
                "ticket_ref": route.ticket.display_name if route.ticket else False,
                "title": model._mail_ticket_prepare_title(parsed, inbox),
                "description_preview": model._mail_ticket_render_html(parsed.body_html),
                "new_part_preview": model._mail_ticket_render_html(parsed.new_part_html),
                "attachments_report": self._attachments_report(parsed),
                **self._caller_values(parsed, route),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test an email"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _get_raw(self):
        if self.eml:
            return base64.b64decode(self.eml)
        if self.ledger_message_id.raw_attachment_id:
            raw = self.ledger_message_id.raw_attachment_id.raw
            if raw:
                return raw
            raise UserError(
                self.env._("The kept copy of this email is missing from the file store.")
            )
        raise UserError(self.env._("Upload an .eml file or pick a kept message."))

    def _caller_values(self, parsed, route):
        """The caller the route found, or what happens to an unknown sender."""
        parsed = self.env["mail.inbox.message"]._parsed_as_routed(parsed, route)
        if route.caller and not route.create_caller:
            return {"caller_id": route.caller.id, "caller_note": False}
        caller = self.inbox_id._find_partner(parsed.from_email)
        if caller:
            return {"caller_id": caller.id, "caller_note": False}
        if not parsed.from_email:
            return {"caller_id": False, "caller_note": False}
        if self.inbox_id.unknown_caller_behavior == "create_contact":
            note = self.env._(
                "Unknown: a contact %(name)s <%(email)s> would be created",
                name=parsed.from_name or parsed.from_email.split("@")[0],
                email=parsed.from_email,
            )
        else:
            note = self.env._("Unknown: the email would be rejected")
        return {"caller_id": False, "caller_note": note}

    def _attachments_report(self, parsed):
        if not parsed.attachments:
            return Markup("<p>%s</p>") % self.env._("No attachment.")
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (
                part.filename,
                part.content_type,
                len(part.data),
                self.env._("kept") if part.kept else self.env._("dropped"),
                part.reason or (self.env._("inline image") if part.inline else ""),
            )
            for part in parsed.attachments
        )
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("File"),
            self.env._("Type"),
            self.env._("Bytes"),
            self.env._("Kept"),
            self.env._("Why"),
        )
        return Markup('<table class="table table-sm">%s%s</table>') % (head, rows)
