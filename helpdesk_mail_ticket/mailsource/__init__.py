"""Talk to support mailboxes (IMAP, POP3) without Odoo: stdlib imaplib/poplib/ssl only.

Usage::

    config = ServerConfig("imap", "mail.example.com", 993, "support", "secret", security="ssl")
    with open_source(config, trace=_logger.debug) as source:
        for message in source.list_messages():
            raw = source.fetch(message.uid)   # never sets \\Seen
            ...                               # store it, commit
            source.delete([message.uid])      # only once the result is safe

Every failure is a :class:`MailSourceError` with a stable ``code``; messages and traces
never contain the password. OAuth2 mailboxes (Google, Microsoft 365) log in with SASL
XOAUTH2: ``ServerConfig(..., password=access_token, auth_mechanism="xoauth2")``.
"""

from .base import MailSource
from .config import (
    AUTH_MECHANISMS,
    POP3_AUTH_OPTIONS,
    PROTOCOLS,
    SECURITIES,
    RemoteList,
    RemoteMessage,
    ServerConfig,
    split_imap_options,
    unknown_imap_options,
)
from .errors import (
    AuthenticationError,
    FolderNotFoundError,
    HostNotFoundError,
    MailSourceError,
    MessageError,
    MessageNotFoundError,
    NetworkError,
    ProtocolError,
    RefusedError,
    TimedOutError,
    TLSError,
    TokenError,
    UidValidityChangedError,
    UnsupportedOperationError,
)
from .base import Listing
from .imap import ImapSource
from .pop3 import Pop3Source
from .registry import (
    default_port,
    open_source,
    register_source,
    registered_protocols,
    source_class,
)


__all__ = [
    "AUTH_MECHANISMS",
    "POP3_AUTH_OPTIONS",
    "PROTOCOLS",
    "SECURITIES",
    "AuthenticationError",
    "FolderNotFoundError",
    "HostNotFoundError",
    "ImapSource",
    "Listing",
    "MailSource",
    "MailSourceError",
    "MessageError",
    "MessageNotFoundError",
    "NetworkError",
    "Pop3Source",
    "ProtocolError",
    "RefusedError",
    "RemoteList",
    "RemoteMessage",
    "ServerConfig",
    "TLSError",
    "TimedOutError",
    "TokenError",
    "UidValidityChangedError",
    "UnsupportedOperationError",
    "default_port",
    "open_source",
    "register_source",
    "registered_protocols",
    "source_class",
    "split_imap_options",
    "unknown_imap_options",
]
