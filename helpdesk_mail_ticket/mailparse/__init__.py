"""Odoo-free email core of helpdesk_mail_ticket (see CONTRACT.md).

Import nothing from Odoo here: the addon's models call this package, and the top-level
``tests/`` run it under plain pytest.
"""

from .attachments import Attachment
from .automated import Automated
from .errors import MailParseError, PatternError, SettingsError
from .parse import ParsedEmail, header_ids, parse_message
from .pcre import compile_pcre
from .refs import title_refs
from .settings import DEFAULT_SETTINGS, Settings, parse_dimensions, parse_size

__all__ = [
    "DEFAULT_SETTINGS",
    "Attachment",
    "Automated",
    "MailParseError",
    "ParsedEmail",
    "PatternError",
    "Settings",
    "SettingsError",
    "compile_pcre",
    "header_ids",
    "parse_dimensions",
    "parse_message",
    "parse_size",
    "title_refs",
]
