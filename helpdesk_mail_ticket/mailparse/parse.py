"""``parse_message``: raw RFC 5322 bytes -> :class:`ParsedEmail`; never raises for bad mail."""

import email
import email.parser
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from urllib.parse import unquote

from .attachments import (
    collect_attachments,
    content_type,
    extract_uuencoded,
    has_filename,
    is_attachment,
    sent_as_attachment,
)
from .automated import Automated, detect_automated
from .charsets import decode_body, detect_charset, fix_surrogates, normalize_charset
from .headers import (
    _EMAIL,
    clean_text,
    decode_words,
    display_name,
    field_text,
    parse_addresses,
    parse_date,
    parse_ids,
    text_line,
    unquoted_name,
)
from .htmlbody import (
    html_source,
    html_to_text,
    keep_after_end,
    read_deep,
    show_comments,
    text_to_html,
)
from .htmlquote import new_part_html_ex
from .loader import (
    POLICY,
    header_block,
    header_start,
    load_message,
    payload_bytes,
    repair_header_block,
)
from .newpart import split_reply
from .settings import DEFAULT_SETTINGS, Settings

_logger = logging.getLogger(__name__)

MAX_PARTS = 2000
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_HASH_SLICE = 1024 * 1024
# A cid: source, possibly padded with spaces or wrapping the id in <> (broken clients).
_CID_SRC = re.compile(
    r"""(src\s*=\s*)(["']?)\s*cid:\s*(?:<|&lt;)?([^"'\s<>&]+)(?:>|&gt;)?\s*\2""", re.IGNORECASE
)


class _TextOf:
    """A text field that may be given as a function computing it, called once when the
    field is first read: the text of an HTML body (html2text, a good share of a parse)
    is made only if something reads it."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, record, owner=None):
        if record is None:
            return ""  # the dataclass default
        value = record.__dict__.get(self.slot, "")
        if callable(value):
            value = record.__dict__[self.slot] = value()
        return value

    def __set__(self, record, value):
        record.__dict__[self.slot] = value


@dataclass
class ParsedEmail:
    message_id: str = ""
    stable_id: str = ""
    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    to: list = field(default_factory=list)
    cc: list = field(default_factory=list)
    reply_to: list = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: list = field(default_factory=list)
    references: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)
    body_part: str | None = None
    body_html: str = ""
    body_text: str = _TextOf()
    new_part_html: str = ""
    new_part_text: str = _TextOf()
    automated: Automated | None = None
    attachments: list = field(default_factory=list)
    defects: list = field(default_factory=list)
    size: int = 0
    error: str = ""
    # Extensions (see CONTRACT.md):
    signature_text: str = ""  # the signature cut from the new part ("" if none)
    new_part_with_signature: str = _TextOf()  # new part as text, no quotes, signature kept
    content_type: str = ""  # of the whole message
    uid: str = ""  # stable_id, or the Message-ID when use_message_id_as_uid
    new_part_fallback: bool = False  # no new text found: the new part is the whole body
    list_from: str = ""  # a mailing list's own From when the caller is its author


def _stable_id(message: Message, raw: bytes) -> str:
    """sha256 of normalized identifying headers + body: the same mail gives the same id."""
    digest = hashlib.sha256()
    for name in ("from", "to", "cc", "date", "subject"):
        for value in message.get_all(name, []) if message is not None else []:
            digest.update(name.encode() + b":")
            digest.update(clean_text(fix_surrogates(str(value))).encode("utf-8", "replace"))
            digest.update(b"\n")
    _hash_body(digest, raw)
    return "sha256:" + digest.hexdigest()


def _hash_body(digest, raw: bytes) -> None:
    """Hash the body (after the first blank line, CRLF or LF) with its whitespace runs
    made one space and stripped, a slice at a time: the same bytes as normalizing a
    copy of it, without three copies of a big message."""
    blank = _BLANK_LINE.search(raw)
    started = pending_space = False
    for start in range(blank.end() if blank else 0, len(raw), _HASH_SLICE):
        piece = raw[start : start + _HASH_SLICE]
        # The words joined by one space: the run-collapsed, stripped slice, without a regex
        # (bytes.split() splits at the ASCII whitespace that rb"\s" matches).
        core = b" ".join(piece.split())
        if not core:
            pending_space = pending_space or bool(piece)
            continue
        if started and (pending_space or piece[:1].isspace()):
            digest.update(b" ")
        digest.update(core)
        started, pending_space = True, piece[-1:].isspace()


def _header_map(message: Message, charset_hint: str) -> dict:
    headers: dict = {}
    for name, value in message.raw_items():
        try:
            headers[str(name).lower()] = clean_text(decode_words(str(value), charset_hint))
        except Exception:
            headers[str(name).lower()] = ""
    return headers


def _raw_headers(message: Message, name: str) -> list:
    try:
        return [str(v) for n, v in message.raw_items() if str(n).lower() == name]
    except Exception:
        return []


def _raw_header(message: Message, name: str) -> str:
    values = _raw_headers(message, name)
    return values[0] if values else ""


def _raw_fields(message: Message) -> dict:
    """``_raw_headers`` of every field name at once: one pass over the header fields instead
    of one per field read (a parse reads about ten)."""
    fields: dict = {}
    try:
        for name, value in message.raw_items():
            fields.setdefault(str(name).lower(), []).append(str(value))
    except Exception:
        return {}
    return fields


def _first(fields: dict, name: str) -> str:
    """``_raw_header`` from ``_raw_fields``."""
    values = fields.get(name)
    return values[0] if values else ""


def _charset_hint(message: Message, raw: bytes = b"") -> str:
    """The message's charset for raw 8-bit headers. With raw 8-bit header values that are
    not UTF-8, the charset that reads all of them together most plausibly, the declared
    ones given a head start (a body's label is often wrong for its headers: the more text,
    the surer the reading; see ``detect_charset``); else the first declared charset that
    can read 8-bit bytes, else the first declared, else "utf-8"."""
    declared = []
    try:
        for part in _walk(message):
            charset = part.get_content_charset()
            if charset and charset not in declared:
                declared.append(charset)
    except Exception:
        _logger.debug("no charset hint: the MIME tree cannot be walked", exc_info=True)
    useful = [label for label in declared if normalize_charset(label) not in ("", "ascii", "utf-8")]
    detected = "" if raw.isascii() else detect_charset(_raw_8bit_headers(message), *useful)
    return detected or (useful or declared or ["utf-8"])[0]


def _raw_8bit_headers(message: Message) -> bytes:
    """The raw 8-bit header values of every part that are not valid UTF-8, joined."""
    found = []
    try:
        for part in _walk(message):
            for _, value in part.raw_items():
                value = str(value)
                if value.isascii():
                    continue
                data = value.encode("utf-8", "surrogateescape")
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    found.append(data)
    except Exception:
        _logger.debug("raw headers unreadable", exc_info=True)
    return b"\n".join(found)[:65536]


def decode_text_part(part: Message) -> str:
    """The decoded text of a text/* leaf part (transfer encoding and charset)."""
    payload = payload_bytes(part)
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            payload = raw.encode("utf-8", "surrogateescape")
        else:
            return ""
    charset = None
    try:
        charset = part.get_param("charset")
        if isinstance(charset, tuple):
            charset = email.utils.collapse_rfc2231_value(charset)
    except Exception:
        charset = None
    if normalize_charset(charset) in ("", "ascii") and part.get_content_subtype() == "html":
        # No MIME label: the page's own <meta charset> says how it was written.
        meta = _META_CHARSET.search(payload[:4096])
        if meta:
            charset = meta.group(1).decode("ascii")
    return decode_body(payload, str(charset) if charset else None)


_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I
)
_QUOTE_DEPTH = re.compile(r"^>+")


def _flowed(text: str, part: Message) -> str:
    """RFC 3676 format=flowed: join soft-broken lines of the same quote depth."""
    try:
        if str(part.get_param("format", "")).lower() != "flowed":
            return text
        delsp = str(part.get_param("delsp", "")).lower() == "yes"
    except Exception:
        return text
    out: list[str] = []
    buffer, buffer_depth = "", -1

    def flush():
        if buffer_depth >= 0:
            out.append(">" * buffer_depth + (" " if buffer_depth else "") + buffer.rstrip(" "))

    for line in text.split("\n"):
        line = line.rstrip("\r")
        marks = _QUOTE_DEPTH.match(line)
        depth = len(marks.group()) if marks else 0
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the space after the quote marks)
        if buffer_depth >= 0 and depth != buffer_depth:
            flush()  # a flowed line before a change of depth is fixed (4.5)
            buffer, buffer_depth = "", -1
        soft = content.endswith(" ") and content.rstrip() != "--"
        if soft:
            buffer += content[:-1] if delsp else content
            buffer_depth = depth
            continue
        buffer += content
        buffer_depth = depth
        flush()
        buffer, buffer_depth = "", -1
    flush()
    return "\n".join(out)


def _find_body(message: Message, order: tuple) -> tuple[str | None, Message | None]:
    """iTop: for each type in order, the first non-attachment part of that type (depth first);
    unnamed parts before named ones (a named text part is a file: a page, a log), which
    are read as the body only when there is nothing else."""
    leaves = []
    for part in _walk(message):
        if part.is_multipart():
            continue
        leaves.append(part)
    candidates = [(part.get_content_type(), part) for part in leaves if not is_attachment(part)]
    named = {id(part) for ctype, part in candidates if ctype in order and has_filename(part)}
    for want_named in (False, True):
        for wanted in order:
            for ctype, part in candidates:
                if ctype == wanted and (id(part) in named) == want_named:
                    return wanted, part
    return None, None


_BODY_INNER = re.compile(r"<body[^<>]*>(.*?)(?:</body\s*>|$)", re.IGNORECASE | re.DOTALL)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _body_text(message: Message, part: Message, body_type: str) -> str:
    """The decoded body; when ``part`` is one of several inline text parts a mail client
    shows one below the other (a multipart/mixed: Apple Mail's HTML, attachment, more HTML;
    a list's footer after an alternative; a text part beside an HTML one), all of them in
    order, each in the body's type: a text part escaped into an HTML body, an HTML part
    as text in a text body."""
    if part is message or not message.is_multipart():
        return decode_text_part(part)
    try:
        shown = _shown_leaves(message, order=(body_type, *_OTHER_BODY[body_type]))
    except Exception:
        _logger.debug("inline parts unreadable", exc_info=True)
        shown = []
    if len(shown) < 2 or not any(leaf is part for leaf in shown):
        return decode_text_part(part)
    at = next(i for i, leaf in enumerate(shown) if leaf is part)
    if body_type != "text/html":
        texts = [
            decode_text_part(leaf)
            if leaf.get_content_type() == body_type
            else html_to_text(decode_text_part(leaf))
            for leaf in shown
        ]
        return "\n\n".join(text.rstrip() for text in texts if text.strip())
    main = decode_text_part(part)
    before = "".join(_html_block(leaf) for leaf in shown[:at])
    after = "".join(_html_block(leaf) for leaf in shown[at + 1 :])
    # Inside the document's body; without a <body> (``<html>text</html>``), inside its
    # <html> element after its head: put outside it, the blocks made a second document
    # that readers join to it (lxml read its last word and the next block's first as one).
    if after:
        ends = list(_BODY_END.finditer(main)) or list(_HTML_END.finditer(main))
        main = main[: ends[-1].start()] + after + main[ends[-1].start() :] if ends else main + after
    if before:
        opening = _BODY_START.search(main) or _HEAD_END.search(main) or _HTML_START.search(main)
        main = main[: opening.end()] + before + main[opening.end() :] if opening else before + main
    return main


_OTHER_BODY = {"text/html": ("text/plain",), "text/plain": ("text/html",)}
# A tag's attributes stop at a "<": "<body " or "<html " never closed is not read to the
# end of the body again from each of its copies (linear).
_BODY_START = re.compile(r"<body[^<>]*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_HTML_START = re.compile(r"<html[^<>]*>", re.IGNORECASE)
_HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)
# What surrounds the content of an HTML document written without <body>: its head, its
# <html> tags. A tag's attributes stop at a "<" (one "<html " never closed is not read to
# the end of the part from each of its copies: linear).
_HEAD_OPEN = re.compile(r"<head(?:\s[^<>]*)?>", re.IGNORECASE)
_HEAD_CLOSE = re.compile(r"</head\s*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?html(?:\s[^<>]*)?>", re.IGNORECASE)


def _document_content(text: str) -> str:
    """An HTML document written without <body> without its head and <html> tags. Each
    head is looked for once, from where the last one ended (a "<head>" never closed is
    kept, as no later one can close either)."""
    kept, at = [], 0
    while (opening := _HEAD_OPEN.search(text, at)) is not None:
        closing = _HEAD_CLOSE.search(text, opening.end())
        if closing is None:
            break
        kept.append(text[at : opening.start()])
        at = closing.end()
    kept.append(text[at:])
    return _HTML_TAG.sub("", "".join(kept))


def _html_block(leaf: Message) -> str:
    """A shown part as a block of an HTML body: an HTML part's inner body, a text part
    escaped; "" when it holds no text."""
    text = decode_text_part(leaf)
    if not text.strip():
        return ""
    if leaf.get_content_type() == "text/html":
        inner = _BODY_INNER.search(text)
        return f"<div>{inner.group(1) if inner else _document_content(text)}</div>"
    text = _flowed(text.replace("\r\n", "\n").replace("\r", "\n"), leaf)
    return f"<div>{text_to_html(text)}</div>"


def _deep_shown_leaves(node: Message, order: tuple, budget: list) -> list:
    """:func:`_shown_leaves` past its recursion's depth, without recursion: every multipart
    read as a mixed one (an alternative as its last version, a related as its root), not
    lost; ``budget`` shared."""
    leaves, stack = [], [node]
    while stack:
        budget[0] -= 1
        if budget[0] < 0:
            break
        node = stack.pop()
        if not node.is_multipart():
            ctype = node.get_content_type()
            if ctype in order and not is_attachment(node) and not has_filename(node):
                leaves.append(node)
            continue
        payload = node.get_payload()
        if not isinstance(payload, list) or node.get_content_maintype() == "message":
            continue
        children = [child for child in payload if isinstance(child, Message)]
        if node.get_content_type() == "multipart/alternative":
            children = children[-1:]
        elif node.get_content_type() == "multipart/related":
            children = children[:1]
        stack.extend(reversed(children))
    return leaves


def _shown_leaves(message: Message, order: tuple) -> list:
    """The text leaves a mail client shows as the message's text, in order (RFC 2046): every
    child of a multipart/mixed (and of any multipart it does not know), the version of a
    multipart/alternative whose first shown leaf comes first in ``order``, the root of a
    multipart/related; a leaf counts when it is unnamed text/plain or text/html not sent
    as an attachment. Attached messages and reports are not entered; bounded."""
    budget = [MAX_PARTS]

    def shown(node: Message, depth: int) -> list:
        if depth > 40:
            return _deep_shown_leaves(node, order, budget)
        budget[0] -= 1
        if budget[0] < 0:
            return []
        ctype = node.get_content_type()
        if not node.is_multipart():
            if ctype in order and not is_attachment(node) and not has_filename(node):
                return [node]
            return []
        payload = node.get_payload()
        if not isinstance(payload, list) or (
            node is not message and node.get_content_maintype() == "message"
        ):
            return []
        children = [child for child in payload if isinstance(child, Message)]
        if ctype == "multipart/alternative":
            versions = [shown(child, depth + 1) for child in children]
            for wanted in order:
                for version in versions:
                    if version and version[0].get_content_type() == wanted:
                        return version
            return []
        if ctype == "multipart/related":
            return shown(children[0], depth + 1) if children else []
        return [leaf for child in children for leaf in shown(child, depth + 1)]

    return shown(message, 0)


def _walk(message: Message, limit: int = MAX_PARTS):
    """Depth-first parts, not descending into attached messages nor reports (the blocks of
    a message/delivery-status are not MIME parts: read as text/plain, they would be taken
    for the body); ``limit`` parts at most."""
    count = 0
    stack = [message]
    while stack and count < limit:
        part = stack.pop()
        count += 1
        yield part
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list) and (
                part is message or part.get_content_maintype() != "message"
            ):
                stack.extend(reversed(payload))


def _normalize_cids(markup: str) -> str:
    """Keep ``cid:`` sources, always quoted (``src=cid:x`` -> ``src="cid:x"``)."""
    return _CID_SRC.sub(lambda m: f'{m.group(1)}"cid:{m.group(3)}"', markup)


def parse_message(raw: bytes, settings: Settings = DEFAULT_SETTINGS) -> ParsedEmail:
    """Parse raw mail bytes; unreadable input gives a ParsedEmail with ``error`` set."""
    result = ParsedEmail()
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if not isinstance(raw, (bytes, bytearray)):
        result.error = f"expected bytes, got {type(raw).__name__}"
        return result
    raw = bytes(raw)
    result.size = len(raw)
    try:
        message = load_message(raw)
    except Exception as exc:  # the compat32 parser is very tolerant; this is rare
        result.error = f"unreadable message: {exc}"[:300]
        _fill_from_header_block(result, raw, settings)
        result.stable_id = result.stable_id or _stable_id(None, raw)
        result.uid = result.uid or result.stable_id
        return result
    try:
        _fill(result, message, raw, settings)
    except Exception as exc:
        _logger.warning("parse_message failed", exc_info=True)
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    if not result.error and sum(1 for _part in _walk(message, MAX_PARTS + 1)) > MAX_PARTS:
        # Its parts past the limit would be dropped without a word: unreadable, kept whole.
        result.error = f"more than {MAX_PARTS} MIME parts: the parts past them are not read"
    if not result.stable_id:
        try:
            result.stable_id = result.message_id or _stable_id(message, raw)
        except Exception:
            result.stable_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    if not result.uid:
        result.uid = result.stable_id
    return result


def header_ids(raw: bytes) -> tuple[str, tuple[str, ...]]:
    """``(stable_id, answered)`` read from the header block alone: the ``stable_id`` of
    ``parse_message(raw)`` (the Message-ID, else a hash of the main headers and the
    body) and the ids of In-Reply-To and References. Cheap, and safe to compute on mail
    whose full parse could be what kills a process."""
    raw = bytes(raw)
    try:
        start = header_start(raw)
        message = load_message(header_block(raw, start))
        ids = parse_ids(_raw_header(message, "message-id"))
        answered = parse_ids(_raw_header(message, "in-reply-to")) + parse_ids(
            _raw_header(message, "references")
        )
        return (ids[0] if ids else _stable_id(message, raw)), tuple(answered)
    except Exception:
        return "sha256:" + hashlib.sha256(raw).hexdigest(), ()


def _fill_from_header_block(result: ParsedEmail, raw: bytes, settings: Settings) -> None:
    """The body cannot be read (nested beyond the parser's recursion): who sent the mail and
    about what still come from its header block, so that the mail set aside is known."""
    try:
        message = email.parser.BytesParser(policy=POLICY).parsebytes(
            repair_header_block(raw), headersonly=True
        )
        _fill_headers(result, message, raw, settings)
    except Exception:
        _logger.debug("header block unreadable too", exc_info=True)


def _fill_headers(result: ParsedEmail, message: Message, raw: bytes, settings: Settings) -> str:
    """The header fields; returns the charset hint for raw 8-bit values."""
    hint = _charset_hint(message, raw)
    result.headers = _header_map(message, hint)
    result.defects = _defects(message)
    fields = _raw_fields(message)
    ids = parse_ids(_first(fields, "message-id"))
    result.message_id = ids[0] if ids else ""
    result.stable_id = result.message_id or _stable_id(message, raw)
    result.uid = result.message_id if (settings.use_message_id_as_uid and result.message_id) else ""
    result.subject = read_subject(fields, hint)
    _fill_addresses(result, fields, hint)
    result.date = parse_date(_first(fields, "date")) or _received_date(fields)
    result.in_reply_to = parse_ids(_first(fields, "in-reply-to"))
    result.references = parse_ids(_first(fields, "references"))
    return hint


def _fill(result: ParsedEmail, message: Message, raw: bytes, settings: Settings) -> None:
    hint = _fill_headers(result, message, raw, settings)
    try:
        result.content_type = message.get_content_type()
    except Exception:
        result.content_type = "text/plain"
    body, own_text = _fill_body(result, message, settings)
    result.attachments = [
        *collect_attachments(message, result.body_html, settings, _walk, hint, body_part=body),
        *result.attachments,  # files uuencoded into the text body
    ]
    _mark_inline(result)
    report_type = ""
    try:
        report_type = str(message.get_param("report-type", "") or "")
    except Exception:
        report_type = ""
    result.automated = detect_automated(
        result.headers,
        subject=result.subject,
        from_email=result.from_email,
        from_name=result.from_name,
        content_type=result.content_type,
        report_type=report_type,
        undesired=settings.undesired_subject_patterns,
        # (a forwarded message's text shown as the body is no notice of this mail's sender)
        body_start=result.body_text[:4096] if result.body_part == "text/plain" and own_text else "",
        forwarded_only=_forwarded_only(message),
    )


def _forwarded_only(message: Message) -> bool:
    """The message is nothing but attached messages: no text of its own."""
    try:
        parts = message.get_payload() if message.is_multipart() else None
        return bool(parts) and all(
            isinstance(part, Message) and part.get_content_type() == "message/rfc822"
            for part in parts
        )
    except Exception:  # a broken structure: not such a report
        return False


def _defects(message: Message) -> list[str]:
    found = []
    for part in _walk(message):
        for defect in getattr(part, "defects", []) or []:
            name = type(defect).__name__
            if name not in found:
                found.append(name)
    return found


def _fill_addresses(result: ParsedEmail, fields: dict, hint: str) -> None:
    """The caller (see ``read_caller``), To, Cc and Reply-To."""
    result.from_email, result.from_name = read_caller(fields, hint)
    result.list_from = read_list_from(fields, hint, result.from_email)
    result.to = parse_addresses(_first(fields, "to"), hint)
    result.cc = parse_addresses(_first(fields, "cc"), hint)
    result.reply_to = parse_addresses(_first(fields, "reply-to"), hint)


# The fields that name the caller, in order: the author, the agent who sent the mail for
# them, where answers go, and the envelope sender the delivering MTA wrote (a script's mail
# without any From).
_CALLER_FIELDS = ("from", "sender", "reply-to", "return-path")
# What a From without an address holds that is no name: a group ("undisclosed-recipients:;"),
# brackets, a bare comment ("(none)").
_NO_NAME = re.compile(r"[:;<>@]|^\(.*\)$")
# A local mailbox written alone: one atom, no encoded word.
_LONE_WORD = re.compile(r"[^\s<>@=?]+")
# What a bracketed local mailbox (no domain) holds not.
_NOT_LOCAL = re.compile(r"[<>@\s]")


def read_caller(fields: dict, hint: str) -> tuple[str, str]:
    """``(address, display name)`` of the caller from ``_raw_fields``: the first From field
    with an address (a gateway may add an empty or unparsable From of its own, before or
    after the sender's), else Sender, else Reply-To, else Return-Path; a From holding a name
    only (a web form's mailer) names the caller whose address comes from a later field. A
    mailing list's own From put in place of the author's is the author's (``_list_author``)."""
    address, name = _first_caller(fields, hint)
    said = _said(fields, name)
    if address.startswith(_ENCAPSULATED):
        address, name = _routable_caller(fields, hint, address, name)
    elif "@" in said:
        address, name = _replied_caller(fields, hint, address, name, said)
    return _list_author(fields, hint, address, name) or (address, name)


_FIELD_COMMENT = re.compile(r"\((?:[^()\\]|\\[\s\S])*\)")


def _said(fields: dict, name: str) -> str:
    """What the From fields say of the caller: the display name and their comments (no part
    of the name, RFC 5322, but where a web form's mailer may write the visitor's address:
    "Ann (ann@…) <noreply@…>")."""
    comments = [
        found for value in fields.get("from", []) for found in _FIELD_COMMENT.findall(value)
    ]
    return " ".join([name, *comments])


def read_list_from(fields: dict, hint: str, caller: str) -> str:
    """The mailing list's own From address when ``caller`` (``read_caller``) is the
    author a list named in place of it (``_list_author``), else ''."""
    address, _name = _first_caller(fields, hint)
    if address and address != caller and _list_address(fields, address):
        return address
    return ""


# Exchange's encapsulation of an address that is no SMTP one (X.500, X.400, another
# transport): "IMCEAEX-_O=ACME_OU=…@acme.example". No one can answer it.
_ENCAPSULATED = ("imceaex-", "imceax400-", "imcea")


def _routable_caller(fields: dict, hint: str, address: str, name: str) -> tuple[str, str]:
    """The Sender's or Reply-To's address in place of an encapsulated From address, the
    From's name kept; ``(address, name)`` when neither has another."""
    for fallback in ("sender", "reply-to"):
        pairs = parse_addresses(_first(fields, fallback), hint)
        if pairs and not pairs[0][1].startswith(_ENCAPSULATED):
            return pairs[0][1], name or display_name(pairs[0][0])
    return address, name


def _replied_caller(fields: dict, hint: str, address: str, name: str, said: str) -> tuple[str, str]:
    """The Reply-To's address when it is the one address of the Reply-To and an address
    the From ``said`` (``_said``: the display name, its comments) holds: a web form's
    mailer sends from its own address with the visitor's as the name
    ("visitor@example.com <noreply@forms.example>", or in a comment beside the name) and
    the visitor in Reply-To, where the answers go. Else ``(address, name)``: a name's address
    no Reply-To confirms is only words."""
    replies = parse_addresses(_first(fields, "reply-to"), hint)
    if len(replies) == 1 and replies[0][1] != address:
        if replies[0][1] in {found.lower() for found in _EMAIL.findall(said)}:
            return replies[0][1], display_name(replies[0][0])
    return address, name


# "<author> via <list>": the display name a list gives its own address in From.
_VIA = re.compile(r"(.+?)\s+via\s+\S", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:([^<>\s?,]+)", re.IGNORECASE)


def _list_author(fields: dict, hint: str, address: str, name: str) -> tuple[str, str] | None:
    """The author of a mail a mailing list sent with its own address in From (DMARC
    mitigation), or None: Google Groups keeps the author's From in X-Original-From;
    Mailman names its From "<author> via <list>" and puts the author in Reply-To. Only when
    the From is the list's own address (``_list_address``), never a list address."""
    if not address or not _list_address(fields, address):
        return None
    lists = {address, *(m.lower() for m in _MAILTO.findall(_first(fields, "list-post")))}
    via = _VIA.match(name)
    named = display_name(unquoted_name(via.group(1))) if via else ""
    original = parse_addresses(_first(fields, "x-original-from"), hint)
    if original and original[0][1] not in lists:
        return original[0][1], display_name(original[0][0]) or named
    replies = parse_addresses(_first(fields, "reply-to"), hint)
    if via and len(replies) == 1 and replies[0][1] not in lists:
        return replies[0][1], display_name(replies[0][0]) or named
    return None


_LIST_ID = re.compile(r"<([^<>\s]+)>\s*$")


def _list_address(fields: dict, address: str) -> bool:
    """Whether ``address`` is the list's own: its posting address (List-Post) or the
    address its List-Id names ("<support.groups.example>" for support@groups.example).
    A From beside a List-Id that is neither is an author's own (or a forum's, whose
    Reply-To is a per-topic address): an X-Original-From or Reply-To does not replace it."""
    posting = {found.lower() for found in _MAILTO.findall(_first(fields, "list-post"))}
    list_id = _LIST_ID.search(_first(fields, "list-id").strip())
    named = list_id.group(1).lower() if list_id else ""
    return address in posting or (bool(named) and address.replace("@", ".", 1) == named)


def _first_caller(fields: dict, hint: str) -> tuple[str, str]:
    """``read_caller`` as the fields name the sender, before a list's rewrite is undone."""
    named, lone = "", False
    for name in _CALLER_FIELDS:
        # The envelope sender is the delivering MTA's Return-Path, on top: one below it is
        # an earlier delivery's, no sender of this mail ("<>" on top: a notice).
        values = fields.get(name, [])[: 1 if name == "return-path" else None]
        for value in values:
            pairs = parse_addresses(value, hint)
            if pairs:
                address = pairs[0][1]
                if name == "return-path":
                    address = envelope_sender(address)
                return address, display_name(pairs[0][0]) or named
            if name == "from" and not named:
                named = _name_only(value, hint)
                lone = bool(_LONE_WORD.fullmatch(value.strip()))
    # No field gives an address: the From's name alone (``From: Printer Room``, a local
    # mailbox ``Moderator <moderator>``), as mail clients show it; a lone word standing
    # alone is such a mailbox (MAILER-DAEMON), no name.
    return "", "" if lone else named


# An envelope sender an MTA signed (BATV: "prvs=<tag>=ann@example.com") or a forwarder
# rewrote (SRS: "SRS0=<hash>=<time>=example.com=ann@forwarder.example").
_BATV = re.compile(r"\Aprvs=[0-9a-z]{6,64}=(?=[^@=]+@)", re.IGNORECASE)
_SRS0 = re.compile(r"srs0[=+-][^=@]{1,64}=[^=@]{1,8}=([^=@]{1,255})=([^@]{1,64})@", re.IGNORECASE)


def envelope_sender(address: str) -> str:
    """The sender's own address of an envelope sender: without a BATV signature, an SRS0
    rewrite undone; else ``address``."""
    srs = _SRS0.match(address)
    if srs:
        return f"{srs.group(2)}@{srs.group(1)}".lower()
    return _BATV.sub("", address, count=1)


def _name_only(value: str, hint: str) -> str:
    """The display name of a From field that holds no address, "" when it holds none; the
    name before a local mailbox without a domain (``Moderator <moderator>``, RFC 822's
    local delivery) is one. A lone word names the address a later field gives (a web
    form's "From: Maria"); with none, ``_first_caller`` reads it as a mailbox."""
    text = clean_text(decode_words(value, hint))
    before, bracket, mailbox = text.strip().rpartition("<")
    if bracket and mailbox.endswith(">") and not _NOT_LOCAL.search(mailbox[:-1]):
        text = before
    if not text or _NO_NAME.search(text):
        return ""
    return display_name(unquoted_name(text))


def read_subject(fields: dict, hint: str) -> str:
    """The subject: the first Subject field with text (a gateway may add an empty one of
    its own before the sender's), decoded, on one line. Spaces the sender encoded at its
    ends (RFC 2047: an encoded word's spaces are text) are kept; the field's own folding
    whitespace is not."""
    for value in fields.get("subject", []):
        subject = text_line(decode_words(field_text(value), hint))
        if subject.strip():
            return subject
    return ""


def _received_date(fields: dict):
    value = _first(fields, "received")
    if ";" in value:
        return parse_date(value.rsplit(";", 1)[1])
    return None


# An OpenPGP cleartext-signed text (RFC 4880, 7): its armor line, hash header lines and a
# blank line, the text, then the signature block; lines of the text starting with "-" are
# escaped with "- ".
_SIGNED_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIGNED_HEAD = re.compile(
    r"-----BEGIN PGP SIGNED MESSAGE-----[ \t]*\n(?:[\w-]{1,40}:[^\n]{0,400}\n){0,20}[ \t]*\n"
)
_SIGNATURE_BEGIN = "\n-----BEGIN PGP SIGNATURE-----"
_SIGNATURE_END = "\n-----END PGP SIGNATURE-----"
_DASH_ESCAPED = re.compile(r"^- ", re.MULTILINE)


def _unwrap_clearsigned(text: str) -> str:
    """The signed text of an inline OpenPGP signature, as mail clients show it: without
    the armor lines, the hash header and the signature block, its dash-escaped lines
    ("- -- ") as written. No signature is checked here; an encrypted message ("BEGIN PGP
    MESSAGE") stays as it is. One pass of ``str.find`` (no backtracking on big text)."""
    if _SIGNED_BEGIN not in text:
        return text
    out, done = [], 0
    at = text.find(_SIGNED_BEGIN)
    while at >= 0:
        head = _SIGNED_HEAD.match(text, at) if at == 0 or text[at - 1] == "\n" else None
        sign = text.find(_SIGNATURE_BEGIN, head.end() - 1) if head else -1
        end = text.find(_SIGNATURE_END, sign) if sign >= 0 else -1
        if head is None:
            at = text.find(_SIGNED_BEGIN, at + 1)
            continue
        if end < 0:
            break  # no signature block (or no end of one) after this: none after a later one
        stop = text.find("\n", end + 1)
        stop = len(text) if stop < 0 else stop
        out += [text[done:at], _DASH_ESCAPED.sub("", text[head.end() : sign])]
        done = stop
        at = text.find(_SIGNED_BEGIN, done)
    return "".join(out) + text[done:]


def _fill_body(result: ParsedEmail, message: Message, settings: Settings) -> tuple:
    """The body fields; returns the part read as the body (None without one) and whether
    the body is the message's own text (False: a forwarded message's). A message
    with no text of its own but a forwarded message shown inline (an empty text part and
    an inline message/rfc822, as Netscape and mutt forward) reads the forwarded message's
    text, as mail clients show it; the forwarded mail stays an attachment."""
    body_type, part = _body_source(message, settings)
    text = _body_text(message, part, body_type) if part is not None else ""
    if part is not None and _blank(text, body_type):
        # An HTML version left empty (a gateway, a template): the other version's text.
        others = tuple(kind for kind in settings.body_parts_order if kind != body_type)
        other_type, other = _find_body(message, others) if others else (None, None)
        if other is not None and has_filename(other):
            other = None  # a file (a log, a page) stays a file
        other_text = _body_text(message, other, other_type) if other is not None else ""
        if other_text.strip():
            body_type, part, text = other_type, other, other_text
    source = part
    if not text.strip() and message.get_content_type() != "multipart/report":
        # (a report's returned message is no text of the report's sender)
        forwarded = _inline_forward(message)
        for _depth in range(_MAX_FORWARDS):  # a forward of a forward: the first with text
            if forwarded is None:
                break
            inner_type, inner_part = _body_source(forwarded, settings)
            inner_text = _body_text(forwarded, inner_part, inner_type) if inner_part else ""
            if inner_text.strip():
                body_type, text, source = inner_type, inner_text, inner_part
                break
            forwarded = _inline_forward(forwarded)
    if source is None:
        return None, False
    _fill_body_text(result, source, body_type, text, settings)
    return part, source is part


_MAX_FORWARDS = 8
# What an HTML body shows no text with: tags (a "<" stops one: linear), spaces; and blocks
# whose content is not shown.
_INVISIBLE_HTML = re.compile(r"<[^<>]*>|&nbsp;|&#160;|\s+", re.IGNORECASE)
_HIDDEN_BLOCK = re.compile(r"<(head|style|script)\b", re.IGNORECASE)
_BLANK_HTML_MAX = 65536
_SHOWN_CHARACTER = re.compile(r">[ \t\r\n]*[^\s<&]")


def _blank(text: str, body_type: str) -> bool:
    """Whether a body shows nothing: no text, no image (a large HTML body is not checked)."""
    if body_type != "text/html":
        return not text.strip()
    if len(text) > _BLANK_HTML_MAX:
        return False
    lower = text.lower()
    body = lower.find("<body")
    if _SHOWN_CHARACTER.search(lower, max(body, 0)) or "<img" in lower:
        return False  # (most bodies: text right after <body>; a style in it errs safe)
    shown, at = [], 0
    while (block := _HIDDEN_BLOCK.search(text, at)) is not None:
        shown.append(text[at : block.start()])
        end = lower.find("</" + block.group(1).lower(), block.end())
        if end < 0:
            break  # never closed: nothing after it is shown
        at = end
    else:
        shown.append(text[at:])
    return not _INVISIBLE_HTML.sub("", "".join(shown)).strip()


def _inline_forward(message: Message) -> Message | None:
    """The first forwarded message a mail client shows inline (a message/rfc822 or
    message/global part not sent as an attachment), or None; never a report's returned
    message (a bounce forwarded, or wrapped, with no text: the desk's own mail, often)."""
    returned = set()
    for candidate in _walk(message):
        ctype = candidate.get_content_type()
        if ctype == "multipart/report" and isinstance(candidate.get_payload(), list):
            returned.update(id(child) for child in candidate.get_payload())
        if ctype not in ("message/rfc822", "message/global") or id(candidate) in returned:
            continue
        if candidate is not message and sent_as_attachment(candidate):
            continue
        payload = candidate.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
    return None


def _body_source(message: Message, settings: Settings) -> tuple:
    """``(body type, part)`` of the body; ``part`` None without one."""
    body_type, part = _find_body(message, settings.body_parts_order)
    if part is None:
        # Nothing of the wanted types: any text part not sent as an attachment (e.g.
        # text/enriched, text/x-myown) as text; a part of an invalid type the stdlib reads
        # as text/plain is a file when its name says so ("pdf; name=x.pdf").
        for candidate in _walk(message):
            if (
                not candidate.is_multipart()
                and content_type(candidate).startswith("text/")
                and not sent_as_attachment(candidate)
            ):
                body_type, part = "text/plain", candidate
                break
    return body_type, part


def _fill_body_text(
    result: ParsedEmail, part: Message, body_type: str, text: str, settings: Settings
) -> None:
    """The body fields from the decoded ``text`` of ``part``."""
    result.body_part = body_type
    if settings.max_body_chars and len(text) > settings.max_body_chars:
        text = text[: settings.max_body_chars]
    if body_type == "text/html":
        markup = _normalize_cids(keep_after_end(text))
        tree, flat = read_deep(markup)
        if flat is not None:  # nested past the parser's depth: flattened, not lost
            markup = flat
            result.defects.append("HtmlNestingFlattenedDefect")
        shown = show_comments(markup)
        if shown is not None:  # all its text in comments: shown, not dropped nor raw
            markup, tree = shown, None
            result.defects.append("HtmlCommentsShownDefect")
        result.body_html = markup
        result.body_text = lambda: html_to_text(markup)
        result.new_part_html, result.new_part_fallback = new_part_html_ex(markup, settings, tree)
        new_part = result.new_part_html
        if new_part == markup:  # nothing cut: the body's text, made once (2 MB of HTML: 1 s)
            result.new_part_text = lambda: result.body_text
        else:
            result.new_part_text = lambda: html_to_text(new_part)
        result.new_part_with_signature = lambda: result.new_part_text
        return
    text = _flowed(text.replace("\r\n", "\n").replace("\r", "\n"), part)
    text = _unwrap_clearsigned(text)
    text, result.attachments = extract_uuencoded(text, settings)
    result.body_text = text.strip()
    result.body_html = text_to_html(text)
    split = split_reply(text, settings)
    result.new_part_text = split.new_part
    result.signature_text = split.signature
    result.new_part_with_signature = split.unquoted
    result.new_part_fallback = split.fallback
    # Most new messages are all new: their new part's HTML is the body's.
    same = html_source(split.new_part) == html_source(text)
    result.new_part_html = result.body_html if same else text_to_html(split.new_part)


def _mark_inline(result: ParsedEmail) -> None:
    markup = result.body_html or ""
    if "cid:" not in markup.lower():
        referenced: set = set()
    else:
        # RFC 2392: a cid: URL is %-encoded ("cid:image001.png%4001D1").
        referenced = {unquote(cid).lower() for _, _, cid in _CID_SRC.findall(markup)}
    for att in result.attachments:
        att.inline = (
            bool(att.content_id)
            and att.content_id.lower() in referenced
            and att.disposition != "attachment"
        )
