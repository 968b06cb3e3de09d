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
import select
import socket


class EarlyConnection:
    """A non-blocking TCP connect to ``(host, port)``, started at construction (never
    raises: no connection is started when the address is unknown or several, since
    ``socket.create_connection`` would try each in turn)."""

    def __init__(self, host, port):
        self.endpoint = (host, port)
        self._sock = None
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        if len(addresses) != 1:
            return
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
            _readable, writable, _errors = select.select([], [sock], [], timeout)
            if not writable:
                raise TimeoutError("timed out")
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                sock.close()  # refused, reset: connected again as usual
                return None
            sock.settimeout(timeout)
        except BaseException:
            sock.close()
            raise
        return sock

    def close(self):
        """Close the connection if it was not taken (nothing was sent on it)."""
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()
