"""IMAP BODYSTRUCTURE (RFC 3501 §7.4.2): a message's MIME tree read without its bytes,
so that the parts of a message too big to download can be fetched one by one
(``BODY.PEEK[<section>]``), and content decoders that work chunk by chunk."""

import binascii
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

_ATOM = re.compile(rb"[^\s()\"{]+")
_LITERAL = re.compile(rb"\{(\d+)\+?\}$")


@dataclass(frozen=True)
class MimePart:
    """A node of the MIME tree. ``section`` is the IMAP part specifier ("1", "2.1";
    "" for a multipart message's top); a multipart has ``children``, a leaf has its
    encoded ``size`` in octets."""

    section: str
    mimetype: str  # lower case, "multipart/mixed", "text/plain", "application/pdf"
    params: dict = field(default_factory=dict)  # lower-case names, RFC 2231 decoded
    encoding: str = "7bit"  # Content-Transfer-Encoding, lower case
    size: int = 0
    disposition: str = ""  # "attachment", "inline" or ""
    filename: str = ""
    children: tuple = ()

    @property
    def is_multipart(self):
        return self.mimetype.startswith("multipart/")

    def leaves(self):
        """The parts holding content, in order (a message/rfc822 part is one leaf)."""
        if not self.is_multipart:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


def tokenize(pieces):
    """Tokens of an IMAP response given as imaplib's pieces: ``bytes`` lines and
    ``(line, literal)`` tuples. Yields "(", ")", None (NIL), ``bytes`` strings."""
    for piece in pieces:
        if isinstance(piece, tuple):
            line, literal = piece
            yield from _tokenize_line(_LITERAL.sub(b"", line))
            yield literal
        else:
            yield from _tokenize_line(piece)


def _tokenize_line(data):
    index = 0
    while index < len(data):
        char = data[index : index + 1]
        if char.isspace():
            index += 1
        elif char in (b"(", b")"):
            yield char.decode()
            index += 1
        elif char == b'"':
            value, index = _quoted(data, index + 1)
            yield value
        else:
            match = _ATOM.match(data, index)
            if not match:  # a stray "{": skip it
                index += 1
                continue
            atom = match.group()
            yield None if atom.upper() == b"NIL" else atom
            index = match.end()


def _quoted(data, index):
    out = bytearray()
    while index < len(data):
        char = data[index]
        if char == 0x5C and index + 1 < len(data):  # backslash
            out.append(data[index + 1])
            index += 2
        elif char == 0x22:
            return bytes(out), index + 1
        else:
            out.append(char)
            index += 1
    return bytes(out), index


def _nest(tokens):
    """Nested lists from a token stream (stops at the closing parenthesis)."""
    items = []
    for token in tokens:
        if token == "(":
            items.append(_nest(tokens))
        elif token == ")":
            return items
        else:
            items.append(token)
    return items


def parse_bodystructure(pieces):
    """The :class:`MimePart` tree of a ``FETCH (BODYSTRUCTURE)`` response, or None
    when the response holds none."""
    items = _nest(iter(tokenize(pieces)))
    found = _find_after(items, b"BODYSTRUCTURE")
    return _part(found, "") if isinstance(found, list) else None


def _find_after(items, name):
    for index, item in enumerate(items):
        if isinstance(item, list):
            found = _find_after(item, name)
            if found is not None:
                return found
        elif isinstance(item, bytes) and item.upper() == name and index + 1 < len(items):
            return items[index + 1]
    return None


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _params(items):
    """A parameter list as a dict, RFC 2231 values (``name*``) decoded."""
    if not isinstance(items, list):
        return {}
    pairs = list(zip(items[::2], items[1::2], strict=False))
    params = {}
    for key, value in pairs:
        name, text = _text(key).lower(), _text(value)
        if name.endswith("*"):
            name = name[:-1]
            text = _rfc2231(text)
        params[name] = text
    return params


def _rfc2231(text):
    """``charset'language'percent-encoded`` (RFC 2231) as text."""
    if text.count("'") < 2:
        return text
    charset, _language, encoded = text.split("'", 2)
    data = unquote_to_bytes(encoded)
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _part(items, section):
    if items and isinstance(items[0], list):  # multipart: children, then the subtype
        children = []
        for item in items:
            if not isinstance(item, list):
                break
            number = str(len(children) + 1)
            children.append(_part(item, f"{section}.{number}" if section else number))
        rest = items[len(children) :]
        subtype = _text(rest[0]).lower() if rest else "mixed"
        params = _params(rest[1]) if len(rest) > 1 else {}
        return MimePart(section, f"multipart/{subtype}", params, children=tuple(children))
    return _leaf(items, section or "1")


def _leaf(items, section):
    items = list(items) + [None] * (12 - len(items))
    mimetype = f"{_text(items[0]).lower()}/{_text(items[1]).lower()}"
    params = _params(items[2])
    size = int(items[6]) if isinstance(items[6], bytes) and items[6].isdigit() else 0
    # Extension data: after the lines count for text/*, after envelope, body and
    # lines for message/rfc822; then MD5, then the disposition.
    extra = 1 if mimetype.startswith("text/") else 3 if mimetype == "message/rfc822" else 0
    disposition = items[8 + extra] if len(items) > 8 + extra else None
    kind, disposition_params = "", {}
    if isinstance(disposition, list) and disposition:
        kind = _text(disposition[0]).lower()
        disposition_params = _params(disposition[1] if len(disposition) > 1 else None)
    filename = disposition_params.get("filename") or params.get("name") or ""
    return MimePart(
        section,
        mimetype,
        params,
        encoding=_text(items[5]).lower() or "7bit",
        size=size,
        disposition=kind,
        filename=filename,
    )


class ContentDecoder:
    """Decode a Content-Transfer-Encoding chunk by chunk: ``feed(data)`` returns what
    can be decoded so far, ``finish()`` the rest (base64 and quoted-printable units may
    straddle two chunks)."""

    def __init__(self, encoding):
        self.encoding = (encoding or "").lower()
        self._pending = b""

    def feed(self, data):
        if self.encoding == "base64":
            data = self._pending + re.sub(rb"[^A-Za-z0-9+/=]", b"", data)
            cut = len(data) - len(data) % 4
            self._pending = data[cut:]
            return binascii.a2b_base64(data[:cut]) if cut else b""
        if self.encoding == "quoted-printable":
            data = self._pending + data
            cut = data.rfind(b"\n") + 1
            self._pending = data[cut:]
            return binascii.a2b_qp(data[:cut])
        return data

    def finish(self):
        pending, self._pending = self._pending, b""
        if self.encoding == "base64":
            try:
                return binascii.a2b_base64(pending + b"=" * (-len(pending) % 4))
            except binascii.Error:  # a truncated last unit: nothing more to decode
                return b""
        if self.encoding == "quoted-printable":
            return binascii.a2b_qp(pending)
        return pending
