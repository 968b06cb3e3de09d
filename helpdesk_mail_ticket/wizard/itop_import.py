# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Import an iTop configuration: the global settings and the mail inboxes.

iTop keeps the global parameters in ``config-itop.php`` (the ``combodo-email-synchro``
and ``itop-standard-email-synchro`` arrays) and the inboxes as ``MailInbox`` objects,
which its CSV export writes with column labels or codes. The PHP is read by a literal
parser (``itop_import_php``), never evaluated.
"""

import base64
import csv
import io
import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..mailparse import Settings, SettingsError
from ..mailparse.settings import ITOP_BROKEN_DEFAULT
from ..mailsource import default_port
from ..models.mail_inbox import PARAM_PREFIX
from .itop_import_php import PhpSyntaxError, find_setting

SYNCHRO_SECTION = "combodo-email-synchro"
STANDARD_SECTION = "itop-standard-email-synchro"
# iTop parameter -> how its PHP value is stored: "bool", "int", "str", "lines", "csv".
ITOP_PARAM_KINDS = {
    "debug": "bool",
    "periodicity": "int",
    "body_parts_order": "str",
    "pop3_auth_option": "str",
    "imap_options": "csv",
    "exclude_attachment_types": "lines",
    "maximum_email_size": "str",
    "introductory-patterns": "lines",
    "multiline-delimiter-patterns": "lines",
    "big_files_dir": "str",
    "use_message_id_as_uid": "bool",
    "images_minimum_size": "str",
    "images_maximum_size": "str",
    "undesired-subject-patterns": "lines",
}
# iTop's log attribute that our chatter stands for.
ITOP_DEFAULT_LOG = "public_log"
ITOP_TICKET_CLASSES = {
    "userrequest": "user_request",
    "user request": "user_request",
    "incident": "incident",
    "change": "change",
    "normalchange": "change",
    "routinechange": "change",
    "emergencychange": "change",
    "problem": "problem",
}
# MailInbox attribute codes -> the labels of iTop's English dictionary (CSV headers).
# "Behavior" labels both error_behavior and behavior: the values tell them apart.
ITOP_COLUMNS = {
    "server": ("Mail Server", "Server"),
    "mailbox": ("Mailbox (for IMAP)", "Mailbox"),
    "login": ("Login",),
    "password": ("Password",),
    "protocol": ("Protocol",),
    "port": ("Port",),
    "active": ("Active",),
    "trace": ("Debug trace",),
    "error_behavior": ("Behavior", "Behavior on Error"),
    "notify_errors_to": ("Forward eMails To",),
    "notify_errors_from": ("(From)", "From"),
    "behavior": ("Behavior",),
    "email_storage": ("After processing the eMail",),
    "target_folder": ("Target Folder",),
    "target_class": ("Ticket Class",),
    "ticket_default_values": ("Ticket Default Values",),
    "ticket_default_title": ("Default Title (if subject is empty)",),
    "title_pattern": ("Title Pattern",),
    "import_additional_contacts": ("Add To/CC contacts",),
    "unknown_caller_behavior": ("Behavior in case of Unknown Caller",),
    "caller_default_values": ("New Person's Default Values", "New Contact's Default Values"),
}
# Selection values: our code -> the iTop codes and labels that mean it.
ITOP_CHOICES = {
    "protocol": {"imap": ("imap",), "pop3": ("pop3", "pop")},
    "error_behavior": {
        "mark_as_error": ("mark_as_error", "keep the message in the mailbox"),
        "delete": ("delete", "delete the message", "delete the message from the mailbox"),
    },
    "behavior": {
        "both": ("both", "create or update"),
        "create_only": ("create_only", "create new ticket", "create new tickets only"),
        "update_only": ("update_only", "update existing tickets", "update existing tickets only"),
    },
    "email_storage": {
        "keep": ("keep", "keep the email on the mail server", "keep the email on the server"),
        "delete": ("delete", "delete the email immediately"),
        "move": ("move", "move the email to another folder"),
    },
    "unknown_caller_behavior": {
        "reject_email": ("reject_email", "reject the email"),
        "create_contact": ("create_contact", "create a new person", "create a new contact"),
    },
    "import_additional_contacts": {
        "never": ("never",),
        "only_on_creation": ("only_on_creation", "only on creation"),
        "only_on_update": ("only_on_update", "only on update"),
        "always": ("always",),
    },
}
TRUE_WORDS = ("yes", "true", "1", "y", "oui", "ja")
FALSE_WORDS = ("no", "false", "0", "n", "non", "nein", "")


def _norm(text):
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().rstrip(" *")


class HelpdeskMailTicketItopImport(models.TransientModel):
    _name = "helpdesk.mail.ticket.itop.import"
    _description = "Import an iTop Configuration"

    config_file = fields.Binary(
        string="iTop configuration file",
        help="config-itop.php: its combodo-email-synchro and itop-standard-email-synchro "
        "arrays become the global settings.",
    )
    config_filename = fields.Char()
    inbox_file = fields.Binary(
        string="MailInbox CSV export",
        help="iTop's CSV export of the Incoming eMail Inboxes, with column labels or "
        "codes: each row creates an inbox, or updates the one reading the same mailbox.",
    )
    inbox_filename = fields.Char()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    result = fields.Text(readonly=True)

    def action_import(self):
        self.ensure_one()
        if not (self.config_file or self.inbox_file):
            raise UserError(self.env._("Choose an iTop configuration file, a CSV export, or both."))
        report = []
        if self.config_file:
            report += self._import_config(self._decode(self.config_file))
        if self.inbox_file:
            report += self._import_inboxes(self._decode(self.inbox_file))
        self.write({"state": "done", "result": "\n".join(report)})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _decode(self, data):
        raw = base64.b64decode(data)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")

    # ------------------------------------------------------------------
    # Global settings (config-itop.php)
    # ------------------------------------------------------------------

    @api.model
    def _import_config(self, text):
        """Store the iTop module settings found in ``text`` as our global settings: a
        Settings administrator's to change, as on the Settings page (they reach every
        inbox, imap_options their connections)."""
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                self.env._(
                    "Only a Settings administrator can import the global settings (the "
                    "iTop configuration file); import the inboxes' CSV export alone."
                )
            )
        try:
            synchro = find_setting(text, SYNCHRO_SECTION)
            standard = find_setting(text, STANDARD_SECTION)
        except PhpSyntaxError as error:
            raise UserError(
                self.env._("The iTop configuration cannot be read: %(error)s", error=error)
            ) from None
        if not isinstance(synchro, dict) and not isinstance(standard, dict):
            raise UserError(
                self.env._(
                    "The file has no %(synchro)s nor %(standard)s settings.",
                    synchro=SYNCHRO_SECTION,
                    standard=STANDARD_SECTION,
                )
            )
        params, notes = self._itop_settings_to_params(synchro or {})
        if isinstance(standard, dict) and "ticket_log" in standard:
            params["ticket_log"], log_notes = self._itop_ticket_log(standard["ticket_log"])
            notes += log_notes
        self._check_params(params)
        config = self.env["ir.config_parameter"].sudo()
        for name, value in params.items():
            config.set_param(PARAM_PREFIX + name, value)
        summary = self.env._(
            "Global settings: %(count)s parameter(s) imported (%(names)s).",
            count=len(params),
            names=", ".join(params),
        )
        return [summary, *notes]

    @api.model
    def _itop_settings_to_params(self, synchro):
        """(parameters as stored, notes) from the combodo-email-synchro array. A value
        ``False`` removes the parameter (our default applies)."""
        params, notes = {}, []
        for name, value in synchro.items():
            kind = ITOP_PARAM_KINDS.get(name)
            if kind is None:
                notes.append(self.env._("Setting %(name)s ignored: not used here.", name=name))
                continue
            if name.endswith("patterns") and ITOP_BROKEN_DEFAULT in _as_list(value):
                value = [item for item in _as_list(value) if item != ITOP_BROKEN_DEFAULT]
                notes.append(
                    self.env._(
                        "%(name)s: the pattern %(pattern)s is not valid PCRE (iTop skips it "
                        "too): not imported.",
                        name=name,
                        pattern=ITOP_BROKEN_DEFAULT,
                    )
                )
            params[name] = self._php_to_param(name, kind, value)
        return params, notes

    @api.model
    def _php_to_param(self, name, kind, value):
        if kind == "bool":
            return "True" if value is True or _norm(value) in TRUE_WORDS[:3] else False
        if kind == "int":
            try:
                return str(int(value))
            except (TypeError, ValueError):
                raise UserError(
                    self.env._("%(name)s must be a number, not %(value)r", name=name, value=value)
                ) from None
        if kind in ("lines", "csv"):
            items = [str(item).strip() for item in _as_list(value) if str(item).strip()]
            # An empty list is kept as an empty value: iTop's array() means "none",
            # not "the defaults".
            return ("\n" if kind == "lines" else ",").join(items)
        text = "" if value is None else str(value).strip()
        return text or False

    @api.model
    def _itop_ticket_log(self, ticket_log):
        """``ticket_log`` lines (model:field) from iTop's class => attribute array.
        iTop's public_log is our chatter, the default: it needs no line."""
        notes, lines = [], []
        model = self.env["helpdesk.mail.ticket"]
        items = ticket_log.items() if isinstance(ticket_log, dict) else []
        for itop_class, attribute in items:
            if _norm(itop_class) not in ITOP_TICKET_CLASSES:
                notes.append(self.env._("ticket_log: iTop class %(cls)s ignored.", cls=itop_class))
            elif attribute == ITOP_DEFAULT_LOG:
                continue
            elif attribute in model._fields:
                line = f"{model._name}:{attribute}"
                if line not in lines:
                    lines.append(line)
            else:
                notes.append(
                    self.env._(
                        "ticket_log: %(cls)s logs into %(field)s, which tickets here do not "
                        "have: its updates go to the chatter.",
                        cls=itop_class,
                        field=attribute,
                    )
                )
        return "\n".join(lines) or False, notes

    @api.model
    def _check_params(self, params):
        values = {name: value for name, value in params.items() if value is not False}
        try:
            Settings.from_itop(values)
        except SettingsError as error:
            raise UserError(
                self.env._("The iTop settings are not valid here: %(error)s", error=error)
            ) from None

    # ------------------------------------------------------------------
    # Inboxes (MailInbox CSV export)
    # ------------------------------------------------------------------

    @api.model
    def _import_inboxes(self, text):
        rows = self._read_csv(text)
        if not rows:
            raise UserError(self.env._("The CSV export has no inbox."))
        columns, notes = self._map_columns(rows)
        report = []
        for number, row in enumerate(rows[1:], 2):
            record = {code: row[index] for index, code in columns.items() if index < len(row)}
            if not any(value.strip() for value in record.values()):
                continue
            try:
                inbox, created, row_notes = self._import_inbox(record)
            except (ValueError, KeyError) as error:
                raise UserError(
                    self.env._("CSV line %(line)s: %(error)s", line=number, error=error)
                ) from None
            verb = self.env._("created") if created else self.env._("updated")
            report.append(self.env._("Inbox %(name)s %(verb)s.", name=inbox.name, verb=verb))
            report += [f"  {note}" for note in row_notes]
        return report + notes

    @api.model
    def _read_csv(self, text):
        """The rows; the delimiter is the one the header uses most (iTop exports with
        a comma by default, a semicolon or a tab on request)."""
        header = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=header.count)
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))

    @api.model
    def _map_columns(self, rows):
        """{column index: attribute code} from the header, labels or codes."""
        by_label = {}
        for code, labels in ITOP_COLUMNS.items():
            for label in (code, *labels):
                by_label.setdefault(_norm(label), []).append(code)
        columns, notes = {}, []
        for index, header in enumerate(rows[0]):
            codes = list(dict.fromkeys(by_label.get(_norm(header), [])))
            if header.strip() in ITOP_COLUMNS:  # a code (iTop's are lower case)
                codes = [header.strip()]
            elif len(codes) > 1:
                values = [row[index] for row in rows[1:] if index < len(row)]
                codes = [self._guess_behavior_column(values, codes)]
            if codes and codes[0] not in columns.values():
                columns[index] = codes[0]
            elif _norm(header) not in ("id", ""):
                notes.append(self.env._("CSV column %(name)s ignored.", name=header))
        missing = {"server", "login"} - set(columns.values())
        if missing:
            raise UserError(
                self.env._(
                    "The CSV export lacks the column(s) %(names)s.",
                    names=", ".join(sorted(missing)),
                )
            )
        return columns, notes

    @api.model
    def _guess_behavior_column(self, values, codes):
        """Which of the attributes labelled "Behavior" a column holds, by its values."""
        for code in codes:
            known = {_norm(word) for words in ITOP_CHOICES[code].values() for word in words}
            if all(_norm(value) in known for value in values if value.strip()):
                return code
        return codes[-1]

    def _import_inbox(self, record):
        """Create or update one inbox from an iTop row {code: text}."""
        notes = []
        vals = {}
        for code, text in record.items():
            value = text.strip()
            if code in ITOP_CHOICES:
                if value:
                    vals[code] = self._choice(code, value)
            elif code in ("active", "trace"):
                vals[code] = self._boolean(code, value)
            elif code == "port":
                vals[code] = int(value) if value else 0
            elif code == "target_class":
                if value:
                    vals["ticket_type"] = self._ticket_type(value)
            elif code == "password":
                if value and set(value) != {"*"}:
                    vals[code] = text
                else:
                    notes.append(self.env._("No password in the export: enter it on the inbox."))
            elif code in ("ticket_default_values", "caller_default_values"):
                vals[code] = text.replace("\r\n", "\n").strip() or False
            else:
                vals[code] = value or False
        if not vals.get("server") or not vals.get("login"):
            raise ValueError(self.env._("an inbox needs a server and a login"))
        vals.update(self._guess_security(vals))
        inbox = self._find_inbox(vals)
        if inbox:
            inbox.sudo().write(vals)
            return inbox, False, notes
        return self.env["mail.inbox"].sudo().create(vals), True, notes

    @api.model
    def _choice(self, code, value):
        for ours, words in ITOP_CHOICES[code].items():
            if _norm(value) in {_norm(word) for word in words}:
                return ours
        raise ValueError(self.env._("%(value)r is not a value of %(code)s", value=value, code=code))

    @api.model
    def _boolean(self, code, value):
        if _norm(value) in TRUE_WORDS:
            return True
        if _norm(value) in FALSE_WORDS:
            return False
        raise ValueError(
            self.env._("%(value)r is not yes or no (%(code)s)", value=value, code=code)
        )

    @api.model
    def _ticket_type(self, value):
        ticket_type = ITOP_TICKET_CLASSES.get(_norm(value))
        if not ticket_type:
            raise ValueError(self.env._("the ticket class %(cls)s is unknown", cls=value))
        return ticket_type

    @api.model
    def _guess_security(self, vals):
        """iTop has no security field: SSL from the port or the imap_options flags
        (/ssl, /tls, /notls, /novalidate-cert), else STARTTLS when IMAP offers it, as
        PHP's IMAP does."""
        params = self.env["mail.inbox"]._get_global_params()
        flags = {
            flag.strip().lower().lstrip("/")
            for flag in (params.get("imap_options") or "").replace("\n", ",").split(",")
        }
        protocol = vals.get("protocol", "imap")
        port = vals.get("port") or 0
        if port in (993, 995) or "ssl" in flags:
            security = "ssl"
        elif protocol == "imap" and ("tls" in flags or "notls" not in flags):
            security = "starttls"
        else:
            security = "none"
        result = {"security": security, "verify_certificate": "novalidate-cert" not in flags}
        if not port:
            result["port"] = default_port(protocol, security)
        return result

    @api.model
    def _find_inbox(self, vals):
        """The inbox already reading this mailbox (same login, server and folder), among
        those of the user's companies: one of another company is never written (a
        ValueError says so, the mailbox being read there already)."""
        folder = (vals.get("protocol", "imap") == "imap" and vals.get("mailbox")) or "INBOX"
        key = self.env["mail.inbox"]._make_mailbox_key(vals["login"], vals["server"], folder)
        inboxes = self.env["mail.inbox"].with_context(active_test=False)
        domain = [("mailbox_key", "=", key)]
        inbox = inboxes.search([*domain, ("company_id", "in", [*self.env.companies.ids, False])])
        if not inbox and inboxes.sudo().search_count(domain, limit=1):
            raise ValueError(
                self.env._(
                    "the mailbox %(mailbox)s is read by an inbox of another company",
                    mailbox=key,
                )
            )
        return inbox[:1]


def _as_list(value):
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    if value in (None, False, ""):
        return []
    return [value]
