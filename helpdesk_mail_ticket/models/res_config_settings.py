# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import os

from odoo import fields, models
from odoo.exceptions import ValidationError

from ..mailparse import Settings, SettingsError
from ..mailparse.settings import (
    ITOP_INTRODUCTORY_PATTERNS,
    ITOP_MULTILINE_DELIMITER_PATTERNS,
    ITOP_UNDESIRED_SUBJECT_PATTERNS,
)
from .mail_inbox import PARAM_PREFIX
from .mail_inbox_defaults import RECIPIENT_DELIMITER_CHARS

# Field name -> iTop parameter name (stored as ir.config_parameter PARAM_PREFIX + name).
ITOP_PARAMS = {
    "hmt_debug": "debug",
    "hmt_periodicity": "periodicity",
    "hmt_body_parts_order": "body_parts_order",
    "hmt_pop3_auth_option": "pop3_auth_option",
    "hmt_imap_options": "imap_options",
    "hmt_exclude_attachment_types": "exclude_attachment_types",
    "hmt_maximum_email_size": "maximum_email_size",
    "hmt_introductory_patterns": "introductory-patterns",
    "hmt_multiline_delimiter_patterns": "multiline-delimiter-patterns",
    "hmt_big_files_dir": "big_files_dir",
    "hmt_use_message_id_as_uid": "use_message_id_as_uid",
    "hmt_images_minimum_size": "images_minimum_size",
    "hmt_images_maximum_size": "images_maximum_size",
    "hmt_undesired_subject_patterns": "undesired-subject-patterns",
    "hmt_ticket_log": "ticket_log",
    "hmt_max_messages_per_run": "max_messages_per_run",
    "hmt_socket_timeout": "socket_timeout",
}


def _param(name):
    return PARAM_PREFIX + ITOP_PARAMS[name]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hmt_debug = fields.Boolean(
        string="Debug output",
        config_parameter=_param("hmt_debug"),
        help="Log every inbox's operations in the server log (all inboxes).",
    )
    hmt_periodicity = fields.Integer(
        string="Periodicity (seconds)",
        default=30,
        config_parameter=_param("hmt_periodicity"),
        help="Interval between two polls of the inboxes.",
    )
    hmt_body_parts_order = fields.Char(
        string="Body parts order",
        default="text/html,text/plain",
        config_parameter=_param("hmt_body_parts_order"),
        help="Comma-separated MIME types: the first part of the first listed type makes "
        "the description. HTML first keeps inline images.",
    )
    hmt_pop3_auth_option = fields.Selection(
        [
            ("USER", "USER"),
            ("APOP", "APOP"),
            ("PLAIN", "PLAIN"),
            ("LOGIN", "LOGIN"),
            ("CRAM-MD5", "CRAM-MD5"),
        ],
        string="POP3 authentication",
        default="USER",
        config_parameter=_param("hmt_pop3_auth_option"),
    )
    hmt_imap_options = fields.Char(
        string="IMAP options",
        default="imap",
        config_parameter=_param("hmt_imap_options"),
        help="iTop-style flags, comma-separated: imap, ssl, tls. No connection security "
        "and no certificate check (notls, novalidate-cert) are set on each inbox, never "
        "here for all.",
    )
    hmt_exclude_attachment_types = fields.Char(
        string="Excluded attachment types",
        default="application/exe",
        config_parameter=_param("hmt_exclude_attachment_types"),
        help="One MIME type per line; wildcards such as application/x-* are accepted. "
        "Dangerous types (executables, scripts, installers) are always blocked.",
    )
    hmt_maximum_email_size = fields.Char(
        string="Maximum email size",
        default="10M",
        config_parameter=_param("hmt_maximum_email_size"),
        help="Short notation (100K, 10M, 2G); 0 for no limit. Bigger emails are never "
        "downloaded and are handled as errors.",
    )
    hmt_introductory_patterns = fields.Char(
        string="Introductory patterns",
        default="\n".join(ITOP_INTRODUCTORY_PATTERNS),
        config_parameter=_param("hmt_introductory_patterns"),
        help="One PCRE pattern per line: a line matching one, just above quoted text, is "
        "removed from the new part of a reply.",
    )
    hmt_multiline_delimiter_patterns = fields.Char(
        string="Multi-line delimiter patterns",
        default="\n".join(ITOP_MULTILINE_DELIMITER_PATTERNS),
        config_parameter=_param("hmt_multiline_delimiter_patterns"),
        help="One PCRE pattern per line, each marking the start of the quoted part of a "
        "reply; the match closest to the start wins.",
    )
    hmt_big_files_dir = fields.Char(
        string="Big files directory",
        config_parameter=_param("hmt_big_files_dir"),
        help="Server directory where emails over the maximum size are saved.",
    )
    hmt_use_message_id_as_uid = fields.Boolean(
        string="Use Message-ID as UID",
        config_parameter=_param("hmt_use_message_id_as_uid"),
        help="Identify messages by their Message-ID instead of the server's UID (for "
        "servers whose UIDs change between sessions).",
    )
    hmt_images_minimum_size = fields.Char(
        string="Images minimum size",
        default="100x20",
        config_parameter=_param("hmt_images_minimum_size"),
        help="WIDTHxHEIGHT: smaller images (signature logos) are not imported.",
    )
    hmt_images_maximum_size = fields.Char(
        string="Images maximum size",
        config_parameter=_param("hmt_images_maximum_size"),
        help="WIDTHxHEIGHT: bigger images are scaled down to fit; empty: never resized.",
    )
    hmt_undesired_subject_patterns = fields.Char(
        string="Undesired subject patterns",
        default="\n".join(ITOP_UNDESIRED_SUBJECT_PATTERNS),
        config_parameter=_param("hmt_undesired_subject_patterns"),
        help="One PCRE pattern per line: an email whose subject matches is undesired "
        "(auto-replies) and creates no ticket.",
    )
    hmt_ticket_log = fields.Char(
        string="Ticket log",
        config_parameter=_param("hmt_ticket_log"),
        help="One model:field per line naming the field that receives updates by email; "
        "by default updates go to the chatter.",
    )
    hmt_max_messages_per_run = fields.Integer(
        string="Messages per run",
        default=500,
        config_parameter=_param("hmt_max_messages_per_run"),
        help="At most this many messages are processed by one cron run; the rest follow "
        "at once in the next run.",
    )
    hmt_socket_timeout = fields.Integer(
        string="Server timeout (seconds)",
        default=30,
        config_parameter=_param("hmt_socket_timeout"),
    )
    hmt_recipient_delimiter = fields.Char(
        string="Sub-address separators",
        default="+",
        config_parameter=PARAM_PREFIX + "recipient_delimiter",
        help="The characters that start a sub-address in your mail system, each one a "
        "separator, as Postfix's and Dovecot's recipient_delimiter: mail from "
        "support+web@ or support-web@ is then from the mailbox support@ (default +).",
    )

    def set_values(self):
        self._check_mail_ticket_settings()
        result = super().set_values()
        if self.hmt_max_messages_per_run == 0:
            # 0 is "no limit": Odoo deletes an integer parameter of 0, which would then
            # read as the default budget (500). Kept as "0".
            self.env["ir.config_parameter"].sudo().set_param(
                _param("hmt_max_messages_per_run"), "0"
            )
        return result

    def _check_mail_ticket_settings(self):
        """Refuse settings the email core cannot use, with the reason."""
        values = {
            ITOP_PARAMS[name]: self[name]
            for name in ITOP_PARAMS
            if self[name] not in (False, None) and self._fields[name].type == "char"
        }
        try:
            Settings.from_itop(values)
        except SettingsError as error:
            raise ValidationError(self.env._("Invalid email setting: %(e)s", e=error)) from None
        big_files_dir = (self.hmt_big_files_dir or "").strip()
        if big_files_dir and not os.path.isabs(big_files_dir):
            raise ValidationError(
                self.env._(
                    "The big files directory must be an absolute path: %(path)s",
                    path=big_files_dir,
                )
            )
        self._check_recipient_delimiter()
        if self.hmt_periodicity < 1:
            raise ValidationError(self.env._("The periodicity must be at least 1 second."))
        if self.hmt_socket_timeout < 1 and self._hmt_changed("hmt_socket_timeout"):
            raise ValidationError(self.env._("The server timeout must be at least 1 second."))
        if self.hmt_max_messages_per_run < 0 and self._hmt_changed("hmt_max_messages_per_run"):
            raise ValidationError(
                self.env._("The messages per run cannot be negative (0: no limit).")
            )

    def _check_recipient_delimiter(self):
        """Refuse a sub-address separator that is part of every address (a letter, a
        digit) or that no local part holds unquoted (a space, "@", ","...): only the
        symbols an address's local part holds unquoted separate sub-addresses. A value
        stored before this check is kept (the reader ignores what is no symbol)."""
        value = (self.hmt_recipient_delimiter or "").strip()
        stored = (
            self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + "recipient_delimiter")
        )
        if value == (stored or "").strip():
            return
        for char in value:
            if char in RECIPIENT_DELIMITER_CHARS:
                continue
            raise ValidationError(
                self.env._(
                    "%(char)s cannot be a sub-address separator: use symbols such as + "
                    "or - (each character one separator).",
                    char=repr(char),
                )
            )

    def _hmt_changed(self, name):
        """Whether this save changes the integer setting ``name``. A value stored before
        its check existed is not refused: every app's settings save (stock's when a
        second warehouse is made, a localization's install) rewrites all the settings,
        and would fail on it. A timeout of 0 is then removed by Odoo (the default)."""
        stored = self.env["ir.config_parameter"].sudo().get_param(_param(name))
        try:
            return stored is False or int(stored) != self[name]
        except ValueError:
            return True
