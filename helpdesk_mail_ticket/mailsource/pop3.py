"""POP3 mail source (poplib).

Messages are keyed by UIDL. ``DELE`` only marks messages: the server deletes them when the
session ends with ``QUIT``, which :meth:`Pop3Source.close` sends (a dropped connection
deletes nothing).
"""

import base64
import binascii
import contextlib
import hashlib
import hmac
import io
import operator
import poplib
import re

from .base import (
    TOKEN_REFUSED,
    XOAUTH2_NOT_OFFERED,
    MailSource,
    classify,
    xoauth2_error_report,
    xoauth2_string,
)
from .config import ListedLater, RemoteList, RemoteMessage
from .early import EarlySocketClient
from .errors import (
    AuthenticationError,
    MessageError,
    MessageNotFoundError,
    NetworkError,
    ProtocolError,
    UnsupportedOperationError,
)
from .registry import register_source

MAX_LINE = 1024 * 1024  # poplib's 2048 rejects real mail with long (non-RFC) lines
CRLF = b"\r\n"


class _LongLines:
    """poplib ``_getline`` with a larger line limit (poplib._MAXLINE is process-wide)."""

    def _getline(self):
        line = self.file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise poplib.error_proto("line too long")
        if not line:
            raise poplib.error_proto("-ERR EOF")
        octets = len(line)
        if line[-2:] == CRLF:
            return line[:-2], octets
        if line[:1] == b"\r":
            return line[1:-1], octets
        return line[:-1], octets

    def answer(self, command):
        """The answer to the multi-line ``command`` (LIST, UIDL) as the server sent it,
        read in blocks rather than line by line (a maildrop of 10,000 messages answers
        10,000 lines to each), the line holding a dot alone that ends it left out. No
        line of a listing can be that line (a line starting with a dot is sent with one
        more); lines may end with CRLF or LF."""
        self._putcmd(command)
        self._getresp()
        chunks, tail = [], b"\n"  # as if after a line end: an empty listing is ".\r\n"
        while not tail.endswith((b"\n.\r\n", b"\n.\n")):
            chunk = self.file.read1(1 << 16)
            if not chunk:
                raise poplib.error_proto("-ERR EOF")
            chunks.append(chunk)
            tail = tail[-4:] + chunk[-5:] if len(chunk) < 5 else chunk[-5:]
        data = b"".join(chunks)
        return data[: data.rindex(b".", 0, len(data) - 1)]

    def listing(self, command):
        """The lines of a LIST or UIDL answer (:meth:`answer`)."""
        return _answer_lines(self.answer(command))


def _answer_lines(data):
    """The lines of a LIST or UIDL answer (:meth:`_LongLines.answer`), dot-unstuffed."""
    lines = data.splitlines()
    if data.startswith(b"..") or b"\n.." in data:
        lines = [line[1:] if line[:2] == b".." else line for line in lines]
    return lines


class _POP3(_LongLines, EarlySocketClient, poplib.POP3):
    pass


class _POP3_SSL(_LongLines, EarlySocketClient, poplib.POP3_SSL):
    pass


# A regular LIST or UIDL answer: every line "<digits> <value>", one space between them, no
# other white space or control byte (the line-by-line reading splits at any white space).
_REGULAR_LISTING = re.compile(rb"(?:[0-9]+ [\x21-\x7e\x80-\xff]+\n)*[0-9]+ [\x21-\x7e\x80-\xff]+")


def _pairs(lines, convert):
    """The first two fields of each line of a LIST or UIDL answer: ``(numbers, values)``,
    the numbers as int, the values as ``convert`` makes them (``None``: text, a byte a
    character: RFC 1939 keys are printable ASCII, and two keys that break it with
    different 8-bit bytes stay two keys). A regular answer (every line "<number>
    <value>", checked by one match over its joined text) is split in one pass, not line
    by line (a maildrop of 100,000 messages); any other is read line by line, with the
    same result where both apply: a handle never depends on the other lines of the
    answer."""
    joined = b"\n".join(lines)
    if lines and _REGULAR_LISTING.fullmatch(joined):
        fields = joined.replace(b"\n", b" ").split(b" ")
        numbers, values = list(map(int, fields[0::2])), fields[1::2]
        if convert is None:
            return numbers, b" ".join(values).decode("latin-1").split(" ")
        return numbers, list(map(convert, values))
    rows = [line.split() for line in lines]
    numbers = [int(number) for number, _value, *_ in rows]
    if convert is None:
        return numbers, [value.decode("latin-1") for _number, value, *_ in rows]
    return numbers, [convert(value) for _number, value, *_ in rows]


def _indexed_listing(numbers, sizes, listed, keys):
    """(listing, index) of LIST's numbers and sizes and UIDL's numbers and keys: the
    listing when both number the messages 1..n in order, a key each (the usual
    answers), else the index (number by key, octets by number)."""
    if listed == numbers == list(range(1, len(numbers) + 1)) and len(set(keys)) == len(keys):
        return RemoteList(keys, numbers, sizes), None
    by_size = dict(zip(numbers, sizes, strict=True))
    by_number = dict(zip(listed, keys, strict=True))  # a number listed twice: its last key
    # A key listed twice: its last number (the first one's place in the order).
    by_key = {key: number for number, key in by_number.items() if number in by_size}
    return None, (by_key, by_size)


def _listing_of(listing, index):
    """The :class:`RemoteList` of ``_indexed_listing``'s answer, in number order."""
    if listing is not None:
        return listing
    by_key, by_size = index
    uids, numbers = list(by_key), list(by_key.values())
    if numbers != sorted(numbers):  # in order already, as servers list: one pass
        pairs = sorted(by_key.items(), key=operator.itemgetter(1))
        uids, numbers = [uid for uid, _ in pairs], [number for _, number in pairs]
    return RemoteList(uids, numbers, list(map(by_size.__getitem__, numbers)))


def _b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def _unb64(data):
    try:
        return base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        return data


def _as_list(args):
    return [arg if isinstance(arg, bytes) else str(arg).encode() for arg in args]


class Pop3Source(MailSource):
    """A POP3 maildrop. See :class:`~.base.MailSource` for the API."""

    protocol = "pop3"
    label = "POP3"
    default_ports = {"none": 110, "starttls": 110, "ssl": 995}
    starttls_command = "STLS"

    def __init__(self, config, trace=None):
        super().__init__(config, trace)
        self._client = None
        self._listing = RemoteList([], [], [])  # as the server listed it, in number order
        self._index = None  # (number by key, octets by number), made when looked up
        self._answers = None  # (LIST, UIDL) as answered, read into the listing when asked
        self._pending_deletes = 0  # DELE sent, committed by QUIT

    # -- connection ------------------------------------------------------------------------

    def _open(self, context):
        config = self.config
        early = self._early_socket()
        if config.security == "ssl":
            return _POP3_SSL(
                config.host,
                config.effective_port,
                context=context,
                timeout=config.timeout,
                early_socket=early,
            )
        return _POP3(config.host, config.effective_port, timeout=config.timeout, early_socket=early)

    def _greeted(self):
        self.trace(f"< {self._redact(self._client.getwelcome())}")

    def _starttls(self, context):
        self._client.stls(context)

    def _login(self):
        with self.phase("login", f"logging in as {self.config.login}"):
            return super()._login()

    def _after_login(self):
        with self.phase("command", "listing messages"):
            self._load_index()

    def _login_password(self):
        client, login, password = self._client, self.config.login, self.config.password
        option = self.config.pop3_auth_option.upper()
        if option == "USER":
            self._send(f"USER {login}")  # once: the answer is traced, PASS follows
            self.trace("> PASS ********")
            response = client.pass_(password)
        elif option == "APOP":
            self.trace(f"> APOP {login} ********")
            response = client.apop(login, password)
        elif option == "PLAIN":
            self.trace("> AUTH PLAIN ********")
            response = client._shortcmd("AUTH PLAIN " + _b64(f"\0{login}\0{password}"))
        elif option == "LOGIN":
            self._send("AUTH LOGIN")
            self._send(_b64(login), shown=f"({login})")
            self.trace("> ********")
            response = client._shortcmd(_b64(password))
        else:  # CRAM-MD5 (RFC 2195)
            challenge = self._send("AUTH CRAM-MD5")
            digest = hmac.new(
                password.encode(), base64.b64decode(challenge[2:]), hashlib.md5
            ).hexdigest()
            self.trace(f"> ({login} <digest>)")
            response = client._shortcmd(_b64(f"{login} {digest}"))
        if not response.startswith(b"+OK"):
            raise self.error(AuthenticationError, "Authentication failed", response)
        self.trace(f"< {self._redact(response)}")

    def _login_xoauth2(self):
        """AUTH XOAUTH2 (RFC 5034), the token on its own line after the server's "+" as
        Microsoft documents it (an initial response on the AUTH line can exceed a login
        line limit). A refused token comes back as "+ <base64 JSON report>", answered with
        an empty line, then -ERR."""
        client, login = self._client, self.config.login
        try:
            mechanisms = client.capa().get("SASL", [])
        except poplib.error_proto:
            mechanisms = None  # no CAPA: try anyway
        if mechanisms is not None and "XOAUTH2" not in [m.upper() for m in mechanisms]:
            raise self.error(UnsupportedOperationError, XOAUTH2_NOT_OFFERED)
        report = []
        try:
            self._send("AUTH XOAUTH2")
            self.trace(f"> (user={login}, auth=Bearer ********)")
            response = client._shortcmd(_b64(xoauth2_string(login, self.config.password)))
            if response.startswith(b"+ ") or response == b"+":
                report.append(xoauth2_error_report(_unb64(response[2:])))
                self.trace(f"< {self._redact(response)}")
                response = self._send("")
        except poplib.error_proto as exc:
            if classify(exc, "login") is not AuthenticationError:
                raise
            detail = "; ".join([*report, self._redact(b" ".join(_as_list(exc.args)))])
            raise self.error(AuthenticationError, TOKEN_REFUSED, detail) from exc
        if not response.startswith(b"+OK"):
            raise self.error(AuthenticationError, TOKEN_REFUSED, response)
        self.trace(f"< {self._redact(response)}")

    def _send(self, line, shown=None):
        self.trace(f"> {shown or line}")
        response = self._client._shortcmd(line)
        self.trace(f"< {self._redact(response)}")
        return response

    def _load_index(self):
        """LIST and UIDL, kept as answered: read into handles, numbers and sizes when
        first asked (``_read_answers``). A cycle that finds the listing unchanged by
        its digest (``listing_digest``) reads no line of it."""
        list_data = self._read_answer("LIST")
        try:
            uidl_data = self._read_answer("UIDL")
        except poplib.error_proto as exc:
            self.trace(f"no UIDL ({exc}); keying messages by a hash of their header")
            numbers, sizes = self._pairs_of("LIST", _answer_lines(list_data), int)
            listed = list(dict.fromkeys(numbers))
            keys = [self._header_key(number) for number in listed]
            self._answers = None
            self._listing, self._index = _indexed_listing(numbers, sizes, listed, keys)
            count = len(self._numbers) if self._listing is None else len(self._listing)
        else:
            self._answers, self._listing, self._index = (list_data, uidl_data), None, None
            count = list_data.count(b"\n")
        self.trace(f"< {count} messages")

    def _read_answer(self, command):
        return self._client.answer(command)

    def _read_answers(self):
        """The LIST and UIDL answers of this session read into the listing (once)."""
        if self._answers is not None:
            self._listing, self._index = self._answered_listing(self._answers)
            self._answers = None

    def _answered_listing(self, answers):
        """(listing, index) of the LIST and UIDL ``answers`` (one of them None)."""
        list_data, uidl_data = answers
        numbers, sizes = self._pairs_of("LIST", _answer_lines(list_data), int)
        listed, keys = self._pairs_of("UIDL", _answer_lines(uidl_data), None)
        return _indexed_listing(numbers, sizes, listed, keys)

    def _pairs_of(self, command, lines, convert):
        """``_pairs`` of the server's answer to ``command``; an answer whose lines are not
        "<number> <value> ..." is the server's error (ProtocolError), not a crash."""
        try:
            return _pairs(lines, convert)
        except ValueError as exc:
            raise self.error(ProtocolError, f"Unreadable {command} answer: {exc}") from None

    def listing_digest(self):
        """A digest of this session's LIST and UIDL answers as the server sent them
        (the same answers give the same listing), made without reading their lines;
        None when the listing was not made of them alone (no UIDL: header keys)."""
        if self._answers is None:
            return None
        list_data, uidl_data = self._answers
        digest = hashlib.sha256(b"LIST %d\n" % len(list_data))
        digest.update(list_data)
        digest.update(b"UIDL\n")
        digest.update(uidl_data)
        return digest.hexdigest()

    def listing_edges(self):
        """(handle, number) of the first and of the last message as listed, read from
        UIDL's first and last lines while the answers are unread, when those lines
        number them 1 and n, n the number of lines of both answers (else from the
        listing)."""
        if self._answers is not None:
            list_data, uidl_data = self._answers
            count = uidl_data.count(b"\n")
            if count and count == list_data.count(b"\n") and b"\n." not in b"\n" + uidl_data:
                first = uidl_data[: uidl_data.index(b"\n")].split()
                last = uidl_data[uidl_data.rfind(b"\n", 0, len(uidl_data) - 1) + 1 :].split()
                if len(first) >= 2 and first[0] == b"1" and len(last) >= 2:
                    if last[0] == b"%d" % count:
                        return (
                            (first[1].decode("latin-1"), 1),
                            (last[1].decode("latin-1"), count),
                        )
        listing = self.list_messages()
        if not listing.uids:
            return None
        return (listing.uids[0], listing.numbers[0]), (listing.uids[-1], listing.numbers[-1])

    @property
    def _numbers(self):
        """Message number by key."""
        return self._indexed()[0]

    @property
    def _sizes(self):
        """Octets by message number."""
        return self._indexed()[1]

    def _indexed(self):
        self._read_answers()
        if self._index is None:
            listing = self._listing
            self._index = (
                dict(zip(listing.uids, listing.numbers, strict=True)),
                dict(zip(listing.numbers, listing.sizes, strict=True)),
            )
        return self._index

    def _header_key(self, number):
        _response, lines, _octets = self._client.top(number, 0)
        return "sha256:" + hashlib.sha256(CRLF.join(lines)).hexdigest()

    def _forget_session(self):
        """DELE is committed by QUIT: the count of deletions sent is what closing must know."""
        pending, self._pending_deletes = self._pending_deletes, 0
        self._listing, self._index, self._answers = RemoteList([], [], []), None, None
        return pending

    def _after_broken(self, pending):
        if pending:
            raise self.error(
                NetworkError, f"{pending} deletion(s) not committed: the connection was lost"
            )

    def _end_session(self, client, pending):
        self.trace("> QUIT")
        with self.phase("command", "ending the session (QUIT)"):
            response = client._shortcmd("QUIT")
        self.trace(f"< {self._redact(response)}")

    def _release(self, client):
        with contextlib.suppress(Exception):
            client.close()

    def _number(self, key):
        self._require()
        if isinstance(key, RemoteMessage):
            key = key.uid
        number = key if isinstance(key, int) else self._numbers.get(str(key))
        if number is None or number not in self._sizes:
            raise self.error(MessageNotFoundError, f"Message {key} is no longer on the server")
        return number

    def _command(self, what, method, *args):
        self.trace(f"> {what}")
        with self.phase("command", what):
            return method(*args)

    # -- API -----------------------------------------------------------------------------------

    def list_messages(self):
        """A :class:`RemoteList` in message-number order: the handles and sizes of a
        maildrop of 100,000 messages are read without building an object per message."""
        self._require()
        answers = self._answers
        if answers is None:
            return self._listed()

        def make():
            if self._answers is answers:
                return self._listed()
            # Read after its session: made of the answers, the session's state untouched.
            return _listing_of(*self._answered_listing(answers))

        return ListedLater(make)

    def _listed(self):
        self._read_answers()
        if self._listing is None:
            self._listing = _listing_of(None, self._index)
        return self._listing

    def state(self):
        client = self._require()
        count, size = self._command("STAT", client.stat)
        return {"protocol": "pop3", "messages": count, "size": size}

    def check_listing(self):
        """Read this session's LIST and UIDL answers (once): an unreadable one raises
        its ProtocolError here, not in the lookup of a message's number."""
        self._require()
        self._read_answers()

    def _summary(self):
        self.check_listing()  # the connection test tells what each cycle meets
        count = self.state()["messages"]
        return f"POP3, {count} {'message' if count == 1 else 'messages'}"

    def fetch(self, uid):
        buffer = io.BytesIO()
        self.fetch_into(uid, buffer)
        return buffer.getvalue()

    def fetch_into(self, uid, out):
        """RETR, each line written into the binary file ``out`` as it comes."""
        number = self._number(uid)
        return self._command(f"RETR {number}", self._read_long, f"RETR {number}", out)

    def _read_long(self, command, out):
        """Write the multi-line answer to ``command`` into ``out``, dot-unstuffed, each
        line ended by CRLF, as it comes (poplib's list of lines, joined, holds a big
        message three times over). Returns the number of octets written."""
        client = self._client
        client._putcmd(command)
        try:
            client._getresp()
        except poplib.error_proto as exc:
            answer = b" ".join(_as_list(exc.args))
            if not answer.startswith(b"-ERR") or classify(exc, "command") is not ProtocolError:
                raise  # the connection's failure (EOF), not the message's
            # -ERR is about this message (a damaged one): the session goes on.
            raise self.error(MessageError, f"The server refused {command}", answer) from exc
        written = 0
        line, _octets = client._getline()
        while line != b".":
            line = line[1:] if line.startswith(b"..") else line
            out.write(line)
            out.write(CRLF)
            written += len(line) + 2
            line, _octets = client._getline()
        return written

    def fetch_header(self, uid):
        number = self._number(uid)
        _response, lines, _octets = self._command(f"TOP {number} 0", self._client.top, number, 0)
        header = CRLF.join(lines) + CRLF
        return header if header.endswith(CRLF * 2) else header + CRLF

    def size(self, uid):
        return self._sizes[self._number(uid)]

    def delete(self, uids):
        """DELE each message; the server removes them at QUIT (:meth:`close`)."""
        numbers = [(uid, self._number(uid)) for uid in uids]
        for uid, number in numbers:
            response = self._command(f"DELE {number}", self._client.dele, number)
            if not response.startswith(b"+OK"):
                raise self.error(ProtocolError, f"Cannot delete message {uid}", response)
            by_key, by_size = self._indexed()
            by_size.pop(number, None)
            self._pending_deletes += 1
            self._index = ({k: n for k, n in by_key.items() if n != number}, by_size)
            self._listing = None

    def move(self, uids, folder):
        raise self.error(UnsupportedOperationError, "POP3 has no folders to move messages to")


register_source(Pop3Source)
