# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Route, then act: what to do with one parsed email is decided first, writing nothing
(``_route``, one small method per rule), then applied (``_apply_route``). Processing
applies the route; the *Test an email* wizard shows it: both read the same methods, so
an integrator's override changes both."""

import copy
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from odoo import fields, models
from odoo.tools import SQL, email_normalize

from ..mailparse import PatternError, title_refs
from ..mailparse.identity import content_digest
from ..transaction import memoized, recall, remember
from .mail_inbox_message import InboxProcessingError

# The context key on which _match_ticket says how it found the ticket it returns.
MATCHED_BY_KEY = "mail_ticket_matched_by"
# The context key on which _match_by_headers says the email answers an internal message.
ANSWERS_INTERNAL_KEY = "mail_ticket_answers_internal"
# The batch memo's keys (``transaction.batch_memo``): the stable id of each message of
# the batch, read from its header block (``{line id: stable id}``); whether a message
# of the batch was parsed with another identity than its header block's; the emails of
# the batch already imported or posted, asked once (``_batch_known_absent``).
BATCH_EMAILS = "batch_emails"
_BATCH_MIXED = "batch_emails_mixed"
_BATCH_FOUND = "batch_emails_found"

VERDICTS = [
    ("create", "Create a ticket"),
    ("update", "Update a ticket"),
    ("note", "Log an internal note"),
    ("duplicate", "Already imported"),
    ("undesired", "Undesired"),
    ("error", "Error"),
]


@dataclass(frozen=True)
class Route:
    """What processing does with one email (``mail.inbox.message._route``).

    ``verdict`` is one of VERDICTS: ``create`` (also a stranger's new ticket, when the
    inbox says so), ``update`` or ``note`` (an internal note, from a stranger) of
    ``ticket``, found by ``matched_by`` (``headers`` or ``title``); ``duplicate``: the
    email, or Odoo's own mail coming back (``matched_by`` ``posted``), is already on
    ``ticket``; ``undesired`` (automated mail); ``error``. ``caller``: the sender's
    contact, a new record not saved yet when ``create_caller``. ``reason``: why, in the
    admin's words. ``own``: this very line already made ``ticket`` (a processed message
    reset): its record stays as it was. ``reply_to_caller``: ``(address, name)`` of the
    caller taken from the Reply-To (``mail.inbox._get_reply_to_caller``): the email is
    acted on as sent by it (``_parsed_as_routed``).
    """

    verdict: str
    reason: str = ""
    ticket: Any = None
    matched_by: str = ""
    caller: Any = None
    create_caller: bool = False
    own: bool = False
    reply_to_caller: tuple = ()


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Route
    # ------------------------------------------------------------------

    def _route(self, parsed, raw=None):
        """Decide what to do with the email ``parsed`` (``raw``, its bytes, tells the
        same email from another one reusing its Message-ID), writing nothing. The
        first rule that decides wins; a rule refuses the email by raising
        InboxProcessingError, which makes an ``error`` route."""
        digest = content_digest(raw) if raw is not None else False
        self._batch_note_identity(parsed)
        try:
            return (
                self._route_unreadable(parsed)
                or self._route_undesired(parsed)
                or self._route_already_imported(parsed, digest)
                or self._route_odoo_mail(parsed)
                or self._route_reply_to_caller(parsed)
                or self._route_own_sender(parsed)
                or self._route_reply_or_new(parsed)
            )
        except InboxProcessingError as error:
            return Route("error", str(error))

    def _route_unreadable(self, parsed):
        """An email the parse could not decode is an error, with the parse's reason."""
        if parsed.error:
            reason = self.env._("Failed to decode the email: %(reason)s", reason=parsed.error)
            return Route("error", reason)
        return None

    def _route_undesired(self, parsed):
        """Automated mail (bounces, auto-replies, lists...) the parse recognized. Override
        for a rule that needs Odoo's data (e.g. a sender of a blocked list)."""
        if parsed.automated:
            return Route("undesired", parsed.automated.reason)
        return None

    def _route_already_imported(self, parsed, digest):
        """The ticket this very email already made or updated: through this line (a
        reset of a processed message), or through another line, of this inbox or of
        another one of the company. The same email has the same stable id and content
        ``digest``: another email reusing a Message-ID is not a duplicate."""
        ticket = self._get_ticket()
        if ticket and self.action in ("created", "updated", "duplicate"):
            own = self.action != "duplicate"
        else:
            ticket, own = self._find_already_imported(parsed, digest), False
        if not ticket:
            return None
        reason = self.env._(
            "The same email was already imported: %(ticket)s.", ticket=ticket.display_name
        )
        return Route("duplicate", reason, ticket=ticket, matched_by="imported", own=own)

    def _find_already_imported(self, parsed, digest):
        """The ticket another processed line of this email made or updated, or None."""
        if not parsed.stable_id or self._batch_known_absent(parsed, "imported"):
            return None
        inbox = self.inbox_id
        domain = [
            ("stable_id", "=", parsed.stable_id),
            ("state", "=", "processed"),
            ("id", "not in", self._origin.ids),
            ("ticket_model", "=", inbox.target_model),
            ("company_id", "=", inbox.company_id.id),
            *self._same_content_domain(digest),
        ]
        # One ticket per email across our inboxes, unless the global setting says no.
        across = inbox._get_global_params().get("one_ticket_per_email", "True")
        if across.strip().lower() in ("0", "false", "no"):
            domain.append(("inbox_id", "=", inbox.id))
        previous = self.search(domain, limit=1)
        return previous._get_ticket() if previous else None

    def _route_odoo_mail(self, parsed):
        """Odoo's own mail coming back (the support address follows a ticket): the
        email's Message-ID is on a ``mail.message`` of a ticket this inbox may reach
        (its model, its company) and no line imported it. A duplicate of that ticket,
        not posted again, as Odoo's mail gateway skips such mail. The same Message-ID
        elsewhere (a ticket of another company, another model) is no echo of ours."""
        if not parsed.message_id or self._batch_known_absent(parsed, "posted"):
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
                ("id", "not in", self._origin.ids),
            ],
            limit=1,
        ):
            return None
        record = posted.record_name or f"{posted.model},{posted.res_id}"
        reason = self.env._(
            "The Message-ID is already in Odoo (a message of %(record)s): Odoo's own mail "
            "coming back, not posted again.",
            record=record,
        )
        ticket = self.env[inbox.target_model].browse(posted.res_id)
        return Route("duplicate", reason, ticket=ticket, matched_by="posted")

    def _batch_note_identity(self, parsed):
        """In a batch: a message parsed with another identity than its header block's
        (by which the batch kept one message an email) may write a stable id or post a
        Message-ID that another message of the batch has; the batch's answers of
        ``_batch_known_absent`` are no longer used from then on."""
        emails = recall(self.env, BATCH_EMAILS)
        if emails is None:
            return
        own = emails.get(self.id)
        if parsed.stable_id != own or (parsed.message_id and parsed.message_id != own):
            remember(self.env, _BATCH_MIXED, True)

    def _batch_known_absent(self, parsed, kind):
        """Whether this batch knows, without a statement, that no processed line
        (``kind`` ``imported``) or no message of the target model (``posted``) has
        this email's stable id or Message-ID: one statement asks it for every email of
        the batch. Exact on the batch's snapshot (repeatable read): the batch holds
        one message an email (``_lock_emails``) and the email's lock, so only this
        message could add such a row meanwhile; not used for a message whose parse
        disagrees with its header block (``_batch_note_identity``)."""
        emails = recall(self.env, BATCH_EMAILS)
        if not emails or recall(self.env, _BATCH_MIXED):
            return False
        own = emails.get(self.id)
        if not own or parsed.stable_id != own:
            return False
        if kind == "posted" and parsed.message_id != own:
            return False
        model = self.inbox_id.target_model
        found = memoized(
            self.env, (_BATCH_FOUND, model), lambda: self._batch_emails_found(emails, model)
        )
        return (kind, own) not in found

    def _batch_emails_found(self, emails, model):
        """``(kind, id)`` of the batch's emails (``emails``: ``{line: stable id}``)
        already imported (a processed line with the stable id) or posted (a message of
        ``model`` with it as Message-ID), in one statement."""
        ids = sorted({stable_id for stable_id in emails.values() if stable_id})
        self.flush_model(["stable_id", "state"])
        self.env["mail.message"].flush_model(["message_id", "model"])
        self.env.cr.execute(
            SQL(
                """SELECT 'imported', stable_id FROM mail_inbox_message
                    WHERE stable_id = ANY(%(ids)s) AND state = 'processed'
                   UNION
                   SELECT 'posted', substr(message_id, 2, length(message_id) - 2)
                     FROM mail_message
                    WHERE message_id = ANY(%(message_ids)s) AND model = %(model)s""",
                ids=ids,
                message_ids=[f"<{stable_id}>" for stable_id in ids],
                model=model,
            )
        )
        return {(kind, value) for kind, value in self.env.cr.fetchall()}

    def _route_reply_to_caller(self, parsed):
        """The email routed as sent by the caller the inbox takes from its Reply-To
        (``mail.inbox._get_reply_to_caller``: a web form's visitor), or None: its reason
        says so, a refusal too."""
        found = self.inbox_id._get_reply_to_caller(parsed)
        if not found or not self._reply_to_may_write(parsed):
            return None
        sent_by = self._as_sent_by(parsed, *found)
        try:
            route = self._route_reply_or_new(sent_by)
            if route.verdict == "update" and route.matched_by == "title":
                route = self._route_typed_reference(parsed, sent_by, route)
            if route.verdict == "create" and not self.inbox_id._is_our_mail_address(
                parsed.from_email
            ):
                # A foreign sender naming a new caller each time (another helpdesk's
                # address per case) loops as fast as one: its own count limits it too.
                self._check_rate_limit(parsed)
        except InboxProcessingError as error:
            route = Route("error", str(error))
        note = self.env._(
            "Caller taken from the Reply-To: %(caller)s (sent by %(sender)s).",
            caller=found[0],
            sender=parsed.from_email,
        )
        return replace(route, reason=f"{note} {route.reason}", reply_to_caller=found)

    def _reply_to_may_write(self, parsed):
        """Whether the caller of the Reply-To may be the author of ``parsed``: a
        Reply-To is never authenticated (DMARC vouches for the From alone). Mail from one
        of our addresses (our own form) and a new ticket: yes. A reply to a ticket: only
        when its From takes part in the ticket itself; else it is routed as its From's (a
        stranger's), so that no one writes on a ticket as another by naming them."""
        inbox = self.inbox_id
        if inbox._is_our_mail_address(parsed.from_email) or inbox.behavior == "create_only":
            return True
        ticket = self._match_ticket(parsed)
        if not ticket:
            return True
        sender = inbox._find_partner(parsed.from_email)
        return bool(sender) and self._is_ticket_participant(ticket.with_env(self.env), sender)

    def _route_typed_reference(self, parsed, sent_by, route):
        """``route`` (an update of the ticket whose reference the subject holds) as a
        stranger's (the inbox's ``stranger_update_policy``) when the email is our own
        form's: its visitor typed both the Reply-To and the subject, anyone may type a
        customer's address and her ticket's reference; nothing vouches for either. A
        foreign From's Reply-To got here only from one of the ticket's participants."""
        inbox = self.inbox_id
        policy = inbox.stranger_update_policy or "note"
        if policy == "accept" or not inbox._is_our_mail_address(parsed.from_email):
            return route
        route = self._route_by_stranger_policy(sent_by, route, policy)
        note = self.env._(
            "Sent from one of our addresses (a web form): its Reply-To and its subject "
            "are what a visitor typed, no proof that the caller wrote it."
        )
        return replace(route, reason=f"{note} {route.reason}")

    def _as_sent_by(self, parsed, address, name):
        """A copy of the email ``parsed`` as sent by ``address`` (``name``); ``parsed``
        is not changed (the route writes nothing)."""
        email = copy.copy(parsed)
        email.from_email, email.from_name, email.list_from = address, name, ""
        return email

    def _parsed_as_routed(self, parsed, route):
        """The email as processing acts on it: sent by the caller of the Reply-To when
        ``route`` took it from there."""
        if route.reply_to_caller:
            return self._as_sent_by(parsed, *route.reply_to_caller)
        return parsed

    def _route_own_sender(self, parsed):
        """Mail sent from one of our own inboxes (``mail.inbox._get_own_addresses``:
        a copy of what the support mailbox sent, an auto-forward keeping the From, our
        mail coming back) is undesired: its address never becomes a caller, a contact
        or a follower, whose every notification would come back to a mailbox of ours
        (a mail loop); nor does an address Odoo sends from or receives at (its
        notifications, catchall or bounce address, an alias: ``_is_odoo_mail_address``).
        A web form's mail whose caller is in its Reply-To was routed before
        (``_route_reply_to_caller``)."""
        sender = email_normalize(parsed.from_email or "")
        if not sender or not self.inbox_id._is_odoo_mail_address(sender):
            return None
        return Route(
            "undesired",
            self.env._(
                "Sent from one of our own addresses (%(email)s): never a caller, so "
                "that no mail loops back to us.",
                email=sender,
            ),
        )

    def _route_reply_or_new(self, parsed):
        """A reply to a ticket (per the inbox's behavior and the sender's right to update
        it), else a new ticket."""
        inbox = self.inbox_id
        ticket, matched_by, answers_internal = None, "", False
        if inbox.behavior != "create_only":
            ticket = self._match_ticket(parsed) or None
        if ticket:
            # How it matched rides on the ticket's context (see _match_ticket); the
            # ticket goes on without it.
            matched_by = ticket.env.context.get(MATCHED_BY_KEY, "")
            answers_internal = ticket.env.context.get(ANSWERS_INTERNAL_KEY, False)
            ticket = ticket.with_env(self.env)
        if not ticket and inbox.behavior == "update_only":
            raise InboxProcessingError(
                self.env._("No ticket to update: the email matches no ticket (update only).")
            )
        caller, create_caller = self._route_caller(parsed)
        if not ticket:
            reason = self.env._("No ticket matches: a new one is created.")
            return self._route_new(parsed, reason, caller, create_caller)
        if matched_by == "headers":
            reason = self.env._("Matched by its In-Reply-To / References headers.")
        elif matched_by == "title":
            reason = self.env._(
                "Matched by the title pattern %(pattern)s.", pattern=inbox.title_pattern
            )
        else:
            reason = self.env._("Matched by a rule of this database (_match_ticket).")
            matched_by = "custom"
        route = Route("update", reason, ticket, matched_by, caller, create_caller)
        route = self._route_stranger(parsed, route)
        if answers_internal and route.verdict == "update":
            route = self._route_internal_reply(route)
        return route

    def _route_internal_reply(self, route):
        """``route`` (an update) as an internal note: the email answers an internal
        message of the ticket (a note), and Odoo's mail gateway keeps such a reply
        internal; published, the caller would be mailed the agents' discussion."""
        reason = self.env._(
            "The email answers an internal note of %(ticket)s: it is logged there as an "
            "internal note.",
            ticket=route.ticket.display_name,
        )
        return replace(route, verdict="note", reason=reason)

    def _route_new(self, parsed, reason, caller, create_caller):
        """A new ticket, unless the sender's rate limit refuses it."""
        self._check_rate_limit(parsed)
        return Route("create", reason, caller=caller, create_caller=create_caller)

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------

    def _match_ticket(self, parsed):
        """The ticket this email answers, or ``None`` (the contract this method has
        always had: an override may return its own ticket, or fall back on one when
        ``super()`` finds none). How it was found (``headers``, ``title``) rides on the
        returned ticket's context under MATCHED_BY_KEY, for the route's reason; a
        ticket without it is "matched by the inbox's own rule". Override
        ``_match_by_headers`` or ``_match_by_title`` for another way of matching."""
        model = self.env[self.inbox_id.target_model]
        ticket, matched_by = self._match_by_headers(parsed, model), "headers"
        if not ticket:
            ticket, matched_by = self._match_by_title(parsed, model), "title"
        if not ticket:
            return None
        self._check_ticket_type(ticket)
        return ticket.with_context(**{MATCHED_BY_KEY: matched_by})

    def _match_by_title(self, parsed, model):
        """The ticket whose reference the inbox's title pattern finds in the subject."""
        inbox = self.inbox_id
        if not (inbox.title_pattern and parsed.subject):
            return None
        try:
            refs = title_refs(parsed.subject, inbox.title_pattern)
        except PatternError as error:
            raise InboxProcessingError(
                self.env._("The inbox's title pattern is invalid: %(e)s", e=error)
            ) from None
        ticket = refs and model._mail_ticket_find_by_reference(refs, inbox.company_id)
        if ticket:
            inbox._trace("Message %s matches %s by its subject", self.uid, ticket.display_name)
        return ticket or None

    def _match_by_headers(self, parsed, model):
        """The ticket this email answers by its In-Reply-To, then References, against
        the Message-IDs Odoo keeps on ``mail.message``; refused when it answers a record
        of another ticket model. An archived ticket is answered by none (no agent sees
        it: a reply posted there would be lost), as the title's search leaves it out."""
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
        # Which of the tickets named still exist: one statement for all of them.
        existing = model.browse(
            {message.res_id for message in candidates if message.model == model._name}
        ).exists()
        if model._active_name:
            existing = existing.filtered(model._active_name)
        # The same Message-ID may be on tickets of several companies (one email, two
        # inboxes): the one of this inbox's company is answered.
        answerable = set(existing.filtered_domain(in_company).ids)
        by_id = {}
        for message in candidates:
            if message.model == model._name and message.res_id not in answerable:
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
            # In ``answerable``: it exists (checked above).
            ticket = model.browse(message.res_id)
            self.inbox_id._trace("Message %s answers %s", self.uid, ticket.display_name)
            if self._is_internal_message(message):
                ticket = ticket.with_context(**{ANSWERS_INTERNAL_KEY: True})
            return ticket
        return None

    def _is_internal_message(self, message):
        """Whether ``message`` (the one an email answers) is an internal note written
        in Odoo, whose notification went to internal users only. An incoming email
        logged as a note (a stranger's) was no secret to the people it was sent to:
        their reply-all stays what their sender's rights make it. An agent's email logged
        as a note (a reply to a note) is internal too: the agents' discussion by email
        goes on from it, quoting the note."""
        if not message.subtype_id.internal:
            return False
        if message.message_type == "comment":
            return True
        return message.message_type == "email" and any(
            not user.share for user in message.author_id.user_ids
        )

    def _check_ticket_type(self, ticket):
        """Refuse a reply to a ticket of another type than the inbox's."""
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
        return self._is_internal_contact(sender)

    def _is_internal_contact(self, partner):
        """Whether ``partner`` is, or shares its address with, an internal user."""
        if any(not user.share for user in partner.sudo().user_ids):
            return True
        email = partner.email_normalized
        return bool(
            email
            and self.env["res.users"]
            .sudo()
            .search_count([("email_normalized", "=", email), ("share", "=", False)], limit=1)
        )

    def _route_stranger(self, parsed, route):
        """``route`` (an update) as the inbox's ``stranger_update_policy`` says when the
        sender takes no part in the ticket: an internal note, a new ticket, or a
        refusal (raised)."""
        policy = self._get_update_policy(route.ticket, route.caller)
        return self._route_by_stranger_policy(parsed, route, policy)

    def _route_by_stranger_policy(self, parsed, route, policy):
        """``route`` (an update of a stranger's) as ``policy`` (a
        ``stranger_update_policy``) says: an internal note, a new ticket, or a refusal
        (raised); unchanged when it says ``accept``."""
        if policy == "accept":
            return route
        ticket, inbox = route.ticket, self.inbox_id
        values = {"email": parsed.from_email, "ticket": ticket.display_name}
        if policy == "note":
            reason = self.env._(
                "%(email)s is a stranger to %(ticket)s: the email is logged there as an "
                "internal note.",
                **values,
            )
            return Route(
                "note", reason, ticket, route.matched_by, route.caller, route.create_caller
            )
        if policy == "new_ticket":
            if inbox.behavior == "update_only":
                raise InboxProcessingError(
                    self.env._("The sender may not update the ticket (update only).")
                )
            reason = self.env._(
                "%(email)s is a stranger to %(ticket)s: a new ticket is created.", **values
            )
            inbox._trace("Message %s: a stranger to %s, new ticket", self.uid, ticket.display_name)
            return self._route_new(parsed, reason, route.caller, route.create_caller)
        raise InboxProcessingError(
            self.env._(
                "%(email)s may not update %(ticket)s: neither its caller, a follower, "
                "one of its contacts nor an internal user.",
                **values,
            )
        )

    def _route_caller(self, parsed):
        """The sender's contact and whether it is to be created: then a new record, not
        saved (``_apply_route`` creates it); refused (raised) when the inbox rejects
        unknown callers."""
        inbox = self.inbox_id
        if not parsed.from_email:
            raise InboxProcessingError(self.env._("The email has no sender address."))
        caller = inbox._find_partner(parsed.from_email)
        if not caller and parsed.list_from:
            # A list that named its author: a customer known by the list's address,
            # never an internal user's (a team's group), who takes part in every ticket.
            listed = inbox._find_partner(parsed.list_from)
            if listed and not self._is_internal_contact(listed):
                caller = listed
        if caller:
            return caller, False
        if inbox.unknown_caller_behavior != "create_contact":
            raise InboxProcessingError(
                self.env._("Unknown caller (%(email)s)", email=parsed.from_email)
            )
        name = parsed.from_name or parsed.from_email.split("@")[0]
        return self.env["res.partner"].new({"email": parsed.from_email, "name": name}), True

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
        # On the index of creations by sender (init): one range, whatever the messages'
        # size. This line is left out, so its own pending writes (its headers) need
        # no flush; only created lines count, and a line's creation pending flushes
        # every pending write of the model (Odoo's _flush), its sender with it.
        self.flush_model(["action", "processed_date"])
        self.env.cr.execute(
            "SELECT count(*) FROM mail_inbox_message WHERE lower(email_from) = %s "
            "AND action = 'created' AND processed_date >= %s AND id != %s",
            [sender, fields.Datetime.now() - timedelta(minutes=minutes), self._origin.id or 0],
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
