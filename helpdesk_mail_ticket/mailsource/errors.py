"""One error hierarchy for everything that can go wrong talking to a mailbox.

Every error has a stable ``code`` (the Odoo side translates by code) and an English message
naming ``host:port``. Messages and details never contain the mailbox password: they are
built from server replies and exception texts that are redacted before use.
"""


class MailSourceError(Exception):
    """Base class; ``code`` identifies the kind of failure."""

    code = "error"

    def __init__(self, message, *, host=None, port=None, detail=None):
        super().__init__(message)
        self.message = message
        self.host = host
        self.port = port
        self.detail = detail

    def __str__(self):
        return self.message


class HostNotFoundError(MailSourceError):
    """The host name does not resolve (DNS)."""

    code = "host_not_found"


class RefusedError(MailSourceError):
    """Nothing listens on the port (TCP connection refused)."""

    code = "connection_refused"


class TimedOutError(MailSourceError):
    """The server did not answer within the configured timeout."""

    code = "timeout"


class NetworkError(MailSourceError):
    """Other socket-level failures: unreachable network, reset or closed connection."""

    code = "network"


class TLSError(MailSourceError):
    """TLS handshake or certificate verification failed, or STARTTLS is not offered."""

    code = "tls"


class AuthenticationError(MailSourceError):
    """The server rejected the login or the authentication method."""

    code = "authentication"


class TokenError(MailSourceError):
    """No OAuth2 access token could be obtained for an XOAUTH2 login. Raised before
    connecting by the code that refreshes tokens (mailsource itself takes a token, it does
    not fetch one). ``reason``: ``invalid_grant`` (the refresh token was revoked or
    expired), ``invalid_client`` (client ID or secret refused), ``not_configured``,
    ``network`` (endpoint unreachable), ``endpoint`` (any other refusal), ``bad_response``.
    ``host`` is the token endpoint's URL. The first three need an administrator
    (``permanent``); the others may pass by themselves."""

    code = "token"
    PERMANENT_REASONS = ("invalid_grant", "invalid_client", "not_configured")

    def __init__(self, message, *, reason="endpoint", **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason

    @property
    def permanent(self):
        return self.reason in self.PERMANENT_REASONS


class FolderNotFoundError(MailSourceError):
    """The IMAP folder cannot be selected."""

    code = "folder_not_found"


class MessageError(MailSourceError):
    """The server refused to hand over one message (IMAP ``NO`` to its FETCH, POP3
    ``-ERR`` to its RETR: a damaged message): a failure of that message alone, the
    session goes on with the next ones. ``detail`` is the server's answer. A lost
    connection while reading a message is a :class:`NetworkError` or
    :class:`TimedOutError`, never this."""

    code = "message"


class MessageNotFoundError(MessageError):
    """The message is no longer on the server (deleted by another client)."""

    code = "message_not_found"


class UidValidityChangedError(MailSourceError):
    """A message key refers to an older UIDVALIDITY: the UID may now name another message."""

    code = "uidvalidity_changed"


class UnsupportedOperationError(MailSourceError):
    """The protocol cannot do this (e.g. moving mail with POP3)."""

    code = "unsupported"


class ProtocolError(MailSourceError):
    """The server answered something unexpected or refused a command."""

    code = "protocol"
