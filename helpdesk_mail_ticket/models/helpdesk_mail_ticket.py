# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.base.models.ir_sequence import IrSequence

from ..transaction import memoized

# The code of the sequence numbering the tickets (data/ir_sequence_data.xml).
REFERENCE_SEQUENCE_CODE = "helpdesk.mail.ticket"

TICKET_TYPES = [
    ("user_request", "User Request"),
    ("incident", "Incident"),
    ("change", "Change"),
    ("problem", "Problem"),
]


class HelpdeskMailTicket(models.Model):
    _name = "helpdesk.mail.ticket"
    _description = "Helpdesk Ticket"
    _inherit = ["helpdesk.mail.ticket.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _rec_names_search = ["reference", "name"]
    _mail_ticket_type_field = "ticket_type"
    _mail_ticket_reference_field = "reference"
    _mail_ticket_update_subtype = "helpdesk_mail_ticket.mt_ticket_updated_by_email"

    def _default_stage_id(self):
        stages = self.env["helpdesk.mail.ticket.stage"]
        key = ("default_stage", self.env.uid, self.env.su, tuple(self.env.companies.ids))
        return stages.browse(
            memoized(self.env, key, lambda: stages.search([("is_closed", "=", False)], limit=1).ids)
        )

    reference = fields.Char(
        readonly=True, copy=False, index=True, default="/", help="Matched by title patterns."
    )
    name = fields.Char(string="Title", required=True, tracking=True)
    description = fields.Html()
    ticket_type = fields.Selection(
        TICKET_TYPES, string="Type", required=True, default="user_request", tracking=True
    )
    partner_id = fields.Many2one("res.partner", string="Caller", tracking=True, index=True)
    partner_email = fields.Char(related="partner_id.email", string="Caller Email")
    organization_id = fields.Many2one(
        "res.partner",
        compute="_compute_organization_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        domain=[("is_company", "=", True)],
    )
    user_id = fields.Many2one(
        "res.users", string="Assigned to", tracking=True, domain=[("share", "=", False)]
    )
    stage_id = fields.Many2one(
        "helpdesk.mail.ticket.stage",
        default=_default_stage_id,
        group_expand="_read_group_stage_ids",
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, precompute=True)
    closed_date = fields.Datetime(readonly=True, copy=False)
    priority = fields.Selection(
        [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Urgent")], default="1"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    color = fields.Integer()

    @api.depends("partner_id")
    def _compute_organization_id(self):
        for ticket in self:
            ticket.organization_id = ticket._mail_ticket_caller_organization(ticket.partner_id)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self._next_reference() or "/"
        return super().create(vals_list)

    @api.model
    def _next_reference(self):
        """The next reference: ``ir.sequence.next_by_code`` of the tickets' sequence,
        an integrator's override of it included. Unless ``next_by_code`` is Odoo's own
        (``_reference_drawn_by_code``), whose steps are then taken here with the
        sequence searched once per batch (``memoized``): its number drawn each time by
        the sequence's ``_next`` (prefix, padding, date ranges, overrides of ``_next``)."""
        sequences = self.env["ir.sequence"]
        code = REFERENCE_SEQUENCE_CODE
        if self._reference_drawn_by_code():
            return sequences.next_by_code(code)
        company = self.env.company.id
        sequences.browse().check_access("read")
        sequence = sequences.browse(
            memoized(
                self.env,
                ("ir.sequence", code, company, self.env.uid, self.env.su),
                lambda: (
                    sequences.search(
                        [("code", "=", code), ("company_id", "in", [company, False])],
                        order="company_id",
                    )[:1].ids
                ),
            )
        )
        return sequence._next() if sequence else False

    @api.model
    def _reference_drawn_by_code(self):
        """Whether references are drawn by calling ``ir.sequence.next_by_code``: when a
        module overrides it (what it does is then its own). Odoo's own is the same
        search and ``_next`` as ``_next_reference``'s batch path."""
        return type(self.env["ir.sequence"]).next_by_code is not IrSequence.next_by_code

    def write(self, vals):
        if "stage_id" in vals:
            stage = self.env["helpdesk.mail.ticket.stage"].browse(vals["stage_id"])
            vals["closed_date"] = fields.Datetime.now() if stage.is_closed else False
        return super().write(vals)

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = (
                f"{ticket.reference} {ticket.name}" if ticket.reference else ticket.name
            )

    def _mail_ticket_is_closed(self):
        self.ensure_one()
        return self.is_closed

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id:
            self._message_add_suggested_recipient(
                recipients, partner=self.partner_id, reason=self.env._("Caller")
            )
        return recipients
