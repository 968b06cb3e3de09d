# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retention on the server of an inbox: delete or move what the committed messages call
for (storage policy, errors, keep-until-closed)."""

from datetime import timedelta

from odoo import fields, models

from ..transaction import commit

# The check dates are written at most this often (the re-check margin covers the rest).
KEEP_MARK_EVERY = timedelta(minutes=1)
# Keep-until-closed: tickets written this recently are checked at every cycle (a margin
# for transactions still running when the previous check read them); every so often a
# sweep checks all kept messages (deleted tickets leave no write date).
KEEP_RECHECK_MARGIN = timedelta(minutes=10)
KEEP_SWEEP_INTERVAL = timedelta(hours=1)


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    def _apply_server_actions(self, source):
        """Delete or move, on the server, what the committed messages call for: processed
        mail per the inbox's storage policy (kept mail once its ticket is closed or
        deleted), errors when the inbox deletes them. Returns how many messages left
        the folder."""
        ledger = self.env["mail.inbox.message"]
        candidates = self._server_action_candidates()
        if not candidates:
            return 0  # an idle cycle: no commit here, the cycle's last one ends it
        # Everything before committed, and the messages locked and decided again on a
        # fresh snapshot (a candidate no longer one is left alone; a new one, next cycle).
        commit(self.env)
        messages = ledger._lock_for_server_actions(candidates)
        to_delete, to_move = ledger.browse(), ledger.browse()
        for message in messages:
            if message.flagged_deleted:
                to_delete |= message  # flagged by us before: expunged once it can be
            elif message.state == "processed":
                if self.email_storage == "delete":
                    to_delete |= message
                elif self.email_storage == "move":
                    to_move |= message
                else:
                    ticket = message._get_ticket()
                    if not ticket or ticket._mail_ticket_is_closed():
                        to_delete |= message
            elif message.state in ("error", "undesired") and self.error_behavior == "delete":
                # Never the only copy of a message (too big and not saved, not read).
                if message._has_copy():
                    to_delete |= message
        if to_delete:
            source.delete(to_delete.mapped("server_uid"))
            self._trace("Deleted %d message(s) from the server", len(to_delete))
        if to_move:
            # Without MOVE: COPY, then delete, which may leave them flagged too.
            source.move(to_move.mapped("server_uid"), self.target_folder)
            self._trace("Moved %d message(s) to %s", len(to_move), self.target_folder)
        # Flagged but not expunged (IMAP without UIDPLUS, other clients' \\Deleted mail
        # in the folder): still on the server, expunged by a later cycle, never copied
        # again.
        removed = (to_delete | to_move)._record_deleted(source)
        if to_delete or to_move:
            commit(self.env)
        return len(removed)

    def _server_action_candidates(self):
        """The messages on the server that the inbox's policies may remove now. Found
        by SQL in proportion to what changed, so that a mailbox keeping 100,000
        messages costs nothing to poll: processed ones when the inbox deletes or moves
        them (few: done each cycle), errors and undesired ones when it deletes those,
        and with keep-until-closed only those whose ticket is closed or gone."""
        ledger = self.env["mail.inbox.message"]
        states = ["error", "undesired"] if self.error_behavior == "delete" else []
        if self.email_storage != "keep":
            states.append("processed")
        # And whatever we flagged \\Deleted and could not expunge yet (few: an index).
        flagged = [("flagged_deleted", "=", True)]
        candidates = ledger.search(
            [
                ("inbox_id", "=", self.id),
                ("on_server", "=", True),
                *(["|", ("state", "in", states), *flagged] if states else flagged),
            ]
        )
        if self.email_storage == "keep":
            candidates |= self._kept_messages_to_remove()
        return candidates

    def _kept_messages_to_remove(self):
        """Kept messages whose ticket is closed or deleted. Each cycle looks at the
        messages of tickets written since the last check only (a closing is a write);
        a sweep of all kept messages, at most every KEEP_SWEEP_INTERVAL, catches the
        deleted tickets."""
        ledger = self.env["mail.inbox.message"]
        now = fields.Datetime.now()
        sweep = not self.keep_swept_date or self.keep_swept_date < now - KEEP_SWEEP_INTERVAL
        model = self.env[self.target_model]
        cr = self.env.cr
        ledger.flush_model()
        if sweep:
            # No index is created here: CREATE INDEX would hold a lock on the ticket
            # table (OCA's, an integrator's) through the cycle's IMAP work until its
            # commit; the mixin's init and the inbox's target model make it.
            cr.execute(
                "SELECT id, ticket_model, ticket_id FROM mail_inbox_message "
                "WHERE inbox_id = %s AND on_server AND state = 'processed'",
                [self.id],
            )
        else:
            since = (self.keep_checked_date or now) - KEEP_RECHECK_MARGIN
            # Tickets written lately (closed ones among them), found by their write
            # date index first, so the cost follows them and not the kept lines; then
            # lines written lately (processed lately, or touched when their ticket was
            # deleted).
            cr.execute(f'SELECT id FROM "{model._table}" WHERE write_date >= %s', [since])
            ticket_ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                "SELECT id, ticket_model, ticket_id FROM mail_inbox_message WHERE inbox_id = %s "
                "AND on_server AND state = 'processed' AND write_date >= %s",
                [self.id, since],
            )
            rows = cr.fetchall()
            if ticket_ids:
                cr.execute(
                    "SELECT id, ticket_model, ticket_id FROM mail_inbox_message "
                    "WHERE ticket_id = ANY(%s) AND on_server AND state = 'processed' "
                    "AND inbox_id = %s AND ticket_model = %s",
                    [ticket_ids, self.id, model._name],
                )
                rows = list(set(rows) | set(cr.fetchall()))
        if sweep:
            rows = cr.fetchall()
        self._store_keep_marks(now, sweep)
        return ledger.browse(ledger._ids_of_closed_tickets(rows))

    def _store_keep_marks(self, now, sweep):
        """Remember when kept messages were checked (and swept); a conflict with another
        worker doing the same is harmless: the next cycle checks a little more."""
        if not sweep and self.keep_checked_date and now - self.keep_checked_date < KEEP_MARK_EVERY:
            return  # the re-check margin covers it: no write on most cycles
        vals = {"keep_checked_date": now, **({"keep_swept_date": now} if sweep else {})}
        if self._lock_row():
            self.write(vals)
        else:
            self.invalidate_recordset(list(vals))
