# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retention on the server of an inbox: delete or move what the committed messages call
for (storage policy, errors, keep-until-closed)."""

import logging
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..transaction import commit

_logger = logging.getLogger(__name__)
# (database, inbox id) whose move into the folder it reads was logged by this process.
_TOLD_INTO_ITSELF = set()

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
        # What the check reads of the row, alone when a commit emptied the cache
        # (no statement when the synchronization state's read is still there).
        self.fetch(self._sync_lock_columns())
        candidates = self._server_action_candidates()
        if not candidates:
            return 0  # an idle cycle: no commit here, the cycle's last one ends it
        # Everything before committed, and the messages locked and decided again on a
        # fresh snapshot (a candidate no longer one is left alone; a new one, next cycle).
        commit(self.env)
        messages = ledger._lock_for_server_actions(candidates)
        if messages and not self._still_connected_mailbox():
            # The inbox reads another mailbox since the cycle connected: the lines hold
            # its handles now (another worker synchronized it), which name other mail
            # on this connection's. Checked with the lines locked: a reset committed
            # later waits for this transaction (it sets them off the server).
            return 0
        to_delete, to_move = ledger.browse(), ledger.browse()
        # Never into the folder read (a setting saved before the check refused it):
        # each move would make the message a new one. Left where it is (and no
        # candidate: _removable_line_query).
        into_itself = self._moves_into_itself()
        for message in messages:
            if message.flagged_deleted:
                to_delete |= message  # flagged by us before: expunged once it can be
            elif message.state == "processed":
                if self.email_storage == "delete":
                    to_delete |= message
                elif self.email_storage == "move":
                    if not into_itself:
                        to_move |= message
                else:
                    ticket = message._get_ticket()
                    if not ticket or ticket._mail_ticket_is_closed():
                        to_delete |= message
            elif message.state in ("error", "undesired") and self.error_behavior == "delete":
                # Never the only copy of a message (too big and not saved, not read); a
                # kept copy whose file left the file store is kept again first.
                if message._has_copy() or message._keep_lost_copy_again(source):
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
        whatever we flagged \\Deleted and could not expunge yet, and with
        keep-until-closed only those whose ticket is closed or gone
        (``_kept_messages_to_remove``), all in one statement: an idle cycle pays one
        round trip."""
        return self._find_server_action_candidates(direct=True)

    def _kept_messages_to_remove(self):
        """Kept messages whose ticket is closed or deleted (the keep-until-closed part
        of ``_server_action_candidates`` alone)."""
        return self._find_server_action_candidates(direct=False)

    def _find_server_action_candidates(self, direct):
        """The candidates of ``_server_action_candidates`` (``direct``) or of
        ``_kept_messages_to_remove``. The rows of the check an idle cycle found already
        on this snapshot with its pending lines (``_find_pending_and_removable``) come
        in the context ``mail_inbox_server_action_rows``: read again, they would cost
        the idle cycle a statement (stale ones are harmless: the messages are locked
        and decided again before any server command)."""
        ledger = self.env["mail.inbox.message"]
        found = self.env.context.get("mail_inbox_server_action_rows") if direct else None
        if found:
            return self._server_action_candidates_from(*found)
        queries, plan = self._server_action_queries(direct)
        if not queries:
            return ledger.browse()
        ledger.flush_model()
        self.env.cr.execute(SQL(" UNION ALL ").join(queries))
        return self._server_action_candidates_from(self.env.cr.fetchall(), plan)

    def _server_action_queries(self, direct=True):
        """The queries of ``_find_server_action_candidates`` (rows ``(id, ticket_model,
        ticket_id, is_kept)``), and what reading their rows needs
        (``_server_action_candidates_from``)."""
        now = fields.Datetime.now()
        keep = self.email_storage == "keep"
        sweep = keep and (
            not self.keep_swept_date or self.keep_swept_date < now - KEEP_SWEEP_INTERVAL
        )
        queries = self._kept_line_queries(now, sweep) if keep else []
        if direct:
            queries.insert(0, self._removable_line_query())
        return queries, (now, sweep, keep)

    def _server_action_candidates_from(self, rows, plan):
        """The candidates the rows of ``_server_action_queries`` name (the kept lines'
        tickets read, the keep-until-closed marks stored)."""
        ledger = self.env["mail.inbox.message"]
        now, sweep, keep = plan
        removable, kept = set(), set()
        for rid, model_name, ticket_id, is_kept in rows:
            if is_kept:
                kept.add((rid, model_name, ticket_id))
            else:
                removable.add(rid)
        candidates = ledger.browse(sorted(removable, reverse=True))
        if keep:
            self._store_keep_marks(now, sweep)
            candidates |= ledger.browse(ledger._ids_of_closed_tickets(sorted(kept)))
        return candidates

    def _removable_line_query(self):
        """The query of this inbox's lines on the server to remove as they are
        (``(id, NULL, NULL, false)`` rows): processed ones when the inbox deletes or
        moves its mail, errors and undesired ones when it deletes those, and what we
        flagged \\Deleted and could not expunge yet (few: an index)."""
        states = ["error", "undesired"] if self.error_behavior == "delete" else []
        if self._moves_into_itself():
            # Processed mail it cannot move stays: no candidate, else every cycle, idle
            # ones too, would lock and pass over all of it, ever more. Said once a
            # process (an idle cycle a few seconds apart would repeat it).
            if (self.env.cr.dbname, self.id) not in _TOLD_INTO_ITSELF:
                _TOLD_INTO_ITSELF.add((self.env.cr.dbname, self.id))
                _logger.warning(
                    "Mail inbox %s: its target folder %r is the folder it reads; nothing moved",
                    self.id,
                    self.target_folder,
                )
        elif self.email_storage != "keep":
            states.append("processed")
        return SQL(
            "(SELECT id, NULL::varchar, NULL::integer, false FROM mail_inbox_message "
            "WHERE inbox_id = %s AND on_server AND (flagged_deleted OR state = ANY(%s)))",
            self.id,
            states,
        )

    def _kept_line_queries(self, now, sweep):
        """The queries of this inbox's kept lines whose ticket is to be checked
        (``(id, ticket_model, ticket_id, true)`` rows). Each cycle looks at the lines
        of tickets written since the last check only (a closing is a write) and at
        lines written since (processed lately, or touched when their ticket was
        deleted); a sweep of all kept lines, at most every KEEP_SWEEP_INTERVAL,
        catches the rest."""
        kept = SQL(
            "SELECT id, ticket_model, ticket_id, true FROM mail_inbox_message "
            "WHERE inbox_id = %s AND on_server AND state = 'processed'",
            self.id,
        )
        if sweep:
            # No index is created here: CREATE INDEX would hold a lock on the ticket
            # table (OCA's, an integrator's) through the cycle's IMAP work until its
            # commit; the mixin's init and the inbox's target model make it.
            return [SQL("(%s)", kept)]
        since = (self.keep_checked_date or now) - KEEP_RECHECK_MARGIN
        model = self.env[self.target_model]
        # Tickets written lately (closed ones among them) found by their write date
        # index first, so the cost follows them and not the kept lines.
        return [
            SQL("(%s AND write_date >= %s)", kept, since),
            SQL(
                "(%s AND ticket_model = %s AND ticket_id IN "
                "(SELECT id FROM %s WHERE write_date >= %s))",
                kept,
                model._name,
                SQL.identifier(model._table),
                since,
            ),
        ]

    def _store_keep_marks(self, now, sweep):
        """Remember when kept messages were checked (and swept); a conflict with another
        worker doing the same is harmless: the next cycle checks a little more. Never
        waits for the row another worker holds (its synchronization): the same."""
        if not sweep and self.keep_checked_date and now - self.keep_checked_date < KEEP_MARK_EVERY:
            return  # the re-check margin covers it: no write on most cycles
        vals = {"keep_checked_date": now, **({"keep_swept_date": now} if sweep else {})}
        if self._lock_row(wait=False):
            self.write(vals)
        else:
            self.invalidate_recordset(list(vals))
