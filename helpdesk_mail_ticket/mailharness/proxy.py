"""A TCP proxy in front of a harness server that fails chosen downloads."""

import contextlib
import re
import socket
import threading

from .common import HOST

_FETCH_BODY = re.compile(rb"^(\S+) UID FETCH (\d+) \((?:[^()]*\s)?BODY(?:\.PEEK)?\[\]", re.I)
_FETCH_HEADER = re.compile(
    rb"^(\S+) UID FETCH (\d+) \((?:[^()]*\s)?BODY(?:\.PEEK)?\[HEADER\]", re.I
)
_RETR = re.compile(rb"^RETR (\d+)\s*$", re.I)
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_CAPABILITY_LIST = re.compile(rb"(\* CAPABILITY |\[CAPABILITY )([^\]\r\n]*)", re.I)


class FaultProxy:
    """A TCP proxy on 127.0.0.1 in front of one IMAP or POP3 port (cleartext) of a
    server, passing the dialogue through except for the faults it is told to make:

    * ``fail_uids``: IMAP UIDs whose ``UID FETCH <uid> (BODY.PEEK[])`` (or ``BODY[]``,
      the whole message) is answered ``<tag> NO <answer>``, as a server answers for a
      damaged message. The server gets a NOOP in its place, so the streams stay in step.
    * ``fail_uidls``: POP3 UIDLs whose ``RETR n`` is answered ``-ERR <answer>`` (the
      number is learnt from the session's UIDL listing; ``fail_numbers`` names numbers).
    * ``reset_uids``: IMAP UIDs whose whole-message FETCH resets the connection instead
      (a failure of the connection while that message is read).
    * ``reset_header_uids``: IMAP UIDs whose header FETCH (``BODY.PEEK[HEADER]``) resets
      the connection (a failure of the connection while its headers are read).
    * ``strip``: IMAP capability names removed from every CAPABILITY list the server
      sends (greeting, login reply, CAPABILITY), e.g. ``{"UIDPLUS"}``.
    * ``uidl_as_number``: POP3 UIDLs replaced by ``num-<message number>``, as servers
      whose UIDLs are message numbers (reused once a message before them is deleted).
    * ``uidl_keyless``: POP3 message numbers whose UIDL line is sent without its key
      ("<number>" alone), an answer no client can read (a broken server's).

    ``failed`` lists what it failed (``("fetch", uid)``, ``("retr", number)``,
    ``("reset", uid)``). Bounded:
    at most ``max_connections`` sessions and ``lifetime`` seconds, then it stops by
    itself (and ``stop()``, or the end of a ``with`` block, stops it earlier); every
    socket has a timeout. Loopback only."""

    def __init__(
        self, port, protocol="imap", *, fail_uids=(), fail_uidls=(), fail_numbers=(),
        reset_uids=(), reset_header_uids=(), strip=(),
        answer="[UNAVAILABLE] Message damaged (test proxy)", lifetime=600,
        max_connections=200, timeout=60, uidl_as_number=False, uidl_keyless=(),
    ):  # fmt: skip
        self.target = (HOST, port)
        self.protocol = protocol
        self.fail_uids = {int(uid) for uid in fail_uids}
        self.fail_uidls = set(fail_uidls)
        self.fail_numbers = {int(number) for number in fail_numbers}
        self.reset_uids = {int(uid) for uid in reset_uids}
        self.reset_header_uids = {int(uid) for uid in reset_header_uids}
        self.strip = {name.upper().encode() for name in strip}
        self.uidl_as_number = uidl_as_number
        self.uidl_keyless = {int(number) for number in uidl_keyless}
        self.answer = answer.encode()
        self.lifetime = lifetime
        self.max_connections = max_connections
        self.timeout = timeout
        self.failed = []
        self.connections = 0
        self.host = HOST
        self.port = None
        self._listener = None
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = None

    def start(self):
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(1.0)
        self.port = self._listener.getsockname()[1]
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        threading.Thread(target=self._accept, name=f"fault-proxy-{self.port}", daemon=True).start()
        return self

    def stop(self):
        if self._timer is not None:
            self._timer.cancel()
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _accept(self):
        while self._listener is not None and self.connections < self.max_connections:
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                upstream = socket.create_connection(self.target, timeout=self.timeout)
            except OSError:
                client.close()
                continue
            client.settimeout(self.timeout)
            with self._lock:
                self._sockets += [client, upstream]
            session = _ProxySession(self, client, upstream)
            for pump in (session.from_client, session.from_server):
                threading.Thread(target=pump, daemon=True).start()
        self.stop()

    def _record(self, what):
        with self._lock:
            self.failed.append(what)


class _ProxySession:
    """One proxied connection: two pumps, line by line (literals passed as they are)."""

    def __init__(self, proxy, client, upstream):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.client_file = client.makefile("rb")
        self.server_file = upstream.makefile("rb")
        self.write_lock = threading.Lock()
        self.failing_tags = set()  # IMAP tags whose NOOP stands for a failed FETCH
        self.last_command = b""
        self.numbers = {}  # POP3 message number -> UIDL, from the session's UIDL

    def to_client(self, data):
        with self.write_lock:
            self.client.sendall(data)

    def _pump(self, source, sink, on_line):
        with contextlib.suppress(OSError, ValueError):
            while line := source.readline(1 << 20):
                out = on_line(line)
                if out:
                    sink(out)
                literal = _LITERAL.search(line) if self.proxy.protocol == "imap" else None
                if literal:
                    sink(source.read(int(literal[1])))
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def from_client(self):
        self._pump(self.client_file, self.upstream.sendall, self._client_line)

    def from_server(self):
        self._pump(self.server_file, self.to_client, self._server_line)

    def _client_line(self, line):
        proxy = self.proxy
        if proxy.protocol == "imap":
            match = _FETCH_BODY.match(line)
            if match and int(match[2]) in proxy.reset_uids:
                proxy._record(("reset", int(match[2])))
                raise OSError("connection reset by the test proxy")
            header = _FETCH_HEADER.match(line)
            if header and int(header[2]) in proxy.reset_header_uids:
                proxy._record(("reset-header", int(header[2])))
                raise OSError("connection reset by the test proxy")
            if match and int(match[2]) in proxy.fail_uids:
                self.failing_tags.add(match[1])
                proxy._record(("fetch", int(match[2])))
                return match[1] + b" NOOP\r\n"
            return line
        self.last_command = line.strip().upper()
        match = _RETR.match(line.strip())
        if match:
            number = int(match[1])
            if number in proxy.fail_numbers or self.numbers.get(number) in proxy.fail_uidls:
                proxy._record(("retr", number))
                self.to_client(b"-ERR " + proxy.answer + b"\r\n")
                return None
        return line

    def _server_line(self, line):
        if self.proxy.protocol != "imap":
            if self.last_command == b"UIDL" and line[:1].isdigit():
                number, _sep, uidl = line.strip().partition(b" ")
                if self.proxy.uidl_as_number:
                    uidl = b"num-" + number
                    line = number + b" " + uidl + b"\r\n"
                self.numbers[int(number)] = uidl.decode("ascii", "replace")
                if int(number) in self.proxy.uidl_keyless:
                    line = number + b"\r\n"
            return line
        tag, _sep, rest = line.partition(b" ")
        if tag in self.failing_tags and rest[:2].upper() == b"OK":
            self.failing_tags.discard(tag)
            return tag + b" NO " + self.proxy.answer + b"\r\n"
        if self.proxy.strip:
            line = _CAPABILITY_LIST.sub(self._strip_capabilities, line)
        return line

    def _strip_capabilities(self, match):
        names = [n for n in match[2].split(b" ") if n.upper() not in self.proxy.strip]
        return match[1] + b" ".join(names)
