"""Connection settings and the description of a message on the server."""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from .registry import default_port, registered_protocols

PROTOCOLS = ("imap", "pop3")  # the built-in ones; any registered protocol is accepted
SECURITIES = ("none", "ssl", "starttls")
POP3_AUTH_OPTIONS = ("USER", "APOP", "PLAIN", "LOGIN", "CRAM-MD5")
# "password": LOGIN/USER-PASS (or pop3_auth_option). "xoauth2": SASL XOAUTH2 (Google,
# Microsoft 365, Dovecot's oauth2 passdb) with the OAuth2 access token in ``password``.
AUTH_MECHANISMS = ("password", "xoauth2")

# iTop's "imap_options" are PHP imap_open() mailbox flags ("{host:port/imap/ssl/novalidate-cert}").
# Each maps to a change of the settings; flags with no meaning here are ignored.
_IMAP_OPTIONS = {
    "ssl": {"security": "ssl"},
    "tls": {"security": "starttls"},  # applied unless "ssl" is also given
    "notls": {"security": "none"},  # applied unless "ssl" is also given
    "novalidate-cert": {"verify_cert": False},
    "validate-cert": {"verify_cert": True},
    "readonly": {"readonly": True},
}
IGNORED_IMAP_OPTIONS = frozenset(
    {"imap", "imap2", "imap2bis", "imap4", "imap4rev1", "service=imap", "norsh", "secure",
     "debug", "anonymous", "silent", "loser", "nntp", "pop3"}
)  # fmt: skip


@dataclass(frozen=True)
class ServerConfig:
    """Where and how to reach one mailbox. ``repr()`` never shows the password.

    With ``auth_mechanism="xoauth2"`` the ``password`` field carries the OAuth2 access
    token (a bearer token the caller obtained and refreshes) and is kept as secret.
    ``port`` may be 0 for the protocol's default. ``ca_file`` (PEM) replaces the system
    trust store when given. ``imap_options`` takes iTop-style flags: ``ssl``, ``tls``,
    ``notls``, ``novalidate-cert``, ``validate-cert``, ``readonly`` change the settings
    (they win over the fields); ``imap``, ``norsh``, ``secure``, ``debug``... are ignored.
    """

    protocol: str
    host: str
    port: int
    login: str
    password: str = field(repr=False)
    security: str = "none"
    folder: str = "INBOX"
    timeout: float = 30.0
    verify_cert: bool = True
    ca_file: str | None = None
    pop3_auth_option: str = "USER"
    imap_options: tuple[str, ...] = ()
    readonly: bool = False
    auth_mechanism: str = "password"

    def __post_init__(self):
        if self.protocol not in registered_protocols():
            raise ValueError(
                f"protocol must be one of {registered_protocols()}, not {self.protocol!r}"
            )
        if self.security not in SECURITIES:
            raise ValueError(f"security must be one of {SECURITIES}, not {self.security!r}")
        if self.pop3_auth_option.upper() not in POP3_AUTH_OPTIONS:
            raise ValueError(
                f"pop3_auth_option must be one of {POP3_AUTH_OPTIONS}, "
                f"not {self.pop3_auth_option!r}"
            )
        if self.auth_mechanism not in AUTH_MECHANISMS:
            raise ValueError(
                f"auth_mechanism must be one of {AUTH_MECHANISMS}, not {self.auth_mechanism!r}"
            )
        if self.auth_mechanism == "xoauth2" and not self.password:
            raise ValueError("xoauth2 needs the access token in password")
        if not self.host or not self.host.strip():
            raise ValueError("host is required")
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError(f"port must be an integer 0-65535, not {self.port!r}")
        if not self.timeout or self.timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        for name in ("host", "login", "password", "folder"):
            if any(char in (getattr(self, name) or "") for char in "\r\n\0"):
                raise ValueError(f"{name} must not contain line breaks or NUL")
        if isinstance(self.imap_options, str):
            object.__setattr__(self, "imap_options", split_imap_options(self.imap_options))

    @property
    def effective_port(self):
        return self.port or default_port(self.protocol, self.security)

    @property
    def address(self):
        """``host:port`` for messages (IPv6 literals bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.effective_port}"

    def resolved(self):
        """A copy with ``imap_options`` applied (IMAP only) and cleared."""
        if self.protocol != "imap" or not self.imap_options:
            return self
        changes = {}
        options = {option.strip().lower() for option in self.imap_options if option.strip()}
        for option in sorted(options):
            if option in ("tls", "notls") and "ssl" in options:
                continue
            changes.update(_IMAP_OPTIONS.get(option, {}))
        return dataclasses.replace(self, imap_options=(), **changes)


def split_imap_options(text):
    """``"/imap/ssl/novalidate-cert"`` or ``"imap ssl"`` or ``"imap,ssl"`` -> tuple of flags."""
    for separator in ",; \n":
        text = text.replace(separator, "/")
    return tuple(part for part in text.split("/") if part)


def unknown_imap_options(options):
    """Flags that are neither mapped nor knowingly ignored (for a configuration warning)."""
    return sorted(
        option
        for option in (opt.strip().lower() for opt in options)
        if option and option not in _IMAP_OPTIONS and option not in IGNORED_IMAP_OPTIONS
    )


@dataclass(frozen=True)
class RemoteMessage:
    """A message as listed on the server.

    ``uid`` is the stable key to remember: IMAP ``"<uidvalidity>:<uid>"``, POP3 the UIDL.
    ``number`` is the IMAP UID or the POP3 message number (valid for this session only).
    ``flags`` are IMAP flags (``\\Seen``...; ``\\Recent`` left out), empty for POP3.
    """

    uid: str
    number: int
    size: int
    flags: frozenset = frozenset()
    uidvalidity: int | None = None


class RemoteList(Sequence):
    """Messages as listed, in listing order; each :class:`RemoteMessage` is built when
    read. A POP3 cycle lists the whole mailbox, and a caller that compares the listing
    with what it knows needs the handles and sizes only: ``uids``, ``numbers`` and
    ``sizes`` are parallel lists, read without building an object per message.
    Compares equal to a list of the same messages."""

    __slots__ = ("numbers", "sizes", "uids")

    def __init__(self, uids, numbers, sizes):
        if not len(uids) == len(numbers) == len(sizes):
            raise ValueError("uids, numbers and sizes differ in length")
        self.uids, self.numbers, self.sizes = uids, numbers, sizes

    def __len__(self):
        return len(self.uids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            uids, numbers, sizes = self.uids[index], self.numbers[index], self.sizes[index]
            return list(map(RemoteMessage, uids, numbers, sizes))
        return RemoteMessage(self.uids[index], self.numbers[index], self.sizes[index])

    def __iter__(self):
        return map(RemoteMessage, self.uids, self.numbers, self.sizes)

    def where(self, uids):
        """The messages whose handle is in ``uids`` (a set), in listing order."""
        return [
            RemoteMessage(uid, number, size)
            for uid, number, size in zip(self.uids, self.numbers, self.sizes, strict=True)
            if uid in uids
        ]

    def __eq__(self, other):
        if isinstance(other, RemoteList):
            return (self.uids, self.numbers, self.sizes) == (other.uids, other.numbers, other.sizes)
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"RemoteList({list(self)!r})"


class ListedLater(RemoteList):
    """A :class:`RemoteList` made by ``make`` when first read (``uids``, ``numbers``,
    ``sizes``, its length): a POP3 cycle that finds its listing unchanged by the
    digest of the server's answers reads none of their lines. ``unread`` tells
    whether it is made yet."""

    __slots__ = ("_made", "_make")

    def __init__(self, make):  # pylint: disable=super-init-not-called
        self._make, self._made = make, None

    def _listing(self):
        if self._made is None:
            self._made = self._make()
        return self._made

    @property
    def unread(self):
        return self._made is None

    uids = property(lambda self: self._listing().uids)
    numbers = property(lambda self: self._listing().numbers)
    sizes = property(lambda self: self._listing().sizes)
