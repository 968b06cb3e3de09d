# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retention on the server: what a message's line needs before it leaves the mailbox
(kept copy, row locks, whether its ticket is closed)."""

import logging
import os

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import sql

from ..mailsource import MailSourceError, MessageError
from ..transaction import commit

# The messages' logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox_message")


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def action_delete_from_server(self):
        """Delete the messages from their mailbox (their lines keep their history). A
        message that made no ticket is kept first, and one never processed is closed
        with the reason (see ``_keep_before_deleting``). Recorded with the poll's
        rights, after the user's own."""
        self.check_access("write")
        for inbox, messages in self.sudo().grouped("inbox_id").items():
            on_server = messages.filtered("on_server")
            if on_server:
                try:
                    with inbox._open_source() as source:
                        on_server._keep_before_deleting(source)
                        source.delete(on_server.mapped("server_uid"))
                        on_server._record_deleted(source)
                except MailSourceError as error:
                    raise UserError(inbox._connection_error_message(error)) from None
        return True

    def _record_deleted(self, source):
        """Record that these messages left the server (deleted or moved by ``source``),
        but those it only flagged \\Deleted (IMAP without UIDPLUS, another client's
        flagged mail in the folder, ``left_flagged``): remembered as flagged by us, so a
        later cycle expunges them (``_apply_server_actions``). Returns the ones that
        left."""
        flagged = self.filtered(lambda message: message.server_uid in source.left_flagged)
        if flagged:
            flagged.write({"flagged_deleted": True})
            self.inbox_id[:1]._trace("%d message(s) left flagged \\Deleted, to retry", len(flagged))
        removed = self - flagged
        removed.write({"on_server": False, "flagged_deleted": False})
        return removed

    def _keep_before_deleting(self, source):
        """Before the server deletes these messages: keep the bytes of each one that
        made no ticket and has no copy (on its line, or in big_files_dir when too big;
        refused when it cannot be kept), close the ones still new, and commit it all."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM mail_inbox_message WHERE id IN %s FOR UPDATE", [tuple(self.ids)]
        )
        self.invalidate_recordset()
        limit = self.inbox_id._get_parse_settings().maximum_email_size
        for message in self.filtered(lambda m: m.state != "processed" and not m._has_copy()):
            message._keep_copy(source, limit)
        self.filtered(lambda m: m.state == "new").write(
            {
                "state": "ignored",
                "processed_date": fields.Datetime.now(),
                "reason": self.env._(
                    "Never processed: deleted from the mail server by %(user)s, its raw "
                    "email kept here.",
                    user=self.env.user.name,
                ),
            }
        )
        commit(self.env)

    def _keep_copy(self, source, limit):
        """Keep this message's bytes: as its raw email, or streamed into big_files_dir
        when over ``limit``; a UserError when neither is possible."""
        if not self._is_over_limit(source, limit):
            raw = source.fetch(self.server_uid)
            if not self.message_id:
                self._record_raw_headers(raw)
            self._keep_raw(raw)
            return
        if not self.message_id:
            self._record_raw_headers(source.fetch_header(self.server_uid))
        path, failure = self._save_big_file(source)
        if not path:
            raise UserError(
                self.env._(
                    "%(subject)s is too big to be kept in the database, so it was not "
                    "deleted. %(reason)s",
                    subject=self.subject or self.uid,
                    reason=failure,
                )
            )
        self.sudo().big_file_path = path

    def _keep_lost_copy_again(self, source):
        """When this line's kept copy is lost (linked, but its file left the file
        store), keep the message's bytes again from ``source``, as before deleting it
        (``_keep_copy``). Returns whether a copy is now kept; never when the copy was
        not lost, or the server cannot hand the message over, or it is too big to be
        kept."""
        if not self.sudo().raw_attachment_id:
            return False
        try:
            self._keep_copy(source, self.inbox_id._get_parse_settings().maximum_email_size)
        except (UserError, MessageError) as error:
            self.inbox_id._trace("Message %s: its lost copy not kept again: %s", self.uid, error)
            return False
        return self._has_copy()

    def _has_copy(self):
        """Whether the database or big_files_dir holds this message's bytes (else the
        mail server holds the only copy). A kept copy whose file left the file store
        is none (``_kept_raw_readable``)."""
        self.ensure_one()
        return bool(self._kept_raw_readable() or self._get_big_file())

    def _kept_raw_readable(self):
        """Whether this line's kept raw email can be read: kept, and its bytes not
        lost (a copy whose file left the file store reads empty). Read, not guessed
        from the file store's layout, which a storage addon may change."""
        kept = self._get_raw_attachment()
        return bool(kept and kept.raw)

    def _get_raw_attachment(self):
        """The kept raw email: an attachment of this very line. Any other (a link that
        points elsewhere, however it was set) is dropped, never read as the email."""
        attachment = self.sudo().raw_attachment_id
        if attachment and (attachment.res_model, attachment.res_id) != (self._name, self.id):
            _logger.warning("Message %s: its raw email link pointed elsewhere, dropped", self.id)
            self.sudo().raw_attachment_id = False
            return attachment.browse()
        return attachment

    def _get_big_file(self):
        """The path of the saved whole email when it is a file in big_files_dir, else ''."""
        directory = self._get_big_files_dir()
        if not (self.big_file_path and directory):
            return ""
        path = os.path.realpath(self.big_file_path)
        inside = os.path.dirname(path) == os.path.realpath(directory)
        return path if inside and os.path.isfile(path) else ""

    def _lock_for_server_actions(self, messages):
        """The messages no other worker is acting on (row locks, SKIP LOCKED), still on
        the server; none when another worker changed them meanwhile (next cycle)."""
        if not messages:
            return messages
        self.flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM mail_inbox_message WHERE id IN %s AND on_server "
                    "FOR UPDATE SKIP LOCKED",
                    [tuple(messages.ids)],
                    log_exceptions=False,
                )
                ids = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            return self.browse()
        self.invalidate_model(["on_server"])
        return messages.filtered(lambda message: message.id in ids)

    @api.model
    def _ids_of_closed_tickets(self, rows):
        """The ids among ``(id, ticket_model, ticket_id)`` rows whose ticket is closed
        (``_mail_ticket_is_closed``) or deleted, reading tickets in batches."""
        by_model = {}
        for rid, model_name, ticket_id in rows:
            by_model.setdefault(model_name, []).append((rid, ticket_id))
        ids = []
        for model_name, pairs in by_model.items():
            if not model_name or model_name not in self.env:
                ids += [rid for rid, _ticket_id in pairs]
                continue
            tickets = self._existing_tickets(self.env[model_name], {t for _r, t in pairs if t})
            alive_open = {t.id for t in tickets if not t._mail_ticket_is_closed()}
            ids += [rid for rid, ticket_id in pairs if ticket_id not in alive_open]
        return ids

    @api.model
    def _existing_tickets(self, model, ids):
        """Those of the tickets ``ids`` of ``model`` that exist, read with what Odoo
        prefetches of a record at its first field's read (the check reads a field of
        each): one statement, not ``exists()`` then that read (a second one only when
        some are gone, as ``fetch`` checks those are not hidden by a rule)."""
        tickets = model.browse(sorted(ids))
        names = [
            name
            for name, field in model._fields.items()
            if field.prefetch is True and field.is_accessible(model.env)
        ]
        if self.env.context.get("prefetch_fields", True) is False or not names:
            return tickets.exists()
        tickets.fetch(names)
        cache = self.env.cache
        columns = [model._fields[name] for name in names if model._fields[name].column_type]
        if not columns:
            return tickets.exists()
        # Read by the statement (or found in the cache, hence existing): the others are gone.
        return tickets.filtered(lambda ticket: cache.contains(ticket, columns[0]))

    @api.model
    def _touch_ticket_lines(self, model_name, ticket_ids):
        """Mark the kept lines of tickets being deleted as written now, so the next
        cycle's keep-until-closed check sees them (called by the ticket mixin)."""
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET write_date = now() at time zone 'UTC' "
            "WHERE ticket_model = %s AND ticket_id = ANY(%s) AND on_server "
            "AND state = 'processed'",
            [model_name, list(ticket_ids)],
        )

    @api.model
    def _ensure_write_date_index(self, model):
        """An index on the ticket table's write_date, which the keep-until-closed check
        filters on: made at install or upgrade (the mixin's ``init``) and when an inbox
        targets the model, never in a poll cycle (its lock would last the cycle)."""
        index = f"{model._table}__hmt_write_date_index"
        if sql.index_exists(self.env.cr, index):
            return
        try:
            with self.env.cr.savepoint(flush=False):
                sql.create_index(self.env.cr, index, model._table, ['"write_date"'])
        except (psycopg2.errors.DuplicateTable, psycopg2.errors.UniqueViolation):
            # Another worker created it at the same moment.
            _logger.info("Index %s created by another worker", index)
