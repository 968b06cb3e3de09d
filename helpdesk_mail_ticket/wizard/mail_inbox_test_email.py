# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..mailparse import PatternError, parse_message, title_refs
from ..models.mail_inbox_message import InboxProcessingError


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
    outcome = fields.Selection(
        [
            ("create", "Create a ticket"),
            ("update", "Update a ticket"),
            ("duplicate", "Already imported"),
            ("undesired", "Undesired"),
            ("error", "Error"),
        ],
        readonly=True,
    )
    explanation = fields.Text(readonly=True)
    ticket_ref = fields.Char(string="Ticket", readonly=True)
    title = fields.Char(readonly=True)
    caller_id = fields.Many2one("res.partner", string="Caller Contact", readonly=True)
    caller_note = fields.Char(string="Caller", readonly=True)
    description_preview = fields.Html(string="Description", readonly=True, sanitize=False)
    new_part_preview = fields.Html(string="New part", readonly=True, sanitize=False)
    attachments_report = fields.Html(string="Attachments", readonly=True, sanitize=False)

    def action_analyze(self):
        self.ensure_one()
        raw = self._get_raw()
        inbox = self.inbox_id
        parsed = parse_message(raw, inbox._get_parse_settings())
        probe = self.env["mail.inbox.message"].new({"inbox_id": inbox.id, "uid": "test"})
        values = {
            "state": "done",
            "title": probe._prepare_title(parsed, self.env[inbox.target_model]),
            "description_preview": probe._render_html(parsed.body_html, {}),
            "new_part_preview": probe._render_html(parsed.new_part_html, {}),
            "attachments_report": self._attachments_report(parsed),
            "ticket_ref": False,
        }
        values.update(self._caller_values(parsed, probe))
        values.update(self._decide(parsed, probe))
        self.write(values)
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
            return self.ledger_message_id.raw_attachment_id.raw
        raise UserError(self.env._("Upload an .eml file or pick a kept message."))

    def _caller_values(self, parsed, probe):
        inbox = self.inbox_id
        caller = inbox._find_partner(parsed.from_email)
        if caller:
            return {"caller_id": caller.id, "caller_note": False}
        if inbox.unknown_caller_behavior == "create_contact":
            note = self.env._(
                "Unknown: a contact %(name)s <%(email)s> would be created",
                name=parsed.from_name or parsed.from_email.split("@")[0],
                email=parsed.from_email,
            )
        else:
            note = self.env._("Unknown: the email would be rejected")
        return {"caller_id": False, "caller_note": note}

    def _decide(self, parsed, probe):
        """The outcome the inbox would reach, with how it got there."""
        _ = self.env._
        inbox = self.inbox_id
        if parsed.error:
            return {"outcome": "error", "explanation": parsed.error}
        if parsed.automated:
            return {"outcome": "undesired", "explanation": parsed.automated.reason}
        try:
            ticket, how = self._match(parsed, probe)
        except InboxProcessingError as error:
            return {"outcome": "error", "explanation": str(error)}
        if not ticket and inbox.behavior == "update_only":
            return {"outcome": "error", "explanation": _("No ticket to update (update only).")}
        if not parsed.from_email:
            return {"outcome": "error", "explanation": _("The email has no sender address.")}
        known = inbox._find_partner(parsed.from_email)
        if not known and inbox.unknown_caller_behavior != "create_contact":
            return {
                "outcome": "error",
                "explanation": _("Unknown caller (%(email)s)", email=parsed.from_email),
            }
        if ticket:
            return {"outcome": "update", "explanation": how, "ticket_ref": ticket.display_name}
        return {"outcome": "create", "explanation": _("No ticket matches: a new one is created.")}

    def _match(self, parsed, probe):
        _ = self.env._
        inbox = self.inbox_id
        if inbox.behavior == "create_only":
            return None, ""
        model = self.env[inbox.target_model]
        ticket = probe._match_by_headers(parsed, model)
        how = _("Matched by its In-Reply-To / References headers.")
        if not ticket and inbox.title_pattern and parsed.subject:
            try:
                refs = title_refs(parsed.subject, inbox.title_pattern)
            except PatternError as error:
                raise InboxProcessingError(str(error))
            ticket = refs and model._mail_ticket_find_by_reference(refs, inbox.company_id)
            how = _("Matched by the title pattern %(pattern)s.", pattern=inbox.title_pattern)
        if ticket:
            probe._check_ticket_type(ticket)
        return ticket or None, how

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
