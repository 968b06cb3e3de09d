# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A message's bytes from the mail server: downloaded, or kept, or (too big) saved
to the big files directory and rebuilt from its small parts."""

import base64
import logging
import os

from odoo import fields, models

from ..mailsource import MessageNotFoundError, ProtocolError
from ..mailsource.bigfiles import assemble_message, rebuild_small, safe_file_name, save_message
from ..transaction import commit
from .mail_inbox_message import InboxProcessingError

# The messages' logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox_message")


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _download_fields(self):
        """The fields of the line the download reads: the whole line is read after the
        attempt's commit, which empties the cache anyway."""
        return ["download_started", "connection_failures", "raw_attachment_id", "size",
                "server_uid"]  # fmt: skip

    def _get_raw(self, source, settings, marked=False):
        """The message's bytes: the kept copy, else from the server after its size was
        checked against maximum_email_size (never downloaded when too big).
        ``marked``: its download is marked started and committed already."""
        self.fetch(self._download_fields())
        kept = self._get_raw_attachment()
        lost = None
        if kept:
            raw = kept.raw
            if raw:
                return raw
            lost = self._drop_lost_copy(kept)
            marked = False  # a kept copy's download is never marked at the claim
        if not marked:
            # Committed before the download: still set at the next claim, it died meanwhile.
            self.download_started = fields.Datetime.now()
            commit(self.env)
        limit = settings.maximum_email_size
        try:
            if self._is_over_limit(source, limit):
                return self._get_big_email_raw(source, limit)
            return source.fetch(self.server_uid)
        except MessageNotFoundError:
            if lost is None:
                raise
            # Gone from the server since its listing too: no copy is left anywhere.
            self.on_server = False
            raise self._lost_copy_error(lost) from None

    def _drop_lost_copy(self, kept):
        """The kept copy ``kept`` reads empty: its file left the file store (a database
        restored without its filestore, a disk cleaned by hand). Dropped, the message
        is downloaded again while the server has it; else it is set aside (raised) with
        the reason, never retried as an empty email. Returns the copy's name."""
        name = self._unlink_lost_copy(kept)
        if not self.on_server:
            raise self._lost_copy_error(name)
        return name

    def _lost_copy_error(self, name):
        """The error setting aside a message whose kept copy ``name`` is lost and which
        the mail server no longer has."""
        return InboxProcessingError(
            self.env._(
                "The kept copy of this email (%(name)s) is missing from the file store "
                "or empty, and the mail server no longer has the email: it cannot be "
                "processed.",
                name=name,
            )
        )

    def _unlink_lost_copy(self, kept):
        """Drop the kept copy ``kept``, which reads empty (its file left the file
        store); returns its name."""
        name = kept.name
        _logger.warning(
            "Message %s: its kept copy %s is missing from the file store", self.uid, name
        )
        self.sudo().raw_attachment_id = False
        kept.sudo().unlink()
        return name

    def _is_over_limit(self, source, limit):
        """Whether this message is over ``limit`` (no limit: never). A size unknown to
        the line (0) is asked of the server first and recorded: never taken as fitting."""
        if not limit:
            return False
        if not self.size:
            self.sudo().size = source.size(self.server_uid)
        return self.size > limit

    def _get_big_email_raw(self, source, limit):
        """A message over maximum_email_size, never downloaded whole into memory: its
        header block alone is read into the line, and the whole message streamed into
        big_files_dir when one is set. On IMAP the message rebuilt from its headers
        and the parts within the limit (the others saved and listed) is then processed
        as usual. Otherwise it is set aside in error (raised), the admin is sent its
        headers, and it leaves the server only if it was saved (see ``_has_copy``)."""
        header = source.fetch_header(self.server_uid)
        self._record_raw_headers(header)
        path, failure = self._save_big_file(source)
        if path:
            self.sudo().big_file_path = path
            rebuilt = self._rebuild_big_email(source, header, limit)
            if rebuilt:
                commit(self.env)  # the file recorded; the attempt is counted afterwards
                return rebuilt
        reason = "{} {}".format(
            self.env._(
                "The email is too big: %(size)s bytes, over the limit of %(limit)s bytes.",
                size=self.size,
                limit=limit,
            ),
            self.env._("It was saved to %(path)s.", path=path) if path else failure,
        )
        self.reason = reason
        self._forward_error(header, reason, headers_only=True)
        raise InboxProcessingError(reason)

    def _rebuild_big_email(self, source, header, limit):
        """IMAP: this message rebuilt from ``header`` and the parts that fit within
        half the limit, read from its structure (BODYSTRUCTURE) and fetched one by
        one; each other part saved into big_files_dir and listed in an attached text.
        None when the server cannot tell the structure or a part cannot be saved."""
        if not source.supports_structure:
            return None
        directory = self._get_big_files_dir()
        stem = self._get_big_file_name().removesuffix(".eml")

        def save_large(part):
            extension = safe_file_name(os.path.splitext(part.filename)[1].lstrip("."))[:10]
            name = safe_file_name(stem, "part", part.section)
            name = f"{name}.{extension}" if extension else name
            return save_message(
                source, self.server_uid, directory, name, part.section, part.encoding
            )

        try:
            tree = source.structure(self.server_uid)
            body, large = rebuild_small(source, self.server_uid, tree, limit // 2, save_large)
        except (ProtocolError, OSError, ValueError):
            _logger.warning("Message %s: cannot read it part by part", self.uid, exc_info=True)
            return None
        listing = self._prepare_large_parts_entity(large)
        return assemble_message(header, [entity for entity in (body, listing) if entity])

    def _prepare_large_parts_entity(self, large):
        """A text attachment (a MIME entity) listing the parts saved instead of
        attached: name, type, size and where each was saved."""
        if not large:
            return None
        lines = [self.env._("These parts of the email were too big to attach; they are saved:")]
        for part, path in large:
            lines.append(
                self.env._(
                    "%(name)s (%(mimetype)s, %(size)s bytes): %(path)s",
                    name=part.filename or part.section,
                    mimetype=part.mimetype,
                    size=os.path.getsize(path),
                    path=path,
                )
            )
        text = base64.encodebytes("\n".join(lines).encode()).replace(b"\n", b"\r\n")
        return (
            b'Content-Type: text/plain; charset="utf-8"\r\n'
            b"Content-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="large-parts.txt"\r\n\r\n' + text
        )

    def _save_big_file(self, source):
        """Stream this message into big_files_dir. Returns ``(path, None)``, or
        ``(None, why it stays on the mail server)``."""
        directory = self._get_big_files_dir()
        if not directory:
            return None, self.env._(
                "It stays on the mail server: no directory for big emails is set "
                "(Settings: Big files directory)."
            )
        try:
            return save_message(source, self.server_uid, directory, self._get_big_file_name()), None
        except (OSError, ValueError) as error:
            _logger.warning(
                "Message %s of %s: cannot save it to %s",
                self.uid,
                self.inbox_id.name,
                directory,
                exc_info=True,
            )
            return None, self.env._(
                "It stays on the mail server: it could not be saved to %(directory)s: %(error)s",
                directory=directory,
                error=str(error),
            )

    def _get_big_files_dir(self):
        return (self.inbox_id._get_global_params().get("big_files_dir") or "").strip()

    def _get_big_file_name(self):
        """This message's file name in big_files_dir: made of the database, inbox and
        line, unique where several databases share the folder; nothing from the mail."""
        day = fields.Date.today()
        name = safe_file_name("email", day, self.env.cr.dbname, self.inbox_id.id, self.id)
        return f"{name}.eml"
