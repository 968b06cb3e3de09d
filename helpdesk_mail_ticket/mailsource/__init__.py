"""Talk to support mailboxes (IMAP, POP3) without Odoo: stdlib imaplib/poplib/ssl only.

Usage::

    config = ServerConfig("imap", "mail.example.com", 993, "support", "secret", security="ssl")
    with open_source(config, trace=_logger.debug) as source:
        for message in source.list_messages():
            raw = source.fetch(message.uid)   # never sets \\Seen
            ...                               # store it, commit
            source.delete([message.uid])      # only once the result is safe

Every failure is a :class:`MailSourceError` with a stable ``code``; messages and traces
never contain the password.
"""

from .base import MailSource
from .config import (
    POP3_AUTH_OPTIONS,
    PROTOCOLS,
    SECURITIES,
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
    MessageNotFoundError,
    NetworkError,
    ProtocolError,
    RefusedError,
    TimedOutError,
    TLSError,
    UidValidityChangedError,
    UnsupportedOperationError,
)
from .imap import ImapSource
from .pop3 import Pop3Source

SOURCES = {"imap": ImapSource, "pop3": Pop3Source}


def open_source(config, trace=None):
    """An unconnected :class:`MailSource` for ``config`` (use it in a ``with`` block).

    :param trace: optional ``callable(str)`` receiving a debug trace of the dialogue;
        the password is never passed to it.
    """
    return SOURCES[config.protocol](config, trace=trace)


__all__ = [
    "POP3_AUTH_OPTIONS",
    "PROTOCOLS",
    "SECURITIES",
    "AuthenticationError",
    "FolderNotFoundError",
    "HostNotFoundError",
    "ImapSource",
    "MailSource",
    "MailSourceError",
    "MessageNotFoundError",
    "NetworkError",
    "Pop3Source",
    "ProtocolError",
    "RefusedError",
    "RemoteMessage",
    "ServerConfig",
    "TLSError",
    "TimedOutError",
    "UidValidityChangedError",
    "UnsupportedOperationError",
    "open_source",
    "split_imap_options",
    "unknown_imap_options",
]
