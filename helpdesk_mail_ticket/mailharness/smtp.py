"""An SMTP sink: a threaded loopback SMTP server keeping every message it receives."""

import email
import email.policy
import socketserver
import threading
from dataclasses import dataclass, field

from .common import HOST, ServerThread


@dataclass
class SinkMessage:
    """One message received by :class:`SmtpSink`."""

    mail_from: str
    rcpt_tos: list = field(default_factory=list)
    data: bytes = b""

    @property
    def message(self):
        """The data parsed as an ``email.message.EmailMessage``."""
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """A minimal RFC 5321 server side: enough for smtplib and Odoo's ir.mail_server."""

    timeout = 30
    max_line = 65536

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.reply("220 localhost helpdesk_mail_ticket test sink ESMTP")
        self._reset()
        self.helo = None
        while True:
            line = self.rfile.readline(self.max_line)
            if not line:
                return
            verb, _sep, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            method = getattr(self, "smtp_" + verb.upper(), None)
            if method is None:
                self.reply("502 5.5.2 Command not recognized")
            elif method(arg.strip()) == "quit":
                return

    def _reset(self):
        self.mail_from = None
        self.rcpt_tos = []

    def smtp_EHLO(self, arg):
        self.helo = arg
        self._reset()
        self.reply("250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600")

    def smtp_HELO(self, arg):
        self.helo = arg
        self._reset()
        self.reply("250 localhost")

    @staticmethod
    def _address(arg, keyword):
        if not arg.upper().startswith(keyword):
            return None
        rest = arg[len(keyword) :].strip()
        if rest.startswith("<"):
            return rest[1 : rest.find(">")] if ">" in rest else None
        return rest.split(" ")[0]

    def smtp_MAIL(self, arg):
        address = self._address(arg, "FROM:")
        if address is None:
            self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            return
        self._reset()
        self.mail_from = address
        self.reply("250 2.1.0 OK")

    def smtp_RCPT(self, arg):
        address = self._address(arg, "TO:")
        if self.mail_from is None:
            self.reply("503 5.5.1 Need MAIL first")
        elif not address:
            self.reply("501 5.5.4 Syntax: RCPT TO:<address>")
        else:
            self.rcpt_tos.append(address)
            self.reply("250 2.1.5 OK")

    def smtp_DATA(self, arg):
        if not self.rcpt_tos:
            self.reply("503 5.5.1 Need RCPT first")
            return None
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            line = self.rfile.readline(self.max_line)
            if not line:
                return "quit"
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        self.server.sink._deliver(SinkMessage(self.mail_from, list(self.rcpt_tos), b"".join(lines)))
        self._reset()
        self.reply("250 2.0.0 OK queued")
        return None

    def smtp_RSET(self, arg):
        self._reset()
        self.reply("250 2.0.0 OK")

    def smtp_NOOP(self, arg):
        self.reply("250 2.0.0 OK")

    def smtp_VRFY(self, arg):
        self.reply("252 2.1.5 Cannot VRFY user")

    def smtp_QUIT(self, arg):
        self.reply("221 2.0.0 Bye")
        return "quit"


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink(ServerThread):
    """A threaded SMTP server on a free loopback port that keeps every message it receives.

    ``messages`` is a list of :class:`SinkMessage`; ``wait_for(n)`` blocks until at least
    ``n`` arrived and returns them (raises ``TimeoutError`` otherwise).
    """

    host = HOST
    thread_name = "smtp-sink"

    def __init__(self, port=0):
        self._requested_port = port
        self.port = None
        self.messages = []
        self._server = None
        self._thread = None
        self._arrived = threading.Condition()

    def _make_server(self):
        server = _SmtpServer((HOST, self._requested_port), _SmtpHandler)
        server.sink = self
        return server

    def clear(self):
        with self._arrived:
            self.messages.clear()

    def _deliver(self, message):
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, count, timeout=10):
        """Wait until ``count`` messages arrived; return a copy of ``messages``."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(
                    f"SMTP sink got {len(self.messages)} of {count} messages in {timeout}s"
                )
            return list(self.messages)
