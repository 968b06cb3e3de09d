"""Digests that tell emails apart, from their bytes alone; they never raise.

* :func:`header_digest` identifies one copy of an email in a mailbox by its header
  block, which the server keeps as it is when it renumbers the mailbox (a new
  UIDVALIDITY, new POP3 UIDLs): how an inbox recognizes the messages it knows.
  Two deliveries of one email differ there (their ``Received`` lines).
* :func:`content_digest` identifies the email itself, whatever way it came: its
  Message-ID, its sender's address and the instant of its Date, which no relay, list
  or re-encoding changes (unlike the transfer encoding, the MIME boundaries, the
  Subject's ``[tag]`` or a list footer); without a Date, its decoded text and
  attachments instead. A Message-ID seen before with another content digest is
  another email (a broken mailer, a scanner reusing ids: another Date or sender),
  not a duplicate.
* :func:`header_identity` is ``(Message-ID, header digest)`` of a header block.
"""

import email
import email.policy
import email.utils
import hashlib
import re
import unicodedata
from datetime import timezone

from .headers import parse_ids
from .parse import _BLANK_LINE

# Fields a mail store writes into the header block itself (mbox status lines,
# Dovecot's and UW-IMAP's bookkeeping): not part of the email.
STORE_FIELDS = frozenset(
    b"status x-status x-keywords x-uid x-imap x-imapbase content-length lines".split()
)
_WHITESPACE = re.compile(r"\s+")
# A footer list software appends to the text: a separator line, then a few lines.
_FOOTER = re.compile(r"\n[ \t]*(?:_{4,}|-- )[ \t]*\n(?:[^\n]*\n?){0,8}\Z")
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
MAX_HEADER_BLOCK = 1024 * 1024


def _header_block(raw):
    raw = bytes(raw or b"")
    blank = _BLANK_LINE.search(raw, 0, MAX_HEADER_BLOCK)
    return raw[: blank.start()] if blank else raw[:MAX_HEADER_BLOCK]


def _fields(block):
    """``[(lowercase name, [lines])]`` of a header block, continuation lines with
    their field, each line without its line ending or trailing blanks."""
    fields = []
    for line in block.split(b"\n"):
        line = line.rstrip(b"\r \t")
        if not line:
            continue
        match = _FIELD.match(line)
        if match or not fields:
            name = match.group(1).lower() if match else b""
            fields.append((name, [line]))
        else:
            fields[-1][1].append(line)
    return fields


def header_digest(raw):
    """sha256 (hex) of the header block of ``raw`` (the whole message, or its header
    block alone as IMAP ``BODY[HEADER]`` and POP3 ``TOP n 0`` give it): line endings
    and trailing blanks ignored, the mail store's own fields left out."""
    digest = hashlib.sha256()
    for name, lines in _fields(_header_block(raw)):
        if name not in STORE_FIELDS:
            digest.update(b"\n".join(lines) + b"\n")
    return digest.hexdigest()


def content_digest(raw):
    """sha256 (hex) that tells whether two messages are the same email: its Message-ID,
    its sender's address (lowercase) and its Date as a UTC instant; without a usable
    Date, the decoded text of its text parts (blanks made one, a trailing list footer
    left out) and its decoded attachments instead. Relays, lists and re-encodings
    (8bit, quoted-printable, base64, another boundary) keep it."""
    raw = bytes(raw or b"")
    found = {}
    for name, lines in _fields(_header_block(raw)):
        if name in (b"message-id", b"from", b"date") and name not in found:
            found[name] = b" ".join(lines)[len(name) + 1 :].decode("ascii", "surrogateescape")
    ids = parse_ids(found.get(b"message-id", ""))
    sender = email.utils.parseaddr(found.get(b"from", "").replace("\x00", ""))[1].lower()
    digest = hashlib.sha256()
    digest.update(f"id:{ids[0] if ids else ''}\nfrom:{sender}\n".encode(errors="replace"))
    instant = _utc_instant(found.get(b"date", ""))
    if instant is not None:
        digest.update(f"date:{instant}\n".encode())
    else:
        _hash_decoded_parts(digest, raw)
    return digest.hexdigest()


def _utc_instant(value):
    """Seconds since the epoch of a Date field's value, ``None`` when unreadable."""
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, its zone unknown
        when = when.replace(tzinfo=timezone.utc)
    try:
        return int(when.timestamp())
    except (OverflowError, ValueError, OSError):
        return None


def _hash_decoded_parts(digest, raw):
    """Hash the leaves of ``raw`` as decoded: the text of the text parts (whitespace
    made one, a trailing list footer left out), the bytes of the others."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        leaves = [part for part in message.walk() if not part.is_multipart()]
    except Exception:  # pylint: disable=broad-except  # junk: its bytes, never a raise
        digest.update(b"raw:" + hashlib.sha256(raw).hexdigest().encode())
        return
    for part in leaves:
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # pylint: disable=broad-except
            payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
        if part.get_content_maintype() == "text" and not part.get_filename():
            digest.update(b"text:" + _normalized_text(part, payload).encode() + b"\n")
        else:
            digest.update(b"part:" + hashlib.sha256(payload).hexdigest().encode() + b"\n")


def _normalized_text(part, payload):
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:
        text = payload.decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FOOTER.sub("", text.rstrip() + "\n")
    return _WHITESPACE.sub(" ", text).strip()


def header_identity(raw):
    """``(message_id, header_digest)`` of a header block (or a whole message); the
    Message-ID without angle brackets, ``""`` when there is none. Any byte may be in
    it (a Message-ID with a non-ASCII byte is read, never refused)."""
    message_id = ""
    for name, lines in _fields(_header_block(raw)):
        if name == b"message-id":
            value = b" ".join(lines)[len(name) + 1 :]
            ids = parse_ids(value.decode("ascii", "surrogateescape"))
            message_id = ids[0] if ids else ""
            break
    return message_id.replace("\x00", ""), header_digest(raw)
