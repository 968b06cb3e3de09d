"""A scripted loopback IMAP server for the listing tests: it answers what a test
writes, in an order or at a moment a real server (Dovecot) does not."""

import contextlib
import socket
import threading

from mailsource import ServerConfig


class ScriptedImap:
    """A loopback IMAP server: greeting, LOGIN, SELECT (UIDNEXT 8, 1 new message since a
    cursor at UIDNEXT 7), and each UID command answered by ``fetch_answer(tag, command)``
    (``command`` the bytes after the tag). ``received`` lists the commands."""

    def __init__(self, fetch_answer):
        self.fetch_answer, self.received = fetch_answer, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        with contextlib.suppress(OSError):
            conn, _addr = self.listener.accept()
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
            for line in conn.makefile("rb"):
                tag, _sep, rest = line.rstrip(b"\r\n").partition(b" ")
                self.received.append(rest.decode())
                command = rest.split(b" ")[0].upper()
                if command == b"SELECT":
                    answer = (
                        b"* 7 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n* OK [UIDNEXT 8] ok\r\n"
                        + tag
                        + b" OK [READ-WRITE] done\r\n"
                    )
                elif command == b"UID":
                    answer = self.fetch_answer(tag, rest)
                else:
                    answer = tag + b" OK done\r\n"
                conn.sendall(answer)

    def config(self):
        return ServerConfig(
            protocol="imap", host="127.0.0.1", port=self.port, login="someone",
            password="secret", timeout=5.0,
        )  # fmt: skip
