"""Digests that tell emails apart, from their bytes alone; they never raise.

* :func:`header_digest` identifies one copy of an email in a mailbox by its header
  block, which the server keeps as it is when it renumbers the mailbox (a new
  UIDVALIDITY, new POP3 UIDLs): how the ledger recognizes the messages it knows.
  Two deliveries of one email differ there (their ``Received`` lines).
* :func:`content_digest` identifies the email itself, whatever way it came: its
  significant headers and its body, without the trace headers relays add. A
  Message-ID seen before with another content digest is another email (a broken
  mailer, a scanner, list software reusing ids), not a duplicate.
* :func:`header_identity` is ``(Message-ID, header digest)`` of a header block.
"""

import hashlib
import re

from .headers import parse_ids
from .parse import _BLANK_LINE, _hash_body

# Fields a mail store writes into the header block itself (mbox status lines,
# Dovecot's and UW-IMAP's bookkeeping): not part of the email.
STORE_FIELDS = frozenset(
    b"status x-status x-keywords x-uid x-imap x-imapbase content-length lines".split()
)
# What the sender wrote and no relay changes, for the content digest.
SIGNIFICANT_FIELDS = (b"message-id", b"from", b"to", b"cc", b"date", b"subject")
_WHITESPACE = re.compile(rb"\s+")
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
    """sha256 (hex) of the significant headers (unfolded, blanks made one) and the
    body (blanks made one) of ``raw``: the same email gives the same digest through
    any relay, whatever ``Received`` and other trace lines they added."""
    raw = bytes(raw or b"")
    found = {}
    for name, lines in _fields(_header_block(raw)):
        if name in SIGNIFICANT_FIELDS:
            value = b" ".join(lines)[len(name) + 1 :]
            found.setdefault(name, []).append(_WHITESPACE.sub(b" ", value).strip())
    digest = hashlib.sha256()
    for name in SIGNIFICANT_FIELDS:
        for value in found.get(name, ()):
            digest.update(name + b":" + value + b"\n")
    digest.update(b"\n")
    _hash_body(digest, raw)
    return digest.hexdigest()


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
