"""Reading raw bytes into a MIME tree, repairing what real generators get wrong.

The stdlib parser (``compat32``) is kept for its tolerance; this module adds the repairs that
lenient mail readers (Thunderbird, Dovecot, stalwart) make and the stdlib does not:

- header values are unfolded (RFC 5322 2.2.3) before parameters are read, so a ``boundary``
  folded inside its quotes still splits the multipart;
- header lines that lost their leading whitespace (a continuation written flush left) are
  folded back when genuine header fields follow them in the same block;
- a ``message/rfc822`` part sent base64 or quoted-printable (RFC 2046 forbids it, generators do
  it) is decoded and parsed as the message it is;
- a close delimiter glued to the last line of a part (``text--boundary--``, no line break) is
  removed from that part;
- a body declared base64 that is mostly not base64 at all was never encoded: it is kept as is.

Every repair is bounded and never raises; the original tree is used when a repair fails.

A big message is parsed without its big base64 bodies: the stdlib parser holds a body as a
list of line strings, then as one joined string, then decodes a copy of it (about ten times
the body in memory). Long runs of base64 lines are cut out of the bytes parsed, and their
parts decode straight from the raw bytes (``payload_bytes``); the tree is the same.
"""

import base64
import binascii
import email
import email.errors
import email.feedparser
import logging
import quopri
import re
import secrets
from email.message import Message
from email.policy import Compat32

from .headers import bounded_params, params_oversized, repair_params

_logger = logging.getLogger(__name__)

MAX_PARTS = 2000
# Messages from this size on have their base64 runs of at least BLOB_MIN_BYTES set aside:
# the stdlib would read them line by line (most of the parse of a mail with attachments).
BIG_MESSAGE_BYTES = 64 * 1024
BLOB_MIN_BYTES = 16 * 1024
# Base64 lines from a line start on, blank lines included: one character class, which the
# regex engine scans without a backtracking stack (a repeated group would grow one per line).
_BASE64_RUN = re.compile(rb"^[A-Za-z0-9+/=][A-Za-z0-9+/=\r\n]*", re.MULTILINE)
_LINE_BREAKS = b"\r\n"
_BLOB_ATTRIBUTE = "_mailparse_blob"
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")


class _Unfolding(Compat32):
    """compat32, but header values are unfolded when read (parameters, content types), and
    a Content-Type or Content-Disposition missing a ``;`` before a parameter is read with it
    (``application/pdf name=x.pdf``: for the stdlib, the type is all of it, and no name)."""

    def header_fetch_parse(self, name, value):
        if isinstance(value, str):
            if "\n" in value or "\r" in value:
                value = _FOLD.sub("", value)
            if ("=" in value or "(" in value) and name.lower() in _PARAM_FIELDS:
                if params_oversized(value):
                    value = bounded_params(value)
                value = repair_params(value)
            if value.isascii():
                # What compat32 returns for a str without surrogates, without its calls: every
                # Message.get (content types, parameters, about 35 per message) comes here.
                return value
        return super().header_fetch_parse(name, value)


_PARAM_FIELDS = ("content-type", "content-disposition")
POLICY = _Unfolding()

# Header fields that make a block unmistakably a header block (RFC 5322, 2045, 3864 registry
# staples, and the trace/authentication fields MTAs add).
_FIELD_NAMES = (
    rb"(?:from|to|cc|bcc|subject|date|sender|reply-to|message-id|in-reply-to|references"
    rb"|received|return-path|delivered-to|envelope-to|mime-version|content-[a-z-]+"
    rb"|authentication-results|arc-[a-z-]+|dkim-signature|received-spf|list-[a-z-]+"
    rb"|x-[a-z0-9-]+|auto-submitted|precedence|importance|thread-[a-z-]+|organization"
    rb"|user-agent|resent-[a-z-]+)"
)
_KNOWN_FIELD = re.compile(_FIELD_NAMES + rb"[ \t]*:", re.IGNORECASE)
_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")  # as the stdlib parser reads a field
_MAX_HEAD_LINES = 2000
# A piece of an encoded value wrapped raw (base64, hex, URL-safe tokens): no space, no colon.
_TOKEN_PIECE = re.compile(rb"[A-Za-z0-9+/=_.%-]{16,998}\r?")
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_WHITESPACE = b" \t\r\n"
_OBSOLETE_FIELD = re.compile(rb"(" + _FIELD_NAMES + rb")[ \t]+:", re.IGNORECASE)
_ANY_OBSOLETE_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]{1,76})[ \t]+:")
# A BOM, blank lines, an escaped ">From " line, and the spaces a tool indented the first
# field with (read as a continuation of nothing, it is lost).
_LEADING_JUNK = re.compile(rb"(?:\xef\xbb\xbf)?(?:[ \t\x00]*\r?\n)*(?:>From [^\n]*\n)?[ \t]*")
_TRACE_FIELD = re.compile(rb"(?:received|x-received|arc-seal|arc-message-signature)[ \t]*:", re.I)
_TRACE_CLAUSE = re.compile(rb"(?:\(|;|(?:by|with|id|for|via|from|envelope-from)[ \t])")


class FlushLeftContinuationDefect(email.errors.HeaderDefect):
    """Header lines written flush left were read as continuations of the field above."""


def repair_header_block(raw: bytes) -> bytes:
    """Fold back header lines written flush left, when real header fields follow them.

    ``Received: from a\\n(using TLS)\\nby b\\nReturn-Path: <x>\\n\\nbody``: the stdlib ends the
    headers at ``(using TLS)`` and reads the rest, Return-Path included, as the body. A line
    with no ``name:`` is a lost continuation only if the block ends with a blank line and a
    well-known field follows the first such line; otherwise it is the body (no separator).
    With no such field below, only pieces of an encoded value wrapped raw (a long base64
    tracking header, as some gateways write it) are folded back: other text is the body.
    An mbox ``From `` line may come first. What some tools write before the header block (a
    UTF-8 BOM, empty lines, an escaped ``>From `` line) is taken off, and a well-known field
    written with spaces before its colon (``Subject : x``, RFC 5322's obsolete syntax) is
    read as that field. Line ends converted twice (CR CR LF) are made CRLF again. A block
    split by empty lines (see ``_split_spans``) is read as one. Returns ``raw`` itself when
    nothing was repaired.
    """
    raw = _line_ends_once(raw)
    start = header_start(raw)
    if start and raw[start - 1 : start] in (b" ", b"\t"):
        dedented = _dedent_block(raw, start)
        if dedented is not None:
            return _repair_lines(dedented)
    spans = _split_spans(raw, start)
    if spans:
        pieces, done = [], start
        for blank_start, blank_end in spans:
            pieces.append(raw[done:blank_start])
            done = blank_end
        pieces.append(raw[done:])
        return _repair_lines(b"".join(pieces))
    repaired = _repair_lines(raw[start:] if start else raw)
    return repaired if start == 0 or repaired is not raw else raw


# Carriage returns before a CRLF; tried only where a run of them starts (from each CR of a
# long run the run was read again: quadratic).
_EXTRA_CR = re.compile(rb"(?<!\r)\r{2,}\n")


def _line_ends_once(raw: bytes) -> bytes:
    """``raw`` with line ends of CRs before a CRLF made CRLF: in the whole message when its
    first two line ends are so (CRLF text converted again: an FTP client, a Windows tool
    copying it in text mode), else in its header block (a script writing "\\r\\n" after
    each field its MTA turns into CRLF, below the MTA's own fields); else ``raw``. The
    stdlib reads CR CR LF as a line end and an empty line: the header block ended after
    such a field, the From and the Subject below it read as the body. A message whose
    line ends are all bare CRs has them made LF."""
    first = raw.find(b"\n", 0, 4096)
    if first < 0 and 0 <= raw.find(b"\r", 0, 4096) and b"\n" not in raw:
        # Bare CR line ends only (classic Mac OS, a tool converting line ends the wrong
        # way): the parser reads them, the repairs here read LF.
        return raw.replace(b"\r", b"\n")
    if first < 2 or raw.find(b"\r\r\n", 0, _HEAD_SCAN) < 0:
        return raw
    second = raw.find(b"\n", first + 1, first + 4096)
    if raw[first - 2 : first] == b"\r\r" and raw[second - 2 : second] == b"\r\r":
        return _EXTRA_CR.sub(b"\r\n", raw)
    blank = _BLANK_CR_LINE.search(raw, 0, _HEAD_SCAN)
    head = raw[: blank.end()] if blank else raw[:_HEAD_SCAN]
    if b"\r\r\n" not in head:
        return raw
    return _EXTRA_CR.sub(b"\r\n", head) + raw[len(head) :]


# The end of a header block whose line ends may hold extra CRs: a line of CRs only.
_BLANK_CR_LINE = re.compile(rb"\n\r*\n")
_HEAD_SCAN = 256 * 1024


# The end of a header block as the stdlib finds it, and the empty lines that may follow it.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_MORE_BLANK_LINES = re.compile(rb"(?:\r?\n)*")
_FIELD_NAME = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
# The fields a message's own header block holds once each. Fields below an empty line that
# supply one of the first four the block above lacks, and repeat none of these, are the
# rest of that block; a Content-Type alone only below a MIME-Version, beside a
# Content-Transfer-Encoding (HTTP has the one, never the other) or declaring the multipart
# whose delimiter follows.
# RFC 5322 (3.6) allows each of To, Cc, Bcc, Reply-To, Sender, In-Reply-To and References
# once too: a block below repeating one is a pasted one (its own recipients).
_OWN_FIELDS = frozenset(
    (b"from", b"subject", b"message-id", b"mime-version", b"content-type", b"date")
) | frozenset((b"to", b"cc", b"bcc", b"reply-to", b"sender", b"in-reply-to", b"references"))
_SUPPLYING_FIELDS = frozenset((b"from", b"subject", b"message-id", b"mime-version"))
# What a supplying field must hold to be a header's (a form's "Message-ID: 55" is none).
_SUPPLYING_VALUE = {
    b"from": re.compile(rb"[^\n]*@"),
    b"message-id": re.compile(rb"[ \t]*<[^>\s]+>"),
    b"mime-version": re.compile(rb"[ \t]*\d\.\d"),
}
_MAX_SPLITS = 3


def _split_spans(raw: bytes, start: int) -> list:
    """The empty lines that split the header block begun at ``start`` (at most
    _MAX_SPLITS runs), as ``[(start, end)]`` to take out; ``[]`` for a whole block.

    A gateway or a milter writing its field with a line end too many leaves an empty line
    in the header block: the stdlib, and every client, end the block there, and the
    caller, the title, the Message-ID and the MIME structure below it are the body. The
    lines below an empty line are the rest of the block when each is a field (or its
    continuation) down to the next empty line, and they supply the caller, the title, the
    Message-ID or the MIME-Version the block above lacks (or a Content-Type it lacks, below
    its MIME-Version, with a Content-Transfer-Encoding or declaring the multipart whose
    delimiter follows) and repeat none of the fields a
    message holds once: a header block a sender pasted at the top of the body names its own
    sender and title, or supplies nothing (HTTP headers: a Content-Type, a Date)."""
    if not (_FIELD.match(raw, start) or raw.startswith(b"From ", start)):
        return []
    spans, above = [], None
    blank = _BLANK_LINE.search(raw, start, start + _HEAD_SCAN)
    for _ in range(_MAX_SPLITS):
        if not blank:
            break
        below = _MORE_BLANK_LINES.match(raw, blank.end()).end()
        if not _FIELD.match(raw, below):
            break
        if above is None:
            above = _field_names(raw[start : blank.start()])
        names, end = _field_block(raw, below)
        own = names & _OWN_FIELDS
        if not names or own & above or not _known_fields_only(raw, below, end):
            break
        supplied = _supplied(raw, below, end) if end >= 0 else set()
        if not supplied and not (
            b"content-type" in own
            and (
                b"mime-version" in above
                or b"content-transfer-encoding" in names
                or _delimiter_follows(raw, below, end)
            )
        ):
            break
        line_end = 2 if raw[blank.start()] == 13 else 1  # the block's own line end stays
        spans.append((blank.start() + line_end, below))
        above |= names
        blank = _BLANK_LINE.match(raw, end) if end >= 0 else None
    return spans


def _field_lines(raw: bytes, below: int, end: int) -> list:
    """The unfolded field lines from ``below`` to ``end`` (the field block's last line end)."""
    return _UNFOLD.sub(b" ", raw[below : min(end, below + 16384)]).split(b"\n")


# Mail header fields beside the well-known ones (RFC 4021's registry, netnews, mbox
# status lines, the trace fields of servers, any X- name): what a split block's lower
# part holds. No name a web form or a note writes ("Name:", "Email:", "Message:",
# "Phone:", "Comments:").
_HEADER_FIELD = re.compile(
    _FIELD_NAMES[:-1]
    + rb"|delivery-date|domainkey-signature|feedback-id|authentication-results-[a-z-]+"
    rb"|errors-to|accept-language|mailing-list|path|newsgroups|followup-to|xref|approved"
    rb"|x-[^\s:]+|status|lines|disposition-notification-[a-z-]+|return-receipt-to"
    rb"|priority|sensitivity|expires|expiry-date|autocrypt|openpgp|archived-at|face"
    rb"|mail-followup-to|mail-reply-to|original-recipient|tls-required|nntp-[a-z-]+"
    rb"|require-recipient-valid-since|deferred-delivery|supersedes|encoding)[ \t]*:",
    re.IGNORECASE,
)


_OTHER_NAMES_SHARE = 3  # mail header fields for each other name, at least


def _known_fields_only(raw: bytes, below: int, end: int) -> bool:
    """Whether the fields from ``below`` to ``end`` are mail header fields: a web form's
    "Name:", "Email:", "Message:" lines, a body's "Note:" are none. A real header block
    holds a vendor's or a misspelt name now and then ("UriScan:", "Recivied-SPF:", a
    value's piece written flush left with a colon in it), a few among many fields."""
    if end < 0:
        return False
    lines = [line for line in _field_lines(raw, below, end) if line.strip()]
    known = sum(1 for line in lines if _HEADER_FIELD.match(line))
    return known >= _OTHER_NAMES_SHARE * (len(lines) - known) and known > 0


def _supplied(raw: bytes, below: int, end: int) -> set:
    """The supplying fields from ``below`` to ``end`` whose value is a header's."""
    lines = [line for line in _field_lines(raw, below, end) if line.strip()]
    found = set()
    for line in lines:
        match = _FIELD_NAME.match(line)
        name = match.group(1).lower() if match else b""
        if name in _SUPPLYING_FIELDS:
            shape = _SUPPLYING_VALUE.get(name)
            if shape is None or shape.match(line, match.end()):
                found.add(name)
    return found


_MULTIPART_BOUNDARY = re.compile(
    rb"^content-type[ \t]*:[ \t]*multipart/[^\n]*?boundary[ \t]*=[ \t]*\"?([^\";\s]{1,70})",
    re.IGNORECASE | re.MULTILINE,
)
_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")


def _delimiter_follows(raw: bytes, below: int, end: int) -> bool:
    """Whether the fields from ``below`` to ``end`` declare a multipart whose first
    delimiter line comes right after them (a MIME structure, no text a sender wrote)."""
    if end < 0:
        return False
    found = _MULTIPART_BOUNDARY.search(_UNFOLD.sub(b"", raw[below : min(end, below + 16384)]))
    if not found:
        return False
    after = _MORE_BLANK_LINES.match(raw, end).end()
    # (the preamble a multipart may carry before its first delimiter: a line or two)
    return raw.find(b"--" + found.group(1), after, after + 1024) >= 0


def header_block(raw: bytes, start: int = 0) -> bytes:
    """The header block begun at ``start`` down to its empty line, the empty lines of a
    split block (see ``_split_spans``) taken out: read alone it holds the fields the full
    parse reads (cut at ``header_end``, a split read as one for the multipart whose
    delimiter follows would be read split again, without that delimiter)."""
    spans = _split_spans(raw, start)
    pieces, done = [], start
    for blank_start, blank_end in spans:
        pieces.append(raw[done:blank_start])
        done = blank_end
    blank = _BLANK_LINE.search(raw, done)
    pieces.append(raw[done : blank.end() if blank else len(raw)])
    return b"".join(pieces)


def header_end(raw: bytes, start: int = 0) -> int:
    """Where the header block begun at ``start`` ends (after its empty line; the empty
    lines of a split block, see ``_split_spans``, skipped): ``len(raw)`` with no empty
    line. What a reader of the header block alone reads, as ``load_message`` reads it."""
    spans = _split_spans(raw, start)
    blank = _BLANK_LINE.search(raw, spans[-1][1] if spans else start)
    return blank.end() if blank else len(raw)


def _field_names(block: bytes) -> set:
    names = set()
    for line in block.split(b"\n", _MAX_HEAD_LINES):
        match = _FIELD_NAME.match(line)
        if match:
            names.add(match.group(1).lower())
    return names


def _field_block(raw: bytes, at: int) -> tuple:
    """``(names, end)``: the field names of the lines from ``at`` down to the next empty
    line, a MIME delimiter line or the end, and where the line end before that empty line
    is (-1 for the others); an empty set when a line there is neither a field nor a
    continuation."""
    names = set()
    for _ in range(_MAX_HEAD_LINES):
        stop = raw.find(b"\n", at)
        line = raw[at : len(raw) if stop < 0 else stop].rstrip(b"\r")
        if not line:
            return names, (at - 1 if stop >= 0 else -1)
        if line.startswith(b"--"):
            return names, -1
        match = _FIELD_NAME.match(line) if _FIELD.match(line) else None
        if match:
            names.add(match.group(1).lower())
        elif line[:1] not in (b" ", b"\t"):
            return set(), -1
        if stop < 0:
            return names, -1
        at = stop + 1
    return set(), -1


def _dedent_block(raw: bytes, start: int) -> bytes | None:
    """A header block indented as a whole (mail pasted into a tool, or a forward that
    indented every line): each line down to the first blank one starts with the first
    field's indentation, and read without it each is a field or a continuation, two of
    them well-known fields. The block without that indentation and the rest, or None.
    (Read as it is, every line below the first field was a continuation of that field:
    the subject and every field but the first were lost.)"""
    line_start = raw.rfind(b"\n", 0, start) + 1
    indent = raw[line_start:start]
    lines, rest = _head_lines(raw[line_start:], b"\n")
    end = next((i for i, line in enumerate(lines) if not line.strip(_WHITESPACE)), len(lines))
    head = lines[:end]
    if len(head) < 2 or not all(line.startswith(indent) for line in head):
        return None
    head = [line[len(indent) :] for line in head]
    if not all(_FIELD.match(line) or line[:1] in (b" ", b"\t") for line in head):
        return None
    if sum(1 for line in head if _KNOWN_FIELD.match(line)) < 2:
        return None
    if end < len(lines):  # the blank line, maybe indented too, keeps its CR only
        lines[end] = b"\r" if lines[end].endswith(b"\r") else b""
    return b"\n".join(head + lines[end:]) + rest


def header_start(raw: bytes) -> int:
    """Where the header block begins: after a UTF-8 BOM, empty (or NUL) lines and an escaped
    ``>From `` line, when a header field (or an mbox ``From `` line) follows them and a
    well-known one is among the next lines; after one line of text written above a header
    block (see ``_separator_end``); else 0."""
    junk = _LEADING_JUNK.match(raw)
    start = junk.end() if junk else 0
    lines = raw[start : start + 4096].split(b"\n", 12)[:12]
    first = lines[0]
    if not (_FIELD.match(first) or _OBSOLETE_FIELD.match(first) or first.startswith(b"From ")):
        return _separator_end(raw, start, len(first))
    if start and any(_KNOWN_FIELD.match(line) or _OBSOLETE_FIELD.match(line) for line in lines):
        return start
    return 0


# The fields that make the lines below a separator a message's header block: who sent it,
# and its subject or date (RFC 5322 3.6: From and Date are required), at a line's start.
_SENDER_FIELD = re.compile(rb"(?:^|\n)from[ \t]*:", re.IGNORECASE)
_TITLE_FIELD = re.compile(rb"(?:^|\n)(?:subject|date)[ \t]*:", re.IGNORECASE)
# And a field of transport or MIME, which a message's own header block carries and a
# forwarded header a mail client writes into a body ("From: / Sent: / To: / Subject:") never
# does: without one, the line above is a sender's text, not a separator.
_MESSAGE_FIELD = re.compile(
    rb"(?:^|\n)(?:received|return-path|delivered-to|message-id|mime-version|content-type"
    rb"|content-transfer-encoding|dkim-signature|authentication-results)[ \t]*:",
    re.IGNORECASE,
)
_SEPARATOR_SCAN = 16 * 1024


def _separator_end(raw: bytes, start: int, length: int) -> int:
    """Where the header block begins below one line of text an export tool or a forwarding
    script wrote above it (``---- Original email message ----``), when the next line is a
    header field and the block down to its blank line holds a From, a Subject or Date, and
    a field of transport or MIME (a forward pasted below a line of text has none); else 0.
    (Read as it is, the message had no header field at all: the caller and the title were
    lost and the whole block became the body.)"""
    if not 0 < length <= 200 or not raw[start : start + length].strip(_WHITESPACE):
        return 0
    below = start + length + 1
    if not _FIELD.match(raw, below):
        return 0
    blank = _BLANK_CR_LINE.search(raw, below, below + _SEPARATOR_SCAN)
    block = raw[below : blank.start() if blank else below + _SEPARATOR_SCAN]
    if _SENDER_FIELD.search(block) and _TITLE_FIELD.search(block) and _MESSAGE_FIELD.search(block):
        return below
    return 0


# The fields a MIME part's header holds (RFC 2045, and the X- fields some servers copy
# into each part): another field below a part's stray line is text a sender wrote (a
# forwarded header block), which the message header's rule would fold into the part.
_PART_FIELD = re.compile(rb"(?:content-[a-z-]+|x-[a-z0-9-]+|mime-version)[ \t]*:", re.IGNORECASE)


def _repair_lines(raw: bytes, known=_KNOWN_FIELD) -> bytes:
    # Split at LF alone: each line keeps its CR, so a block whose line ends are mixed (an LF
    # head and a CRLF body, CRLF and LF in turn) is read line by line as the parser reads it.
    newline = b"\n"
    lines, rest = _head_lines(raw, newline)
    obsolete = _obsolete_fields(lines)
    first = 1 if lines and lines[0].startswith(b"From ") else 0
    if len(lines) <= first + 2 or not _FIELD.match(lines[first]):
        return newline.join(lines) + rest if obsolete else raw
    # The block ends at an empty line; a line of spaces is a (blank) continuation, as the
    # parser reads it.
    end = next((i for i, line in enumerate(lines) if line in (b"", b"\r")), -1)
    if end <= first + 1:
        return raw
    # A MIME delimiter line ends a block that lost its blank line (the parser starts the
    # body there): it and the part headers below it are never folded into a field.
    end = next((i for i in range(first + 1, end) if lines[i].startswith(b"--")), end)
    head = lines[:end]
    stray = [
        i
        for i in range(first + 1, end)
        if head[i][:1] not in (b" ", b"\t") and not _FIELD.match(head[i])
    ]
    if not stray:
        return newline.join(lines) + rest if obsolete else raw
    # With a well-known field below the first stray line, every stray line is a lost
    # continuation; without one, only a run of encoded pieces right below a field whose value
    # ends with one (a wrapped value going on); other text is the body.
    if not any(known.match(line) for line in head[stray[0] + 1 :]) and not (
        _wrapped_value(head, stray) or _trace_clauses(head, stray) or _closes_quote(head, stray)
    ):
        return newline.join(lines) + rest if obsolete else raw
    for index in stray:
        head[index] = b" " + head[index]
    return newline.join(head + lines[end:]) + rest


def _obsolete_fields(lines: list) -> bool:
    """Rewrite, in place, the header block's fields written with spaces before their colon
    (``Subject : x`` -> ``Subject: x``; RFC 5322 4.5.x, ``field-name *WSP ":"``); whether
    there was one. A well-known name always; any other name (``Fro :x``, ``Ticket-Ref :
    42``) when two well-known fields, written right, are in the block and one follows it:
    the stdlib reads no field of such a name, so one on the first line made the whole block
    the body. Below the last well-known field it is the text of a script that forgot the
    blank line ("Nom : Dupont", "Host : web01"): the body, as the stdlib reads it."""
    found, others, end = False, [], len(lines)
    for index, line in enumerate(lines):
        if line in (b"", b"\r"):
            end = index
            break
        head = line[:80]
        if b" :" not in head and b"\t:" not in head:
            continue
        match = _OBSOLETE_FIELD.match(line)
        if match:
            lines[index] = match.group(1) + b":" + line[match.end() :]
            found = True
        elif _ANY_OBSOLETE_FIELD.match(line):
            others.append(index)
    if others:  # (rare: the last well-known field looked for only then)
        last_known = next((i for i in range(end - 1, -1, -1) if _KNOWN_FIELD.match(lines[i])), -1)
        others = [index for index in others if index < last_known]
    if others and _known_fields(lines, 2):
        for index in others:
            match = _ANY_OBSOLETE_FIELD.match(lines[index])
            lines[index] = match.group(1) + b":" + lines[index][match.end() :]
        found = True
    return found


def _known_fields(lines: list, wanted: int) -> bool:
    """Whether the header block's lines hold ``wanted`` well-known fields."""
    count = 0
    for line in lines:
        if line in (b"", b"\r"):
            break
        count += bool(_KNOWN_FIELD.match(line))
        if count >= wanted:
            return True
    return False


def _trace_clauses(head: list, indexes: list) -> bool:
    """Whether the lines at ``indexes`` are the clauses of a Received field written flush
    left (``(using TLS...)``, ``by host``, ``with ESMTPS id x``, ``for <a>; date``),
    consecutive, right below it."""
    start = indexes[0]
    if indexes != list(range(start, start + len(indexes))):
        return False
    return bool(_TRACE_FIELD.match(head[start - 1])) and all(
        _TRACE_CLAUSE.match(head[i]) for i in indexes
    )


def _closes_quote(head: list, indexes: list) -> bool:
    """Whether the lines at ``indexes`` (at most three, consecutive) close a quoted string
    the field right above them leaves open (``name="Quarterly report`` wrapped flush left
    before ``for the board.zip"``)."""
    start = indexes[0]
    if len(indexes) > 3 or indexes != list(range(start, start + len(indexes))):
        return False
    field = start - 1
    while field > 0 and head[field][:1] in (b" ", b"\t"):
        field -= 1
    if not _FIELD.match(head[field]):
        return False
    opened = sum(head[i].count(b'"') - head[i].count(b'\\"') for i in range(field, start))
    closed = sum(head[i].count(b'"') - head[i].count(b'\\"') for i in indexes)
    return opened % 2 == 1 and closed % 2 == 1


def _wrapped_value(head: list, indexes: list) -> bool:
    """Whether the lines at ``indexes`` go on an encoded value: each an encoded piece with
    no space, consecutive, right below a field line that ends with such a piece."""
    start = indexes[0]
    if indexes != list(range(start, start + len(indexes))):
        return False
    above = head[start - 1]
    if not _FIELD.match(above):
        return False
    value = above.split(b":", 1)[1].strip()
    return bool(value) and all(
        _TOKEN_PIECE.fullmatch(piece)
        for piece in [value.rsplit(b" ", 1)[-1]] + [head[i] for i in indexes]
    )


def _head_lines(raw: bytes, newline: bytes) -> tuple[list, bytes]:
    """The lines of ``raw`` up to its first empty line (the end of the header block, kept),
    at least 4 (``_repair_lines`` tells blocks of at most 3 lines apart) and at most
    _MAX_HEAD_LINES, and what follows them (from its line break on), without copying a big
    body as ``raw.split`` would. ``_repair_lines`` reads nothing below the first empty line
    but the number of lines up to 4: splitting the body too (up to 2000 lines) was most of
    its time."""
    lines, start = [], 0
    while len(lines) < _MAX_HEAD_LINES:
        stop = raw.find(newline, start)
        if stop < 0:
            lines.append(raw[start:])
            return lines, b""
        line = raw[start:stop]
        lines.append(line)
        start = stop + len(newline)
        if line in (b"", b"\r") and len(lines) >= 4:
            break
    return lines, raw[start - len(newline) :]


# Tried only where a run of white space starts: from every character of a long run inside a
# line, the run was read to its end and given back (quadratic: minutes for 200,000 spaces).
_QP_TRAILING_WHITESPACE = re.compile(rb"(?<![ \t])[ \t]+(?=\r?\n|$)")


def qp_decode(data: bytes) -> bytes:
    """Quoted-printable bytes decoded, the white space that ends a line deleted first, as
    RFC 2045 (6.7, rule 3) tells decoders: a transport added it, and a soft line break
    followed by it ("= ") was kept as "= " in the text. Bare CR line ends (no LF at all)
    are line ends too, as the parser reads them: the decoder splits at LF only, and read
    the text from a soft line break on as one broken line (the rest of the text lost)."""
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")
    return quopri.decodestring(_QP_TRAILING_WHITESPACE.sub(b"", data))


def _decode_cte(data: bytes, cte: str) -> bytes | None:
    try:
        if cte == "base64":
            return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", data) + b"==", validate=False)
        if cte == "quoted-printable":
            return qp_decode(data)
    except (binascii.Error, ValueError):
        return None
    return None


def _body_bytes(message: Message) -> bytes:
    """The bytes the parser saw as ``message``'s body (headers it wrongly found included)."""
    try:
        return message.as_bytes(policy=Compat32(linesep="\n"))
    except Exception:
        payload = message.get_payload()
        return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _parse(raw: bytes) -> Message:
    repaired = repair_header_block(raw)
    message = _stdlib_parse(repaired)
    if repaired is not raw:
        message.defects.append(FlushLeftContinuationDefect())
    return message


# The parser stops building parts past this many (only the first MAX_PARTS are read; a
# 10 MB message of 277,000 parts took over 5 s to build): the rest of the message is not
# read, the root records it (PartsCutDefect). Parts of attached messages count too: a
# margin above MAX_PARTS keeps every part the readers reach.
MAX_PARSED_PARTS = 4 * MAX_PARTS
_FEED = 8192  # what the stdlib's Parser feeds at a time: the same tree, chunk for chunk


class PartsCutDefect(email.errors.MessageDefect):
    """More than ``MAX_PARSED_PARTS`` MIME parts: the message past them was not parsed."""


# Parts inside an attached message or report (a bounce's recipient blocks) are not read
# one by one (kept whole): they count toward this larger bound only, so a bounce of
# 9,000 recipients keeps the text and the attachments after its report.
MAX_ALL_PARSED_PARTS = 40 * MAX_PARTS


class _BoundedFeedParser(email.feedparser.FeedParser):
    parts = 0  # the parts the readers reach (not inside an attached message or report)
    all_parts = 0

    def _new_message(self):
        parent = self._cur
        self.all_parts += 1
        if parent is None or not (
            id(parent) in self._inside
            or (parent is not self._root and parent.get_content_maintype() == "message")
        ):
            self.parts += 1
            inside = False
        else:
            inside = True
        result = super()._new_message()
        if parent is None:
            self._root = self._cur
        if inside:
            self._inside.add(id(self._cur))
        return result

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._root = None
        self._inside = set()

    def over(self) -> bool:
        return self.parts > MAX_PARSED_PARTS or self.all_parts > MAX_ALL_PARSED_PARTS


def _stdlib_parse(raw: bytes) -> Message:
    """``email.message_from_bytes(raw, policy=POLICY)`` (fed as its Parser feeds), not
    reading past ``MAX_PARSED_PARTS`` parts."""
    text = raw.decode("ASCII", errors="surrogateescape")
    parser = _BoundedFeedParser(policy=POLICY)
    for start in range(0, len(text), _FEED):
        parser.feed(text[start : start + _FEED])
        if parser.over():
            # the parts still open would note their missing end: that is the cut's doing
            open_parts = [(part, len(part.defects)) for part in parser._msgstack]
            message = parser.close()
            for part, count in open_parts:
                del part.defects[count:]
            message.defects.append(PartsCutDefect())
            return message
    return parser.close()


def _repair_encoded_message(part: Message) -> None:
    """A message/rfc822 part with a base64 / quoted-printable body: parse the decoded bytes."""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable"):
        return
    payload = part.get_payload()
    if not isinstance(payload, list) or len(payload) != 1:
        return
    decoded = _decode_cte(_body_bytes(payload[0]), cte)
    if not decoded or not _FIELD.match(decoded.lstrip()):
        return
    part.set_payload([_parse(decoded.lstrip())])
    part.replace_header("Content-Transfer-Encoding", "8bit")


def _repair_nested_headers(part: Message) -> None:
    """A forwarded message whose headers lost their indentation (see repair_header_block)."""
    payload = part.get_payload()
    if not isinstance(payload, list) or len(payload) != 1:
        return
    inner = payload[0]
    if inner.is_multipart() or not any(
        type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in inner.defects
    ):
        return
    body = inner.get_payload()
    if not isinstance(body, str):
        return
    # As read: the header lines, then the "body" that began at the first flush-left line.
    head = "".join(f"{name}: {value}\n" for name, value in inner.raw_items())
    raw = (head + body).encode("utf-8", "surrogateescape")
    repaired = repair_header_block(raw)
    if repaired is not raw:
        part.set_payload([email.message_from_bytes(repaired, policy=POLICY)])


def _repair_part_headers(part: Message) -> None:
    """A multipart's parts whose header block a line written flush left ended (see
    ``_repair_lines``: a file name wrapped inside its quotes, the fields below it read as
    the part's content), parsed again with that line folded back."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return
    for index, child in enumerate(payload):
        if not isinstance(child, Message) or child.is_multipart():
            continue
        if not any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in child.defects):
            continue
        body = child._payload  # pylint: disable=protected-access
        if not isinstance(body, str):
            continue
        head = "".join(f"{name}: {value}\n" for name, value in child.raw_items())
        raw = (head + body).encode("utf-8", "surrogateescape")
        repaired = _repair_lines(raw, _PART_FIELD)
        if repaired is not raw:
            payload[index] = _stdlib_parse(repaired)
            payload[index].defects.append(FlushLeftContinuationDefect())


def _strip_glued_close(part: Message) -> None:
    """``last line--boundary--`` without a line break: the delimiter is not text."""
    if not any(type(d).__name__ == "CloseBoundaryNotFoundDefect" for d in part.defects):
        return
    boundary = part.get_boundary()
    payload = part.get_payload()
    if not boundary or not isinstance(payload, list) or not payload:
        return
    last = payload[-1]
    text = last.get_payload()
    if last.is_multipart() or not isinstance(text, str):
        return
    marker = "--" + boundary + "--"
    stripped = text.rstrip()
    if stripped.endswith(marker):
        last.set_payload(stripped[: -len(marker)])


# A delimiter line of a multipart body: "--" and a boundary (RFC 2046: at most 70
# characters, none of them white space here), "--" after it on the close delimiter.
_DELIMITER_LINE = re.compile(r"^--([^\s]{1,70}?)(?:--)?[ \t]*\r?$", re.MULTILINE)
_FIELD_TEXT = re.compile(_FIELD.pattern.decode())  # _FIELD, on decoded text


def _used_boundary(body: str) -> str:
    """The boundary a multipart body's lines use: the first delimiter line followed by a
    header field whose delimiter comes again; "" when none is.

    One pass over the delimiter lines: looking for each candidate again through the whole
    body read a big body once per candidate (thousands of lone "--x" lines, minutes)."""
    candidates = {}  # boundary -> end of its first line followed by a field, in order
    for match in _DELIMITER_LINE.finditer(body, 0, 65536):
        boundary = match.group(1)
        if boundary.endswith("--") or boundary in candidates:
            continue
        line = body[match.end() : match.end() + 200].lstrip("\r\n")
        if _FIELD_TEXT.match(line):
            candidates[boundary] = match.end()
    if not candidates:
        return ""
    again = set()
    for match in _DELIMITER_LINE.finditer(body):
        boundary = match.group(1)
        if boundary in candidates and match.start() >= candidates[boundary]:
            again.add(boundary)
    return next((boundary for boundary in candidates if boundary in again), "")


def _decoded_multipart(part: Message, payload: str) -> str:
    """A multipart body sent base64 (RFC 2045 forbids an encoding there, generators do it)
    and with no delimiter line as sent: decoded in place when the decoded body has one, so
    that its parts are read (as a text it was raw MIME: delimiters, headers, base64)."""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte != "base64" or part.get_content_maintype() != "multipart":
        return payload
    if _DELIMITER_LINE.search(payload, 0, 65536):
        return payload
    try:
        decoded = _decode_cte(payload.encode("ascii", "surrogateescape"), cte)
    except UnicodeEncodeError:  # not base64 as sent (letters beyond ASCII)
        return payload
    text = decoded.decode("ascii", "surrogateescape") if decoded else ""
    if not _DELIMITER_LINE.search(text, 0, 65536):
        return payload
    part.replace_header("Content-Transfer-Encoding", "8bit")
    part.set_payload(text)
    return text


# A parameter of a part's field with its "=" written "=3D": the field was encoded
# quoted-printable with the body ("name=3D\"x.pdf\"").
_QP_PARAMETER = re.compile(r"\b(?:name|filename|charset|boundary|format)\*?(?:\d+\*?)?=3D", re.I)


def _repair_qp_multipart(part: Message) -> None:
    """A multipart body sent quoted-printable (a gateway encoded it whole; RFC 2045 allows
    only 7bit, 8bit or binary there): its delimiter lines survive, so the stdlib splits it,
    but every part's fields keep "=3D" ("name=3D\"x.pdf\"": the file was named
    "3D_x.pdf_") and its text its escapes. Read decoded once, when a part's field shows it;
    a multipart only labelled so is read as sent."""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    payload = part.get_payload()
    if cte != "quoted-printable" or not isinstance(payload, list):
        return
    encoded = any(
        isinstance(child, Message)
        and any(_QP_PARAMETER.search(str(value)) for value in child.values())
        for child in payload
    )
    if not encoded:
        return
    body = part.as_bytes(policy=Compat32(linesep="\n")).split(b"\n\n", 1)[-1]
    head = f'Content-Type: multipart/{part.get_content_subtype()}; boundary="{part.get_boundary()}"'
    reparsed = _stdlib_parse(head.encode() + b"\n\n" + qp_decode(body))
    if isinstance(reparsed.get_payload(), list):
        part.set_payload(reparsed.get_payload())
        part.preamble, part.epilogue = reparsed.preamble, reparsed.epilogue
        part.replace_header("Content-Transfer-Encoding", "8bit")


def _repair_boundary(part: Message) -> None:
    """A multipart whose body the stdlib could not split: its boundary missing or empty,
    written in another case than its delimiter lines (boundaries are case-sensitive, and
    a generator changed one of them), or its multipart type in a second Content-Type field
    after a text one. Read with the boundary its delimiter lines use, as lenient
    clients do; the body would otherwise be lost (empty) or shown as raw MIME."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return
    payload = _decoded_multipart(part, payload)
    boundary = _used_boundary(payload)
    if part.get_content_maintype() != "multipart":
        types = part.get_all("content-type") or []
        multipart = [v for v in types[1:] if str(v).strip().lower().startswith("multipart/")]
        if not (multipart and boundary):
            return
        del part["content-type"]
        part["Content-Type"] = multipart[0]
    if boundary:
        part.set_boundary(boundary)
        reparsed = _stdlib_parse(_body_bytes(part))
        if isinstance(reparsed.get_payload(), list):
            part.set_payload(reparsed.get_payload())
            part.preamble, part.epilogue = reparsed.preamble, reparsed.epilogue
            return
    if payload.strip() and not _DELIMITER_LINE.search(payload, 0, 65536):
        # No delimiter line at all: the text is the body, not an empty multipart.
        part.set_type("text/plain")
        part.del_param("boundary")


class ReusedBoundaryDefect(email.errors.MessageDefect):
    """A nested multipart used its parent's boundary; read as streaming parsers do."""


def _repair_reused_boundary(part: Message) -> None:
    """A child multipart declaring its parent's own boundary (malware, some bulk mailers):
    the stdlib gives the child nothing and ends the parent at the child's close delimiter,
    its later parts falling into the epilogue (lost). Read as streaming parsers read it:
    the parts after the child are the child's, up to that close delimiter; the parts in the
    epilogue are the parent's."""
    payload = part.get_payload()
    boundary = part.get_boundary()
    if not isinstance(payload, list) or not boundary:
        return
    at = next(
        (
            i
            for i, child in enumerate(payload)
            if isinstance(child, Message)
            and child.get_content_maintype() == "multipart"
            and child.get_boundary() == boundary
            and isinstance(child.get_payload(), str)
            and not child.get_payload().strip()
        ),
        None,
    )
    if at is None:
        return
    child = payload[at]
    child.set_payload(payload[at + 1 :])
    child.defects = [d for d in child.defects if type(d).__name__ != "StartBoundaryNotFoundDefect"]
    payload[at + 1 :] = []
    epilogue = part.epilogue or ""
    if f"--{boundary}" in epilogue:
        head = f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
        rest = _stdlib_parse((head + epilogue).encode("utf-8", "surrogateescape"))
        if isinstance(rest.get_payload(), list):
            payload.extend(rest.get_payload())
            part.epilogue = rest.epilogue
    part.defects.append(ReusedBoundaryDefect())


def load_message(raw: bytes) -> Message:
    """Parse ``raw`` into a compat32 tree with the repairs above; raises like the stdlib."""
    message = _parse_big(raw) if len(raw) >= BIG_MESSAGE_BYTES else None
    if message is None:
        try:
            message = _parse(raw)
        except RecursionError:
            # nested past the stdlib parser's recursion: the parts below the cap are read
            # as their ancestor's, not lost
            flat = flatten_multipart(raw)
            if flat is None:
                raise
            message = _parse(flat)
            message.defects.append(MultipartNestingFlattenedDefect())
    count = 0
    stack = [message]
    while stack and count < MAX_PARTS:
        part = stack.pop()
        count += 1
        try:
            _note_oversized_params(part)
            _repair_transfer_encoding(part)
            maintype = part.get_content_maintype()
            if maintype == "message":
                _repair_encoded_message(part)
                _repair_nested_headers(part)
            elif maintype == "multipart":
                _repair_qp_multipart(part)
                _repair_boundary(part)
                _repair_part_headers(part)
                _strip_glued_close(part)
                _repair_reused_boundary(part)
            elif len(part.get_all("content-type") or []) > 1:
                _repair_boundary(part)  # a multipart type in a second field
        except Exception:
            _logger.warning("MIME repair skipped", exc_info=True)
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(payload)
    return message


class ParametersCutDefect(email.errors.HeaderDefect):
    """A Content-Type or Content-Disposition beyond the parameters the parser reads (see
    ``headers.MAX_PARAMS``): read from its first ones and its structural ones."""


def _note_oversized_params(part: Message) -> None:
    for name, value in part.raw_items():
        if isinstance(value, str) and name.lower() in _PARAM_FIELDS and params_oversized(value):
            part.defects.append(ParametersCutDefect(name))


_TRANSFER_ENCODINGS = frozenset(
    ("base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "uuencode", "x-uue")
)
_COMMENT = re.compile(r"\([^()]*\)")


def _repair_transfer_encoding(part: Message) -> None:
    """A Content-Transfer-Encoding with a comment (``base64 (scanner)``: RFC 2045 section 6
    allows one), quoted or ended by ";" made plain: the stdlib compares the raw value and
    left such a part undecoded. A value it knows, or one no cleaning makes known, stays."""
    value = part.get("content-transfer-encoding")
    if value is None:
        return
    value = str(value)
    if value.strip().lower() in _TRANSFER_ENCODINGS:
        return
    token = _COMMENT.sub(" ", value[:200]).strip().strip("\"';").strip().lower()
    if token in _TRANSFER_ENCODINGS:
        part.replace_header("content-transfer-encoding", token)


def _parse_big(raw: bytes) -> Message | None:
    """The tree of a big message parsed without its long base64 runs (see the module's
    doc), or None when it has none or when they cannot all be put back."""
    try:
        repaired = repair_header_block(raw)  # the header block as the plain parse repairs it
        skeleton, blobs = _cut_blobs(repaired)
        if not blobs:
            return None
        message = _stdlib_parse(skeleton)
        del skeleton
        if repaired is not raw:
            message.defects.append(FlushLeftContinuationDefect())
        raw = repaired
        if _put_blobs_back(message, raw, blobs):
            return message
    except Exception:
        _logger.warning("big message parsed the plain way", exc_info=True)
    return None


def _cut_blobs(raw: bytes) -> tuple[bytes, dict]:
    """``raw`` with each run of whole base64 lines of BLOB_MIN_BYTES or more after the
    header block replaced by a token, and ``{token: (start, end)}`` (the run, from its
    first character to the last one before its final line break)."""
    body = re.search(rb"\r?\n\r?\n", raw)
    if not body:
        return raw, {}
    nonce = secrets.token_hex(8)
    pieces, blobs, done = [], {}, 0
    for match in _BASE64_RUN.finditer(raw, body.end()):
        start, end = match.span()
        if end - start < BLOB_MIN_BYTES:
            continue
        if end < len(raw) and raw[end] not in _LINE_BREAKS:
            end = raw.rfind(b"\n", start, end)  # the last line goes on with other text
        while end > start and raw[end - 1] in _LINE_BREAKS:
            end -= 1
        if end - start < BLOB_MIN_BYTES:
            continue
        token = f"MAILPARSEBLOB{nonce}N{len(blobs)}"
        blobs[token] = (start, end)
        pieces += [raw[done:start], token.encode()]
        done = end
    if not blobs:
        return raw, {}
    pieces.append(raw[done:])
    return b"".join(pieces), blobs


def _put_blobs_back(message: Message, raw: bytes, blobs: dict) -> bool:
    """Give each part holding a token its run: a base64 part whose whole body it is
    decodes it from ``raw`` later; elsewhere (a text body, an attached message, a
    damaged encoding) the run's text is put back in place. False when a token is not
    found once in a leaf body (preamble, epilogue...): parse ``raw`` itself then."""
    found = 0
    tokens = re.compile("|".join(map(re.escape, blobs)))
    stack = [(message, False)]
    while stack:
        part, in_message = stack.pop()
        # As parsed: get_payload() would turn undecodable bytes into U+FFFD.
        payload = part._payload
        if isinstance(payload, list):
            inner = in_message or part.get_content_maintype() == "message"
            stack.extend((child, inner) for child in payload if isinstance(child, Message))
            continue
        if not isinstance(payload, str) or "MAILPARSEBLOB" not in payload:
            continue
        names = tokens.findall(payload)
        found += len(names)
        span = blobs.get(payload.strip())
        if not in_message and span and _is_clean_base64(part, raw, *span):
            setattr(part, _BLOB_ATTRIBUTE, memoryview(raw)[span[0] : span[1]])
        else:
            part.set_payload(
                tokens.sub(lambda m: raw[slice(*blobs[m.group()])].decode("ascii"), payload)
            )
    return found == len(blobs)


def _is_clean_base64(part: Message, raw: bytes, start: int, end: int) -> bool:
    """Whether the run decodes exactly as the stdlib would decode that part: declared
    base64, padded, with padding only at its end."""
    if str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return False
    breaks = raw.count(b"\n", start, end) + raw.count(b"\r", start, end)
    if (end - start - breaks) % 4:
        return False
    pad = raw.find(b"=", start, end)
    if pad < 0:
        return True
    padding = raw.count(b"=", pad, end)
    return (
        padding <= 2
        and padding + raw.count(b"\n", pad, end) + raw.count(b"\r", pad, end) == end - pad
    )


def _not_base64(data: bytes) -> bool:
    """True when most of a "base64" body is outside the alphabet: it was never encoded."""
    meaningful = data[:65536].translate(None, _WHITESPACE)
    if not meaningful:
        return False
    foreign = len(meaningful.translate(None, _BASE64_ALPHABET))
    return foreign * 20 > len(meaningful)  # over 5 %: not a damaged encoding but plain text


def _transfer_decoded(part: Message, data: bytes) -> bytes:
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    try:
        if cte == "base64":
            return binascii.a2b_base64(data)
        if cte == "quoted-printable":
            return qp_decode(data)
    except (binascii.Error, ValueError):
        _logger.debug("damaged %s payload kept as it is", cte)
    return data


def payload_bytes(part: Message) -> bytes | None:
    """Transfer-decoded bytes of a leaf part (None when it has no payload)."""
    blob = getattr(part, _BLOB_ATTRIBUTE, None)
    if blob is not None:
        return binascii.a2b_base64(blob)
    try:
        raw = part.get_payload()
    except Exception:
        # The stdlib decodes an 8-bit payload by the charset label first and raises on a
        # label a codec lookup rejects (a NUL in it): read the stored payload as it is.
        raw = part._payload  # pylint: disable=protected-access
        if isinstance(raw, str):
            return _transfer_decoded(part, raw.encode("utf-8", "surrogateescape"))
    if isinstance(raw, str):
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte == "base64":
            data = raw.encode("utf-8", "surrogateescape")
            if _not_base64(data):
                return data
        elif cte == "quoted-printable":
            try:  # as the stdlib reads it (raw 8-bit bytes are surrogates here)
                data = raw.encode("ascii", "surrogateescape")
            except UnicodeEncodeError:
                data = None
            if data is not None:
                return _transfer_decoded(part, data)
    try:
        return part.get_payload(decode=True)
    except Exception:
        return None


__all__ = [
    "POLICY",
    "header_block",
    "header_end",
    "header_start",
    "load_message",
    "payload_bytes",
    "repair_header_block",
]


class MultipartNestingFlattenedDefect(email.errors.MessageDefect):
    """Multiparts nested deeper than ``MAX_MULTIPART_DEPTH`` (past the parser's recursion):
    the parts of the deeper ones are read as parts of the one at that depth."""


MAX_MULTIPART_DEPTH = 100
_MULTIPART_FIELD = re.compile(
    rb"^content-type:[ \t]*multipart/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE
)
_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))""", re.IGNORECASE)


def _header_boundary(lines: list, start: int) -> tuple:
    """(index after the header block starting at ``start``, its multipart boundary or None)."""
    end = start
    while end < len(lines) and lines[end].strip(b"\r\n"):
        end += 1
    block = b"".join(lines[start:end])
    end = min(end + 1, len(lines))
    field = _MULTIPART_FIELD.search(block)
    found = _BOUNDARY.search(field.group()) if field else None
    if not found:
        return end, None
    return end, (found.group(1) if found.group(1) is not None else found.group(2)).rstrip()


def flatten_multipart(raw: bytes, cap: int = MAX_MULTIPART_DEPTH) -> bytes | None:
    """``raw`` with each multipart nested deeper than ``cap`` taken apart: its delimiter,
    header block, preamble, closing delimiter and epilogue dropped, its parts written as
    parts of its ancestor at the cap (None: nothing so deep). One without a delimiter of
    its own is kept as it is (the parser reads its text as the part's). One pass over the
    lines, a boundary looked up in a dict: linear, no recursion."""
    lines = raw.splitlines(keepends=True)
    end, boundary = _header_boundary(lines, 0)
    out = lines[:end]
    stack, where = [], {}  # (boundary, the boundary it is written as); boundary: level
    if boundary:
        stack.append((boundary, boundary))
        where[boundary] = 0
    skip = flattened = False
    pending = None  # (boundary, where its preamble starts in out, its own lines)
    index = end
    while index < len(lines):
        line = lines[index]
        level = None
        if stack and line.startswith(b"--"):
            token = line[2:].rstrip()
            level = where.get(token)
            closing = level is None and token.endswith(b"--")
            if closing:
                level = where.get(token[:-2])
        if level is None:
            if not skip:
                out.append(line)
            index += 1
            continue
        if pending is not None:
            inner, mark, own = pending
            if token == inner:  # its first delimiter: the preamble is dropped
                del out[mark:]
            else:  # none of its own: it stays a part, its text read as before
                out[mark:mark] = own
            pending = None
        for inner, _written in stack[level + 1 :]:
            del where[inner]
        del stack[level + 1 :]
        boundary, written = stack[level]
        if closing:
            stack.pop()
            del where[boundary]
            skip = written != boundary  # a flattened one's end and epilogue: dropped
            if not skip:
                out.append(line)
            index += 1
            continue
        end, inner = _header_boundary(lines, index + 1)
        delimiter = b"--" + written + line[len(line.rstrip(b"\r\n")) :]
        if inner and inner not in where:
            if len(stack) >= cap:  # its parts are written as the part at the cap's
                stack.append((inner, written))
                where[inner] = len(stack) - 1
                pending = (inner, len(out), [delimiter, *lines[index + 1 : end]])
                skip, flattened = False, True
                index = end
                continue
            stack.append((inner, inner))
            where[inner] = len(stack) - 1
        out.append(delimiter)
        out.extend(lines[index + 1 : end])
        skip = False
        index = end
    if pending is not None:
        out[pending[1] : pending[1]] = pending[2]
    return b"".join(out) if flattened else None
