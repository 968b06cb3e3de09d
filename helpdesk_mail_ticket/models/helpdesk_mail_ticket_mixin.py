# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import html2plaintext, plaintext2html

_logger = logging.getLogger(__name__)

ORIGIN_SELECTION = [
    ("mail", "Email"),
    ("phone", "Phone"),
    ("portal", "Portal"),
    ("manual", "Manual"),
]


class HelpdeskMailTicketMixin(models.AbstractModel):
    """The email contract of a ticket model.

    Any model inheriting this mixin is a valid target of a ``mail.inbox``. The class
    attributes name the fields that play each role of the iTop data mapping; the
    ``_mail_ticket_*`` methods are the steps an inbox calls, each small enough to be
    overridden alone by an integrator.
    """

    _name = "helpdesk.mail.ticket.mixin"
    _description = "Helpdesk ticket fed by email"

    # Field roles (iTop: title, description, caller_id, org_id, origin).
    _mail_ticket_title_field = "name"
    _mail_ticket_description_field = "description"
    _mail_ticket_caller_field = "partner_id"
    _mail_ticket_organization_field = "organization_id"
    _mail_ticket_origin_field = "origin"
    # Optional roles: the ticket's type (one inbox targets one type) and its reference,
    # matched by an inbox's title pattern. None when the model has no such field.
    _mail_ticket_type_field = None
    _mail_ticket_reference_field = None
    # The subtype of the message an update by email posts (iTop's TriggerOnMailUpdate):
    # followers subscribe to it, automation rules react to it. A subtype applies to the
    # model its res_model names, so a ticket model declares its own (default, res_model
    # the model) and names it here; a subtype with no res_model would be a default of
    # every model of the database. Unset: the discussion subtype, which followers get.
    _mail_ticket_update_subtype = "mail.mt_comment"

    origin = fields.Selection(ORIGIN_SELECTION, default="manual", tracking=True)
    mail_inbox_id = fields.Many2one(
        "mail.inbox",
        string="Incoming eMail Inbox",
        readonly=True,
        index="btree_not_null",
        help="The inbox whose email created this ticket.",
    )

    def _register_hook(self):
        super()._register_hook()
        self._mail_ticket_check_update_subtype()

    def init(self):
        result = super().init()
        if not self._abstract and self._auto:
            # The keep-until-closed sweep reads recently written tickets: its index is
            # made here, at install or upgrade, never in a poll cycle's transaction.
            self.env["mail.inbox.message"]._ensure_write_date_index(self)
        return result

    @api.model
    def _mail_ticket_update_subtype_xmlid(self):
        """The xml id of the subtype updates by email are posted with: the one the model names
        (``_mail_ticket_update_subtype``) when it is the model's own or of no model, else
        the discussion. A model built as a copy of a ticket model (``_name = "x";
        _inherit = "helpdesk.mail.ticket"``) inherits a subtype of that other model, to
        which its followers are never subscribed: they would never get its updates."""
        comment = "mail.mt_comment"
        xmlid = self._mail_ticket_update_subtype
        subtype = xmlid and self.env.ref(xmlid, raise_if_not_found=False)
        if not subtype or subtype._name != "mail.message.subtype":
            return comment
        if subtype.sudo().res_model not in (False, self._name):
            return comment
        return xmlid

    @api.model
    def _mail_ticket_check_update_subtype(self):
        """Warn (at registry load) of a model naming another model's subtype, which
        its updates by email fall back from to the discussion."""
        if self._abstract:
            return
        xmlid = self._mail_ticket_update_subtype
        subtype = xmlid and self.env.ref(xmlid, raise_if_not_found=False)
        if subtype and subtype._name == "mail.message.subtype":
            res_model = subtype.sudo().res_model
            if res_model not in (False, self._name):
                _logger.warning(
                    "%s names %s, a subtype of %s, as the subtype of its updates by email "
                    "(_mail_ticket_update_subtype): its followers are not subscribed to it, "
                    "its updates are posted as discussion; declare a subtype of %s",
                    self._name,
                    xmlid,
                    res_model,
                    self._name,
                )

    def unlink(self):
        # The mailbox keeps a ticket's emails until it is closed or deleted: flag them
        # for the next poll, which then looks at recent changes only.
        self.env["mail.inbox.message"].sudo()._touch_ticket_lines(self._name, self.ids)
        return super().unlink()

    # ------------------------------------------------------------------
    # Contract
    # ------------------------------------------------------------------

    def _mail_ticket_is_closed(self):
        """Whether this ticket counts as closed: its email is then removed from a
        mailbox that keeps messages until their ticket is closed."""
        self.ensure_one()
        return False

    def _mail_ticket_type(self):
        """This ticket's type value, or False when the model has no type field."""
        self.ensure_one()
        field = self._mail_ticket_type_field
        return self[field] if field else False

    @api.model
    def _mail_ticket_prepare_create_vals(self, email_vals):
        """Map an email onto ticket values.

        :param dict email_vals: ``title``, ``description`` (Markup), ``caller``
            (res.partner), ``inbox`` (mail.inbox)
        :return: values for ``create()``, before the inbox's default values
        """
        caller = email_vals["caller"]
        vals = {
            self._mail_ticket_title_field: email_vals["title"],
            self._mail_ticket_description_field: self._mail_ticket_description_value(
                email_vals["description"]
            ),
            self._mail_ticket_caller_field: caller.id,
        }
        organization = self._mail_ticket_caller_organization(caller)
        org_field = self._mail_ticket_organization_field
        if org_field and org_field in self._fields and organization:
            vals[org_field] = organization.id
        origin_field = self._mail_ticket_origin_field
        if origin_field and origin_field in self._fields:
            vals[origin_field] = "mail"
        inbox = email_vals["inbox"]
        if self._mail_ticket_type_field and inbox.ticket_type:
            vals[self._mail_ticket_type_field] = inbox.ticket_type
        if inbox.company_id and "company_id" in self._fields:
            vals["company_id"] = inbox.company_id.id
        vals["mail_inbox_id"] = inbox.id
        return vals

    @api.model
    def _mail_ticket_description_value(self, html):
        """The description as the field stores it: HTML, or text for a Text field."""
        field = self._fields[self._mail_ticket_description_field]
        if field.type == "html":
            return html
        return html2plaintext(html)

    @api.model
    def _mail_ticket_caller_organization(self, caller):
        """The caller's organization (iTop's org_id): their company, if any."""
        commercial = caller.commercial_partner_id
        return commercial if commercial.is_company else self.env["res.partner"]

    @api.model
    def _mail_ticket_company_domain(self, company):
        """The tickets an inbox of ``company`` may reach: those of that company or of
        none; any, for an inbox of no company or a model without companies."""
        if not company or "company_id" not in self._fields:
            return []
        return [("company_id", "in", [company.id, False])]

    @api.model
    def _mail_ticket_find_by_reference(self, refs, company=None):
        """The ticket whose reference is one of ``refs`` (title-pattern matches, the
        full match first then each group, as iTop 3.x does), among those an inbox of
        ``company`` may reach. A model without a reference field falls back to iTop
        2.6's reading of a numeric group as the record id; a model with one never
        does (a number that is no reference would reach an unrelated ticket)."""
        domain = self._mail_ticket_company_domain(company)
        field = self._mail_ticket_reference_field
        if field:
            # Exactly first (on the index); then regardless of case, as iTop's
            # database collation compares (a pattern with the /i flag finds "r-000123").
            for operator in ("=", "=ilike"):
                for ref in refs:
                    value = ref if operator == "=" else re.sub(r"([\\%_])", r"\\\1", ref)
                    ticket = self.search([(field, operator, value), *domain], limit=1)
                    if ticket:
                        return ticket
            return self.browse()
        for ref in refs[1:]:
            if ref.isdigit():
                ticket = self.browse(int(ref)).exists().filtered_domain(domain)
                if ticket:
                    return ticket
        return self.browse()

    def _mail_ticket_log_update(self, body, author, attachments, message_id, log_field=None):
        """Add the new part of a reply to the ticket's log.

        By default the log is the chatter: a message authored by the caller with the
        model's update subtype (``_mail_ticket_update_subtype``). When the ``ticket_log``
        setting names a field for this model, the new part is appended to that field
        instead.

        :return: the ``mail.message`` posted, or an empty recordset
        """
        self.ensure_one()
        if log_field:
            self._mail_ticket_append_to_field(log_field, body, author)
            return self.env["mail.message"]
        return self._mail_ticket_post_email(
            body,
            author,
            attachments,
            message_id,
            self._mail_ticket_update_subtype_xmlid(),
        )

    def _mail_ticket_append_to_field(self, field_name, body, author):
        field = self._fields[field_name]
        header = self.env._(
            "%(author)s, %(date)s", author=author.display_name, date=fields.Datetime.now()
        )
        current = self[field_name] or ""
        if field.type == "html":
            entry = Markup("<p><b>%s</b></p>%s") % (header, body)
            self[field_name] = Markup(current) + entry
        else:
            text = html2plaintext(body) if isinstance(body, Markup) else body
            self[field_name] = f"{current}\n{header}\n{text}".strip()

    def _mail_ticket_post_creation_message(self, body, author, attachments, message_id):
        """Keep the incoming email in the chatter of the ticket it created, as Odoo's
        own mail gateway does; its Message-ID lets replies to it thread back."""
        self.ensure_one()
        return self._mail_ticket_post_email(
            body, author, attachments, message_id, "mail.mt_comment"
        )

    def _mail_ticket_post_email(self, body, author, attachments, message_id, subtype_xmlid):
        """Post an incoming email in the chatter, authored by its sender, with its
        Message-ID (for threading) and its attachments."""
        return self.message_post(
            body=body,
            author_id=author.id,
            email_from=author.email_formatted,
            message_type="email",
            subtype_xmlid=subtype_xmlid,
            message_id=message_id or False,
            attachment_ids=attachments.ids,
        )

    def _mail_ticket_email_updated(self, message, sender):
        """Called once after a ticket was updated by an email (iTop's
        TriggerOnMailUpdate). ``message`` is the posted ``mail.message`` (may be empty
        when a field log is used), ``sender`` the ``res.partner`` who wrote. Override
        to react in code; automation rules can react to the message subtype."""
        return True

    @api.model
    def _mail_ticket_text_to_html(self, text):
        return Markup(plaintext2html(text or ""))
