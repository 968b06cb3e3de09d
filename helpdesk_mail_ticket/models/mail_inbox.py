# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..mailparse import PatternError, compile_pcre
from ..mailsource import default_port
from .helpdesk_mail_ticket import TICKET_TYPES

_logger = logging.getLogger(__name__)

# Global settings (iTop names) stored as ir.config_parameter under this prefix.
PARAM_PREFIX = "helpdesk_mail_ticket."
# The group that reads the mailbox secrets (the stored fields restricted to it).
SECRETS_GROUP = "base.group_system"
# Settings that decide where the secrets are sent (see _get_secret_destination_fields).
SECRET_DESTINATION_FIELDS = {
    "server",
    "port",
    "protocol",
    "security",
    "verify_certificate",
    "login",
}
# The secrets of an inbox (password, OAuth2 client secret and tokens) are read only
# with each other, by the code that uses them: never with the other columns a cycle
# reads of the row (Odoo reads a row's columns of one prefetch group together).
SECRETS_PREFETCH = "mail_inbox_secrets"
# The messages a cron run processes when max_messages_per_run is not set.
DEFAULT_RUN_BUDGET = 500
# What the poll records of its own work (sync cursor, status, marks, trace): written by
# the poll and the buttons alone, which run with sudo; never by a user (``write``).
POLL_STATE_FIELDS = frozenset(
    {"sync_cursor", "state", "failure_count", "last_error", "last_error_date", "last_run_date",
     "keep_checked_date", "keep_swept_date", "debug_trace"}
)  # fmt: skip


class InboxTrace(list):
    """The lines traced during one cycle of one inbox (iTop's debug trace). Each line
    also goes to the server log: at debug level, or info with ``echo`` (the global
    ``debug`` setting)."""

    def __init__(self, inbox_name="", echo=False):
        super().__init__()
        self.prefix = f"[{inbox_name}] "
        self.level = logging.INFO if echo else logging.DEBUG

    def add(self, line):
        line = str(line).replace("\x00", "\ufffd")  # a database text refuses NUL
        _logger.log(self.level, "%s%s", self.prefix, line)
        self.append(f"{fields.Datetime.now()} {line}")


def folder_key(name):
    """An IMAP folder's name as the server tells folders apart: INBOX in any case is one
    mailbox (RFC 3501 5.1), "inbox" no other, and so is its first level under it: Dovecot
    opens "inbox/Processed" as "INBOX/Processed" (a hierarchy separator, "/" or ".",
    right after it); any other name as written (the names under INBOX in their case)."""
    head, rest = name[:5], name[5:]
    if head.isascii() and head.upper() == "INBOX" and (not rest or rest[0] in "/."):
        return "INBOX" + rest
    return name


class MailInbox(models.Model):
    _name = "mail.inbox"
    _description = "Incoming eMail Inbox"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"

    def _default_target_model(self):
        return self.env["ir.model"]._get("helpdesk.mail.ticket")

    # Mailbox configuration
    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, required=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True, help="Only active inboxes are polled.")
    server = fields.Char(
        string="Mail Server", required=True, tracking=True, help="Host name or IP address."
    )
    protocol = fields.Selection(
        [("imap", "IMAP"), ("pop3", "POP3")], required=True, default="imap", tracking=True
    )
    security = fields.Selection(
        [("none", "None"), ("ssl", "SSL/TLS"), ("starttls", "STARTTLS")],
        string="Connection Security",
        required=True,
        default="ssl",
        tracking=True,
    )
    verify_certificate = fields.Boolean(
        default=True,
        help="Check the server's TLS certificate. Turn off only for a server with a "
        "self-signed certificate you trust.",
    )
    port = fields.Integer(compute="_compute_port", store=True, readonly=False, tracking=True)
    login = fields.Char(required=True, tracking=True)
    password = fields.Char(groups="base.group_system", copy=False, prefetch=SECRETS_PREFETCH)
    auth_method = fields.Selection(
        [("password", "Password"), ("oauth2", "OAuth2 (XOAUTH2)")],
        string="Login Method",
        required=True,
        default="password",
        tracking=True,
        help="Password: the mailbox password. OAuth2: an access token of the mail provider "
        "(SASL XOAUTH2), required by Google and Microsoft 365, renewed automatically.",
    )
    mailbox = fields.Char(
        string="Mailbox (IMAP folder)",
        help="The IMAP folder to scan; empty means INBOX. Ignored with POP3.",
    )
    trace = fields.Boolean(
        string="Debug Trace",
        help="Trace every operation of this inbox in the Debug Trace tab (kept to its "
        "last 256 KB). Leave it off in production.",
    )
    # Up to 256 KB: not read with the other fields each time the inbox is read.
    debug_trace = fields.Text(string="Debug Trace Log", readonly=True, copy=False, prefetch=False)
    mailbox_key = fields.Char(
        compute="_compute_mailbox_key", store=True, index=True, precompute=True
    )
    # What the kind of source can do (mailsource's registry), for the form.
    source_has_folders = fields.Boolean(compute="_compute_source_abilities")
    source_can_idle = fields.Boolean(compute="_compute_source_abilities")

    # Emails in error
    error_behavior = fields.Selection(
        [("mark_as_error", "Keep the message in the mailbox"), ("delete", "Delete the message")],
        string="Behavior on Error",
        required=True,
        default="mark_as_error",
        help="A message kept is flagged as error and never retried by itself; use Reset "
        "Status to retry it.",
    )
    notify_errors_to = fields.Char(
        string="Forward eMails to",
        help="Address that receives a message in error, attached, with the reason.",
    )
    notify_errors_from = fields.Char(
        string="(From)", help="Sender address of the forward; both addresses must be set."
    )

    # Behavior on incoming emails
    behavior = fields.Selection(
        [
            ("both", "Create or Update"),
            ("create_only", "Create new ticket"),
            ("update_only", "Update existing tickets"),
        ],
        required=True,
        default="both",
    )
    email_storage = fields.Selection(
        [
            ("keep", "Keep the eMail on the server until its ticket is closed or deleted"),
            ("delete", "Delete the eMail immediately"),
            ("move", "Move the eMail to another IMAP folder"),
        ],
        string="After processing the eMail",
        required=True,
        default="keep",
    )
    target_folder = fields.Char(help="IMAP folder that receives processed messages.")
    target_model_id = fields.Many2one(
        "ir.model",
        string="Ticket Model",
        required=True,
        ondelete="cascade",
        default=_default_target_model,
        domain="[('model', 'in', target_model_names)]",
    )
    target_model = fields.Char(related="target_model_id.model", store=True)
    target_model_names = fields.Json(compute="_compute_target_model_names")
    ticket_type = fields.Selection(
        TICKET_TYPES,
        default="user_request",
        help="Type of the tickets created, for models that have a type; a reply "
        "matching a ticket of another type is an error.",
    )
    ticket_default_values = fields.Text(
        help="One field per line, field_code:value. Many2one by id or by unique name, "
        "selection by value or label. Applied after the mapping.",
    )
    ticket_default_title = fields.Char(string="Default Title (if subject is empty)")
    title_pattern = fields.Char(
        default="/R-([0-9]{6})/",
        help="PCRE pattern, as in iTop, looked for in the subject when no header "
        "identifies the ticket; the full match then each group is looked up as a "
        "ticket reference.",
    )
    import_additional_contacts = fields.Selection(
        [
            ("never", "Never"),
            ("only_on_creation", "On creation"),
            ("only_on_update", "On update"),
            ("always", "Always"),
        ],
        string="To/Cc contacts as followers",
        required=True,
        default="never",
        help="Known contacts in To and Cc become followers of the ticket; unknown "
        "addresses are never created.",
    )

    stranger_update_policy = fields.Selection(
        [
            ("accept", "Update the ticket"),
            ("note", "Log as an internal note"),
            ("new_ticket", "Create a new ticket"),
            ("reject", "Reject the eMail"),
        ],
        string="Updates from Strangers",
        required=True,
        default="note",
        help="What a reply does when its sender is neither the ticket's caller, a "
        "follower, one of its contacts nor an internal user (anyone can write a ticket "
        "reference in a subject). An internal note is seen by agents only.",
    )

    # Unknown callers
    unknown_caller_behavior = fields.Selection(
        [("reject_email", "Reject the eMail"), ("create_contact", "Create a new contact")],
        string="Behavior in case of Unknown Caller",
        required=True,
        default="reject_email",
    )
    caller_default_values = fields.Text(
        string="New Contact's Default Values", help="One field per line, field_code:value."
    )
    reply_to_caller = fields.Selection(
        [
            ("never", "Never"),
            ("own", "When sent from one of our addresses"),
            ("always", "Always"),
        ],
        string="Caller from Reply-To",
        required=True,
        default="own",
        help="Take the caller from the Reply-To rather than the From: a web form or a shop "
        "sends from one of our own addresses (an inbox's, support+web@, any address of "
        "the mail domains Odoo sends from, noreply@) with the visitor in Reply-To. The "
        "first address of the Reply-To that is not ours is taken; one of our own "
        "addresses never is (mail loop), nor is an automated mail's. 'Always' takes it "
        "from anyone's mail: a customer's Reply-To then names the caller.",
    )

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    # Status
    state = fields.Selection(
        [("never", "Never polled"), ("ok", "Connected"), ("error", "Failing")],
        default="never",
        readonly=True,
        copy=False,
    )
    last_run_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the inbox was last polled; a working inbox polled several times within "
        "10 seconds shows the first of these polls.",
    )
    next_run_date = fields.Datetime(
        compute="_compute_next_run_date",
        help="When the inbox is polled next: the polling job's next run, or an earlier "
        "poll already scheduled.",
    )
    last_error = fields.Text(readonly=True, copy=False)
    last_error_date = fields.Datetime(readonly=True, copy=False)
    failure_count = fields.Integer(
        readonly=True, copy=False, help="Cycles that failed in a row; 0 once one succeeds."
    )
    use_idle = fields.Boolean(
        string="Wait with IMAP IDLE",
        help="The long-running command 'helpdesk_fetch --idle' waits on this inbox with "
        "IMAP IDLE and imports new mail within seconds; without IDLE on the server it "
        "polls. The cron keeps polling it anyway.",
    )
    # Synchronization state: what the inbox's messages already hold, so that a cycle lists only what
    # is new, and nothing when nothing changed. Opaque here: the mail source gives it and
    # reads it (mailsource's list_changes; IMAP: UIDVALIDITY, UIDNEXT, message count).
    sync_cursor = fields.Json(readonly=True, copy=False)
    # Keep-until-closed: when kept messages were last checked against their tickets.
    keep_checked_date = fields.Datetime(readonly=True, copy=False)
    keep_swept_date = fields.Datetime(readonly=True, copy=False)
    ledger_ids = fields.One2many("mail.inbox.message", "inbox_id", string="Incoming eMails")
    message_count = fields.Integer(compute="_compute_message_counts")
    error_count = fields.Integer(compute="_compute_message_counts")
    undesired_count = fields.Integer(compute="_compute_message_counts")
    created_count = fields.Integer(compute="_compute_message_counts")
    updated_count = fields.Integer(compute="_compute_message_counts")

    _sql_constraints = [
        (
            "mailbox_key_unique",
            "UNIQUE(mailbox_key)",
            "Another inbox already reads this mailbox (same login, server and folder).",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("login", "server")
    def _compute_name(self):
        for inbox in self:
            if not inbox.name:
                inbox.name = f"{inbox.login or ''}@{inbox.server or ''}"

    @api.depends("protocol", "security")
    def _compute_port(self):
        for inbox in self:
            inbox.port = default_port(inbox.protocol, inbox.security)

    @api.depends("protocol")
    def _compute_source_abilities(self):
        for inbox in self:
            source = inbox._get_source_class() if inbox.protocol else None
            inbox.source_has_folders = bool(source and source.supports_folders)
            inbox.source_can_idle = bool(source and source.may_idle)

    @api.depends("protocol", "login", "server", "mailbox")
    def _compute_mailbox_key(self):
        for inbox in self:
            # POP3 reads INBOX: an IMAP inbox on INBOX of the same account is the same mail.
            inbox.mailbox_key = self._make_mailbox_key(
                inbox.login, inbox.server, inbox._get_folder()
            )

    @api.model
    def _make_mailbox_key(self, login, server, folder):
        """The key of the mailbox ``folder`` (the folder read) of ``login`` on ``server``:
        what tells one mailbox from another, for this model and whoever looks an inbox up
        by its mailbox (the iTop import)."""
        login = (login or "").strip().lower()
        server = (server or "").strip().lower()
        return f"{login}@{server}/{folder_key(folder)}"

    def _compute_next_run_date(self):
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch", False)
        cron = cron and cron.sudo()
        when = False
        if cron and cron.active:
            trigger = (
                self.env["ir.cron.trigger"]
                .sudo()
                .search([("cron_id", "=", cron.id)], order="call_at", limit=1)
            )
            when = min(date for date in (cron.nextcall, trigger.call_at) if date)
        for inbox in self:
            inbox.next_run_date = inbox.active and when

    def _compute_target_model_names(self):
        names = self._get_target_model_names()
        for inbox in self:
            inbox.target_model_names = names

    def _compute_message_counts(self):
        ledger = self.env["mail.inbox.message"]
        groups = ledger._read_group(
            [("inbox_id", "in", self.ids)], ["inbox_id", "state", "action"], ["__count"]
        )
        counts = {}
        for inbox, state, action, count in groups:
            entry = counts.setdefault(inbox.id, {"all": 0, "error": 0, "undesired": 0})
            entry["all"] += count
            entry[state] = entry.get(state, 0) + count
            if action:
                entry[action] = entry.get(action, 0) + count
        for inbox in self:
            entry = counts.get(inbox.id, {})
            inbox.message_count = entry.get("all", 0)
            inbox.error_count = entry.get("error", 0)
            inbox.undesired_count = entry.get("undesired", 0)
            inbox.created_count = entry.get("created", 0)
            inbox.updated_count = entry.get("updated", 0)

    @api.model
    def _get_target_model_names(self):
        """Models an inbox may target: every concrete model inheriting the ticket mixin."""
        registry = self.env.registry
        names, todo = set(), ["helpdesk.mail.ticket.mixin"]
        while todo:
            for child in registry[todo.pop()]._inherit_children:
                if child not in names:
                    names.add(child)
                    todo.append(child)
        return sorted(name for name in names if not registry[name]._abstract)

    @api.constrains("target_model_id")
    def _check_target_model(self):
        names = self._get_target_model_names()
        for inbox in self:
            if inbox.target_model not in names:
                raise ValidationError(
                    self.env._(
                        "%(model)s cannot receive tickets from emails: it does not inherit "
                        "helpdesk.mail.ticket.mixin.",
                        model=inbox.target_model,
                    )
                )

    @api.constrains("title_pattern")
    def _check_title_pattern(self):
        for inbox in self.filtered("title_pattern"):
            try:
                compile_pcre(inbox.title_pattern)
            except PatternError as error:
                raise ValidationError(
                    self.env._(
                        "The title pattern %(pattern)s is not valid: %(reason)s",
                        pattern=inbox.title_pattern,
                        reason=str(error),
                    )
                )

    @api.constrains("email_storage", "protocol", "target_folder", "mailbox")
    def _check_target_folder(self):
        for inbox in self.filtered(lambda i: i.email_storage == "move"):
            if not inbox._get_source_class().supports_folders or not inbox.target_folder:
                raise ValidationError(
                    self.env._("Moving processed emails needs IMAP and a target folder.")
                )
            if inbox._moves_into_itself():
                raise ValidationError(
                    self.env._(
                        "The target folder %(folder)s is the folder the inbox reads: the "
                        "moved emails would come back as new ones. Choose another folder.",
                        folder=inbox.target_folder,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_poll_state(vals)
        self._check_mailbox_free(
            [self.new(self._add_missing_default_values(vals)).mailbox_key for vals in vals_list]
        )
        inboxes = super().create(vals_list)
        inboxes._ensure_target_indexes()
        self.env.registry.clear_cache()  # our own addresses (_get_own_addresses)
        return inboxes

    def write(self, vals):
        self._check_poll_state(vals)
        stale = self._stale_keys() if vals.get("active") else self.browse()
        watched = sorted(self._get_secret_destination_fields() & vals.keys())
        mailboxes = {}
        if self._get_mailbox_identity_fields() & vals.keys():
            mailboxes = {inbox.id: inbox._get_mailbox_identity() for inbox in self}
        # Who asks, even through sudo (the iTop import writes with it for a manager).
        if not watched or self.env.user.has_group(SECRETS_GROUP):
            result = super().write(vals)
        else:
            before = {inbox.id: [inbox[name] for name in watched] for inbox in self}
            result = super().write(vals)
            moved = self.filtered(lambda i: before[i.id] != [i[name] for name in watched])
            moved._forget_secrets(watched, keep=vals.keys())
        if mailboxes:
            # Before the row is written (the unique key would refuse it, unexplained).
            self._check_mailbox_free(self.mapped("mailbox_key"), exclude=self.ids)
            self.filtered(
                lambda i: mailboxes[i.id] != i._get_mailbox_identity()
            )._reset_sync_state()
        if stale:
            self.env.add_to_compute(self._fields["mailbox_key"], stale)
            stale.flush_recordset(["mailbox_key"])
        if "login" in vals:
            self.env.registry.clear_cache()  # our own addresses (_get_own_addresses)
        if "target_model_id" in vals:
            self._ensure_target_indexes()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # our own addresses (_get_own_addresses)
        return result

    def _stale_keys(self):
        """The inboxes keyed otherwise than they compute now, each refused (named) when
        another inbox reads that mailbox: an inbox another one read INBOX beside, in
        another case, when the 18.0.1.4.0 upgrade keyed it (restored as it was, both
        would make tickets of the same mail). Keyed anew by ``write``."""
        keys = {i: self._make_mailbox_key(i.login, i.server, i._get_folder()) for i in self}
        stale = self.filtered(lambda i: i.mailbox_key != keys[i])
        self._check_mailbox_free([keys[i] for i in stale], exclude=self.ids)
        return stale

    @api.model
    def _check_mailbox_free(self, keys, exclude=()):
        """Refuse, naming it, an inbox that reads one of these mailboxes (``keys``:
        mailbox keys, not written yet) already, archived too (the admin sees none in
        the list): restored, an archived one goes on from its own Incoming eMails,
        which know what was already imported. The unique key stays the guard against
        a race; this check is raw SQL, which flushes nothing not written yet."""
        keys = [key for key in keys if key]
        if not keys:
            return
        self.env.cr.execute(
            "SELECT id, name, active, mailbox_key FROM mail_inbox "
            "WHERE mailbox_key = ANY(%s) AND NOT id = ANY(%s) ORDER BY active DESC, id LIMIT 1",
            [keys, list(exclude)],
        )
        row = self.env.cr.fetchone()
        if not row:
            return
        inbox_id, name, active, key = row
        if not self.browse(inbox_id).has_access("read"):
            # Another company's: its name is not the admin's to see.
            raise ValidationError(
                self.env._(
                    "An inbox of a company you cannot see already reads this mailbox "
                    "(%(mailbox)s).",
                    mailbox=key,
                )
            )
        if active:
            raise ValidationError(
                self.env._(
                    "The inbox %(inbox)s already reads this mailbox (%(mailbox)s).",
                    inbox=name,
                    mailbox=key,
                )
            )
        raise ValidationError(
            self.env._(
                "The archived inbox %(inbox)s already reads this mailbox (%(mailbox)s): "
                "restore it (Unarchive) instead of creating another one. Its Incoming "
                "eMails remember which mail was already made into tickets, so that none "
                "is imported twice.",
                inbox=name,
                mailbox=key,
            )
        )

    def _ensure_target_indexes(self):
        """The keep-until-closed sweep's index on the target model's table: made with
        the model (the mixin's ``init``), and here for a model installed before it;
        in the inbox's own transaction, never a poll cycle's."""
        ledger = self.env["mail.inbox.message"].sudo()
        for name in set(self.mapped("target_model")):
            if name in self.env:
                ledger._ensure_write_date_index(self.env[name])

    @api.model
    def _check_poll_state(self, vals):
        """The poll's own state (POLL_STATE_FIELDS) is written by the poll alone: a user
        who set a sync cursor ahead of the mailbox would have mail never recorded."""
        forbidden = POLL_STATE_FIELDS & vals.keys()
        if forbidden and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of an inbox are recorded by the mail poll alone.",
                    fields=", ".join(sorted(forbidden)),
                )
            )

    def _write_poll_state(self, vals):
        """Write the poll's own state (POLL_STATE_FIELDS) of this inbox in one UPDATE,
        not by ``write``: no field of it is tracked or written by a user, and the ORM's
        write would first read every tracked field of the row again (mail.thread's
        tracking; after a commit that is the whole row, OAuth2 tokens with it) at each
        cycle that records its success or a new cursor. The cache holds the values
        written."""
        self.ensure_one()
        unknown = vals.keys() - POLL_STATE_FIELDS
        if unknown:
            raise ValueError(f"Not the poll's state: {', '.join(sorted(unknown))}")
        self.flush_recordset(list(vals))  # an ORM write of the same fields pending first
        fields_ = [self._fields[name] for name in vals]
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s, write_uid = %s, write_date = now() AT TIME ZONE 'UTC' "
                "WHERE id = %s",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL(
                        "%s = %s",
                        SQL.identifier(field.name),
                        field.convert_to_column(vals[field.name], self),
                    )
                    for field in fields_
                ),
                self.env.uid,
                self.id,
            )
        )
        for field in fields_:
            self.env.cache.update(self, field, [field.convert_to_cache(vals[field.name], self)])
        self.invalidate_recordset(["write_uid", "write_date"])

    @api.model
    def _get_secret_destination_fields(self):
        """The settings that decide where the mailbox's secrets go (hook): whoever cannot
        read the secrets and changes one of them makes the inbox forget its secrets,
        which would otherwise be sent to a host of their choosing."""
        return set(SECRET_DESTINATION_FIELDS)

    def _forget_secrets(self, changed, keep=()):
        """Clear every stored secret (the fields only SECRETS_GROUP reads) but those in
        ``keep`` (given by the writer themselves), and say so in the chatter, after
        ``changed`` settings were changed by someone who cannot read them."""
        secrets = [
            name
            for name, field in self._fields.items()
            if field.store and field.groups == SECRETS_GROUP and name not in keep
        ]
        self.sudo().write(dict.fromkeys(secrets, False))
        labels = ", ".join(self._fields[name]._description_string(self.env) for name in changed)
        for inbox in self:
            inbox.message_post(
                body=self.env._(
                    "%(user)s changed %(fields)s: the stored password and tokens were "
                    "cleared, so that they are never sent elsewhere; a Settings "
                    "administrator must enter them again.",
                    user=self.env.user.name,
                    fields=labels,
                ),
                subtype_xmlid="mail.mt_note",
            )
