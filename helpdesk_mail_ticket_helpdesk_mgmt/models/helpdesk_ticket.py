# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class HelpdeskTicket(models.Model):
    """OCA's ticket as a target of the incoming email inboxes."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "helpdesk.mail.ticket.mixin"]

    _mail_ticket_title_field = "name"
    _mail_ticket_description_field = "description"
    _mail_ticket_caller_field = "partner_id"
    # helpdesk_mgmt stores the caller's commercial partner itself (a related field,
    # which must not be written: it would rename the partner's company).
    _mail_ticket_organization_field = None
    _mail_ticket_reference_field = "number"
    _mail_ticket_type_field = None
    _mail_ticket_update_subtype = (
        "helpdesk_mail_ticket_helpdesk_mgmt.mt_helpdesk_ticket_updated_by_email"
    )

    @api.model
    def _mail_ticket_prepare_create_vals(self, email_vals):
        vals = super()._mail_ticket_prepare_create_vals(email_vals)
        caller = email_vals["caller"]
        vals.update(partner_name=caller.name, partner_email=caller.email)
        channel = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_channel_email", raise_if_not_found=False
        )
        if channel:
            vals["channel_id"] = channel.id
        return vals

    def _mail_ticket_is_closed(self):
        self.ensure_one()
        return self.stage_id.closed
