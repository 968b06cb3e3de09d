# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hashlib
import logging
import re

from markupsafe import Markup
from PIL import Image

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, html2plaintext, html_sanitize

from odoo.addons.mail.models.models import BaseModel as MailBaseModel

from ..mailparse.inline_images import replace_cids
from ..mailparse.remote import strip_remote_content
from ..transaction import FIRST_ALIAS_DOMAIN, kept_with_cached, memoized, recall, step_savepoint

_logger = logging.getLogger(__name__)

# The tickets ``_mail_ticket_new`` made without a message whose first post is still to
# come (``(model, id)``), on the cursor: that post alone skips the parent search.
_FIRST_POST_PENDING = "helpdesk_mail_ticket.first_post_pending"
# The batch memo's key of whether aliases have tickets of a model for parent
# (``_mail_ticket_reply_to``), and its mark of an alias created, changed or deleted in
# the batch's transaction (``mail.alias``): from then on, each post asks Odoo. Kept
# when a savepoint rolls the change back, which may bring back an alias the answer
# was read without.
_PARENT_ALIASES = "parent_aliases"
ALIASES_CHANGED = "aliases_changed"


def _message_id_header(email):
    """The Message-ID of a parsed email as ``mail.message`` keeps it, or False."""
    return f"<{email.message_id}>" if email.message_id else False


ORIGIN_SELECTION = [
    ("mail", "Email"),
    ("phone", "Phone"),
    ("portal", "Portal"),
    ("manual", "Manual"),
]


class HelpdeskMailTicketMixin(models.AbstractModel):
    """The email contract of a ticket model.

    Any model inheriting this mixin is a valid target of a ``mail.inbox``. The class
    attributes name the fields that play each role of the iTop data mapping. An inbox
    calls ``_mail_ticket_new`` (a ticket from an email, as Odoo's ``message_new``),
    ``_mail_ticket_update`` (an email added to a ticket, as ``message_update``) and
    ``_mail_ticket_note`` (a stranger's email as an internal note); these and their
    steps (the other ``_mail_ticket_*`` methods) are each small enough to be overridden
    alone by an integrator.
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
    # An email's effects (this addon's message_new / message_update)
    # ------------------------------------------------------------------

    @api.model
    def _mail_ticket_new(self, email, caller, inbox):
        """Create a ticket from ``email`` (a parsed email) of ``caller`` received by
        ``inbox``, as Odoo's ``message_new`` does for its mail gateway: the ticket with
        its description and attachments, the caller following it, the email kept in
        its chatter (replies thread back to it), To/Cc contacts as followers per the
        inbox. Returns the ticket."""
        # Odoo's gateway (message_new) creates with tracking and auto-subscription: an
        # inbox's default assignee follows the ticket and is told, stage templates are
        # sent. No "created" note, no author follower (the cron user): the chatter is
        # the email, the caller follows.
        model = self.with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
        # Inline images point at attachments of the ticket: their description is
        # written once the ticket and its attachments exist; any other is created with it.
        inline = any(part.kept and part.content_id for part in email.attachments)
        description = Markup("") if inline else self._mail_ticket_render_html(email.body_html)
        email_vals = {
            "title": self._mail_ticket_prepare_title(email, inbox),
            "description": description,
            "caller": caller,
            "inbox": inbox,
        }
        vals = model._mail_ticket_prepare_create_vals(email_vals)
        inbox._apply_default_values(model, inbox.ticket_default_values, vals)
        # The caller's context again: the keys above are for this create only, not for
        # the next steps nor for what an override does with the ticket returned.
        ticket = model.create(vals).with_env(self.env)
        # Made just now: unless its create (an override) gave it a message or an
        # attachment, neither is to be looked for (``_mail_ticket_attach``,
        # ``_message_compute_parent_id``); whether it did, one statement tells.
        # The parent is skipped for its first post alone (whichever step posts it):
        # a later one, an override's note, threads under it as Odoo's flat threads do.
        fresh = self.env.cr.cache.setdefault(_FIRST_POST_PENDING, set())
        if not ticket._mail_ticket_has_history():
            ticket = ticket.with_context(mail_ticket_created=ticket.id)
            fresh.add((ticket._name, ticket.id))
        attachments, urls = ticket._mail_ticket_attach(email, inbox)
        if inline:
            description = self._mail_ticket_render_html(email.body_html, urls)
            field = ticket._mail_ticket_description_field
            ticket[field] = ticket._mail_ticket_description_value(description)
        ticket._mail_ticket_subscribe_caller(caller)
        # The caller follows it now; the post subscribes nobody else, as with Odoo's
        # own mail gateway (an active cron user would follow every ticket).
        ticket.with_context(mail_create_nosubscribe=True)._mail_ticket_post_creation_message(
            description, caller, attachments, _message_id_header(email)
        )
        fresh.discard((ticket._name, ticket.id))  # an override that posted nothing
        ticket._mail_ticket_add_followers(email, caller, inbox, "creation")
        return ticket.with_env(self.env)

    def _mail_ticket_update(self, email, author, inbox):
        """Add ``email``, a reply of ``author``, to this ticket, as Odoo's
        ``message_update`` does: its new part and attachments to the ticket's log
        (``_mail_ticket_log_update``), To/Cc contacts as followers per the inbox, then
        ``_mail_ticket_email_updated``. Returns the message posted (or an empty one)."""
        self.ensure_one()
        attachments, urls = self._mail_ticket_attach(email, inbox)
        body = self._mail_ticket_render_html(email.new_part_html or email.body_html, urls)
        log_field = self._mail_ticket_log_field(inbox)
        message = self._mail_ticket_log_update(
            body, author, attachments, _message_id_header(email), log_field=log_field
        )
        self._mail_ticket_add_followers(email, author, inbox, "update")
        self._mail_ticket_email_updated(message, author)
        return message

    def _mail_ticket_note(self, email, author, inbox):
        """Keep ``email`` of a stranger to this ticket as an internal note: agents read
        it, nobody outside is notified, the caller's thread is not touched."""
        self.ensure_one()
        attachments, urls = self._mail_ticket_attach(email, inbox)
        body = self._mail_ticket_render_html(email.new_part_html or email.body_html, urls)
        # Never subscribe the stranger: as a follower they would become a participant.
        return self.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            author_id=author.id,
            email_from=author.email_formatted,
            message_type="email",
            subtype_xmlid="mail.mt_note",
            message_id=_message_id_header(email),
            attachment_ids=attachments.ids,
        )

    @api.model
    def _mail_ticket_prepare_title(self, email, inbox):
        """The title of a ticket made from ``email``: its subject, else the inbox's
        default title, else "No Subject"; cut to the field's size. Without the spaces a
        sender encoded at the subject's ends, as Odoo trims a title typed in a form."""
        title = (
            (email.subject or "").strip() or inbox.ticket_default_title or self.env._("No Subject")
        )
        size = self._fields[self._mail_ticket_title_field].size
        return title[:size] if size else title

    @api.model
    def _mail_ticket_render_html(self, html, urls=None):
        """Sanitized HTML with the inline images pointing at their attachments
        (``urls``, by cid) and nothing a reader would load from elsewhere."""
        clean = html_sanitize(html or "", sanitize_style=True)
        return Markup(strip_remote_content(replace_cids(clean, urls or {})))

    def _mail_ticket_subscribe_caller(self, caller):
        """The caller follows the ticket made from their email. ``message_subscribe``
        would search again that the caller is active (found active, or just created)
        and whether it is a customer (its ``partner_share``, read already): Odoo's
        private API with what is known spares both searches."""
        self.check_access("write")
        self._message_subscribe(caller.ids, customer_ids=caller.filtered("partner_share").ids)

    def _mail_ticket_add_followers(self, email, caller, inbox, when):
        """Known To/Cc contacts become followers (iTop 3.x import_additional_contacts);
        unknown addresses are never created, the inboxes' own addresses are skipped.
        ``when``: ``creation`` or ``update``."""
        policy = inbox.import_additional_contacts
        if policy not in ("always", f"only_on_{when}"):
            return
        partners = self.env["res.partner"]
        for _name, address in list(email.to) + list(email.cc):
            normalized = email_normalize(address or "") or (address or "").lower()
            if not normalized or normalized == caller.email_normalized:
                continue
            if inbox._is_own_address(normalized):
                continue
            partners |= inbox._find_partner(address)
        new = partners - self.message_partner_ids
        if new:
            self.message_subscribe(partner_ids=new.ids)

    def _mail_ticket_log_field(self, inbox):
        """The field the ``ticket_log`` setting names for this model (``model:field``
        lines), or None for the chatter."""
        setting = inbox._get_global_params().get("ticket_log") or ""
        for line in setting.splitlines():
            model, _sep, field = line.partition(":")
            if model.strip() == self._name and field.strip() in self._fields:
                return field.strip()
        return None

    def _mail_ticket_attach(self, email, inbox):
        """Attach the kept parts of ``email`` to this ticket, skipping those already on
        it (same name, type, size and content). Returns the attachments and, for each
        cid, the URL its inline image now has."""
        self.ensure_one()
        attachment_model = self.env["ir.attachment"].sudo()
        created, urls = attachment_model, {}
        kept = []
        for part in email.attachments:
            if part.kept:
                kept.append(part)
            else:
                inbox._trace("Attachment %s dropped: %s", part.filename, part.reason)
        if not kept:
            return created, urls
        if self._mail_ticket_just_created():
            existing = attachment_model
        else:
            existing = attachment_model.search(
                [("res_model", "=", self._name), ("res_id", "=", self.id)]
            )
        known = {(a.name, a.mimetype, a.file_size, a.checksum): a for a in existing}
        for part in kept:
            key = (
                part.filename,
                part.content_type,
                len(part.data),
                hashlib.sha1(part.data).hexdigest(),
            )
            attachment = known.get(key)
            if not attachment:
                attachment = self._mail_ticket_create_attachment(attachment_model, part, inbox)
                if not attachment:
                    continue
                known[key] = attachment
                created |= attachment
            if part.content_id:
                token = attachment.generate_access_token()[0]
                urls[part.content_id] = f"/web/image/{attachment.id}?access_token={token}"
        return created, urls

    def _mail_ticket_create_attachment(self, attachment_model, part, inbox):
        """One attachment of this ticket, or none when Odoo refuses its content (an
        image too big to decode safely: a decompression bomb): the part is dropped,
        traced, and the ticket still made."""
        try:
            with step_savepoint(self.env):
                return attachment_model.create(
                    {
                        "name": part.filename,
                        "raw": part.data,
                        "mimetype": part.content_type,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
        except (Image.DecompressionBombError, UserError, ValueError, OSError) as error:
            _logger.warning(
                "Attachment %s of %s dropped: %s", part.filename, self.display_name, error
            )
            inbox._trace("Attachment %s dropped: %s", part.filename, error)
            return None

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
                if ticket and (not self._active_name or ticket[self._active_name]):
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
            record_alias_domain_id=self._mail_ticket_alias_domain_id(),
            reply_to=self._mail_ticket_reply_to(author.email_formatted),
        )

    def _mail_ticket_reply_to(self, default):
        """The reply-to ``message_post`` gives this ticket's messages, as Odoo's
        ``_notify_get_reply_to`` finds it: an alias whose parent is the ticket, else
        its company's catchall (named after the ticket), else ``default``. Whether any
        alias has a ticket of this model for parent is asked once a batch (each post
        searched them otherwise); with none, the rest needs no statement. Not when the
        model overrides Odoo's method, nor once an alias was created, changed or
        deleted in the batch (a savepoint rolling that back would leave the answer
        wrong): Odoo's method is asked each time."""
        self.ensure_one()
        if type(self)._notify_get_reply_to is not MailBaseModel._notify_get_reply_to:
            return self._notify_get_reply_to(default=default)[self.id]
        if recall(self.env, ALIASES_CHANGED) or memoized(
            self.env, (_PARENT_ALIASES, self._name), self._mail_ticket_has_parent_aliases
        ):
            return self._notify_get_reply_to(default=default)[self.id]
        company = self.sudo()._mail_get_companies(default=self.env.company)[self.id]
        if not company.catchall_email:
            return default
        return self._notify_get_reply_to_formatted_email(
            company.catchall_email, self.sudo().display_name or "", company=company
        )

    @api.model
    def _mail_ticket_has_parent_aliases(self):
        """Whether an alias of an alias domain has a record of this model for parent
        (Odoo's reply-to of that record's messages)."""
        return bool(
            self.env["mail.alias"]
            .sudo()
            .search_count(
                [
                    ("alias_domain_id", "!=", False),
                    ("alias_parent_model_id.model", "=", self._name),
                    ("alias_name", "!=", False),
                ],
                limit=1,
            )
        )

    def _mail_ticket_alias_domain_id(self):
        """The alias domain ``message_post`` records on this ticket's messages, as it
        finds it (``_mail_get_alias_domains``), found once per company in a batch: a
        company without one has Odoo search the first alias domain for each post. Not
        when the model overrides Odoo's: its answer need not follow the company."""
        self.ensure_one()
        if type(self)._mail_get_alias_domains is not MailBaseModel._mail_get_alias_domains:
            # An override (per team, per brand...) may answer per ticket: asked each time.
            return self.sudo()._mail_get_alias_domains(default_company=self.env.company)[self.id].id
        company = self.sudo()._mail_get_companies(default=self.env.company)[self.id]
        return memoized(
            self.env,
            ("alias_domain", company.id, self.env.company.id),
            lambda: (
                company.sudo().alias_domain_id.id
                or self.env.company.sudo().alias_domain_id.id
                # Odoo searches the first alias domain for each post: read by the
                # processing's claim, in this transaction (an id cached longer may be
                # of a domain another worker deleted since: the post would fail).
                or self._mail_ticket_first_alias_domain_id()
            ),
        )

    def _mail_ticket_first_alias_domain_id(self):
        """The first alias domain (``mail.alias.domain``'s order), which Odoo records on
        a post when the companies have none: as the processing's claim read it in this
        transaction, or searched."""
        known = kept_with_cached(self.env, FIRST_ALIAS_DOMAIN)
        if known is not None:
            return known[0]
        return self.env["mail.alias.domain"].sudo().search([], limit=1).id

    def _mail_ticket_has_history(self):
        """Whether this ticket holds a message Odoo would thread a post under
        (``_message_compute_parent_id``) or an attachment (``_mail_ticket_attach``
        searches those not of a binary field): both asked in one statement."""
        self.ensure_one()
        self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
        self.env["ir.attachment"].flush_model(["res_model", "res_id", "res_field"])
        self.env.cr.execute(
            SQL(
                """SELECT EXISTS(SELECT 1 FROM mail_message
                                  WHERE model = %(model)s AND res_id = %(id)s
                                    AND message_type != 'user_notification')
                       OR EXISTS(SELECT 1 FROM ir_attachment
                                  WHERE res_model = %(model)s AND res_id = %(id)s
                                    AND res_field IS NULL)""",
                model=self._name,
                id=self.id,
            )
        )
        return self.env.cr.fetchone()[0]

    def _mail_ticket_just_created(self):
        """Whether this ticket was made by the email being processed
        (``_mail_ticket_new``): it has no message nor attachment of its own yet."""
        return bool(self.id) and self.env.context.get("mail_ticket_created") == self.id

    def _message_compute_parent_id(self, parent_id):
        # The first message of a ticket just made without one (``_mail_ticket_new``):
        # no message to thread it under. Its next ones search as Odoo does.
        fresh = self.env.cr.cache.get(_FIRST_POST_PENDING)
        if not parent_id and fresh and (self._name, self.id) in fresh:
            fresh.discard((self._name, self.id))
            return False
        return super()._message_compute_parent_id(parent_id)

    def _mail_ticket_email_updated(self, message, sender):
        """Called once after a ticket was updated by an email (iTop's
        TriggerOnMailUpdate). ``message`` is the posted ``mail.message`` (may be empty
        when a field log is used), ``sender`` the ``res.partner`` who wrote. Override
        to react in code; automation rules can react to the message subtype."""
        return True
