# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskMailTicketStage(models.Model):
    _name = "helpdesk.mail.ticket.stage"
    _description = "Helpdesk Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
    is_closed = fields.Boolean(
        string="Closed Stage",
        help="Tickets in this stage are closed: their emails are removed from a mailbox "
        "that keeps messages until their ticket is closed.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
