"""A TCP connection started before its session's settings are read.

A mail server's greeting waits for the process that serves the connection to start
(Dovecot forks a login process: several milliseconds on loopback, most of an idle poll's
wait before LOGIN). A poll that knows where it connected last time can start the TCP
connection to that endpoint, without waiting, before it reads the inbox's settings from
the database: the server starts and writes its greeting meanwhile. Nothing is sent on the
connection until the session takes it (``MailSource.take_early``), and only when the
settings read then name the same host and port; TLS starts there, with those settings.
Otherwise it is closed unused."""

import contextlib
import errno
import imaplib
import poplib
import select
import socket
import sys

# The peer closed its side, or the connection broke (poll's answer; no poll: Windows).
_ENDED = (
    select.POLLHUP | select.POLLERR | getattr(select, "POLLRDHUP", 0)
    if hasattr(select, "poll")
    else 0
)


def _connected(sock, timeout):
    """Whether the connect of ``sock`` completed (or failed) within ``timeout``. With
    poll(), not select(), where there is one: a descriptor past FD_SETSIZE (a process
    with many files open) is waited on too."""
    if not hasattr(select, "poll"):
        return bool(select.select([], [sock], [], timeout)[1])
    waiting = select.poll()
    waiting.register(sock, select.POLLOUT)
    return bool(waiting.poll(timeout * 1000))


def _ended(sock):
    """Whether the server ended the connection before the session took it (its
    timeout for a connection that does not log in, a restart, a reset): its greeting
    may still wait to be read, but a command sent now meets the end of the stream."""
    if getattr(select, "POLLRDHUP", 0):
        waiting = select.poll()
        waiting.register(sock, select.POLLIN | _ENDED)
        return any(events & _ENDED for _fd, events in waiting.poll(0))
    # Elsewhere: ended when nothing but the end of the stream (or an error) waits.
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, AttributeError):  # nothing yet; no MSG_DONTWAIT
        return False
    except OSError:
        return True


class EarlyConnection:
    """A non-blocking TCP connect to ``(host, port)``, started at construction (never
    raises: no connection is started when the address is unknown or several, since
    ``socket.create_connection`` would try each in turn)."""

    def __init__(self, host, port):
        self.endpoint = (host, port)
        self._sock = None
        self.closed_unused = False
        # Whether its name gave the one address it connects to (else it started none).
        self.resolved = False
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        if len(addresses) != 1:
            return
        self.resolved = True
        family, kind, proto, _name, address = addresses[0]
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            sock.setblocking(False)
            if sock.connect_ex(address) not in (0, errno.EINPROGRESS):
                sock.close()
                return
        except OSError:
            if sock is not None:
                sock.close()
            return
        self._sock = sock

    def take(self, host, port, timeout):
        """The connected socket (``timeout`` set on it, as ``create_connection`` sets it)
        when it was started to ``(host, port)`` and its connect succeeded, else None (and
        it is closed): the caller connects as usual. Raises TimeoutError when the
        connect did not complete within ``timeout``, as ``create_connection`` would."""
        sock, self._sock = self._sock, None
        if sock is None:
            return None
        if (host, port) != self.endpoint:
            sock.close()
            return None
        try:
            if not _connected(sock, timeout):
                raise TimeoutError("timed out")
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) or _ended(sock):
                sock.close()  # refused, reset, ended meanwhile: connected again as usual
                return None
            sock.settimeout(timeout)
        except BaseException:
            sock.close()
            raise
        return sock

    def close(self):
        """Close the connection if it was not taken (nothing was sent on it): then
        ``closed_unused``, the server saw it opened and closed without a login."""
        sock, self._sock = self._sock, None
        if sock is not None:
            self.closed_unused = True
            with contextlib.suppress(OSError):
                sock.close()


class EarlySocketClient:
    """A mixin for the standard library's protocol clients (``imaplib.IMAP4``,
    ``poplib.POP3`` and their SSL classes): ``early_socket``, a TCP connection already
    made to the server (``EarlyConnection.take``), is used instead of a new one, TLS
    started on it as the SSL class starts it on a new one. ``_audit_event``: the audit
    event the client's own ``_create_socket`` raises (imaplib's; poplib raises its own
    before, in ``__init__``)."""

    _audit_event = None

    def __init__(self, *args, early_socket=None, **kwargs):
        self._early_socket = early_socket
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        # Popped: the client keeps the attributes the standard library gives it.
        sock = self.__dict__.pop("_early_socket", None)
        if sock is None:
            return super()._create_socket(timeout)
        if self._audit_event:
            sys.audit(self._audit_event, self, self.host, self.port)
        if isinstance(self, imaplib.IMAP4_SSL):  # as IMAP4_SSL._create_socket wraps one
            return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        if isinstance(self, poplib.POP3_SSL):  # as POP3_SSL._create_socket wraps one
            return self.context.wrap_socket(sock, server_hostname=self.host)
        return sock
