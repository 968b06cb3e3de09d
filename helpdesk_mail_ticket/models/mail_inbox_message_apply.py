# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Act on a route: the one place processing writes what an email does (the ticket's
side lives on the ticket model: ``_mail_ticket_new``, ``_mail_ticket_update``,
``_mail_ticket_note``)."""

from odoo import models

from .mail_inbox_message import InboxProcessingError


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _process_parsed(self, parsed, raw):
        """Route, then act (Odoo's ``message_route``, then ``message_new`` or
        ``message_update``). Runs in the savepoint of ``_process_claimed``: an error,
        raised as InboxProcessingError, undoes everything. Returns the new state."""
        return self._apply_route(self._route(parsed, raw), parsed, raw)

    def _apply_route(self, route, parsed, raw):
        """Do what ``route`` says with this message and its ticket."""
        inbox = self.inbox_id
        if route.verdict == "error":
            raise InboxProcessingError(route.reason)
        if route.verdict == "undesired":
            inbox._trace("Message %s undesired: %s", self.uid, route.reason)
            return self._set_undesired(raw, route.reason)
        if route.own:
            # Reset Status of a processed message: what it did stays recorded (the
            # counters and the rate limit read its action and date).
            self.write({"state": "processed", "reason": False})
            return "processed"
        self.write(self._prepare_digest_vals(raw))
        if route.matched_by == "posted":
            inbox._trace("Message %s: %s", self.uid, route.reason)
        if route.verdict == "duplicate":
            self._set_processed(route.ticket, "duplicate")
            if route.matched_by == "posted":
                self.reason = route.reason
            return "processed"
        if route.reply_to_caller:
            # The caller of the Reply-To is the sender of the ticket, and of the ledger
            # (the rate limit counts by it) when our own form sent it; a foreign
            # sender stays the ledger's, counted as such (_route_reply_to_caller).
            inbox._trace("Message %s: %s", self.uid, route.reason)
            own_form = inbox._is_our_mail_address(parsed.from_email)
            parsed = self._parsed_as_routed(parsed, route)
            if own_form:
                self.email_from = parsed.from_email
        caller = self._create_sender_contact(parsed) if route.create_caller else route.caller
        if route.verdict == "create":
            ticket = self.env[inbox.target_model]._mail_ticket_new(parsed, caller, inbox)
            return self._set_processed(ticket, "created")
        if route.verdict == "note":
            inbox._trace("Message %s: an internal note", self.uid)
            route.ticket._mail_ticket_note(parsed, caller, inbox)
        else:
            route.ticket._mail_ticket_update(parsed, caller, inbox)
        return self._set_processed(route.ticket, "updated")

    def _create_sender_contact(self, parsed):
        """The contact of an unknown sender, created (the inbox creates unknown
        callers): an InboxProcessingError when Odoo refuses it."""
        inbox = self.inbox_id
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
            ) from error
        inbox._trace("Contact %s created for %s", caller.display_name, parsed.from_email)
        return caller
