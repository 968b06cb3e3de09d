# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Routing one parsed email: already imported, Odoo's own mail, the ticket it answers,
the sender's right to update it, the rate limit, the caller."""

from datetime import timedelta

from odoo import fields, models
from odoo.tools import email_normalize

from ..mailparse import PatternError, title_refs
from .mail_inbox_message import InboxProcessingError


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _process_parsed(self, parsed, raw):
        """Decide and act: undesired, duplicate, update, creation, or an error raised
        as InboxProcessingError. Runs in a savepoint: an error undoes everything."""
        inbox = self.inbox_id
        if parsed.error:
            raise InboxProcessingError(
                self.env._("Failed to decode the email: %(reason)s", reason=parsed.error)
            )
        if parsed.automated:
            inbox._trace("Message %s undesired: %s", self.uid, parsed.automated.reason)
            return self._set_undesired(raw, parsed.automated.reason)
        already = self._find_already_imported(parsed, raw)
        if already and self._get_ticket() == already and self.action in ("created", "updated"):
            # Reset Status of a processed message: what it did stays recorded (the
            # counters and the rate limit read its action and date).
            self.write({"state": "processed", "reason": False})
            return "processed"
        if already:
            return self._set_processed(already, "duplicate")
        echo = self._find_posted_message(parsed)
        if echo:
            return self._set_already_posted(echo)
        ticket = self._match_ticket(parsed) if inbox.behavior != "create_only" else None
        if not ticket and inbox.behavior == "update_only":
            raise InboxProcessingError(
                self.env._("No ticket to update: the email matches no ticket (update only).")
            )
        caller = self._find_or_create_caller(parsed)
        policy = ticket and self._get_update_policy(ticket, caller)
        if policy == "new_ticket":
            inbox._trace("Message %s: a stranger to %s, new ticket", self.uid, ticket.display_name)
            ticket = None
            if inbox.behavior == "update_only":
                raise InboxProcessingError(
                    self.env._("The sender may not update the ticket (update only).")
                )
        if policy == "reject":
            raise InboxProcessingError(
                self.env._(
                    "%(email)s may not update %(ticket)s: neither its caller, a follower, "
                    "one of its contacts nor an internal user.",
                    email=parsed.from_email,
                    ticket=ticket.display_name,
                )
            )
        if ticket:
            if policy == "note":
                self._log_internal_note(ticket, parsed, caller)
            else:
                self._update_ticket(ticket, parsed, caller)
            return self._set_processed(ticket, "updated")
        self._check_rate_limit(parsed)
        ticket = self._create_ticket(parsed, caller)
        return self._set_processed(ticket, "created")

    def _find_already_imported(self, parsed, raw=None):
        """The ticket this very email already made or updated: through this record (a
        reset of a processed message), or through another inbox that received it. The
        same email has the same stable id and content digest (``raw``'s, recorded on
        the line): another email reusing a Message-ID is not a duplicate."""
        ticket = self._get_ticket()
        if ticket and self.action in ("created", "updated", "duplicate"):
            return ticket
        self.write(self._prepare_digest_vals(raw))
        if not parsed.stable_id:
            return None
        domain = [
            ("stable_id", "=", parsed.stable_id),
            ("state", "=", "processed"),
            ("id", "!=", self.id),
            ("ticket_model", "=", self.inbox_id.target_model),
            ("company_id", "=", self.inbox_id.company_id.id),
            *self._same_content_domain(),
        ]
        # One ticket per email across our inboxes, unless the global setting says no.
        across = self.inbox_id._get_global_params().get("one_ticket_per_email", "True")
        if across.strip().lower() in ("0", "false", "no"):
            domain.append(("inbox_id", "=", self.inbox_id.id))
        previous = self.search(domain, limit=1)
        return previous and previous._get_ticket()

    def _find_posted_message(self, parsed):
        """The ``mail.message`` Odoo already holds under this email's Message-ID on a
        ticket this inbox may reach (its model, its company), when the email is not one
        of those we imported (found above as duplicates): Odoo's own notification
        coming back, when the support address follows a ticket. Odoo's mail gateway
        skips such mail too. The same Message-ID elsewhere (a ticket of another
        company, another model) is no echo of ours: the email is processed."""
        if not parsed.message_id:
            return None
        inbox = self.inbox_id
        model = self.env[inbox.target_model].sudo()
        posted = (
            self.env["mail.message"]
            .sudo()
            .search([("message_id", "=", f"<{parsed.message_id}>"), ("model", "=", model._name)])
        )
        reachable = model.browse(set(posted.mapped("res_id"))).exists()
        reachable = reachable.filtered_domain(model._mail_ticket_company_domain(inbox.company_id))
        posted = posted.filtered(lambda message: message.res_id in reachable.ids)[:1]
        if not posted or self.search_count(
            [
                ("stable_id", "=", parsed.stable_id),
                ("state", "=", "processed"),
                ("id", "!=", self.id),
            ],
            limit=1,
        ):
            return None
        return posted

    def _set_already_posted(self, posted):
        """Record, without posting it again, an email Odoo already holds: a duplicate
        of its ticket when it is on one of this inbox's model, else ignored."""
        record = posted.record_name or f"{posted.model},{posted.res_id}"
        reason = self.env._(
            "The Message-ID is already in Odoo (a message of %(record)s): Odoo's own mail "
            "coming back, not posted again.",
            record=record,
        )
        self.inbox_id._trace("Message %s: %s", self.uid, reason)
        model = self.inbox_id.target_model
        ticket = posted.model == model and self.env[model].browse(posted.res_id).exists()
        if ticket:
            self._set_processed(ticket, "duplicate")
            self.reason = reason
            return "processed"
        self.write({"state": "ignored", "reason": reason, "processed_date": fields.Datetime.now()})
        return "ignored"

    def _match_ticket(self, parsed):
        """The ticket this email answers: by its In-Reply-To, then References, against
        the Message-IDs Odoo keeps on ``mail.message``; then by the title pattern."""
        inbox = self.inbox_id
        model = self.env[inbox.target_model]
        ticket = self._match_by_headers(parsed, model)
        if not ticket and inbox.title_pattern and parsed.subject:
            try:
                refs = title_refs(parsed.subject, inbox.title_pattern)
            except PatternError as error:
                raise InboxProcessingError(
                    self.env._("The inbox's title pattern is invalid: %(e)s", e=error)
                )
            ticket = refs and model._mail_ticket_find_by_reference(refs, inbox.company_id)
            if ticket:
                inbox._trace("Message %s matches %s by its subject", self.uid, ticket.display_name)
        if ticket:
            self._check_ticket_type(ticket)
        return ticket or None

    def _match_by_headers(self, parsed, model):
        refs = list(parsed.in_reply_to) + list(reversed(parsed.references))
        if not refs:
            return None
        candidates = (
            self.env["mail.message"]
            .sudo()
            .search([("message_id", "in", [f"<{ref}>" for ref in refs]), ("model", "!=", False)])
        )
        mixin_models = set(self.inbox_id._get_target_model_names())
        in_company = model._mail_ticket_company_domain(self.inbox_id.company_id)
        # The same Message-ID may be on tickets of several companies (one email, two
        # inboxes): the one of this inbox's company is answered.
        by_id = {}
        for message in candidates:
            if message.model == model._name:
                record = model.browse(message.res_id).exists()
                if not record.filtered_domain(in_company):
                    continue
            by_id.setdefault(message.message_id, message)
        for ref in refs:
            message = by_id.get(f"<{ref}>")
            if not message or message.model not in mixin_models or not message.res_id:
                continue
            if message.model != model._name:
                raise InboxProcessingError(
                    self.env._(
                        "The email answers a record of %(other)s, not of %(model)s as this "
                        "inbox expects.",
                        other=message.model,
                        model=model._name,
                    )
                )
            ticket = model.browse(message.res_id).exists()
            if ticket:
                self.inbox_id._trace("Message %s answers %s", self.uid, ticket.display_name)
                return ticket
        return None

    def _check_ticket_type(self, ticket):
        inbox = self.inbox_id
        if ticket._mail_ticket_type_field and inbox.ticket_type:
            if ticket._mail_ticket_type() != inbox.ticket_type:
                raise InboxProcessingError(
                    self.env._(
                        "The email matches %(ticket)s, whose type is not the inbox's type.",
                        ticket=ticket.display_name,
                    )
                )

    def _get_update_policy(self, ticket, sender):
        """How an email of ``sender`` updates ``ticket``: ``accept`` from one of its
        participants, else the inbox's ``stranger_update_policy``."""
        if self._is_ticket_participant(ticket, sender):
            return "accept"
        return self.inbox_id.stranger_update_policy or "note"

    def _is_ticket_participant(self, ticket, sender):
        """Whether ``sender`` (res.partner) takes part in ``ticket``: a follower, a
        contact set on one of its fields (caller, organization...), or an internal
        user. Override to widen (e.g. the caller's colleagues)."""
        # Cheapest first: the ticket's own fields, then its followers, then users. By
        # address, not by record: the sender is one of the contacts holding it.
        email = sender.email_normalized

        def is_sender(partners):
            return sender in partners or bool(
                email and email in partners.mapped("email_normalized")
            )

        for name, field in ticket._fields.items():
            if field.type == "many2one" and field.comodel_name == "res.partner" and field.store:
                if is_sender(ticket.sudo()[name]):
                    return True
        if is_sender(ticket.sudo().message_partner_ids):
            return True
        if any(not user.share for user in sender.sudo().user_ids):
            return True
        return bool(
            email
            and self.env["res.users"]
            .sudo()
            .search_count([("email_normalized", "=", email), ("share", "=", False)], limit=1)
        )

    def _find_or_create_caller(self, parsed):
        inbox = self.inbox_id
        if not parsed.from_email:
            raise InboxProcessingError(self.env._("The email has no sender address."))
        caller = inbox._find_partner(parsed.from_email)
        if caller:
            return caller
        if inbox.unknown_caller_behavior != "create_contact":
            raise InboxProcessingError(
                self.env._("Unknown caller (%(email)s)", email=parsed.from_email)
            )
        try:
            with self.env.cr.savepoint():
                caller = inbox._create_caller(parsed.from_email, parsed.from_name)
        except Exception as error:
            raise InboxProcessingError(
                self.env._(
                    "Failed to create a contact for %(email)s: %(error)s",
                    email=parsed.from_email,
                    error=error,
                )
            )
        inbox._trace("Contact %s created for %s", caller.display_name, parsed.from_email)
        return caller

    def _check_rate_limit(self, parsed):
        """Refuse a new ticket from a sender who created ``mail.gateway.loop.threshold``
        tickets in the last ``mail.gateway.loop.minutes`` (Odoo's mail gateway loop
        settings, 20 in 120 minutes by default) unless the address is in Odoo's
        allowed list (``mail.gateway.allowed``): a mail loop or a flood stops there."""
        sender = email_normalize(parsed.from_email or "")
        get_param = self.env["ir.config_parameter"].sudo().get_param
        minutes = int(get_param("mail.gateway.loop.minutes", 120))
        threshold = int(get_param("mail.gateway.loop.threshold", 20))
        if not sender or threshold <= 0:
            return
        # On the index of creations by sender (init): one range, whatever the ledger's
        # size. This line is left out, so its own pending writes (its headers) need
        # no flush; only created lines count.
        self.flush_model(["action", "processed_date"])
        self.env.cr.execute(
            "SELECT count(*) FROM mail_inbox_message WHERE lower(email_from) = %s "
            "AND action = 'created' AND processed_date >= %s AND id != %s",
            [sender, fields.Datetime.now() - timedelta(minutes=minutes), self.id],
        )
        recent = self.env.cr.fetchone()[0]
        allowed = self.env["mail.gateway.allowed"].sudo()
        if recent >= threshold and not allowed.search_count(
            [("email_normalized", "=", sender)], limit=1
        ):
            raise InboxProcessingError(
                self.env._(
                    "Rate limit: %(email)s created %(count)s tickets in the last %(minutes)s "
                    "minutes (a mail loop or a flood?). Add the address to the allowed "
                    "senders of the mail gateway to lift the limit.",
                    email=sender,
                    count=recent,
                    minutes=minutes,
                )
            )
