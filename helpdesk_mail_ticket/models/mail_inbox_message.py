# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, email_split, sql

from ..mailparse.identity import content_digest, header_digest
from ..mailparse.peek import peek_headers

_logger = logging.getLogger(__name__)

# Methods of 18.0.1.1 whose work moved when routing and acting were separated (route,
# then act; an email's effects on the ticket in the ticket mixin), or later (as said
# below): nothing calls them
# any more, so an integrator's override of one would silently stop working. The
# registry names any such override at start-up (_check_moved_overrides).
MOVED_METHODS = {
    "mail.inbox.message": {
        "_add_followers": "<ticket model>._mail_ticket_add_followers",
        "_commit": "helpdesk_mail_ticket.transaction.commit",
        "_rollback": "helpdesk_mail_ticket.transaction.rollback",
        "_create_attachment": "<ticket model>._mail_ticket_create_attachment",
        "_create_attachments": "<ticket model>._mail_ticket_attach",
        "_create_ticket": "<ticket model>._mail_ticket_new",
        "_find_or_create_caller": "mail.inbox.message._route_caller / _create_sender_contact",
        "_find_posted_message": "mail.inbox.message._route_odoo_mail",
        "_get_ticket_log_field": "<ticket model>._mail_ticket_log_field",
        "_log_internal_note": "<ticket model>._mail_ticket_note",
        "_message_id_header": "<ticket model>._mail_ticket_new / _mail_ticket_update",
        "_prepare_title": "<ticket model>._mail_ticket_prepare_title",
        "_render_html": "<ticket model>._mail_ticket_render_html",
        "_set_already_posted": "mail.inbox.message._apply_route",
        "_subscribe_caller": "<ticket model>._mail_ticket_subscribe_caller",
        "_update_ticket": "<ticket model>._mail_ticket_update",
    },
    "mail.inbox": {
        "_store_sync_state": "mail.inbox._store_sync_cursor",
        # 18.0.1.x: the recognition reads the ledger once a step.
        "_find_known_lines": "mail.inbox._read_recognition",
        "_free_keys": "mail.inbox._read_recognition",
    },
}

STATES = [
    ("new", "New"),
    ("processed", "Processed"),
    ("error", "Error"),
    ("undesired", "Undesired"),
    ("ignored", "Ignored"),
]
ACTIONS = [("created", "Ticket created"), ("updated", "Ticket updated"), ("duplicate", "Duplicate")]
MAX_ATTEMPTS = 3
HEADERS_MAX_BYTES = 64 * 1024
# Every field of a line is the poll's: which message and inbox it is and how it is
# recognized (uid, server_uid, message_id, stable_id, digests), where its bytes are, its
# size (checked against maximum_email_size), whether it is on the server, its attempts,
# its state and outcome, which ticket it made. Written by the poll and by the action
# buttons (sudo, after the user's own checks), never by a user (``write``).
BOOKKEEPING_FIELDS = frozenset(
    {"inbox_id", "uid", "server_uid", "raw_attachment_id", "big_file_path", "ticket_model",
     "ticket_id", "message_id", "stable_id", "header_digest", "content_digest", "date",
     "email_from", "subject", "size", "state", "reason", "action", "attempts",
     "download_started", "connection_failures", "flagged_deleted", "on_server",
     "processed_date", "trace"}
)  # fmt: skip


def _text(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class InboxProcessingError(Exception):
    """A message that cannot be turned into a ticket or an update; the text is the
    reason the admin reads."""


class MailInboxMessage(models.Model):
    """An Incoming eMail: one record per message seen in an inbox.

    A message is recorded (state ``new``) before anything is done with it; its outcome
    (ticket created or updated, error, undesired) is committed in the same transaction
    as the ticket; the server side (delete, move) is touched only afterwards, from what
    these records say. Whatever dies when, the next cycle resumes from them without
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
        """The header block of the kept raw email, as the server delivered it (an
        attachment of the line itself: a link elsewhere shows nothing)."""
        for message in self:
            attachment = message.sudo().raw_attachment_id  # read only when the line's
            own = (attachment.res_model, attachment.res_id) == (message._name, message.id)
            raw = (own and attachment.raw) or b""
            end = raw.find(b"\r\n\r\n")
            end = raw.find(b"\n\n") if end < 0 else end
            block = raw[: end if end >= 0 else HEADERS_MAX_BYTES][:HEADERS_MAX_BYTES]
            message.headers_text = block.decode("utf-8", errors="replace") or False

    @api.depends("ticket_model", "ticket_id")
    def _compute_ticket_ref(self):
        for message in self:
            ticket = message._get_ticket()
            message.ticket_ref = f"{ticket._name},{ticket.id}" if ticket else False

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
        self._init_listing_stamps()

    def _init_listing_stamps(self):
        """What lets an idle POP3 cycle skip comparing its listing with the ledger
        (``mail.inbox._listing_unchanged``): each change of what that comparison reads
        (a line on the server inserted, deleted, or its handle, size, inbox or
        ``on_server`` changed), whoever makes it (the poll, an administrator, a script),
        is stamped with its transaction's id by the database itself: on the line
        (``listing_xid``), or for a line deleted or moved out of its inbox in
        ``mail_inbox_listing_gone`` (one row per statement and inbox; a line off the
        server too when it carries a stamp: the one of its leaving the server may be
        one no comparison saw); a TRUNCATE forgets every remembered listing. Nothing
        shared is written: two workers never wait for each other on a stamp.
        ``mail_inbox_listing_state`` keeps, per inbox, the
        digest of the last listing found equal to the ledger and the snapshot that
        comparison saw; a stamp not visible in that snapshot means a change it did
        not see. PostgreSQL 13 or later (``xid8``); without, POP3 compares every cycle."""
        self.env.registry.hmt_listing_stamps = None  # asked again (_listing_stamps_ready)
        if self.env.cr._cnx.server_version < 130000:
            _logger.warning("PostgreSQL before 13: an idle POP3 cycle compares its listing")
            return
        self.env.cr.execute(
            """ALTER TABLE mail_inbox_message ADD COLUMN IF NOT EXISTS listing_xid xid8;
               CREATE INDEX IF NOT EXISTS mail_inbox_message_listing_xid_index
                   ON mail_inbox_message (inbox_id, listing_xid)
                   WHERE listing_xid IS NOT NULL;
               CREATE TABLE IF NOT EXISTS mail_inbox_listing_gone (
                   inbox_id integer NOT NULL, xid xid8 NOT NULL);
               CREATE INDEX IF NOT EXISTS mail_inbox_listing_gone_index
                   ON mail_inbox_listing_gone (inbox_id, xid);
               CREATE TABLE IF NOT EXISTS mail_inbox_listing_state (
                   inbox_id integer PRIMARY KEY REFERENCES mail_inbox(id) ON DELETE CASCADE,
                   digest varchar NOT NULL,
                   snapshot pg_snapshot NOT NULL);
               CREATE OR REPLACE FUNCTION mail_inbox_message_listing_stamp() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                   -- A line leaving an inbox takes its stamp away: the inbox keeps one.
                   IF TG_OP = 'UPDATE' AND (OLD.on_server OR OLD.listing_xid IS NOT NULL)
                           AND OLD.inbox_id IS DISTINCT FROM NEW.inbox_id THEN
                       INSERT INTO mail_inbox_listing_gone
                           VALUES (OLD.inbox_id, pg_current_xact_id());
                   END IF;
                   NEW.listing_xid := pg_current_xact_id();
                   RETURN NEW;
               END $$;
               CREATE OR REPLACE FUNCTION mail_inbox_message_listing_gone() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                   INSERT INTO mail_inbox_listing_gone
                       SELECT DISTINCT inbox_id, pg_current_xact_id() FROM gone_lines
                        -- a line off the server may carry the stamp of that change
                        WHERE (on_server OR listing_xid IS NOT NULL)
                          -- not for an inbox deleted with its lines
                          AND EXISTS(SELECT 1 FROM mail_inbox WHERE id = inbox_id);
                   RETURN NULL;
               END $$;
               DROP TRIGGER IF EXISTS mail_inbox_message_listing_insert ON mail_inbox_message;
               CREATE TRIGGER mail_inbox_message_listing_insert
                   BEFORE INSERT ON mail_inbox_message FOR EACH ROW
                   WHEN (NEW.on_server)
                   EXECUTE FUNCTION mail_inbox_message_listing_stamp();
               DROP TRIGGER IF EXISTS mail_inbox_message_listing_update ON mail_inbox_message;
               CREATE TRIGGER mail_inbox_message_listing_update
                   BEFORE UPDATE OF inbox_id, server_uid, size, on_server
                   ON mail_inbox_message FOR EACH ROW
                   WHEN ((OLD.on_server OR NEW.on_server
                          OR (OLD.listing_xid IS NOT NULL
                              AND OLD.inbox_id IS DISTINCT FROM NEW.inbox_id))
                         AND (OLD.inbox_id, OLD.server_uid, OLD.size, OLD.on_server)
                             IS DISTINCT FROM
                             (NEW.inbox_id, NEW.server_uid, NEW.size, NEW.on_server))
                   EXECUTE FUNCTION mail_inbox_message_listing_stamp();
               DROP TRIGGER IF EXISTS mail_inbox_message_listing_delete ON mail_inbox_message;
               CREATE TRIGGER mail_inbox_message_listing_delete
                   AFTER DELETE ON mail_inbox_message REFERENCING OLD TABLE AS gone_lines
                   FOR EACH STATEMENT EXECUTE FUNCTION mail_inbox_message_listing_gone();
               -- TRUNCATE fires no row trigger: every remembered listing is forgotten
               -- (a cycle reading the ledger holds a lock TRUNCATE waits for).
               CREATE OR REPLACE FUNCTION mail_inbox_message_listing_truncate() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                   DELETE FROM mail_inbox_listing_state;
                   RETURN NULL;
               END $$;
               DROP TRIGGER IF EXISTS mail_inbox_message_listing_truncate ON mail_inbox_message;
               CREATE TRIGGER mail_inbox_message_listing_truncate
                   AFTER TRUNCATE ON mail_inbox_message
                   FOR EACH STATEMENT EXECUTE FUNCTION mail_inbox_message_listing_truncate();"""
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        """The bookkeeping fields are the poll's (BOOKKEEPING_FIELDS): a user who could
        point a line at another record's attachment, or at a file, would have the next
        poll (which runs with every right) import it into a ticket; one who set its size
        to 0 would have an oversize email downloaded whole, its state or on_server would
        hide it or have it processed again."""
        forbidden = BOOKKEEPING_FIELDS & vals.keys()
        if forbidden and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of an incoming email are recorded by the mail poll alone.",
                    fields=", ".join(sorted(forbidden)),
                )
            )
        return super().write(vals)

    def _register_hook(self):
        self._check_moved_overrides()
        return super()._register_hook()

    @api.model
    def _check_moved_overrides(self):
        """Warn of a method of MOVED_METHODS still defined in this database: only an
        integrator's override can define it now, and nothing calls it."""
        for model_name, moved in MOVED_METHODS.items():
            if model_name not in self.env:
                continue
            model_class = type(self.env[model_name])
            for name, now in moved.items():
                if hasattr(model_class, name):
                    _logger.warning(
                        "%s.%s is overridden but no longer called: its work moved to %s "
                        "(see README.rst, Architecture). Move the override there.",
                        model_name, name, now,
                    )  # fmt: skip

    def unlink(self):
        """A line is the memory that its email was seen: deleting the line of an email
        still on the server would have the next listing import it again (a second
        ticket). Users delete only lines of mail gone from the server; the poll's own
        clean-up runs with sudo."""
        if not self.env.su and any(self.mapped("on_server")):
            raise AccessError(
                self.env._(
                    "An incoming email still on the mail server cannot be deleted here: "
                    "delete it from the server first (Delete eMail), or set it to Ignored."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_reset_status(self):
        """Make messages candidates for processing again (iTop's Reset Status). A
        message that already made a ticket does not make a second one."""
        for message in self:
            # A kept copy whose file left the file store is none: processed again, the
            # line would only be set aside again.
            if not (message.on_server or message._kept_raw_readable()):
                raise UserError(
                    self.env._(
                        "%(subject)s is no longer on the server and no copy of it is kept "
                        "here (it was not kept, or its kept copy is missing from the file "
                        "store): it cannot be processed again.",
                        subject=message.subject or message.uid,
                    )
                )
        self.check_access("write")
        self.sudo().write(
            {"state": "new", "attempts": 0, "reason": False, "connection_failures": 0,
             "download_started": False}
        )  # fmt: skip
        return True

    def action_ignore(self):
        self.check_access("write")
        reason = self.env._("Ignored by %s", self.env.user.name)
        self.sudo().write({"state": "ignored", "reason": reason})
        return True

    def action_download_raw(self):
        self.ensure_one()
        if not self._kept_raw_readable():  # a lost copy would download an empty file
            raise UserError(
                self.env._(
                    "The raw email of this message is not kept here: it was not kept, or "
                    "its kept copy is missing from the file store."
                )
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.raw_attachment_id.id}?download=true",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # The message's line
    # ------------------------------------------------------------------

    def _get_ticket(self):
        self.ensure_one()
        if not (self.ticket_model and self.ticket_id and self.ticket_model in self.env):
            return None
        return self.env[self.ticket_model].browse(self.ticket_id).exists() or None

    def _record_raw_headers(self, raw):
        """Record Subject, From, Date and Message-ID read from the header block alone,
        for a message set aside before it could be parsed (its parsing may be what kills
        the process, or it is too big): the admin still sees what it is, and its
        Message-ID keys it."""
        peek = peek_headers(raw)  # never raises
        vals = {
            "message_id": peek.message_id[:998] or False,
            "subject": peek.subject[:998],
            "email_from": peek.email_from[:320],
            "date": peek.date or False,
        }
        if peek.message_id and not self.stable_id:
            vals["stable_id"] = vals["message_id"]
        self.write(vals)

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

    def _same_content_domain(self, digest=None):
        """Lines with this line's content digest (or ``digest``), or with none (recorded
        before digests were): the same email, not another one reusing its Message-ID."""
        digest = digest or self.content_digest
        if not digest:
            return []
        return ["|", ("content_digest", "=", digest), ("content_digest", "=", False)]

    def _keep_raw(self, raw):
        """Keep ``raw`` as this line's raw email, unless a copy is kept already; one
        whose file left the file store (it reads empty) is replaced. Returns whether
        ``raw`` was kept."""
        if raw is None:
            return False
        kept = self._get_raw_attachment()
        if kept:
            if kept.raw:
                return False
            self._unlink_lost_copy(kept)
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
        return True

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
        recipients = {email_normalize(a) for a in email_split(inbox.notify_errors_to)}
        if not recipients or any(inbox._is_own_address(a) for a in recipients):
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
