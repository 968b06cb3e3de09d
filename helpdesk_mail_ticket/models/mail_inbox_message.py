# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import hashlib
import logging
import os
import re
from contextlib import contextmanager
from datetime import timedelta, timezone
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime

import psycopg2
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup
from PIL import Image

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, email_split, html_sanitize, sql

from ..mailparse import PatternError, header_ids, parse_message, title_refs
from ..mailparse.identity import content_digest, header_digest, header_identity
from ..mailparse.inline_images import replace_cids
from ..mailsource import MailSourceError, MessageError, MessageNotFoundError, ProtocolError
from ..mailsource.bigfiles import assemble_message, rebuild_small, safe_file_name, save_message

_logger = logging.getLogger(__name__)

STATES = [
    ("new", "New"),
    ("processed", "Processed"),
    ("error", "Error"),
    ("undesired", "Undesired"),
    ("ignored", "Ignored"),
]
ACTIONS = [("created", "Ticket created"), ("updated", "Ticket updated"), ("duplicate", "Duplicate")]
MAX_ATTEMPTS = 3
# Namespace of the ledger's per-message leases (session advisory locks on (LEASE_NS, id)).
LEASE_NS = 0x484D54  # "HMT"
MAX_RAW_HEADER = 256 * 1024
TRACE_MAX_CHARS = 20_000
HEADERS_MAX_BYTES = 64 * 1024
# Keep-until-closed: tickets written this recently are checked at every cycle (a margin
# for transactions still running when the previous check read them); every so often a
# sweep checks all kept messages (deleted tickets leave no write date).
KEEP_RECHECK_MARGIN = timedelta(minutes=10)
KEEP_SWEEP_INTERVAL = timedelta(hours=1)
INSERT_CHUNK = 1000
# Messages whose headers are read then recorded per committed step (_record_identified).
RECOGNIZE_BATCH = 200
SYNC_RETRIES = 3
# What the poll trusts a line for (which message and inbox it is, where its bytes are,
# which ticket it made): written by the poll alone (sudo), never by a user (``write``).
BOOKKEEPING_FIELDS = frozenset(
    {"inbox_id", "uid", "server_uid", "raw_attachment_id", "big_file_path", "ticket_model",
     "ticket_id"}
)  # fmt: skip


class _NotClaimed(Exception):
    """Another worker has the message (see ``MailInboxMessage._claim_attempt``)."""


_REMOTE_ATTRIBUTES = ("src", "srcset", "background", "poster", "data", "dynsrc", "lowsrc")
_CSS_URL = re.compile(r"[^;]*url\s*\([^;]*;?", re.IGNORECASE)


def _is_local_url(url):
    url = url.strip().lower()
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("data:image/")


def _strip_remote_content(body):
    """``body`` without what a mail reader loads from elsewhere when it opens the
    ticket: remote images (tracking pixels), backgrounds, posters and CSS ``url()``.
    Local URLs (the stored inline images) stay. Never raises: on a body lxml cannot
    read, every image is dropped."""
    if not body or not re.search(r"(?i)src|background|poster|url\s*\(|data\s*=", body):
        return body
    try:
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"(?is)<img\b[^>]*>", "", body)
    for element in root.iter(etree.Element):
        for name in _REMOTE_ATTRIBUTES:
            value = element.get(name)
            if value is not None and not (name != "srcset" and _is_local_url(value)):
                del element.attrib[name]
        style = element.get("style")
        if style and "url" in style.lower():
            element.set("style", _CSS_URL.sub("", style))
    for img in list(root.iter("img")):
        if not img.get("src"):
            img.drop_tree()
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def _decode_header(value):
    try:
        return str(make_header(decode_header(str(value or ""))))
    except (ValueError, LookupError, UnicodeError):
        return str(value or "")


def _text(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def _header_date(value):
    """A Date header as a naive UTC datetime, or False when it is unreadable."""
    try:
        date = parsedate_to_datetime(str(value or ""))
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return date.astimezone(timezone.utc).replace(tzinfo=None) if date.tzinfo else date


class InboxProcessingError(Exception):
    """A message that cannot be turned into a ticket or an update; the text is the
    reason the admin reads."""


class MailInboxMessage(models.Model):
    """The ledger: one record per message seen in an inbox.

    A message is recorded (state ``new``) before anything is done with it; its outcome
    (ticket created or updated, error, undesired) is committed in the same transaction
    as the ticket; the server side (delete, move) is touched only afterwards, from what
    the ledger says. Whatever dies when, the next cycle resumes from the ledger without
    losing or repeating a message.
    """

    _name = "mail.inbox.message"
    _description = "Incoming eMail"
    _order = "id desc"
    _rec_name = "subject"

    inbox_id = fields.Many2one("mail.inbox", required=True, ondelete="cascade", index=True)
    uid = fields.Char(
        string="UID",
        required=True,
        readonly=True,
        help="The message's identity in this inbox: IMAP UIDVALIDITY:UID, POP3 UIDL, "
        "or the Message-ID when use_message_id_as_uid is set.",
    )
    # Indexed: the messages listed are looked up by their handle when recorded.
    server_uid = fields.Char(
        readonly=True, index=True, help="The handle the server knows it by now."
    )
    message_id = fields.Char(string="Message-ID", readonly=True, index="btree_not_null")
    stable_id = fields.Char(
        readonly=True, index="btree_not_null", help="Message-ID, or a content hash when absent."
    )
    header_digest = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="sha256 of the header block, read when the message was first listed: how the "
        "message is recognized when the server renumbers its mailbox.",
    )
    content_digest = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="sha256 of the significant headers and the body: an email with a known "
        "Message-ID is a duplicate only when this matches too.",
    )
    date = fields.Datetime(readonly=True)
    email_from = fields.Char(string="From", readonly=True)
    subject = fields.Char(readonly=True)
    size = fields.Integer(readonly=True)
    state = fields.Selection(STATES, default="new", required=True, readonly=True, index=True)
    reason = fields.Text(readonly=True)
    action = fields.Selection(ACTIONS, readonly=True)
    ticket_model = fields.Char(readonly=True)
    ticket_id = fields.Many2oneReference(
        string="Ticket ID", model_field="ticket_model", readonly=True
    )
    ticket_ref = fields.Reference(
        selection="_selection_ticket_ref", string="Ticket", compute="_compute_ticket_ref"
    )
    attempts = fields.Integer(readonly=True, default=0)
    # Set (committed) when the download from the server starts, cleared once it ended:
    # still set at the next claim, the connection (or the worker) died during it.
    download_started = fields.Datetime(readonly=True, copy=False)
    connection_failures = fields.Integer(
        readonly=True,
        default=0,
        copy=False,
        help="Cycles in a row whose connection died while this message was downloaded: "
        "at the attempt limit it is set aside.",
    )
    flagged_deleted = fields.Boolean(
        readonly=True,
        copy=False,
        help="Flagged \\Deleted by us on a server without UIDPLUS and not expunged yet "
        "(another client's flagged mail was in the folder): expunged by a later cycle.",
    )
    on_server = fields.Boolean(default=True, readonly=True)
    processed_date = fields.Datetime(readonly=True)
    # Not read with the other fields each time a line is read (after every commit).
    trace = fields.Text(readonly=True, prefetch=False, help="What processing this message traced.")
    headers_text = fields.Text(string="Headers", compute="_compute_headers_text")
    raw_attachment_id = fields.Many2one("ir.attachment", string="Raw eMail", readonly=True)
    big_file_path = fields.Char(
        string="Saved to",
        readonly=True,
        copy=False,
        help="Where the whole email, too big to process, was saved (big files directory).",
    )
    company_id = fields.Many2one(related="inbox_id.company_id", store=True)

    _sql_constraints = [
        ("inbox_uid_unique", "UNIQUE(inbox_id, uid)", "A message is recorded once per inbox."),
    ]

    @api.model
    def _selection_ticket_ref(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("raw_attachment_id")
    def _compute_headers_text(self):
        """The header block of the kept raw email, as the server delivered it."""
        for message in self:
            raw = message.raw_attachment_id.raw or b""
            end = raw.find(b"\r\n\r\n")
            end = raw.find(b"\n\n") if end < 0 else end
            block = raw[: end if end >= 0 else HEADERS_MAX_BYTES][:HEADERS_MAX_BYTES]
            message.headers_text = block.decode("utf-8", errors="replace") or False

    @api.depends("ticket_model", "ticket_id")
    def _compute_ticket_ref(self):
        for message in self:
            ticket = message._get_ticket()
            message.ticket_ref = f"{ticket._name},{ticket.id}" if ticket else False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        """The bookkeeping fields are the poll's (BOOKKEEPING_FIELDS): a user who could
        point a line at another record's attachment, or at a file, would have the next
        poll (which runs with every right) import it into a ticket."""
        forbidden = BOOKKEEPING_FIELDS & vals.keys()
        if forbidden and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of an incoming email are recorded by the mail poll alone.",
                    fields=", ".join(sorted(forbidden)),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions (Mailbox Content)
    # ------------------------------------------------------------------

    def action_reset_status(self):
        """Make messages candidates for processing again (iTop's Reset Status). A
        message that already made a ticket does not make a second one."""
        for message in self:
            if not (message.on_server or message.raw_attachment_id):
                raise UserError(
                    self.env._(
                        "%(subject)s is no longer on the server and was not kept: it cannot "
                        "be processed again.",
                        subject=message.subject or message.uid,
                    )
                )
        self.write(
            {"state": "new", "attempts": 0, "reason": False, "connection_failures": 0,
             "download_started": False}
        )  # fmt: skip

    def action_ignore(self):
        self.write({"state": "ignored", "reason": self.env._("Ignored by %s", self.env.user.name)})

    def action_delete_from_server(self):
        """Delete the messages from their mailbox (the ledger keeps their history). A
        message that made no ticket is kept first, and one never processed is closed
        with the reason (see ``_keep_before_deleting``)."""
        for inbox, messages in self.grouped("inbox_id").items():
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
        self._commit()

    def _keep_copy(self, source, limit):
        """Keep this message's bytes: as its raw email, or streamed into big_files_dir
        when over ``limit``; a UserError when neither is possible."""
        if not (limit and self.size and self.size > limit):
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

    def action_download_raw(self):
        self.ensure_one()
        if not self.raw_attachment_id:
            raise UserError(self.env._("The raw email of this message was not kept."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.raw_attachment_id.id}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # Ledger
    # ------------------------------------------------------------------

    @api.model
    def _commit(self):
        """Commit what is done so far: each step of the ledger must survive a crash of
        the next one. Not in tests, whose transaction is rolled back at the end."""
        if not modules.module.current_test:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _sync_with_server(self, inbox, remote, source=None):
        """Record every message seen on the server, and which ones left it.

        Insertion ignores conflicts, so two workers listing the same mailbox record a
        message once; when another worker changed the same rows meanwhile, the sync
        starts again on a fresh snapshot. With ``source``, the messages not known by
        their server handle are recorded by ``_record_identified`` (known mail under
        a new handle recognized), and a line is given back to a handle that may name
        another message now only once ``_check_reused_handles`` found it is the same.
        Returns the messages recorded now.
        """
        checked = self._check_reused_handles(inbox, remote, source) if source is not None else {}
        for attempt in range(SYNC_RETRIES):
            try:
                with self.env.cr.savepoint(flush=False):
                    new_ids, unknown = self._sync_rows(
                        inbox, remote, insert=source is None, checked=checked
                    )
                break
            except psycopg2.errors.SerializationFailure:
                if attempt == SYNC_RETRIES - 1 or modules.module.current_test:
                    raise
                self._rollback()
        self.invalidate_model()
        self._commit()
        if unknown:
            new_ids += self._record_identified(inbox, source, unknown)
        return self.browse(new_ids)

    @api.model
    def _check_reused_handles(self, inbox, remote, source):
        """By server handle, whether the listed message is still the message of the
        line known by that handle, for the handles that may have been given to another
        message: the line had left the server (POP3 servers whose UIDLs are message
        numbers, or reuse them), or, with use_message_id_as_uid, the listed size is not
        the line's. Its header block is read and compared with the line's header digest
        (a line without one is taken as before); unreadable, it is not the same."""
        by_message_id = inbox._get_parse_settings().use_message_id_as_uid
        self.flush_model()
        self.env.cr.execute(
            """SELECT DISTINCT ON (server_uid) server_uid, on_server, size, header_digest
                 FROM mail_inbox_message WHERE inbox_id = %s AND server_uid = ANY(%s)
                ORDER BY server_uid, on_server DESC, id DESC""",
            [inbox.id, [message.uid for message in remote]],
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        checked = {}
        for message in remote:
            on_server, size, digest = rows.get(message.uid, (True, None, None))
            resized = by_message_id and size and message.size and size != message.size
            if not digest or (on_server and not resized):
                continue
            try:
                checked[message.uid] = header_digest(source.fetch_header(message.uid)) == digest
            except (MessageError, ProtocolError) as error:  # not found too
                inbox._trace("Header of message %s unreadable: %s", message.uid, error)
                checked[message.uid] = False
            if not checked[message.uid]:
                inbox._trace("Message %s is another message than its line's", message.uid)
        return checked

    @api.model
    def _sync_rows(self, inbox, remote, insert=True, checked=None):
        """Mark the lines that left the server or came back, by their server handle;
        insert lines for the messages not known (unless ``insert`` is false). Returns
        the ids inserted and the messages left to insert. ``checked``: by handle,
        whether the listed message is its line's (``_check_reused_handles``); one
        that is not is another message, its line left the server."""
        cr = self.env.cr
        self.flush_model()
        cr.execute(
            "SELECT server_uid, id, on_server FROM mail_inbox_message WHERE inbox_id = %s "
            "ORDER BY on_server, id",
            [inbox.id],
        )
        # A handle on the server wins over a stale one (a line that left it).
        known = {uid: (rid, on_server) for uid, rid, on_server in cr.fetchall()}
        checked = checked or {}
        for uid in [uid for uid, same in checked.items() if not same and uid in known]:
            if known[uid][1]:  # on the server no more: its handle names another message
                cr.execute(
                    "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = %s",
                    [known[uid][0]],
                    log_exceptions=False,
                )
            del known[uid]
        seen = {message.uid for message in remote}
        unknown = [m for m in remote if m.uid not in known]
        new_ids = self._insert_lines(inbox, unknown) if insert else []
        gone = [rid for uid, (rid, on_server) in known.items() if on_server and uid not in seen]
        back = [rid for uid, (rid, on_server) in known.items() if not on_server and uid in seen]
        if gone:
            cr.execute(
                "UPDATE mail_inbox_message SET on_server = FALSE WHERE id IN %s",
                [tuple(gone)],
                log_exceptions=False,
            )
        if back:
            cr.execute(
                "UPDATE mail_inbox_message SET on_server = TRUE WHERE id IN %s",
                [tuple(back)],
                log_exceptions=False,
            )
        for message in remote:
            if checked.get(message.uid) and message.size and message.uid in known:
                cr.execute(  # the same message: its listed size, checked no more
                    "UPDATE mail_inbox_message SET size = %s WHERE id = %s AND size != %s",
                    [message.size, known[message.uid][0], message.size],
                    log_exceptions=False,
                )
        return new_ids, [] if insert else unknown

    @api.model
    def _record_new_messages(self, inbox, remote, source=None):
        """Record messages listed as new (IMAP UIDs above the last UIDNEXT); returns the
        new lines. With ``source``, by ``_record_identified``."""
        if source is not None:
            return self.browse(self._record_identified(inbox, source, remote))
        new_ids = self._insert_lines(inbox, remote)
        self._commit()
        return self.browse(new_ids)

    @api.model
    def _insert_lines(self, inbox, remote, identities=None):
        """Insert a ledger line per listed message, in bulk; conflicts are ignored
        (another worker recorded them). ``identities`` gives, by server handle, the
        line's key, header digest and Message-ID (by default: the handle, none, none).
        Returns the ids inserted."""
        cr, new_ids, identities = self.env.cr, [], identities or {}
        for start in range(0, len(remote), INSERT_CHUNK):
            rows = [
                cr.mogrify(
                    "(%s, %s, %s, %s, %s, %s, %s, 'new', 0, TRUE, %s, %s, "
                    "now() at time zone 'UTC', now() at time zone 'UTC')",
                    [inbox.id, inbox.company_id.id or None,
                     *identities.get(message.uid, (message.uid, None, None)), message.uid,
                     message.size, self.env.uid, self.env.uid],
                ).decode()
                for message in remote[start : start + INSERT_CHUNK]
            ]  # fmt: skip
            # The rows are values psycopg2 itself quoted (mogrify) above.
            cr.execute(  # pylint: disable=sql-injection
                "INSERT INTO mail_inbox_message (inbox_id, company_id, uid, header_digest, "
                "message_id, server_uid, size, state, attempts, on_server, create_uid, write_uid, "
                f"create_date, write_date) VALUES {', '.join(rows)} "
                "ON CONFLICT (inbox_id, uid) DO NOTHING RETURNING id",
                log_exceptions=False,
            )
            new_ids += [row[0] for row in cr.fetchall()]
        return new_ids

    @api.model
    def _record_identified(self, inbox, source, remote):
        """Record messages the ledger does not know by their server handle, their
        header block read first. One the ledger knows under another handle (the
        server renumbered its mailbox: a new UIDVALIDITY, new POP3 UIDLs) gets its
        line back, whatever its state: nothing is imported or forwarded again. The
        others get new lines, keyed by their handle or, with use_message_id_as_uid,
        by their Message-ID (``_identity_key``).

        In steps of RECOGNIZE_BATCH messages, each committed under the inbox's row
        lock, so one worker at a time records them: an interrupted cycle leaves the
        messages not recorded yet to the next listing, which finds them again.
        Returns the ids of the new lines."""
        by_message_id = inbox._get_parse_settings().use_message_id_as_uid
        new_ids = []
        for start in range(0, len(remote), RECOGNIZE_BATCH):
            if not inbox._lock_row(wait=False):
                inbox._trace(
                    "Another worker records this inbox's messages: %d left to it",
                    len(remote) - start,
                )
                break
            batch = remote[start : start + RECOGNIZE_BATCH]
            try:
                with self.env.cr.savepoint(flush=False):
                    new_ids += self._record_batch(inbox, source, batch, by_message_id)
            except psycopg2.errors.SerializationFailure:
                inbox._trace("Lines changed by another worker: recording left to the next cycle")
                self._rollback()
                break
            self.invalidate_model()
            self._commit()
        return new_ids

    @api.model
    def _record_batch(self, inbox, source, batch, by_message_id):
        """One step of ``_record_identified``; returns the ids of the new lines."""
        cr = self.env.cr
        cr.execute(
            "SELECT server_uid FROM mail_inbox_message WHERE inbox_id = %s AND on_server "
            "AND server_uid = ANY(%s)",
            [inbox.id, [message.uid for message in batch]],
        )
        recorded, identities = {row[0] for row in cr.fetchall()}, {}
        for message in batch:
            if message.uid in recorded:
                continue  # by another worker since the listing
            try:
                identities[message.uid] = header_identity(source.fetch_header(message.uid))
            except MessageNotFoundError:
                continue  # gone since the listing
            except (MessageError, ProtocolError) as error:
                # The server refuses this message alone: recorded by its handle, its
                # download then counts against it, not against the inbox's sync.
                inbox._trace("Header of message %s unreadable: %s", message.uid, error)
                identities[message.uid] = ("", None)
        known = self._find_known_lines(inbox, identities.values())
        listed, taken, keys = [m for m in batch if m.uid in identities], set(), {}
        for message in listed:
            message_id, digest = identities[message.uid]
            line = digest and self._pick_known_line(known, message, message_id, digest)
            if digest and by_message_id:
                identity = _text(message_id) or f"hdr:{digest}"
                kept = line and (line[1] == identity or line[1].startswith(identity + "#"))
                key = line[1] if kept else self._identity_key(inbox, identity, digest, taken)
            elif line and line[1] == message.uid:
                key = message.uid
            else:  # its handle may be the key of another line (a reused UIDL)
                fallback = digest or hashlib.sha256(message.uid.encode()).hexdigest()
                key = self._identity_key(inbox, message.uid, fallback, taken)
            taken.add(key)
            if line:
                cr.execute(
                    "UPDATE mail_inbox_message SET uid = %s, server_uid = %s, on_server = TRUE, "
                    "header_digest = %s, write_date = now() at time zone 'UTC', write_uid = %s "
                    "WHERE id = %s",
                    [key, message.uid, digest, self.env.uid, line[0]],
                    log_exceptions=False,
                )
                inbox._trace("Message %s is %s, already known", message.uid, line[1])
            else:
                keys[message.uid] = (key, digest, _text(message_id)[:998] or None)
        return self._insert_lines(inbox, [m for m in listed if m.uid in keys], keys)

    @api.model
    def _count_unrecorded(self, inbox, remote):
        """How many of the ``remote`` messages have no line on the server yet."""
        self.flush_model()
        self.env.cr.execute(
            "SELECT count(DISTINCT server_uid) FROM mail_inbox_message WHERE inbox_id = %s "
            "AND on_server AND server_uid = ANY(%s)",
            [inbox.id, [message.uid for message in remote]],
        )
        return len({message.uid for message in remote}) - self.env.cr.fetchone()[0]

    @api.model
    def _find_known_lines(self, inbox, identities):
        """The lines of ``inbox`` that left the server and may be these messages
        (``(message_id, header_digest)`` pairs): same header digest, or, for lines
        recorded before header digests were, same Message-ID. ``(id, uid,
        header_digest, message_id, size)`` rows, oldest first."""
        identities = list(identities)
        if not identities:
            return []
        self.env.cr.execute(
            """SELECT id, uid, header_digest, message_id, size FROM mail_inbox_message
                WHERE inbox_id = %s AND NOT on_server AND uid NOT LIKE 'push:%%'
                  AND (header_digest = ANY(%s)
                       OR (header_digest IS NULL AND message_id = ANY(%s)))
                ORDER BY id""",
            [
                inbox.id,
                [digest for _mid, digest in identities if digest],
                [_text(mid) for mid, _digest in identities if mid],
            ],
        )
        return self.env.cr.fetchall()

    @api.model
    def _pick_known_line(self, known, message, message_id, digest):
        """The first of the ``known`` rows that is ``message`` (same header digest and
        size, or a line without digest with its Message-ID), taken out of ``known``."""
        for index, row in enumerate(known):
            _rid, _uid, row_digest, row_message_id, size = row
            same_size = not (size and message.size) or size == message.size
            if (row_digest == digest and same_size) or (
                row_digest is None and message_id and row_message_id == _text(message_id)
            ):
                return known.pop(index)
        return None

    @api.model
    def _identity_key(self, inbox, identity, digest, taken):
        """A free ledger key for a message keyed by its Message-ID (use_message_id_as_uid):
        the Message-ID, else (another email uses it, or another copy of the same
        email is in the mailbox) the Message-ID and its header digest. The same for a
        message keyed by its server handle, which a line that left may hold."""
        candidates = [identity, f"{identity}#{digest[:16]}"]
        candidates += [f"{identity}#{digest[:16]}#{n}" for n in range(2, 1000)]
        for key in candidates:
            if key in taken:
                continue
            self.env.cr.execute(
                "SELECT 1 FROM mail_inbox_message WHERE inbox_id = %s AND uid = %s",
                [inbox.id, key],
            )
            if not self.env.cr.fetchone():
                return key
        raise InboxProcessingError(f"No free key for {identity}")

    def _process_isolated(self, source, settings):
        """Process one message so that nothing it does can stop the messages after it:
        an unexpected failure is logged, undone, and retried by the next cycle (its
        attempt is counted). A lost connection still ends the cycle."""
        try:
            return self._process(source, settings)
        except MailSourceError:
            raise
        except Exception:
            _logger.exception("Message %s of %s: processing aborted", self.uid, self.inbox_id.name)
            self._rollback()
            return None

    def _claim(self):
        """Check, first thing in the transaction that processes this message, that it is
        still new (an admin may have ignored it since its attempt was committed) and
        lock its row until the outcome is committed.

        The lease is ours, so another transaction holds the row only for a moment (a
        worker whose claim the lease refused, a sync, an admin's action): wait for it.
        Skipping it would leave the message for a later cycle while a reply to it,
        seeing no lease, could not tell it is still to be processed. A conflict with a
        change made since this transaction's snapshot, when nothing is done yet, is
        checked again on a fresh snapshot."""
        self.flush_recordset()
        for _attempt in range(SYNC_RETRIES):
            try:
                self.env.cr.execute(
                    "SELECT id FROM mail_inbox_message WHERE id = %s AND state = 'new' FOR UPDATE",
                    [self.id],
                    log_exceptions=False,
                )
                return bool(self.env.cr.fetchone())
            except psycopg2.errors.SerializationFailure:
                self._rollback()
        return False

    def _claim_attempt(self):
        """Take this message for one processing attempt, in one statement: lock its row
        and take its lease (a session lock that outlives the commits of the attempt and
        dies with the worker's connection, so other workers skip the message
        meanwhile). Returns the attempts made before this one, or None when another
        worker has the message or it is done. The caller counts the attempt
        (``_count_attempt``) and commits it before the message is parsed (it must be
        remembered before anything can crash), and calls ``_release``."""
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    # The row lock is a materialized CTE, so the lease is tried on the
                    # locked row alone (a condition in the same WHERE could be
                    # evaluated on every row the planner scans, leasing them all).
                    """WITH locked AS MATERIALIZED (
                            SELECT id, COALESCE(attempts, 0) AS attempts
                              FROM mail_inbox_message
                             WHERE id = %(id)s AND state = 'new' FOR UPDATE SKIP LOCKED
                       )
                       SELECT attempts FROM locked WHERE pg_try_advisory_lock(%(lease)s, id)""",
                    {"id": self.id, "lease": LEASE_NS},
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
                if not row:
                    # Undo the savepoint: it releases the row lock taken when the lease
                    # was refused, which would hold up the worker that has the lease.
                    raise _NotClaimed()
        except (_NotClaimed, psycopg2.errors.SerializationFailure):
            row = None  # another worker has it, or changed it since this snapshot
        return row[0] if row else None

    def _count_attempt(self, stable_id=None, reason=None):
        """Count this attempt and record the email's stable id (committed with it, a
        worker holding a reply to the email can tell it is in flight), in the only
        UPDATE of this line in its transaction: PostgreSQL checks the foreign keys of
        a row updated twice by one transaction again, and that check fails when
        another worker changed the inbox since this transaction's snapshot."""
        self.flush_recordset()
        self.env.cr.execute(
            """UPDATE mail_inbox_message
                  SET attempts = LEAST(COALESCE(attempts, 0) + 1, %(max)s),
                      download_started = NULL, connection_failures = 0,
                      stable_id = COALESCE(%(stable_id)s, stable_id),
                      reason = COALESCE(%(reason)s, reason),
                      write_date = now() at time zone 'UTC', write_uid = %(uid)s
                WHERE id = %(id)s""",
            {
                "id": self.id,
                "max": MAX_ATTEMPTS,
                "uid": self.env.uid,
                "stable_id": stable_id,
                "reason": reason,
            },
        )
        self.invalidate_recordset(
            ["attempts", "stable_id", "reason", "write_date", "write_uid", "download_started",
             "connection_failures"]
        )  # fmt: skip

    def _release(self):
        """Give this message's lease back (see ``_claim_attempt``)."""
        cr = self.env.cr
        try:
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, self.id])
        except psycopg2.Error:
            # The transaction failed: undo it, then release the lease, which would
            # otherwise outlive this message on a pooled connection.
            self._rollback()
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, self.id])

    def _get_ticket(self):
        self.ensure_one()
        if not (self.ticket_model and self.ticket_id and self.ticket_model in self.env):
            return None
        return self.env[self.ticket_model].browse(self.ticket_id).exists() or None

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    def _process(self, source, settings):
        """Process one recorded message, exactly once. Returns its new state, or None
        when another worker has it or it is left for the next cycle."""
        self.ensure_one()
        previous = self._claim_attempt()
        if previous is None:
            return None
        try:
            return self._process_attempt(source, settings, previous)
        finally:
            self._release()

    def _process_attempt(self, source, settings, previous):
        """Download, then parse and act on a claimed message. The attempt is counted
        and committed before the message is parsed: a crash while parsing or
        processing it is remembered, so a poison message cannot loop. The same commit,
        made once the email's lock is held, starts a transaction whose snapshot sees
        what the lock's previous holder committed."""
        if self._count_connection_failure(source):
            return self.state
        try:
            raw = self._get_raw(source, settings)
        except InboxProcessingError as error:
            self._set_error(None, str(error))
            self._commit()
            return self.state
        except MessageNotFoundError:
            # Deleted by another client since the listing; the next sync records it.
            self.write({"on_server": False, "download_started": False})
            self._commit()
            return None
        except MessageError as error:
            # The server refuses this message (a damaged one): its failure alone.
            return self._record_download_failure(source, error, previous)
        except MailSourceError as error:
            # The connection's (reset, timeout): it fails the cycle and is no attempt
            # of the message; its download, marked started, is counted by the next
            # cycle (_count_connection_failure). The cycle's failure names it.
            error.download_note = self.env._(
                "The connection died while message %(message)s was downloaded (%(count)s "
                "of %(max)s times in a row before it is set aside).",
                message=self.message_id or self.uid,
                count=self.connection_failures + 1,
                max=MAX_ATTEMPTS,
            )
            raise
        if previous >= MAX_ATTEMPTS:
            reason = self.env._(
                "Processing this message failed %(count)s times; it is set aside.",
                count=previous,
            )
            self._record_raw_headers(raw)
            self._set_error(raw, f"{reason} {self.reason or ''}".strip())
            self._commit()
            return self.state
        key, answered = header_ids(raw)  # the header block only: safe before the commit
        self._count_attempt(_text(key))
        with self._email_lock(_text(key)) as email_key:
            if answered:
                self._wait_for_answered_in_flight(answered, email_key)
            parsed = parse_message(raw, settings)
            if not self._claim():
                return None
            self._process_claimed(parsed, raw)
            state = self.state  # read before the commit, which empties the cache
            self._commit()
        return state

    def _count_connection_failure(self, source):
        """When the previous download of this message from the server never ended (its
        mark is still set: the connection or the worker died during it), count it
        against the message. A message that kills the connection every time would
        otherwise be retried first at every cycle and stall its inbox: at
        MAX_ATTEMPTS in a row it is set aside in error, kept on the server, the admin
        told (with its headers when the server still gives them). Returns whether it
        was set aside."""
        self.fetch(["download_started", "connection_failures"])
        if not self.download_started:
            return False
        failures = self.connection_failures + 1
        self.inbox_id._trace("Message %s: its last download died (%d in a row)", self.uid, failures)
        self.connection_failures = failures  # committed with the next download's mark
        if failures < MAX_ATTEMPTS:
            return False
        reason = self.env._(
            "The connection to the mail server died %(count)s times in a row while this "
            "message was downloaded: it is set aside, and kept on the server.",
            count=failures,
        )
        self._set_error(None, reason)
        self._commit()
        try:
            header = source.fetch_header(self.server_uid) if source is not None else None
        except (MessageError, ProtocolError) as error:
            self.inbox_id._trace("Message %s: headers unreadable too: %s", self.uid, error)
            header = None
        if header:
            self._record_raw_headers(header)
            self._forward_error(header, reason, headers_only=True)
            self._commit()
        return True

    def _record_download_failure(self, source, error, previous):
        """The server refused to hand this message over (``error`` carries its answer):
        count the attempt, with the answer, against this message alone and leave it
        for the next cycle; at the last attempt set it aside in error (the admin is
        told as of any error, with its headers when the server still gives them)."""
        attempt = min(previous + 1, MAX_ATTEMPTS)
        reason = self.env._(
            "The mail server refused to hand over this message (attempt %(attempt)s of "
            "%(max)s): %(answer)s",
            attempt=attempt,
            max=MAX_ATTEMPTS,
            answer=error.detail or str(error),
        )
        self.inbox_id._trace("Message %s: %s", self.uid, reason)
        if attempt < MAX_ATTEMPTS:
            self._count_attempt(reason=reason)
            self._commit()
            return None
        header = None
        try:
            header = source.fetch_header(self.server_uid)
        except MailSourceError as header_error:
            self.inbox_id._trace("Message %s: headers unreadable too: %s", self.uid, header_error)
        if header:
            self._record_raw_headers(header)
        self.attempts = attempt
        self._set_error(None, reason)
        if header:
            self._forward_error(header, reason, headers_only=True)
        self._commit()
        return self.state

    def _process_claimed(self, parsed, raw):
        """Act on a claimed message in a savepoint. An InboxProcessingError sets it
        aside at once; any other failure (an integrator's hook, a lock conflict) is
        retried by the next cycles, up to MAX_ATTEMPTS, then set aside with its reason.
        Its headers are recorded either way."""
        inbox = self.inbox_id
        buffer = self.env.context.get("mail_inbox_trace")
        start = len(buffer) if buffer is not None else 0
        try:
            with self.env.cr.savepoint():
                # The headers, the outcome and the trace are flushed in one UPDATE.
                self._record_headers(parsed)
                self._process_parsed(parsed, raw)
                self._store_trace(buffer, start)
        except InboxProcessingError as error:
            inbox._trace("Message %s in error: %s", self.uid, error)
            self._record_headers(parsed)  # undone with the savepoint
            self._set_error(raw, str(error))
        except Exception as error:
            _logger.warning(
                "Processing message %s of %s failed (attempt %s of %s)",
                self.uid,
                inbox.name,
                self.attempts,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            reason = self.env._(
                "Unexpected failure while processing (attempt %(attempt)s of %(max)s): %(error)s",
                attempt=self.attempts,
                max=MAX_ATTEMPTS,
                error=str(error)[:500],
            )
            self._record_headers(parsed)
            if self.attempts >= MAX_ATTEMPTS:
                self._set_error(raw, reason)
            else:
                self.reason = reason
        else:
            return
        self._store_trace(buffer, start)

    def _store_trace(self, buffer, start):
        """Keep the lines this message added to the cycle's trace on its ledger line."""
        if buffer is not None:
            self.trace = "\n".join(buffer[start:])[-TRACE_MAX_CHARS:]

    def _record_raw_headers(self, raw):
        """Record Subject, From, Date and Message-ID read from the header block alone,
        for a message set aside before it could be parsed (its parsing may be what kills
        the process, or it is too big): the admin still sees what it is, and its
        Message-ID keys it."""
        try:
            header = BytesHeaderParser().parsebytes(raw[:MAX_RAW_HEADER])
            message_id = str(header.get("Message-ID") or "").strip().strip("<>").strip()
            vals = {
                "message_id": _text(message_id)[:998] or False,
                "subject": _text(_decode_header(header.get("Subject")))[:998],
                "email_from": _text(parseaddr(str(header.get("From") or ""))[1])[:320],
                "date": _header_date(header.get("Date")),
            }
        except Exception:  # headers of a poison message: anything may be in them
            _logger.warning("Headers of message %s unreadable", self.uid, exc_info=True)
            return
        if message_id and not self.stable_id:
            vals["stable_id"] = vals["message_id"]
        self.write(vals)

    def _wait_for_answered_in_flight(self, answered, email_key=None):
        """A reply must find the ticket of the email it answers. When that email is an
        older message of this inbox not processed yet in this transaction's snapshot,
        another worker may be processing it right now (it holds the message's lease):
        wait until it is done; then take a new snapshot, which sees what it committed,
        so that the reply updates the ticket it makes instead of making a ticket of
        its own. An older message whose id is not known yet (its worker has not
        committed its attempt) may be it. Waits only go to older messages, and the
        reply's own email lock (``email_key``) is not held while waiting: the worker
        awaited may be about to take it (the same email twice in the inbox)."""
        cr = self.env.cr
        cr.execute(
            """SELECT m.id, EXISTS (
                        SELECT 1 FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.granted
                           AND l.classid = %(lease)s::oid AND l.objid = m.id::oid
                           AND l.objsubid = 2 AND l.pid <> pg_backend_pid())
                 FROM mail_inbox_message m
                WHERE m.inbox_id = %(inbox)s AND m.state = 'new' AND m.id < %(id)s
                  AND (m.on_server OR m.raw_attachment_id IS NOT NULL)
                  AND (m.stable_id IS NULL OR m.stable_id = ANY(%(answered)s))""",
            {
                "lease": LEASE_NS,
                "inbox": self.inbox_id.id,
                "id": self.id,
                "answered": [_text(ref) for ref in answered],
            },
        )
        candidates = cr.fetchall()
        in_flight = [message_id for message_id, flying in candidates if flying]
        if in_flight and email_key is not None:
            cr.execute("SELECT pg_advisory_unlock(%s)", [email_key])
        for message_id in in_flight:
            self.inbox_id._trace("Message %s waits for message %s in flight", self.uid, message_id)
            cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, message_id])
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, message_id])
        if in_flight and email_key is not None:
            cr.execute("SELECT pg_advisory_lock(%s)", [email_key])
        if candidates:
            self._commit()  # a snapshot that sees what they committed meanwhile

    @contextmanager
    def _email_lock(self, stable_id):
        """Process one email at a time across workers and inboxes: a session lock on
        its stable id, then a commit (of the attempt counted), so that the next
        transaction's snapshot sees what the lock's previous holder committed (the
        same mail in two of our inboxes makes one ticket). Yields the lock's key (None
        without one), for ``_wait_for_answered_in_flight`` to let go while it waits."""
        cr = self.env.cr
        if not stable_id:  # header_ids always reads one; NULs alone make none
            self._commit()
            yield None
            return
        digest = hashlib.sha256(f"helpdesk_mail_ticket:{stable_id}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        # A statement of its own: a session lock taken by a statement that fails
        # afterwards is held all the same, and would never be released.
        cr.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            self._commit()
            yield key
        finally:
            try:
                cr.execute("SELECT pg_advisory_unlock(%s)", [key])
            except psycopg2.Error:
                # The transaction failed: undo it, then release the lock, which would
                # otherwise outlive this message on a pooled connection.
                self._rollback()
                cr.execute("SELECT pg_advisory_unlock(%s)", [key])

    @api.model
    def _rollback(self):
        """Undo the current transaction after an unexpected failure (not in tests, whose
        cursor must not roll back)."""
        if not modules.module.current_test:
            self.env.cr.rollback()
            self.env.invalidate_all()

    def _get_raw(self, source, settings):
        """The message's bytes: the kept copy, else from the server after its size was
        checked against maximum_email_size (never downloaded when too big)."""
        # What the download needs only: the whole line is read after the attempt's
        # commit, which empties the cache anyway.
        self.fetch(["raw_attachment_id", "size", "server_uid"])
        kept = self._get_raw_attachment()
        if kept:
            return kept.raw
        # Committed before the download: still set at the next claim, it died meanwhile.
        self.download_started = fields.Datetime.now()
        self._commit()
        limit = settings.maximum_email_size
        if limit and self.size and self.size > limit:
            return self._get_big_email_raw(source, limit)
        return source.fetch(self.server_uid)

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
                self._commit()  # the file recorded; the attempt is counted afterwards
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
        if not hasattr(source, "structure"):
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

    def _has_copy(self):
        """Whether the database or big_files_dir holds this message's bytes (else the
        mail server holds the only copy)."""
        self.ensure_one()
        return bool(self._get_raw_attachment() or self._get_big_file())

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

    @api.model
    def _process_raw(self, inbox, raw):
        """Record then process one message a mail server hands over (push delivery).

        It is recorded as ``push:<stable id>`` with its bytes kept, since no server
        keeps a copy, and committed before processing: a crash afterwards leaves it
        ``new`` for the inbox's next cycle. The same message delivered again is
        processed once. Returns the ledger record.
        """
        settings = inbox._get_parse_settings()
        # The header block is enough for the key (and safe: the full parse, which could
        # be what kills a process, comes after the message is committed).
        stable_id = header_ids(raw)[0]
        uid = "push:" + (stable_id or "sha256:" + hashlib.sha256(raw).hexdigest())
        digest = content_digest(raw)
        message = self._find_pushed(inbox, uid, raw, digest)
        if not message:
            # Another email reusing the Message-ID of one pushed before: a key of its own.
            taken = self.search_count([("inbox_id", "=", inbox.id), ("uid", "=", uid)])
            message = self.create(
                {
                    "inbox_id": inbox.id,
                    "uid": f"{uid}#{digest[:16]}" if taken else uid,
                    "server_uid": f"{uid}#{digest[:16]}" if taken else uid,
                    "size": len(raw),
                    "on_server": False,
                    "content_digest": digest,
                    "header_digest": header_digest(raw),
                }
            )
            message._keep_raw(raw)
            self._commit()
        if message.state == "new":
            message._process(None, settings)
        return message

    @api.model
    def _find_pushed(self, inbox, uid, raw, digest):
        """The line of this very email pushed before (same key, same content digest),
        or an empty recordset."""
        for message in self.search(
            [("inbox_id", "=", inbox.id), ("uid", "in", [uid, f"{uid}#{digest[:16]}"])]
        ):
            known = message.content_digest or (
                message.raw_attachment_id and content_digest(message.raw_attachment_id.raw)
            )
            if known == digest:
                return message
        return self.browse()

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

    def _record_headers(self, parsed):
        """Record what the parse read of the headers. Written with the outcome (the ORM
        flushes both in one UPDATE); the stable id was recorded with the email's lock,
        from the same header block."""
        # PostgreSQL text refuses NUL characters, which a hostile header may carry.
        vals = {
            "message_id": _text(parsed.message_id) or False,
            "subject": _text(parsed.subject),
            "email_from": _text(parsed.from_email),
            "date": parsed.date and parsed.date.replace(tzinfo=None),
        }
        if not self.size:  # the server's size stays: recognition compares it
            vals["size"] = parsed.size
        stable_id = _text(parsed.stable_id) or False
        if stable_id != self.stable_id:
            vals["stable_id"] = stable_id
        self.write(vals)

    def _set_processed(self, ticket, action):
        self.inbox_id._trace("Message %s: %s %s", self.uid, action, ticket.display_name)
        self.sudo().write(
            {
                "state": "processed",
                "action": action,
                "ticket_model": ticket._name,
                "ticket_id": ticket.id,
                "reason": False,
                "processed_date": fields.Datetime.now(),
            }
        )
        return "processed"

    def _set_undesired(self, raw, reason):
        self.write(
            {
                "state": "undesired",
                "reason": reason,
                "processed_date": fields.Datetime.now(),
                **self._prepare_digest_vals(raw),
            }
        )
        self._keep_raw(raw)
        return "undesired"

    def _set_error(self, raw, reason):
        """Set the message aside in error, keep its bytes, and forward it to the admin."""
        vals = {
            "state": "error",
            "reason": reason,
            "processed_date": fields.Datetime.now(),
            "download_started": False,
        }
        self.write(dict(vals, **self._prepare_digest_vals(raw)))
        if raw is not None:
            self._keep_raw(raw)
            self._forward_error(raw, reason)
        return "error"

    def _same_email_in_error(self):
        """Another record of this inbox holds the same email in error (the same email
        delivered twice): the admin was told already. Another email reusing its
        Message-ID (another content digest) is not the same."""
        if not self.stable_id:
            return False
        return bool(
            self.search_count(
                [
                    ("inbox_id", "=", self.inbox_id.id),
                    ("stable_id", "=", self.stable_id),
                    ("state", "=", "error"),
                    ("id", "!=", self.id),
                    *self._same_content_domain(),
                ],
                limit=1,
            )
        )

    def _prepare_digest_vals(self, raw):
        """The digests of the message's bytes ``raw`` (none without them): its content
        digest, and its header digest when its listing did not record one."""
        if raw is None:
            return {}
        vals = {"content_digest": content_digest(raw)}
        if not self.header_digest:
            vals["header_digest"] = header_digest(raw)
        return vals

    def _same_content_domain(self):
        """Lines with this line's content digest, or with none (recorded before digests
        were): the same email, not another one reusing its Message-ID."""
        if not self.content_digest:
            return []
        return ["|", ("content_digest", "=", self.content_digest), ("content_digest", "=", False)]

    def _keep_raw(self, raw):
        if self._get_raw_attachment() or raw is None:
            return
        self.sudo().raw_attachment_id = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"message-{self.id}.eml",
                    "raw": raw,
                    "mimetype": "message/rfc822",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Tickets
    # ------------------------------------------------------------------

    def _prepare_title(self, parsed, model):
        inbox = self.inbox_id
        title = parsed.subject or inbox.ticket_default_title or self.env._("No Subject")
        size = model._fields[model._mail_ticket_title_field].size
        return title[:size] if size else title

    def _create_ticket(self, parsed, caller):
        inbox = self.inbox_id
        model = self.env[inbox.target_model].with_context(
            mail_create_nosubscribe=True, mail_create_nolog=True, tracking_disable=True
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
        ticket = model.create(vals).with_context(
            mail_create_nosubscribe=False, tracking_disable=False
        )
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
        return Markup(_strip_remote_content(replace_cids(clean, urls)))

    # ------------------------------------------------------------------
    # Errors
    # ------------------------------------------------------------------

    def _forward_error(self, raw, reason, headers_only=False):
        """Forward the message in error, attached, to the inbox's admin address when
        both addresses are set; never to one of our own inboxes (no mail loop).
        ``headers_only``: ``raw`` is the header block of a message too big to forward."""
        inbox = self.inbox_id
        if not (inbox.notify_errors_to and inbox.notify_errors_from):
            return
        inboxes = inbox.with_context(active_test=False).search([])
        own = {email_normalize(login) or login.lower() for login in inboxes.mapped("login")}
        recipients = {email_normalize(a) for a in email_split(inbox.notify_errors_to)}
        if not recipients or recipients & own:
            inbox._trace("Error forward skipped: %s is one of our inboxes", inbox.notify_errors_to)
            return
        if self._same_email_in_error():
            inbox._trace("Error forward skipped: the same email was forwarded already")
            return
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": "Original-Headers.txt" if headers_only else "Original-Message.eml",
                    "raw": raw,
                    "mimetype": "text/rfc822-headers" if headers_only else "message/rfc822",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        subject = self.env._(
            "[Helpdesk] Failed to process an incoming email - %(subject)s",
            subject=self.subject or self.uid,
        )
        body = Markup("<p>%s</p><p><b>%s</b></p><p>%s</p>") % (
            self.env._(
                "The inbox %(inbox)s could not process an incoming email.", inbox=inbox.name
            ),
            reason,
            self.env._("The headers of the message are attached.")
            if headers_only
            else self.env._("The original message is attached."),
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": subject,
                "email_from": inbox.notify_errors_from,
                "email_to": inbox.notify_errors_to,
                "body_html": body,
                "attachment_ids": [(4, attachment.id)],
                "headers": repr(
                    {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
                ),
                "auto_delete": True,
            }
        )

    # ------------------------------------------------------------------
    # Server side
    # ------------------------------------------------------------------

    @api.model
    def _apply_server_actions(self, inbox, source):
        """Delete or move, on the server, what the committed ledger calls for: processed
        mail per the inbox's storage policy (kept mail once its ticket is closed or
        deleted), errors when the inbox deletes them. Returns how many messages left
        the folder."""
        self._commit()
        messages = self._lock_for_server_actions(self._server_action_candidates(inbox))
        to_delete, to_move = self.browse(), self.browse()
        for message in messages:
            if message.flagged_deleted:
                to_delete |= message  # flagged by us before: expunged once it can be
            elif message.state == "processed":
                if inbox.email_storage == "delete":
                    to_delete |= message
                elif inbox.email_storage == "move":
                    to_move |= message
                else:
                    ticket = message._get_ticket()
                    if not ticket or ticket._mail_ticket_is_closed():
                        to_delete |= message
            elif message.state in ("error", "undesired") and inbox.error_behavior == "delete":
                # Never the only copy of a message (too big and not saved, not read).
                if message._has_copy():
                    to_delete |= message
        if to_delete:
            source.delete(to_delete.mapped("server_uid"))
            inbox._trace("Deleted %d message(s) from the server", len(to_delete))
        if to_move:
            # Without MOVE: COPY, then delete, which may leave them flagged too.
            source.move(to_move.mapped("server_uid"), inbox.target_folder)
            inbox._trace("Moved %d message(s) to %s", len(to_move), inbox.target_folder)
        # Flagged but not expunged (IMAP without UIDPLUS, other clients' \\Deleted mail
        # in the folder): still on the server, expunged by a later cycle, never copied
        # again.
        removed = (to_delete | to_move)._record_deleted(source)
        if to_delete or to_move:
            self._commit()
        return len(removed)

    @api.model
    def _server_action_candidates(self, inbox):
        """The messages on the server that the inbox's policies may remove now. Found
        by SQL in proportion to what changed, so that a mailbox keeping 100,000
        messages costs nothing to poll: processed ones when the inbox deletes or moves
        them (few: done each cycle), errors and undesired ones when it deletes those,
        and with keep-until-closed only those whose ticket is closed or gone."""
        states = ["error", "undesired"] if inbox.error_behavior == "delete" else []
        if inbox.email_storage != "keep":
            states.append("processed")
        # And whatever we flagged \\Deleted and could not expunge yet (few: an index).
        flagged = [("flagged_deleted", "=", True)]
        candidates = self.search(
            [
                ("inbox_id", "=", inbox.id),
                ("on_server", "=", True),
                *(["|", ("state", "in", states), *flagged] if states else flagged),
            ]
        )
        if inbox.email_storage == "keep":
            candidates |= self._kept_messages_to_remove(inbox)
        return candidates

    @api.model
    def _kept_messages_to_remove(self, inbox):
        """Kept messages whose ticket is closed or deleted. Each cycle looks at the
        messages of tickets written since the last check only (a closing is a write);
        a sweep of all kept messages, at most every KEEP_SWEEP_INTERVAL, catches the
        deleted tickets."""
        now = fields.Datetime.now()
        sweep = not inbox.keep_swept_date or inbox.keep_swept_date < now - KEEP_SWEEP_INTERVAL
        model = self.env[inbox.target_model]
        cr = self.env.cr
        self.flush_model()
        if sweep:
            self._ensure_write_date_index(model)
            cr.execute(
                "SELECT id, ticket_model, ticket_id FROM mail_inbox_message "
                "WHERE inbox_id = %s AND on_server AND state = 'processed'",
                [inbox.id],
            )
        else:
            since = (inbox.keep_checked_date or now) - KEEP_RECHECK_MARGIN
            # Tickets written lately (closed ones among them), found by their write
            # date index first, so the cost follows them and not the kept lines; then
            # lines written lately (processed lately, or touched when their ticket was
            # deleted).
            cr.execute(f'SELECT id FROM "{model._table}" WHERE write_date >= %s', [since])
            ticket_ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                "SELECT id, ticket_model, ticket_id FROM mail_inbox_message WHERE inbox_id = %s "
                "AND on_server AND state = 'processed' AND write_date >= %s",
                [inbox.id, since],
            )
            rows = cr.fetchall()
            if ticket_ids:
                cr.execute(
                    "SELECT id, ticket_model, ticket_id FROM mail_inbox_message "
                    "WHERE ticket_id = ANY(%s) AND on_server AND state = 'processed' "
                    "AND inbox_id = %s AND ticket_model = %s",
                    [ticket_ids, inbox.id, model._name],
                )
                rows = list(set(rows) | set(cr.fetchall()))
        if sweep:
            rows = cr.fetchall()
        inbox._store_keep_marks(now, sweep)
        return self.browse(self._ids_of_closed_tickets(rows))

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
            tickets = self.env[model_name].browse({t for _r, t in pairs if t}).exists()
            alive_open = {t.id for t in tickets if not t._mail_ticket_is_closed()}
            ids += [rid for rid, ticket_id in pairs if ticket_id not in alive_open]
        return ids

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
        filters on (created once, by the first sweep, for any ticket model)."""
        index = f"{model._table}__hmt_write_date_index"
        if sql.index_exists(self.env.cr, index):
            return
        try:
            with self.env.cr.savepoint(flush=False):
                sql.create_index(self.env.cr, index, model._table, ['"write_date"'])
        except (psycopg2.errors.DuplicateTable, psycopg2.errors.UniqueViolation):
            # Another worker created it at the same moment.
            _logger.info("Index %s created by another worker", index)

    def init(self):
        # Partial indexes for the per-cycle queries: messages still on the server by
        # inbox and state, and the kept ones by ticket.
        sql.create_index(
            self.env.cr, "mail_inbox_message_on_server_index", self._table,
            ['"inbox_id"', '"state"'], where="on_server",
        )  # fmt: skip
        sql.create_index(
            self.env.cr, "mail_inbox_message_kept_ticket_index", self._table,
            ['"ticket_id"'], where="on_server AND state = 'processed'",
        )  # fmt: skip
        sql.create_index(
            self.env.cr, "mail_inbox_message_kept_written_index", self._table,
            ['"inbox_id"', '"write_date"'], where="on_server AND state = 'processed'",
        )  # fmt: skip
        sql.create_index(
            self.env.cr, "mail_inbox_message_flagged_deleted_index", self._table,
            ['"inbox_id"'], where="on_server AND flagged_deleted",
        )  # fmt: skip
        # The rate limit: tickets created by one sender lately.
        sql.create_index(
            self.env.cr, "mail_inbox_message_created_by_sender_index", self._table,
            ['lower("email_from")', '"processed_date"'], where="action = 'created'",
        )  # fmt: skip

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
