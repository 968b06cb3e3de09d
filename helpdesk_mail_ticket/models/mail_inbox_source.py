# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An inbox's mail source (connection settings, opening it, its errors in words), the
global settings it reads, its row lock and its debug trace."""

import logging

from odoo import api, models, tools

from ..mailparse import Settings, SettingsError
from ..mailsource import ServerConfig, open_source, source_class
from ..mailsource.config import split_imap_options
from ..transaction import SYNC_RETRIES, commit, lock_row
from .mail_inbox import PARAM_PREFIX, folder_key

_logger = logging.getLogger("odoo.addons.helpdesk_mail_ticket.models.mail_inbox")

# The debug trace kept on an inbox: its newest part, at most this many bytes.
TRACE_MAX_BYTES = 256 * 1024
# Global imap_options that would lower an inbox's own connection security: never applied
# (the inbox's Connection Security and certificate check decide; see _get_imap_options).
WEAKENING_IMAP_OPTIONS = frozenset({"notls", "novalidate-cert"})


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------

    def _get_source_class(self):
        """The mailsource class of this inbox's protocol, from mailsource's registry: what
        the kind of source can do (folders, IDLE, a sync cursor)."""
        return source_class(self.protocol)

    def _get_folder(self):
        """The folder read: the inbox's, for a source with folders; else INBOX."""
        return (self._get_source_class().supports_folders and self.mailbox) or "INBOX"

    def _moves_into_itself(self):
        """Whether the inbox moves processed mail into the very folder it reads: each
        moved message would come back with a new UID, a new message, for ever."""
        self.ensure_one()
        return bool(
            self.email_storage == "move"
            and self.target_folder
            and folder_key(self.target_folder) == folder_key(self._get_folder())
        )

    def _get_server_config(self):
        """The connection parameters of this inbox (hook: override to add options)."""
        self.ensure_one()
        params = self._get_global_params()
        inbox = self.sudo()
        oauth2 = inbox.auth_method == "oauth2"
        return ServerConfig(
            protocol=inbox.protocol,
            host=inbox.server.strip(),
            port=inbox.port,
            login=inbox.login,
            password=(inbox._get_oauth2_login_token() if oauth2 else inbox.password) or "",
            auth_mechanism="xoauth2" if oauth2 else "password",
            security=inbox.security,
            folder=inbox._get_folder(),
            timeout=float(params.get("socket_timeout") or 30),
            verify_cert=inbox.verify_certificate,
            pop3_auth_option=(params.get("pop3_auth_option") or "USER").upper(),
            imap_options=self._get_imap_options(params),
        )

    @api.model
    def _get_imap_options(self, params):
        """The global imap_options (iTop flags) applied to an inbox's connection: those
        that add security or change nothing of it. ``notls`` and ``novalidate-cert``
        would lower, for every inbox at once, what each inbox is set to (a password
        sent in clear, a certificate not checked): each inbox's own Connection
        Security and certificate check decide that."""
        options = split_imap_options(params.get("imap_options") or "imap")
        return tuple(option for option in options if option.lower() not in WEAKENING_IMAP_OPTIONS)

    def _open_source(self, trace=None):
        """An unconnected mail source for this inbox, used as a context manager."""
        return open_source(self._get_server_config(), trace=trace)

    def _connection_error_message(self, error):
        """A translated explanation of a connection failure, by error code."""
        _ = self.env._
        messages = {
            "host_not_found": _("The mail server %(server)s is unknown (DNS lookup failed)."),
            "connection_refused": _(
                "The mail server %(server)s refused the connection on port %(port)s."
            ),
            "timeout": _("The mail server %(server)s did not answer in time (port %(port)s)."),
            "tls": _("The secure connection to %(server)s failed: %(detail)s"),
            "authentication": _(
                "The mail server %(server)s rejected the login %(login)s: check the "
                "login and password."
            ),
            "folder_not_found": _("The folder %(folder)s does not exist on %(server)s."),
        }
        template = messages.get(
            getattr(error, "code", ""), _("The mail server %(server)s failed: %(detail)s")
        )
        return template % {
            "server": self.server,
            "port": self.port,
            "login": self.login,
            "folder": self.mailbox or "INBOX",
            "detail": str(error),
        }

    # ------------------------------------------------------------------
    # Global settings
    # ------------------------------------------------------------------

    @api.model
    def _get_global_params(self):
        """The global parameters (iTop names) that are set, as strings."""
        return dict(self._read_global_params())

    @tools.ormcache()
    def _read_global_params(self):
        # Cached: read on every cycle and update; ir.config_parameter clears the cache
        # (in every worker) whenever a parameter changes.
        params = self.env["ir.config_parameter"].sudo()
        rows = params.search_read([("key", "=like", PARAM_PREFIX + "%")], ["key", "value"])
        return tuple((row["key"][len(PARAM_PREFIX) :], row["value"]) for row in rows)

    @api.model
    def _get_parse_settings(self):
        """The email core's settings from the global parameters."""
        params = self._get_global_params()
        try:
            return Settings.from_itop(params)
        except SettingsError as error:
            _logger.warning("Invalid helpdesk_mail_ticket setting, defaults used: %s", error)
            return Settings()

    # ------------------------------------------------------------------
    # Locks
    # ------------------------------------------------------------------

    def _lock_row(self, wait=True):
        """Lock this inbox's row for a write of its state (waiting for another worker
        that holds it, unless ``wait`` is false), unless another worker changed it
        since this transaction's snapshot: its write is as good (see
        ``transaction.lock_row``)."""
        return lock_row(self.env, self._table, self.id, wait=wait)

    # ------------------------------------------------------------------
    # Trace
    # ------------------------------------------------------------------

    def _trace(self, message, *args):
        """Trace one step of this inbox: to the log, and to the Debug Trace tab when
        the inbox's trace is on."""
        buffer = self.env.context.get("mail_inbox_trace")
        if buffer is None:
            _logger.debug("[%s] " + message, self.name, *args)
        else:
            buffer.add(message % args if args else message)

    def _save_trace(self, trace):
        """Append a cycle's ``trace`` to the Debug Trace tab, on a fresh snapshot under
        the row's lock: another worker may write the row meanwhile (its cursor, its
        status), and a write on the cycle's older snapshot would fail the cycle however
        well it went (the cron then records it as a failure of the inbox)."""
        if not (self.trace and trace):
            return
        for _attempt in range(SYNC_RETRIES):
            commit(self.env)
            if self._lock_row():
                break
        else:
            _logger.info("Mail inbox %s: its trace changed meanwhile, not saved", self.id)
            return
        self.invalidate_recordset(["debug_trace"])
        text = (self.debug_trace or "") + "\n".join(trace) + "\n"
        encoded = text.encode()
        if len(encoded) > TRACE_MAX_BYTES:
            text = encoded[-TRACE_MAX_BYTES:].decode(errors="ignore")
            text = text[text.find("\n") + 1 :]
        self.debug_trace = text
