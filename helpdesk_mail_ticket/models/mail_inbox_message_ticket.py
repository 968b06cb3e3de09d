# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Effects of an email on its ticket: creation, update, internal note, attachments and
followers."""

import hashlib
import logging

from markupsafe import Markup
from PIL import Image

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import html_sanitize

from ..mailparse.inline_images import replace_cids
from ..mailparse.remote import strip_remote_content

# The ledger's logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox_message")


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _create_ticket(self, parsed, caller):
        inbox = self.inbox_id
        # Odoo's gateway (message_new) creates with tracking and auto-subscription: an
        # inbox's default assignee follows the ticket and is told, stage templates are
        # sent. No "created" note, no author follower (the cron user): the chatter is
        # the email, the caller follows.
        model = self.env[inbox.target_model].with_context(
            mail_create_nosubscribe=True, mail_create_nolog=True
        )
        # Inline images point at attachments of the ticket: their description is
        # written once the ticket and its attachments exist; any other is created with it.
        inline = any(part.kept and part.content_id for part in parsed.attachments)
        description = Markup("") if inline else self._render_html(parsed.body_html, {})
        email_vals = {
            "title": self._prepare_title(parsed, model),
            "description": description,
            "caller": caller,
            "inbox": inbox,
        }
        vals = model._mail_ticket_prepare_create_vals(email_vals)
        inbox._apply_default_values(model, inbox.ticket_default_values, vals)
        # The caller's context again: the keys above are for this create only, not for
        # the next steps nor for what an override does with the ticket returned.
        ticket = model.create(vals).with_env(self.env)
        attachments, urls = self._create_attachments(parsed, ticket)
        if inline:
            description = self._render_html(parsed.body_html, urls)
            field = ticket._mail_ticket_description_field
            ticket[field] = ticket._mail_ticket_description_value(description)
        self._subscribe_caller(ticket, caller)
        # The caller follows it now; the post subscribes nobody else, as with Odoo's
        # own mail gateway (an active cron user would follow every ticket).
        ticket.with_context(mail_create_nosubscribe=True)._mail_ticket_post_creation_message(
            description, caller, attachments, self._message_id_header(parsed)
        )
        self._add_followers(ticket, parsed, caller, "creation")
        return ticket

    def _prepare_title(self, parsed, model):
        inbox = self.inbox_id
        title = parsed.subject or inbox.ticket_default_title or self.env._("No Subject")
        size = model._fields[model._mail_ticket_title_field].size
        return title[:size] if size else title

    def _subscribe_caller(self, ticket, caller):
        """The caller follows the ticket made from their email. ``message_subscribe``
        would search again that the caller is active (found active, or just created)
        and whether it is a customer (its ``partner_share``, read already): Odoo's
        private API with what is known spares both searches."""
        ticket.check_access("write")
        ticket._message_subscribe(caller.ids, customer_ids=caller.filtered("partner_share").ids)

    def _update_ticket(self, ticket, parsed, caller):
        attachments, urls = self._create_attachments(parsed, ticket)
        body = self._render_html(parsed.new_part_html or parsed.body_html, urls)
        log_field = self._get_ticket_log_field(ticket)
        message = ticket._mail_ticket_log_update(
            body, caller, attachments, self._message_id_header(parsed), log_field=log_field
        )
        self._add_followers(ticket, parsed, caller, "update")
        ticket._mail_ticket_email_updated(message, caller)
        return message

    def _log_internal_note(self, ticket, parsed, sender):
        """Keep an email of a stranger to the ticket as an internal note: agents read
        it, nobody outside is notified, the caller's thread is not touched."""
        attachments, urls = self._create_attachments(parsed, ticket)
        body = self._render_html(parsed.new_part_html or parsed.body_html, urls)
        self.inbox_id._trace("Message %s: stranger, internal note", self.uid)
        # Never subscribe the stranger: as a follower they would become a participant.
        return ticket.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            author_id=sender.id,
            email_from=sender.email_formatted,
            message_type="email",
            subtype_xmlid="mail.mt_note",
            message_id=self._message_id_header(parsed),
            attachment_ids=attachments.ids,
        )

    def _get_ticket_log_field(self, ticket):
        """The field the ``ticket_log`` setting names for this model (``model:field``
        lines), or None for the chatter."""
        setting = self.inbox_id._get_global_params().get("ticket_log") or ""
        for line in setting.splitlines():
            model, _sep, field = line.partition(":")
            if model.strip() == ticket._name and field.strip() in ticket._fields:
                return field.strip()
        return None

    @api.model
    def _message_id_header(self, parsed):
        return f"<{parsed.message_id}>" if parsed.message_id else False

    def _add_followers(self, ticket, parsed, caller, when):
        """Known To/Cc contacts become followers (iTop 3.x import_additional_contacts);
        unknown addresses are never created, the inboxes' own addresses are skipped."""
        policy = self.inbox_id.import_additional_contacts
        if policy not in ("always", f"only_on_{when}"):
            return
        own = {login.lower() for login in self.inbox_id.search([]).mapped("login") if login}
        partners = self.env["res.partner"]
        for _name, email in list(parsed.to) + list(parsed.cc):
            if not email or email.lower() in own or email.lower() == caller.email_normalized:
                continue
            partners |= self.inbox_id._find_partner(email)
        new = partners - ticket.message_partner_ids
        if new:
            ticket.message_subscribe(partner_ids=new.ids)

    def _create_attachments(self, parsed, ticket):
        """Attach the kept parts to the ticket, skipping those already on it (same
        name, type, size and content). Returns the attachments and, for each cid, the
        URL its inline image now has."""
        attachment_model = self.env["ir.attachment"].sudo()
        created, urls = attachment_model, {}
        kept = []
        for part in parsed.attachments:
            if part.kept:
                kept.append(part)
            else:
                self.inbox_id._trace("Attachment %s dropped: %s", part.filename, part.reason)
        if not kept:
            return created, urls
        existing = attachment_model.search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
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
                attachment = self._create_attachment(attachment_model, part, ticket)
                if not attachment:
                    continue
                known[key] = attachment
                created |= attachment
            if part.content_id:
                token = attachment.generate_access_token()[0]
                urls[part.content_id] = f"/web/image/{attachment.id}?access_token={token}"
        return created, urls

    def _create_attachment(self, attachment_model, part, ticket):
        """One attachment of the ticket, or none when Odoo refuses its content (an image
        too big to decode safely: a decompression bomb): the part is dropped, traced,
        and the ticket still made."""
        try:
            with self.env.cr.savepoint():
                return attachment_model.create(
                    {
                        "name": part.filename,
                        "raw": part.data,
                        "mimetype": part.content_type,
                        "res_model": ticket._name,
                        "res_id": ticket.id,
                    }
                )
        except (Image.DecompressionBombError, UserError, ValueError, OSError) as error:
            _logger.warning(
                "Attachment %s of message %s dropped: %s", part.filename, self.uid, error
            )
            self.inbox_id._trace("Attachment %s dropped: %s", part.filename, error)
            return None

    @api.model
    def _render_html(self, html, urls):
        """Sanitized HTML with the inline images pointing at their attachments."""
        clean = html_sanitize(html or "", sanitize_style=True)
        return Markup(strip_remote_content(replace_cids(clean, urls)))
