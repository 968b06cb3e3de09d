"""The interface of a mail source, and what every source shares: the session's lifecycle
(connect, secure, log in, tear down: written once here), tracing, the TLS context and the
error mapping. A new kind of source subclasses :class:`MailSource`, implements the few
methods marked so, and registers itself (:func:`~.registry.register_source`)."""

import contextlib
import imaplib
import json
import os
import poplib
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from .errors import (
    AuthenticationError,
    FolderNotFoundError,
    HostNotFoundError,
    MailSourceError,
    NetworkError,
    ProtocolError,
    RefusedError,
    TimedOutError,
    TLSError,
    UnsupportedOperationError,
)

REDACTED = "********"
DETAIL_LIMIT = 300
TOKEN_REFUSED = "The mail server refused the OAuth2 access token (expired or revoked?)"
XOAUTH2_NOT_OFFERED = "The mail server does not offer OAuth2 login (SASL XOAUTH2)"

# Connection phases, each with the error raised for a protocol-level refusal in it.
PHASE_ERRORS = {
    "connect": ProtocolError,
    "starttls": TLSError,
    "login": AuthenticationError,
    "select": FolderNotFoundError,
    "command": ProtocolError,
}


def _exception_chain(exc):
    """``exc`` and the exceptions it was raised from or during (imaplib wraps OSError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _network_cause(exc):
    """The error class for a socket/TLS cause anywhere in the chain, else None."""
    for cause in _exception_chain(exc):
        if isinstance(cause, MailSourceError):
            return type(cause)
        if isinstance(cause, socket.gaierror):
            return HostNotFoundError
        if isinstance(cause, TimeoutError):
            return TimedOutError
        if isinstance(cause, (ssl.SSLError, ssl.CertificateError)):
            return TLSError
        if isinstance(cause, ConnectionRefusedError):
            return RefusedError
    return None


def classify(exc, phase):
    """The :class:`MailSourceError` subclass for ``exc`` raised during ``phase``."""
    cls = _network_cause(exc)
    if cls is not None:
        return cls
    if isinstance(exc, imaplib.IMAP4.abort):
        # imaplib raises abort for EOF and socket errors (never a login or folder problem)
        # and, oddly, when the server does not offer STARTTLS.
        if phase == "starttls":
            return TLSError
        return NetworkError if "socket error" in str(exc) else ProtocolError
    if isinstance(exc, poplib.error_proto) and _as_bytes(exc).startswith(b"-ERR EOF"):
        return NetworkError
    if isinstance(exc, (imaplib.IMAP4.error, poplib.error_proto)):
        return PHASE_ERRORS[phase]
    if isinstance(exc, OSError):
        return NetworkError
    return ProtocolError


def _as_bytes(exc):
    return b" ".join(arg if isinstance(arg, bytes) else str(arg).encode() for arg in exc.args)


def xoauth2_string(login, token):
    """The SASL XOAUTH2 initial client response (Google's and Microsoft's format)."""
    return f"user={login}\x01auth=Bearer {token}\x01\x01".encode()


def xoauth2_error_report(data):
    """What a server said about a refused token, as one short line: the JSON of an XOAUTH2
    error challenge (``{"status": "401", "schemes": "bearer", "scope": ...}``), already
    base64-decoded, or its text when it is not JSON."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    try:
        report = json.loads(text)
    except ValueError:
        return text.strip()
    if not isinstance(report, dict):
        return text.strip()
    return "OAuth2 error " + ", ".join(f"{key} {value}" for key, value in report.items())


# Verifying TLS contexts by CA setting (``ca_file``, None: the system store), with the
# stamp of the files they were loaded from (``_ca_stamp``): loading the certificates, the
# system store above all, costs tens of ms of CPU, which every poll of every TLS inbox paid.
_VERIFYING_CONTEXTS = {}
_VERIFYING_CONTEXTS_LOCK = threading.Lock()
# Seconds a verifying context is kept at most: what no stamp sees (a certificate of the
# system store's hashed directory rewritten in place, withdrawn) is read again by then.
TLS_CONTEXT_MAX_AGE = 600


def make_ssl_context(config):
    """A client TLS context: verifying (system store or ``ca_file``) or not at all. A
    verifying one is made once a process for each CA setting, and again once its files
    changed, it refused a certificate (``forget_ssl_context``) or it is
    TLS_CONTEXT_MAX_AGE old; a context is only
    read to make connections: threads share it, and a caller must not change it."""
    if not config.verify_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    setting = config.ca_file or None
    stamp = _ca_stamp(setting)
    with _VERIFYING_CONTEXTS_LOCK:
        cached = _VERIFYING_CONTEXTS.get(setting)
        now = time.monotonic()
        if (
            stamp is not None
            and cached
            and cached[0] == stamp
            and now - cached[2] < TLS_CONTEXT_MAX_AGE
        ):
            return cached[1]
        # A miss: what is kept for files gone or changed is of no use any more (a
        # caller may name a file of its own for each session, removed after).
        for kept_setting, (kept_stamp, _context, made) in list(_VERIFYING_CONTEXTS.items()):
            if now - made >= TLS_CONTEXT_MAX_AGE or _ca_stamp(kept_setting) != kept_stamp:
                del _VERIFYING_CONTEXTS[kept_setting]
        context = ssl.create_default_context(cafile=setting)
        if stamp is not None:
            _VERIFYING_CONTEXTS[setting] = (stamp, context, now)
        return context


def forget_ssl_context(config, context):
    """Drop ``context`` when it is the verifying context kept for ``config``'s CA
    setting: it refused a server's certificate, and what it trusts may have changed
    where no stamp sees it (a certificate of the system store's hashed directory,
    loaded when first looked up, rewritten in place). The next connection makes it
    again, as every connection did before contexts were kept."""
    setting = config.ca_file or None
    with _VERIFYING_CONTEXTS_LOCK:
        kept = _VERIFYING_CONTEXTS.get(setting)
        if kept and kept[1] is context:
            del _VERIFYING_CONTEXTS[setting]


def _ca_stamp(ca_file):
    """The path, identity (device, inode), size, modification and change times of the
    files the certificates of ``ca_file`` (None: the system store) are loaded from; None
    when one cannot be read (the context is then made, and fails, as before). Size and
    modification time alone miss a file replaced by one of the same size whose time was
    kept (``cp -p``, ``rsync -a``, an unpacked archive): its inode or change time tell."""
    if ca_file:
        paths = [ca_file]
    else:
        defaults = ssl.get_default_verify_paths()
        paths = [path for path in (defaults.cafile, defaults.capath) if path]
    try:
        return tuple((path, *_file_stamp(os.stat(path))) for path in paths)
    except OSError:
        return None


def _file_stamp(stat):
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


@dataclass(frozen=True)
class Listing:
    """What :meth:`MailSource.list_changes` found: ``messages`` (``RemoteMessage`` objects),
    ``complete`` (True: every message of the mailbox, so one the caller knows that is not
    listed has left; False: only the new ones), ``cursor`` (what to give back next time,
    once the caller holds these messages; None: the source keeps none), ``note`` (one
    line for the trace)."""

    messages: list = field(default_factory=list)
    complete: bool = True
    cursor: dict | None = None
    note: str = ""


class MailSource:
    """A connection to one mailbox. Subclasses implement the protocol.

    Use as a context manager (``with open_source(config) as source:``) or call
    :meth:`connect` and :meth:`close` (always, in ``finally``). Methods connect on demand.
    After a timeout or network failure the session refuses further commands until
    :meth:`close` (which then only releases the socket). Every failure raises a
    :class:`~.errors.MailSourceError`. Message keys passed to :meth:`fetch`,
    :meth:`delete`... are ``RemoteMessage.uid`` strings (or ``RemoteMessage`` objects).
    """

    protocol = None  # the registry's key, ServerConfig.protocol
    label = None  # in messages and traces: "IMAP"
    default_ports = {}  # {security: port}
    supports_folders = False  # folders to read from and move to (IMAP)
    may_idle = False  # the protocol has a push (IMAP IDLE); ``supports_idle`` is the session's
    keeps_cursor = False  # list_changes() gives a cursor to store (one sync at a time)
    supports_structure = False  # structure() and part fetches, for oversize messages (IMAP)
    starttls_command = "STARTTLS"  # as traced
    # Keys of messages delete() flagged but could not remove (IMAP without UIDPLUS).
    left_flagged = frozenset()

    def __init__(self, config, trace=None):
        self.config = config.resolved()
        self._trace_callback = trace
        self._connected = False
        self._client = None
        # Set when the connection failed mid-session (timeout, reset): no more commands.
        self._broken = False
        # A TCP connection started before the settings were read (``take_early``).
        self._early = None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
            return
        # Do not hide the original error behind a failure to close.
        with contextlib.suppress(MailSourceError):
            self.close()

    @property
    def connected(self):
        return self._connected

    def _require(self):
        """The protocol client, connecting first if needed (after close() too)."""
        if self._broken:
            raise self.error(
                NetworkError, "The connection was lost by an earlier error; close and reconnect"
            )
        if not self._connected:
            self.connect()
        return self._client

    def connect(self):
        """Open the connection, secure it (TLS or STARTTLS), log in, then prepare the
        session (IMAP: capabilities and the folder; POP3: the index). A failure on the way
        releases the socket and raises a :class:`~.errors.MailSourceError`."""
        if self._connected:
            return
        self._broken = False
        config = self.config
        context = self._tls_context()
        self.trace(f"connecting ({config.security}, timeout {config.timeout}s)")
        try:
            with self.phase("connect", "connecting"):
                client = self._open(context)
        except TLSError as exc:
            self._refused_by(context, exc)
            raise
        self._client = client
        try:
            self._greeted()
            if config.security == "starttls":
                self.trace(f"> {self.starttls_command}")
                with self.phase("starttls", "starting TLS"):
                    self._starttls(context)
            self._login()
            self._after_login()
        except BaseException as exc:
            self._client, self._broken = None, False
            with contextlib.suppress(Exception):
                self._release(client)
            self._refused_by(context, exc)
            raise
        self._connected = True

    def take_early(self, early):
        """Connect on ``early`` (an :class:`~.early.EarlyConnection`, or None) when it
        was started to this source's host and port: its next ``connect()`` then takes
        the socket instead of opening one (``_early_socket``). Otherwise, or when the
        source ends without connecting, it is closed unused."""
        if self._early is not None:
            self._early.close()
        self._early = None
        if early is None:
            return
        if early.endpoint == (self.config.host, self.config.effective_port):
            self._early = early
        else:
            early.close()

    def _early_socket(self):
        """The socket of the connection started early for this source (once), or None:
        the protocol client connects as usual. For ``_open``."""
        early, self._early = self._early, None
        if early is None:
            return None
        return early.take(self.config.host, self.config.effective_port, self.config.timeout)

    def _refused_by(self, context, exc):
        """A certificate refused by a kept verifying context: made again next time."""
        if context is not None and isinstance(exc.__cause__, ssl.SSLCertVerificationError):
            forget_ssl_context(self.config, context)

    def close(self):
        """End the session (committing what it must: POP3 deletions), and release the
        socket always, even when ending fails; after a lost connection only release."""
        client, self._client = self._client, None
        self._connected = False
        self.take_early(None)  # started early and never taken: closed unused
        broken, self._broken = self._broken, False
        pending = self._forget_session()
        if client is None:
            return
        try:
            if broken:
                self._after_broken(pending)
            else:
                self._end_session(client, pending)
        finally:
            with contextlib.suppress(Exception):
                self._release(client)

    def dropped(self):
        """Whether the server ended this session while it waited for a command (an idle
        timeout, a restart, an administrator's kick): between commands a server has
        nothing to say, so anything to read (its goodbye, the end of the stream) means
        the session is over. It is then lost: ``close()`` only releases the socket."""
        sock = self._socket() if self._connected and not self._broken else None
        if sock is None:
            return False
        try:
            readable = bool(select.select([sock], [], [], 0)[0])
        except (OSError, ValueError):  # a socket already closed
            readable = True
        if readable:
            self._broken = True
            self.trace("the server ended the session while it waited")
        return readable

    def _socket(self):
        """The connection's socket (imaplib's and poplib's ``sock``), or None."""
        return getattr(self._client, "sock", None)

    def _login(self):
        if self.config.auth_mechanism == "xoauth2":
            self._login_xoauth2()
        else:
            self._login_password()

    # -- session steps implemented by subclasses ------------------------------------------

    def _open(self, context):
        """The connected protocol client (``context``: the TLS context, or None)."""
        raise NotImplementedError

    def _greeted(self):
        """Trace the server's greeting."""

    def _starttls(self, context):
        raise UnsupportedOperationError(f"{self.label} has no STARTTLS")

    def _login_password(self):
        """Log in with ``config.login`` and ``config.password``."""

    def _login_xoauth2(self):
        raise UnsupportedOperationError(f"{self.label} has no OAuth2 login")

    def _after_login(self):
        """Prepare the session once logged in."""

    def _forget_session(self):
        """Drop the session's state on close; returns what ending it must know (POP3:
        the deletions that only QUIT commits)."""
        return 0

    def _end_session(self, client, pending):
        """Say goodbye (LOGOUT, QUIT)."""

    def _after_broken(self, pending):
        """Closing a lost connection: raise if something was lost with it."""

    def _release(self, client):
        """Release the socket (never raises: errors are suppressed)."""

    # -- API implemented by subclasses -------------------------------------------------------

    def list_messages(self):
        """All messages currently in the folder, as :class:`~.config.RemoteMessage`."""
        raise NotImplementedError

    def list_changes(self, cursor):
        """A :class:`Listing` of what changed since ``cursor`` (a dict this source gave
        in an earlier listing, stored as it is by the caller, or None). By default every
        message, and no cursor."""
        return Listing(self.list_messages(), complete=True, cursor=None)

    def check_listing(self):
        """Raise the server's error for a listing this session holds unread: a source
        that keeps an answer as sent (POP3's LIST and UIDL) refuses an unreadable one
        when it is first read. Called before anything is counted against a message
        (its download marked started), so that the server's answer fails the cycle
        or the job, never the message. By default nothing: the listing was read."""

    def unchanged_since(self, cursor):
        """True only when the source knows, without a command to the server, that
        nothing changed since ``cursor`` (``list_changes`` would list nothing and give
        the same cursor). By default False: the caller lists."""
        return False

    def may_have_news(self, cursor):
        """False only when the mailbox certainly has nothing new since ``cursor``."""
        return True

    def cursor_after_changes(self, cursor):
        """The cursor once this session's own deletions and moves are counted in, or None
        when mail arrived meanwhile (then the next listing must see it)."""
        return cursor

    def list_since(self, uidvalidity, last_uid):
        """``(uidvalidity, messages newer than last_uid)``; everything if UIDVALIDITY changed.

        POP3 has no UIDs in order: it returns ``(None, list_messages())``.
        """
        return None, self.list_messages()

    def state(self):
        """Mailbox counters as a dict (``protocol``, ``messages``, IMAP ``uidvalidity``...)."""
        raise NotImplementedError

    def selected_state(self):
        """:meth:`state` as the session found it, for a poll: IMAP answers from its
        SELECT reply without a command (no ``unseen``)."""
        return self.state()

    def fetch(self, uid):
        """The raw RFC 5322 bytes of a message, without changing its flags."""
        raise NotImplementedError

    def fetch_into(self, uid, out):
        """Write the raw bytes of a message into the binary file ``out`` as they come,
        never holding the whole message; returns the number of octets written."""
        raise NotImplementedError

    def fetch_header(self, uid):
        """The header block of a message (up to and including the blank line)."""
        raise NotImplementedError

    def holds_header(self, uid):
        """Whether :meth:`fetch_header` has the block of ``uid`` already, and reads it
        without a command (IMAP: the block its listing brought, not read yet)."""
        return False

    def structure(self, uid):
        """The MIME structure of a message, to download its parts one at a time (IMAP
        BODYSTRUCTURE, :mod:`~.structure`)."""
        raise self.error(UnsupportedOperationError, f"{self.label} has no message structure")

    def size(self, uid):
        """The size in octets the server reports for a message."""
        raise NotImplementedError

    def delete(self, uids):
        """Delete messages (POP3: committed by :meth:`close`)."""
        raise NotImplementedError

    def move(self, uids, folder):
        """Move messages to ``folder`` (created if missing), for sources with folders."""
        raise self.error(UnsupportedOperationError, f"{self.label} has no folders to move to")

    def folder_exists(self, folder):
        raise self.error(UnsupportedOperationError, f"{self.label} has no folders")

    def ensure_folder(self, folder):
        """Create ``folder`` unless it exists."""
        raise self.error(UnsupportedOperationError, f"{self.label} has no folders")

    @property
    def supports_idle(self):
        """True when this session can wait for new mail (:meth:`idle`)."""
        return False

    def idle(self, timeout):
        """Wait up to ``timeout`` seconds for a change; True when one came."""
        raise self.error(UnsupportedOperationError, f"{self.label} cannot wait for new mail")

    def test(self):
        """Connect (if needed), log in, select, and return a one-line English summary."""
        if self._connected:
            return self._summary()
        with self:
            return self._summary()

    def _summary(self):
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------------------

    def _redact(self, text):
        if not isinstance(text, str):
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        # A broken server's NUL: a database text refuses it (the trace, the error shown).
        text = text.replace("\x00", "\ufffd")
        password = self.config.password
        if password and len(password) >= 3:
            text = text.replace(password, REDACTED)
        return text

    def trace(self, message):
        """Send one line to the debug trace (redacted; the password is never passed)."""
        if self._trace_callback is not None:
            self._trace_callback(self._redact(f"{self.label} {self.config.address}: {message}"))

    def _tls_context(self):
        """The TLS context of this connection, or None without TLS."""
        if self.config.security == "none":
            return None
        with self.phase("connect", "loading the TLS settings"):
            try:
                return make_ssl_context(self.config)
            except OSError as exc:  # unreadable ca_file
                raise self.error(TLSError, "Cannot load the CA file", str(exc)) from exc

    def error(self, cls, message, detail=None):
        """Build ``cls`` with ``message`` about this server; ``detail`` is a server reply."""
        text = f"{message} ({self.label} {self.config.address})"
        if detail:
            detail = self._redact(detail).strip()[:DETAIL_LIMIT]
            text = f"{text}: {detail}"
        error = cls(
            self._redact(text), host=self.config.host, port=self.config.effective_port,
            detail=detail,
        )  # fmt: skip
        self.trace(f"error {error.code}: {error.message}")
        return error

    @contextlib.contextmanager
    def phase(self, phase, what):
        """Translate any low-level exception raised inside into a :class:`MailSourceError`."""
        try:
            yield
        except MailSourceError:
            raise
        except Exception as exc:
            cls = classify(exc, phase)
            if cls in (TimedOutError, NetworkError, TLSError):
                self._broken = True  # the stream is out of step or gone
            raise self.error(cls, _describe(cls, what), _exception_text(exc)) from exc


_MESSAGES = {
    HostNotFoundError: "Cannot resolve the host name",
    RefusedError: "Connection refused",
    TimedOutError: "No answer within the timeout",
    NetworkError: "Network error",
    TLSError: "TLS failure",
    AuthenticationError: "Authentication failed",
    FolderNotFoundError: "Cannot open the folder",
}


def _describe(cls, what):
    prefix = _MESSAGES.get(cls, "Unexpected server reply")
    return f"{prefix} while {what}"


def _exception_text(exc):
    parts = []
    for cause in _exception_chain(exc):
        text = (
            " ".join(
                arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
                for arg in cause.args
            )
            or type(cause).__name__
        )
        if text not in parts:
            parts.append(text)
    return "; ".join(parts)
