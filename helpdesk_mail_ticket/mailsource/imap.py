"""IMAP4rev1 mail source (imaplib).

Unlike Odoo's fetchmail it never marks mail ``\\Seen`` by reading it (``BODY.PEEK[]``),
keys messages by ``<uidvalidity>:<uid>``, deletes by UID (``UID EXPUNGE`` with UIDPLUS)
and gives the socket a real timeout (``timeout=`` of the imaplib constructors).
"""

import base64
import contextlib
import imaplib
import re
import select
import time

from .base import (
    TOKEN_REFUSED,
    XOAUTH2_NOT_OFFERED,
    Listing,
    MailSource,
    _exception_text,
    xoauth2_error_report,
    xoauth2_string,
)
from .config import RemoteMessage
from .early import EarlySocketClient
from .errors import (
    AuthenticationError,
    FolderNotFoundError,
    MessageError,
    MessageNotFoundError,
    ProtocolError,
    UidValidityChangedError,
    UnsupportedOperationError,
)
from .registry import register_source
from .structure import ContentDecoder, parse_bodystructure

UID_CHUNK = 500  # UIDs per command line for FETCH/STORE/MOVE on long lists
# New mail listed from a cursor (``list_since``) comes with its header blocks in the same
# UID FETCH when SELECT announces at most this many new UIDs (the synchronization reads
# the header block of each new message: one round trip fewer a cycle), each read up to
# HEADER_WITH_LISTING_MAX octets (a longer one is fetched whole when it is read).
HEADERS_WITH_LISTING = 20
HEADER_WITH_LISTING_MAX = 64 * 1024
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
_REPLY_START = re.compile(rb"^\d+ \(")  # "7 (UID ...": a FETCH reply (imaplib drops "* ")
_STATUS = re.compile(rb"\(([^()]*)\)\s*$")
_PAIR = re.compile(rb"([A-Z0-9.-]+) (\d+)")
# What SELECT reports (imaplib's response keys), named as in state().
_SELECT_COUNTERS = (
    ("messages", "EXISTS"),
    ("uidnext", "UIDNEXT"),
    ("uidvalidity", "UIDVALIDITY"),
)
# Untagged replies during IDLE that mean the folder changed (new, gone or reflagged mail).
_IDLE_CHANGE = re.compile(rb"^\* (\d+ (EXISTS|EXPUNGE|RECENT|FETCH)|VANISHED)", re.IGNORECASE)


def quote_mailbox(name):
    """A folder name as an IMAP quoted string in modified UTF-7 (RFC 3501 §5.1.3)."""
    parts, pending = [], []

    def flush():
        if pending:
            raw = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            parts.append("&" + raw.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            parts.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return quote_string("".join(parts))


def quote_string(text):
    return '"{}"'.format(text.replace("\\", "\\\\").replace('"', '\\"'))


def uid_set(uids):
    """``[1, 2, 3, 7]`` -> ``"1:3,7"``."""
    ranges = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


def _chunks(uids):
    uids = sorted(set(uids))
    for start in range(0, len(uids), UID_CHUNK):
        yield uids[start : start + UID_CHUNK]


def _lines(data):
    """The response lines of imaplib data (the header line of literals)."""
    for item in data or ():
        line = item[0] if isinstance(item, tuple) else item
        if line:
            yield line


def _fetch_replies(data):
    """``(line, literal)`` for each FETCH reply of imaplib data: the reply's text
    without its literal (the items after a literal come as the next element: joined),
    and the literal (a header block; None without one)."""
    replies, items = [], list(data or ())
    for index, item in enumerate(items):
        if isinstance(item, tuple):
            line, literal = item[0], item[1]
            after = items[index + 1] if index + 1 < len(items) else None
            if isinstance(after, bytes) and not _REPLY_START.match(after):
                line += after  # " UID 7 FLAGS ()...)" or ")"
            replies.append((line, literal))
        elif item and _REPLY_START.match(item):
            replies.append((item, None))
    return replies


def _parse_search(data):
    return sorted({int(token) for line in _lines(data) for token in line.split()})


def _listed_capabilities(client):
    """The capabilities a server listed in its last greeting or login reply
    (``[CAPABILITY ...]``, RFC 3501 §7.1), taken out of imaplib's responses; None if
    it listed none."""
    listed = client.untagged_responses.pop("CAPABILITY", None)
    if not listed or not listed[-1]:
        return None
    return tuple(listed[-1].split(b"]")[0].decode("ascii", "replace").upper().split())


# imaplib gives each connection a random tag prefix and compiles the pattern of its
# tagged answers, about a quarter of a millisecond at every connection (an idle poll is
# 10-15 ms). A tag need only be unique among a connection's commands (RFC 3501 2.2.1):
# one prefix for all, its pattern compiled once (as imaplib writes it).
_TAG_PREFIX = b"HMT"
_TAG_PATTERN = re.compile(
    rb"(?P<tag>" + _TAG_PREFIX + rb"\d+) (?P<type>[A-Z]+) (?P<data>.*)", re.ASCII
)


class _GreetingCapabilities(EarlySocketClient):
    """imaplib asks CAPABILITY right after the greeting, which most servers already
    list: one round trip less per connection. After STARTTLS it still asks (what was
    said before TLS is not to be trusted). The tags' pattern is compiled once.
    ``early_socket``: a TCP connection already made to the server (``take_early``,
    :class:`~.early.EarlySocketClient`)."""

    _audit_event = "imaplib.open"

    def _connect(self):
        # imaplib's IMAP4._connect (Python 3.10-3.12) but for the tag prefix and its
        # pattern, made once (_TAG_PATTERN) instead of at every connection.
        self.tagpre, self.tagre = _TAG_PREFIX, _TAG_PATTERN
        if __debug__:  # imaplib's log of the last commands, which _command writes to
            self._cmd_log_len, self._cmd_log_idx, self._cmd_log = 10, 0, {}
            if self.debug >= 1:  # what imaplib.Debug shows of a connection, as imaplib
                self._mesg(f"imaplib version {imaplib.__version__}")
                self._mesg(f"new IMAP4 connection, tag={self.tagpre}")
        self.welcome = self._get_response()
        if "PREAUTH" in self.untagged_responses:
            self.state = "AUTH"
        elif "OK" in self.untagged_responses:
            self.state = "NONAUTH"
        else:
            raise self.error(self.welcome)
        self._get_capabilities()
        if __debug__ and self.debug >= 3:
            self._mesg(f"CAPABILITIES: {self.capabilities!r}")
        for version in imaplib.AllowedVersions:
            if version in self.capabilities:
                self.PROTOCOL_VERSION = version
                return
        raise self.error("server not IMAP4 compliant")

    def _get_capabilities(self):
        listed = None if self._tls_established else _listed_capabilities(self)
        if listed:
            self.capabilities = listed
            return None
        return super()._get_capabilities()


class _IMAP4(_GreetingCapabilities, imaplib.IMAP4):
    pass


class _IMAP4_SSL(_GreetingCapabilities, imaplib.IMAP4_SSL):
    pass


class ImapSource(MailSource):
    """An IMAP folder. See :class:`~.base.MailSource` for the API."""

    protocol = "imap"
    label = "IMAP"
    default_ports = {"none": 143, "starttls": 143, "ssl": 993}
    supports_folders = True
    may_idle = True
    keeps_cursor = True
    supports_structure = True
    STREAM_CHUNK = 1024 * 1024  # octets per partial fetch of fetch_into()

    def __init__(self, config, trace=None):
        super().__init__(config, trace)
        self._client = None
        self.capabilities = frozenset()
        self.uidvalidity = None
        self._selected = {}  # the folder's counters as SELECT reported them
        # UIDs this session flagged \Deleted and could not expunge yet (no UIDPLUS).
        self._flagged = set()
        # By UID, header blocks the listing brought and fetch_header() did not read yet.
        self._headers = {}

    # -- connection ------------------------------------------------------------------------

    def _open(self, context):
        config = self.config
        early = self._early_socket()
        if config.security == "ssl":
            return _IMAP4_SSL(
                config.host,
                config.effective_port,
                ssl_context=context,
                timeout=config.timeout,
                early_socket=early,
            )
        return _IMAP4(
            config.host, config.effective_port, timeout=config.timeout, early_socket=early
        )

    def _greeted(self):
        self.trace(f"< {self._redact(self._client.welcome)}")

    def _starttls(self, context):
        self._client.starttls(context)

    def _after_login(self):
        self._load_capabilities()
        self._select()

    def _login(self):
        self._client.untagged_responses.pop("CAPABILITY", None)  # only the login's may follow
        return super()._login()

    def _login_password(self):
        client, login, password = self._client, self.config.login, self.config.password
        if "LOGINDISABLED" in client.capabilities:
            raise self.error(
                AuthenticationError, "The server refuses plaintext login; use SSL or STARTTLS"
            )
        with self.phase("login", f"logging in as {login}"):
            if (login + password).isascii():
                self.trace(f"> LOGIN {quote_string(login)} ********")
                typ, data = client.login(quote_string(login), password)
            else:
                # imaplib sends LOGIN arguments as ASCII; SASL PLAIN carries UTF-8.
                self.trace(f"> AUTHENTICATE PLAIN ({login}, ********)")
                secret = f"\0{login}\0{password}".encode()
                typ, data = client.authenticate("PLAIN", lambda _challenge: secret)
        self.trace(f"< {typ} {self._redact(b' '.join(_lines(data)))}")

    def _login_xoauth2(self):
        """AUTHENTICATE XOAUTH2. A refused token comes back as a continuation carrying a
        JSON error report, which must be answered with an empty line before the tagged NO;
        any further challenge cancels the exchange ("*") instead of waiting."""
        client, login = self._client, self.config.login
        if "AUTH=XOAUTH2" not in client.capabilities:
            raise self.error(UnsupportedOperationError, XOAUTH2_NOT_OFFERED)
        challenges = []

        def answer(challenge):
            challenges.append(challenge)
            if len(challenges) == 1:
                return xoauth2_string(login, self.config.password)
            return b"" if len(challenges) == 2 else None

        self.trace(f"> AUTHENTICATE XOAUTH2 (user={login}, auth=Bearer ********)")
        with self.phase("login", f"logging in as {login} with OAuth2"):
            try:
                typ, data = client.authenticate("XOAUTH2", answer)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                report = [xoauth2_error_report(c) for c in challenges[1:2]]
                detail = "; ".join([*report, _exception_text(exc)])
                raise self.error(AuthenticationError, TOKEN_REFUSED, detail) from exc
        self.trace(f"< {typ} {self._redact(b' '.join(_lines(data)))}")

    def _load_capabilities(self):
        """The capabilities after login: those the login reply listed (most servers
        do), else asked with CAPABILITY."""
        client = self._client
        words = _listed_capabilities(client)
        if words:
            self.trace("< capabilities listed in the login reply")
        else:
            data = self._run("CAPABILITY", client.capability)
            words = b" ".join(_lines(data[-1:])).decode("ascii", "replace").upper().split()
        client.capabilities = tuple(words)  # imaplib checks it (ENABLE, STARTTLS...)
        self.capabilities = frozenset(words)
        # No ENABLE CONDSTORE: nothing reads a mod-sequence (the cursor is UIDVALIDITY,
        # UIDNEXT and the message count), and every poll would pay its round trip.

    def _select(self):
        self._selected, self._headers = {}, {}
        client, folder = self._client, self.config.folder or "INBOX"
        command = "EXAMINE" if self.config.readonly else "SELECT"
        self.trace(f"> {command} {quote_mailbox(folder)}")
        with self.phase("select", f"opening the folder {folder!r}"):
            typ, data = client.select(quote_mailbox(folder), self.config.readonly)
        if typ != "OK":
            raise self.error(
                FolderNotFoundError, f"Cannot open the folder {folder!r}", b" ".join(_lines(data))
            )
        values = client.untagged_responses
        self.trace(f"< OK {b' '.join(_lines(data)).decode()} messages")
        self._selected = {
            name: int(values[key][-1])
            for name, key in _SELECT_COUNTERS
            if values.get(key) and values[key][-1].isdigit()
        }
        if "uidvalidity" in self._selected:
            self.uidvalidity = self._selected["uidvalidity"]
        else:  # not sent in SELECT by a few servers
            self.uidvalidity = self.state()["uidvalidity"]

    def _forget_session(self):
        if self._flagged:
            self.trace(f"left flagged \\Deleted, not expunged: UIDs {uid_set(self._flagged)}")
            self._flagged = set()
        return 0

    def _end_session(self, client, pending):
        # LOGOUT, not CLOSE: CLOSE would also expunge messages other clients flagged.
        # Deletions were expunged by delete().
        self.trace("> LOGOUT")
        try:
            client.logout()
        except Exception as exc:
            self.trace(f"logout failed: {exc}")

    def _release(self, client):
        with contextlib.suppress(Exception):
            client.shutdown()

    def _run(self, what, method, *args, refused=ProtocolError):
        """Run an imaplib command, trace it, and raise ``refused`` (ProtocolError) unless
        it is OK."""
        self.trace(f"> {what}")
        with self.phase("command", what):
            typ, data = method(*args)
        if typ != "OK":
            raise self.error(refused, f"The server refused {what}", b" ".join(_lines(data)))
        return data

    # -- keys --------------------------------------------------------------------------------

    def key(self, uid):
        """The stable key of UID ``uid`` in the current folder state."""
        return f"{self.uidvalidity}:{uid}"

    def _resolve(self, key):
        """UID (int) for a key ``"<uidvalidity>:<uid>"``, a RemoteMessage or a bare UID."""
        self._require()
        if isinstance(key, RemoteMessage):
            key = key.uid
        if isinstance(key, int):
            return key
        validity, _sep, number = str(key).rpartition(":")
        if validity and int(validity) != self.uidvalidity:
            raise self.error(
                UidValidityChangedError,
                f"Message {key} belongs to UIDVALIDITY {validity} but {self.config.folder!r} "
                f"now has UIDVALIDITY {self.uidvalidity}",
            )
        return int(number)

    # -- listing -------------------------------------------------------------------------------

    def list_messages(self):
        client = self._require()
        uids = _parse_search(self._run("UID SEARCH ALL", client.uid, "SEARCH", "ALL"))
        return self._describe(uids)

    def list_changes(self, cursor):
        """The cursor is the folder's UIDVALIDITY, UIDNEXT and message count the caller
        holds. Nothing is listed (no command: the SELECT reply tells) when they did not
        change, only the UIDs from the stored UIDNEXT on when mail was only added, and
        everything when mail left the folder or UIDVALIDITY changed."""
        cursor = cursor or {}
        new = self._selected_cursor()
        validity, uidnext, count = new["uidvalidity"], new["uidnext"], new["messages"]
        known_next, known_count = cursor.get("uidnext") or 0, cursor.get("messages") or 0
        same = cursor.get("uidvalidity") == validity
        added = uidnext - known_next
        if self.unchanged_since(cursor):
            return Listing([], False, new, f"No change (UIDNEXT {uidnext}, {count} message(s))")
        if same and added > 0 and count - known_count == added:
            _validity, messages = self.list_since(validity, known_next - 1)
            return Listing(
                messages, False, new, f"{len(messages)} new message(s) from UID {known_next}"
            )
        messages = self.list_messages()
        note = f"{len(messages)} message(s) in the mailbox (full listing)"
        if cursor.get("uidvalidity") and not same:
            note += f"; UIDVALIDITY changed from {cursor['uidvalidity']} to {validity}"
        return Listing(messages, True, new, note)

    def _selected_cursor(self):
        """The cursor of the folder as this session's SELECT found it (no command)."""
        status = self.selected_state()
        return {
            "uidvalidity": str(status["uidvalidity"]),
            "uidnext": status["uidnext"],
            "messages": status["messages"],
        }

    def unchanged_since(self, cursor):
        """The folder's UIDVALIDITY, UIDNEXT and message count, as SELECT reported them
        (no command), are the cursor's."""
        cursor, new = cursor or {}, self._selected_cursor()
        return (
            cursor.get("uidvalidity") == new["uidvalidity"]
            and (cursor.get("uidnext") or 0) == new["uidnext"]
            and (cursor.get("messages") or 0) == new["messages"]
        )

    def may_have_news(self, cursor):
        """Mail that arrived since the cursor raises no IDLE notice: compare UIDNEXT."""
        return self.selected_state()["uidnext"] != (cursor or {}).get("uidnext")

    def cursor_after_changes(self, cursor):
        if not cursor:
            return None
        after = self.state()
        if str(after["uidvalidity"]) == cursor["uidvalidity"] and (
            after["uidnext"] == cursor["uidnext"]
        ):
            return {**cursor, "messages": after["messages"]}
        return None

    def list_since(self, uidvalidity, last_uid):
        self._require()
        if not uidvalidity or int(uidvalidity) != self.uidvalidity or last_uid is None:
            if uidvalidity and int(uidvalidity) != self.uidvalidity:
                self.trace(f"UIDVALIDITY changed from {uidvalidity} to {self.uidvalidity}")
            return self.uidvalidity, self.list_messages()
        after = int(last_uid) + 1
        # One UID FETCH of the range lists the new UIDs with their sizes and flags (no
        # UID SEARCH first), and their header blocks when SELECT announced only a few:
        # then of the UIDs it announced only (at most HEADERS_WITH_LISTING blocks read),
        # mail that came after it (a server may show it to this command, or the SELECT
        # is old: a connection opened ahead) is listed by the next poll, whose cursor
        # starts at that UIDNEXT. "n:*" always matches the highest UID, even when it is
        # below n.
        uidnext = self._selected.get("uidnext", 0)
        few = 0 < uidnext - after <= HEADERS_WITH_LISTING
        described = self._describe_sets([f"{after}:{uidnext - 1 if few else '*'}"], headers=few)
        if few and len(described) < uidnext - after:
            # Fewer than SELECT announced (a UIDNEXT behind the UIDs the server gave):
            # the rest of the folder as without header blocks, none skipped.
            found = {message.number: message for message in described}
            for message in self._describe_sets([f"{uidnext}:*"]):
                found.setdefault(message.number, message)
            described = [found[number] for number in sorted(found)]
        self._headers = {uid: head for uid, head in self._headers.items() if uid >= after}
        return self.uidvalidity, [message for message in described if message.number >= after]

    def _describe(self, uids):
        return self._describe_sets(uid_set(chunk) for chunk in _chunks(uids))

    def _describe_sets(self, specs, headers=False):
        """The messages of the UID sets ``specs``, by UID FETCH of their size and flags;
        with ``headers``, of their header blocks too (up to HEADER_WITH_LISTING_MAX
        octets), kept for ``fetch_header``."""
        client, found = self._client, {}
        items = "UID RFC822.SIZE FLAGS"
        if headers:
            items += f" BODY.PEEK[HEADER]<0.{HEADER_WITH_LISTING_MAX}>"
        for spec in specs:
            data = self._run(f"UID FETCH {spec} ({items})", client.uid, "FETCH", spec, f"({items})")
            for line, literal in _fetch_replies(data):
                uid, size, flags = _UID.search(line), _SIZE.search(line), _FLAGS.search(line)
                if uid and size:  # skip unsolicited FETCH (flag updates)
                    names = flags.group(1).decode("utf-8", "replace").split() if flags else ()
                    found[int(uid.group(1))] = RemoteMessage(
                        uid=self.key(int(uid.group(1))),
                        number=int(uid.group(1)),
                        size=int(size.group(1)),
                        flags=frozenset(name for name in names if name != "\\Recent"),
                        uidvalidity=self.uidvalidity,
                    )
                    # Shorter than what was asked: the whole block (else read again).
                    if literal is not None and len(literal) < HEADER_WITH_LISTING_MAX:
                        self._headers[int(uid.group(1))] = literal
        return [found[uid] for uid in sorted(found)]

    def state(self):
        # Also called by _select() while connecting (no _require() then).
        client = self._require() if self._connected else self._client
        folder = self.config.folder or "INBOX"
        items = "MESSAGES UIDNEXT UIDVALIDITY UNSEEN"
        data = self._run(
            f"STATUS {quote_mailbox(folder)} ({items})",
            client.status, quote_mailbox(folder), f"({items})",
        )  # fmt: skip
        match = _STATUS.search(b" ".join(_lines(data)))
        if not match:
            raise self.error(ProtocolError, "Unreadable STATUS reply", b" ".join(_lines(data)))
        values = {name.decode().lower(): int(value) for name, value in _PAIR.findall(match[1])}
        return {"protocol": "imap", "folder": folder, **values}

    def selected_state(self):
        """The counters SELECT reported (no command): what a poll compares with what it
        stored. STATUS (:meth:`state`) when SELECT left one out."""
        self._require()
        if {"uidvalidity", "uidnext", "messages"} <= self._selected.keys():
            folder = self.config.folder or "INBOX"
            return {"protocol": "imap", "folder": folder, **self._selected}
        return self.state()

    def _summary(self):
        count = self.state().get("messages", 0)
        noun = "message" if count == 1 else "messages"
        return f"IMAP, {count} {noun} in {self.config.folder or 'INBOX'}"

    # -- reading ---------------------------------------------------------------------------------

    def _run_fetch(self, key, uid, item):
        """``UID FETCH uid (item)``. A NO is about this message (a damaged one, or one
        too big for the server to stream): MessageError, the session goes on;
        EXPUNGEISSUED (RFC 5530): another client expunged it, it is gone."""
        client = self._require()
        try:
            return self._run(
                f"UID FETCH {uid} ({item})", client.uid, "FETCH", str(uid), f"({item})",
                refused=MessageError,
            )  # fmt: skip
        except MessageError as error:
            if "[EXPUNGEISSUED]" not in (error.detail or "").upper():
                raise
            raise self.error(
                MessageNotFoundError, f"Message {key} is no longer on the server", error.detail
            ) from error

    def _fetch_item(self, key, item, answer):
        uid = self._resolve(key)
        data = self._run_fetch(key, uid, item)
        for entry in data or ():
            if not isinstance(entry, tuple):
                continue
            head = entry[0]
            uid_match = _UID.search(head)
            if answer in head and (uid_match is None or int(uid_match[1]) == uid):
                return entry[1]
        raise self.error(MessageNotFoundError, f"Message {key} is no longer on the server")

    def fetch(self, uid):
        return self._fetch_item(uid, "BODY.PEEK[]", b"BODY[]")

    def fetch_header(self, uid):
        # The block the listing brought, once (a message's bytes never change under
        # its UID and UIDVALIDITY): no command.
        header = self._headers.pop(self._resolve(uid), None)
        if header is not None:
            return header
        return self._fetch_item(uid, "BODY.PEEK[HEADER]", b"BODY[HEADER]")

    def holds_header(self, uid):
        if not self._headers or self._broken:  # fetch_header sends its command or says why
            return False
        try:
            return self._resolve(uid) in self._headers
        except UidValidityChangedError:
            return False

    def fetch_into(self, uid, out):
        """Write the message into the binary file ``out`` by partial fetches of
        STREAM_CHUNK octets (``BODY.PEEK[]<offset.size>``): at most one chunk is held
        at a time. Returns the number of octets written."""
        return self.fetch_part_into(uid, "", out)

    def structure(self, uid):
        """The message's MIME tree (BODYSTRUCTURE) as a :class:`~.structure.MimePart`,
        none of its content downloaded."""
        data = self._run_fetch(uid, self._resolve(uid), "BODYSTRUCTURE")
        tree = parse_bodystructure([entry for entry in data or () if entry])
        if tree is None:
            raise self.error(MessageNotFoundError, f"Message {uid} is no longer on the server")
        return tree

    def fetch_part(self, uid, section, mime=False):
        """The content of part ``section`` as sent (transfer-encoded), or with
        ``mime=True`` its MIME header block (``BODY.PEEK[<section>.MIME]``)."""
        spec = f"{section}.MIME" if mime else section
        return self._fetch_item(uid, f"BODY.PEEK[{spec}]", f"BODY[{spec}]".encode())

    def fetch_part_into(self, uid, section, out, encoding=None):
        """Write part ``section`` ("" for the whole message) into ``out`` by partial
        fetches of STREAM_CHUNK octets, decoded from the Content-Transfer-Encoding
        ``encoding`` as it comes. Returns the number of octets written."""
        decoder, offset, written = ContentDecoder(encoding), 0, 0
        while True:
            chunk = self._fetch_partial(uid, offset, self.STREAM_CHUNK, section)
            data = decoder.feed(chunk)
            out.write(data)
            offset, written = offset + len(chunk), written + len(data)
            if len(chunk) < self.STREAM_CHUNK:
                data = decoder.finish()
                out.write(data)
                return written + len(data)

    def _fetch_partial(self, key, offset, size, section=""):
        """``size`` octets of a message (or of its part ``section``) from ``offset``
        (fewer at its end, none past it: an empty literal or string)."""
        uid = self._resolve(key)
        item, answer = (
            f"BODY.PEEK[{section}]<{offset}.{size}>",
            b"BODY[%s]<%d>"
            % (
                section.encode(),
                offset,
            ),
        )
        data = self._run_fetch(key, uid, item)
        for entry in data or ():
            head = (entry[0] if isinstance(entry, tuple) else entry) or b""
            uid_match = _UID.search(head)
            if answer not in head or (uid_match and int(uid_match[1]) != uid):
                continue
            if isinstance(entry, tuple):
                return entry[1]
            if offset and re.search(re.escape(answer) + rb' (""|NIL)', head):
                return b""
        raise self.error(MessageNotFoundError, f"Message {key} is no longer on the server")

    def size(self, uid):
        client, number = self._require(), self._resolve(uid)
        spec = str(number)
        data = self._run(f"UID FETCH {spec} (RFC822.SIZE)", client.uid, "FETCH", spec,
                         "(RFC822.SIZE)")  # fmt: skip
        for line in _lines(data):
            uid_match, size = _UID.search(line), _SIZE.search(line)
            if size and uid_match and int(uid_match[1]) == number:
                return int(size[1])
        raise self.error(MessageNotFoundError, f"Message {uid} is no longer on the server")

    # -- changing ----------------------------------------------------------------------------------

    def _writable(self, what):
        if self.config.readonly:
            raise self.error(UnsupportedOperationError, f"Cannot {what}: the folder is read-only")

    def delete(self, uids):
        """Flag ``\\Deleted`` and expunge just these UIDs (UID EXPUNGE, UIDPLUS). Without
        UIDPLUS see :meth:`_expunge_ours`: what it cannot expunge stays flagged and is
        listed in :attr:`left_flagged`."""
        client = self._require()
        numbers = [self._resolve(uid) for uid in uids]
        if not numbers:
            return
        self._writable("delete messages")
        for chunk in _chunks(numbers):
            spec = uid_set(chunk)
            self._run(
                f"UID STORE {spec} +FLAGS.SILENT (\\Deleted)",
                client.uid, "STORE", spec, "+FLAGS.SILENT", "(\\Deleted)",
            )  # fmt: skip
            if "UIDPLUS" in self.capabilities:
                self._run(f"UID EXPUNGE {spec}", client.uid, "EXPUNGE", spec)
        if "UIDPLUS" not in self.capabilities:
            self._flagged.update(numbers)
            self._expunge_ours()

    def _expunge_ours(self):
        """Without UIDPLUS, EXPUNGE removes every message flagged ``\\Deleted``, also
        those another client flagged (to be undeleted, or expunged by itself later):
        EXPUNGE only when every flagged message of the folder is one this session
        flagged; else leave ours flagged, say so in the trace, and let a later
        deletion (the next cycle's) try again. (Between the SEARCH and the EXPUNGE
        another client could still flag a message: one round trip, the narrowest a
        server without UIDPLUS allows.)"""
        client = self._client
        data = self._run("UID SEARCH DELETED", client.uid, "SEARCH", "DELETED")
        flagged = set(_parse_search(data))
        self._flagged &= flagged  # expunged or undeleted meanwhile by someone else
        others = flagged - self._flagged
        if others:
            self.trace(
                f"no UIDPLUS: UIDs {uid_set(self._flagged)} left flagged \\Deleted, not "
                f"expunged: other clients flagged UIDs {uid_set(others)} \\Deleted, which "
                "EXPUNGE would remove too"
            )
            return
        if self._flagged:
            self._run("EXPUNGE", client.expunge)
        self._flagged = set()

    @property
    def left_flagged(self):
        """Keys of the messages this session flagged ``\\Deleted`` but could not
        expunge (no UIDPLUS, and other clients' flagged mail in the folder)."""
        return {self.key(uid) for uid in self._flagged}

    def move(self, uids, folder):
        """UID MOVE when offered, else UID COPY then delete; ``folder`` is created if missing."""
        client = self._require()
        numbers = [self._resolve(uid) for uid in uids]
        if not numbers:
            return
        self._writable("move messages")
        self.ensure_folder(folder)
        target = quote_mailbox(folder)
        for chunk in _chunks(numbers):
            spec = uid_set(chunk)
            if "MOVE" in self.capabilities:
                self._run(f"UID MOVE {spec} {target}", client.uid, "MOVE", spec, target)
            else:
                self._run(f"UID COPY {spec} {target}", client.uid, "COPY", spec, target)
                self.delete(chunk)

    def folder_exists(self, folder):
        client = self._require()
        data = self._run(f'LIST "" {quote_mailbox(folder)}', client.list, '""',
                         quote_mailbox(folder))  # fmt: skip
        return any(_lines(data))

    def ensure_folder(self, folder):
        """Create (and subscribe) ``folder`` unless it exists."""
        if self.folder_exists(folder):
            return
        client = self._require()
        self.trace(f"> CREATE {quote_mailbox(folder)}")
        with self.phase("command", f"creating the folder {folder!r}"):
            typ, data = client.create(quote_mailbox(folder))
        if typ != "OK" and not self.folder_exists(folder):  # NO may mean "created meanwhile"
            raise self.error(
                ProtocolError, f"Cannot create the folder {folder!r}", b" ".join(_lines(data))
            )
        with contextlib.suppress(Exception):
            client.subscribe(quote_mailbox(folder))

    # -- waiting (IDLE, RFC 2177) ---------------------------------------------------------------

    @property
    def supports_idle(self):
        """Whether the server offers IDLE (connects first if needed)."""
        self._require()
        return "IDLE" in self.capabilities

    def idle(self, timeout):
        """Wait with IDLE until the folder changes or ``timeout`` seconds pass.

        Returns True when the server reported a change (new mail, expunge, flags), False
        on timeout. Raises UnsupportedOperationError when the server lacks IDLE: the
        caller then polls. ``timeout`` should stay under 29 minutes (RFC 2177).
        """
        client = self._require()
        if "IDLE" not in self.capabilities:
            raise self.error(UnsupportedOperationError, "The server does not offer IDLE")
        tag = client._new_tag()
        self.trace(f"> {tag.decode()} IDLE")
        with self.phase("command", "waiting with IDLE"):
            client.send(tag + b" IDLE\r\n")
            line = client._get_line()
            if not line.startswith(b"+"):
                raise self.error(ProtocolError, "The server refused IDLE", line)
            changed = self._idle_wait(client, timeout)
            self.trace("> DONE")
            client.send(b"DONE\r\n")
            while True:
                line = client._get_line()
                if line.startswith(tag):
                    break
                changed = changed or bool(_IDLE_CHANGE.match(line))
        if not line.startswith(tag + b" OK"):
            raise self.error(ProtocolError, "IDLE ended badly", line)
        self.trace(f"< {'changed' if changed else 'no change'}")
        return changed

    def _idle_wait(self, client, timeout):
        """Read untagged lines until one reports a change or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        sock = client.sock
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if not _has_buffered_input(client):
                readable, _w, _x = select.select([sock], [], [], remaining)
                if not readable:
                    return False
            line = client._get_line()
            if _IDLE_CHANGE.match(line):
                return True


def _has_buffered_input(client):
    """Whether a line may already wait in imaplib's read buffer (or TLS's), so that
    ``select()`` on the socket would not see it."""
    sock = client.sock
    pending = getattr(sock, "pending", None)
    if pending and pending():
        return True
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        return bool(client.file.peek(1))
    except (OSError, ValueError):
        return False
    finally:
        sock.settimeout(timeout)


register_source(ImapSource)
