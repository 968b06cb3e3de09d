"""Header decoding that never raises: RFC 2047 words, raw 8-bit, addresses, ids, dates."""

import base64
import binascii
import functools
import logging
import re
import unicodedata
from datetime import datetime, timezone
from email.utils import getaddresses, parsedate_to_datetime

from .charsets import (
    decode_8bit,
    decode_bytes,
    detect_charset,
    fix_surrogates,
    normalize_charset,
    plausibility,
    utf8_likelier,
)

_logger = logging.getLogger(__name__)

_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
# An encoded word; one that runs to the end of the value without its "?=" is read too.
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([QqBb])\?(.*?)(?:\?=|$)", re.DOTALL)
# A fold inside an encoded word (a generator that wraps at a fixed width): not content.
_FOLD_IN_WORD = re.compile(r"(=\?[^?\s]{1,60}\?[QqBb]\?[^?\r\n]*)\r?\n[ \t]+(?=[^?\r\n]*\?=)")
_BETWEEN_WORDS = re.compile(r"(?<=\?=)[ \t\r\n]+(?==\?[^?\s]{1,60}\?[QqBb]\?)")
_MSGID = re.compile(r"<([^<>\s]{1,998})>")
_BRACKETED = re.compile(r"<[^<>]{1,1100}>")
_INNER_SPACE = re.compile(r"\s+")
_BARE_ID = re.compile(r"[^\s<>,;\"()]+@[^\s<>,;\"()]+")
_SPACES = re.compile(r"[ \t\r\n\v\f]+")
# Control characters other than spaces (NUL, BEL, ESC, DEL...) and the byte order mark a
# Windows tool puts before a UTF-8 text: damage, never text.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufeff]")
# An address's local part starts where the run of its characters starts (tried from each
# character of a long word, the word was read to its end again: quadratic).
_LOCAL_START = r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
_EMAIL = re.compile(_LOCAL_START + r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
_UNQUOTED_COMMA_NAME = re.compile(r'(^|,)\s*([^",<>@;:()]{1,80}?),\s*([^",<>@;:()]{1,80}?)\s*<')
# A whole addr-spec as getaddresses returns it: something before and after one "@".
_WHOLE_ADDRESS = re.compile(r'(?:"[^"\r\n]*"|[^@\s]+)@[^@\s]+')
# A name before "<": at most 256 characters (unbounded, it was looked for from every
# character of a long word to its end: quadratic, a minute for a 60,000-character field).
_NAMED_OR_BARE = re.compile(
    r'(?:("[^"]*"|[^<>",@]{0,256}?)\s*<(?:mailto:)?([^<>\s]+@[^<>\s]+)>)'
    r"|" + _LOCAL_START + r"([\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+)",
    re.IGNORECASE,
)
_NAME_BEFORE = re.compile(r"[^<>@]*")

MAX_HEADER = 64 * 1024  # longer header values are truncated before any regex work
_SINGLE_BYTE_LATIN = frozenset(
    {"ascii", "cp1252", "cp1250", "cp1254", "cp850", "iso8859-1", "iso8859-2", "iso8859-15"}
)


def unfold(value: str) -> str:
    value = value or ""
    if "\n" not in value and "\r" not in value:
        return value  # nothing _FOLD could match (most header values)
    if "=?" in value and "\n" in value:
        value = _FOLD_IN_WORD.sub(r"\1", value)
    return _FOLD.sub("", value)


# A base64 text up to its padding: two texts joined in one word ("…ciA=cHLD…") are two.
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]+=*")


def _base64_bytes(payload: str) -> bytes:
    """The bytes of a B word's payload: each base64 text in it (up to its padding) padded and
    decoded, characters outside the alphabet left out; its text when nothing decodes."""
    try:
        return b"".join(
            base64.b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
            for text in _BASE64_TEXT.findall(re.sub(r"[^A-Za-z0-9+/=]", "", payload))
        )
    except (binascii.Error, ValueError):
        return payload.encode("ascii", "replace")


def _decode_word_payload(encoding: str, payload: str) -> bytes:
    if encoding in "Bb":
        return _base64_bytes(payload)
    data = payload.replace("_", " ")
    out = bytearray()
    index = 0
    while index < len(data):
        char = data[index]
        if (
            char == "="
            and index + 2 < len(data) + 0
            and re.match(r"[0-9A-Fa-f]{2}", data[index + 1 : index + 3])
        ):
            out.append(int(data[index + 1 : index + 3], 16))
            index += 3
            continue
        out.extend(char.encode("utf-8", "surrogateescape"))
        index += 1
    return bytes(out)


def decode_words(value: str, fallback_charset: str | None = None) -> str:
    """Decode RFC 2047 encoded words (also across folded lines and split multibyte chars)."""
    try:
        return _decode_words(value, fallback_charset)
    except Exception:
        _logger.warning("header decoding failed", exc_info=True)
        return fix_surrogates(value or "", fallback_charset)


# A whole encoded word, as a gateway writes one (inside the text another encoded word held).
_WHOLE_WORD = re.compile(r"=\?[^?\s]{1,60}\?[QqBb]\?[^?\s]*\?=")
# Encoded words inside encoded words read this deep: a gateway encoded the field again.
_NESTED_WORDS = 2
# What a gateway's second encoding wraps besides encoded words: spaces, reply or forward
# prefixes ("Re: ", "AW: ", "Fwd[2]: ") and ticket tags ("[#4711] "). Anything else is text
# the sender wrote around an encoded word shown as text ("Betreff zeigt =?…?= statt
# Grüße"), read as written. The two alternatives start with different characters: linear.
_WRAPPED_PREFIXES = re.compile(r"(?:[^\W\d_]{1,6}(?:\[\d{1,3}\])?:\s*|\[[^\[\]\n]{1,40}\]\s*)*")


def _encoded_again(text: str) -> bool:
    """The decoded text of an encoded word is itself a field's encoded words (a gateway
    encoded the field again), not encoded words among the sender's own words."""
    if "=?" not in text:
        return False
    rest = _WHOLE_WORD.sub(" ", text).strip()
    if rest == text.strip():
        return False
    return _WRAPPED_PREFIXES.fullmatch(rest) is not None


def _decode_words(value: str, fallback_charset: str | None, depth: int = 0) -> str:
    value = unfold(value or "")[:MAX_HEADER]
    value = fix_surrogates(value, fallback_charset)
    if "=?" not in value:
        return value
    value = _BETWEEN_WORDS.sub("", value)
    pieces: list[str] = []
    pending: list = []  # [charset, bytes, B payloads] of adjacent words in one charset

    def flush():
        if pending:
            data = pending[1]
            if len(pending[2]) > 1:
                data = _base64_stream(data, pending[2], pending[0])
            text = _decode_word_bytes(data, pending[0], fallback_charset)
            if depth < _NESTED_WORDS and _encoded_again(text):
                # Encoded twice (a gateway encoded the encoded subject again): the text
                # the sender wrote is one level further down.
                text = _decode_words(text, fallback_charset, depth + 1)
            pieces.append(text)
            pending.clear()

    position = 0
    for match in _ENCODED_WORD.finditer(value):
        if match.start() > position:
            flush()
            pieces.append(value[position : match.start()])
        charset = match.group(1).split("*", 1)[0].lower()
        data = _decode_word_payload(match.group(2), match.group(3))
        payload = match.group(3) if match.group(2) in "Bb" else None
        if pending and _same_charset(pending[0], charset):
            pending[1] += data
            pending[2].append(payload)
        else:
            flush()
            pending.extend([charset, data, [payload]])
        position = match.end()
    flush()
    pieces.append(value[position:])
    return "".join(pieces)


def _base64_stream(data: bytes, payloads: list, charset: str) -> bytes:
    """The bytes of adjacent B words of one charset read as one base64 text, when read word
    by word they are no text in that charset and so they are (a mailer cut one base64
    text into words at a fixed width, not at a 4-character group); else ``data``."""
    if None in payloads:
        return data
    codec = normalize_charset(charset) or "utf-8"
    if _decodes(data, codec):
        return data
    stream = _base64_bytes("".join(payloads))
    return stream if _decodes(stream, codec) else data


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _same_charset(label: str, other: str) -> bool:
    """Whether two encoded words' labels name one charset ("utf-8" and "utf8", "gb2312"
    and "gbk": a character split between them is joined), unknown labels alike."""
    return label == other or normalize_charset(label) == normalize_charset(other)


# Below this plausibility (see charsets.plausibility) a single-byte Latin reading is the
# bytes of another charset ("Ïðèíòåð" for "Принтер"): real Latin text scores near 1.
_PLAUSIBLE_LATIN = 0.5


def _decode_word_bytes(data: bytes, charset: str, fallback_charset: str | None = None) -> str:
    """An encoded word's bytes by its label, unless the label cannot be right:

    * non-ASCII bytes that are valid UTF-8 under a single-byte Latin or Mac label are
      UTF-8 (mailers label UTF-8 text iso-8859-1 or x-mac-*: read as labelled, it is
      mojibake; real text in those charsets is almost never valid UTF-8);
    * under a single-byte Latin label, bytes that read as no Latin text (Shift_JIS or
      Windows-1251 labelled iso-8859-1 by a web form), under a UTF-8 label bytes that are
      no UTF-8, or under a label no codec knows ("x-unknown", "unknown-8bit") are read
      as raw 8-bit header bytes are: by the charset that reads them most plausibly
      (``decode_8bit``), the label and the message's charset first."""
    if data.isascii():
        return decode_bytes(data, charset)
    codec = normalize_charset(charset)
    if codec in _SINGLE_BYTE_LATIN:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            _logger.debug("encoded word is %s as labelled", charset)
        text = decode_bytes(data, charset)
        rest = _without_lone_symbols(data, codec)
        if codec == "ascii" or rest.isascii():
            return text
        if plausibility(decode_bytes(rest, charset), codec) >= _PLAUSIBLE_LATIN:
            return text
        found = detect_charset(data, charset, fallback_charset)
        return decode_bytes(data, found) if found else text
    if codec in ("", "utf-8"):
        return _decode_unlabelled(data, fallback_charset)
    if codec.startswith("mac-") and utf8_likelier(data, codec):
        # Apple's single-byte labels, which bulk mailers put on UTF-8 (see utf8_likelier)
        return data.decode("utf-8")
    return decode_bytes(data, charset)


def _decode_unlabelled(data: bytes, fallback_charset: str | None) -> str:
    """Bytes under a UTF-8 or unknown label, read as raw 8-bit header bytes are; when the
    bytes without their lone symbols (``_without_lone_symbols``) are ASCII or read as
    Windows-1252, the symbols are Windows-1252's too, and when they are UTF-8, the text is
    UTF-8 with Windows-1252 symbols pasted in (both read so before 80dc270)."""
    if _try_utf8(data) is None:
        rest = _without_lone_symbols(data, "cp1252")
        if rest != data and _try_utf8(rest) is not None:
            return decode_bytes(data, "utf-8")
        if rest != data and decode_8bit(rest, fallback_charset) == _cp1252(rest):
            return _cp1252(data)
    return decode_8bit(data, fallback_charset)


def _cp1252(data: bytes) -> str:
    return decode_bytes(data, "cp1252")


def _try_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _without_lone_symbols(data: bytes, codec: str) -> bytes:
    """``data`` with each byte that the single-byte ``codec`` reads as a symbol, a number
    or punctuation standing between ASCII bytes ("25 °C", "2 × 3", "© ACME", "5 €",
    "¿Qué") made a space: what Latin text holds. Scored one by one such a symbol is no
    letter, and another charset's reading won ("25 蚓", "żQué"); the bytes of another
    charset come in runs or read as letters, and stay."""
    text = data.decode(codec, "replace")
    if len(text) != len(data):
        return data
    return bytes(
        32
        if not char.isascii()
        and unicodedata.category(char)[0] in "PSN"
        and data[index - 1 : index].isascii()
        and data[index + 1 : index + 2].isascii()
        else byte
        for index, (char, byte) in enumerate(zip(text, data, strict=True))
    )


def clean_text(value: str) -> str:
    """One line: control whitespace collapsed to spaces, stripped."""
    return _SPACES.sub(" ", _CONTROLS.sub("", value or "")).strip()


_CONTROL_SPACE = re.compile(r"\r\n|[\r\n\t\v\f]")
_LAYOUT_SPACES = "\r\n\t\v\f"  # control spaces: layout at a value's ends, never typed


def one_line(value: str) -> str:
    """One line as written: each line break or control space becomes one space, stripped;
    the spaces the sender typed (doubled, full-width) are kept, as mail clients show them."""
    return text_line(value).strip()


def text_line(value: str) -> str:
    """``one_line`` not stripped: for decoded text whose end spaces are the sender's own
    (the field's folding whitespace taken off before decoding, see ``field_text``). Line
    breaks and tabs at its ends are not (a generator encodes the line end of its template,
    ``...=0A?=``: nobody types one into a one-line field), so they go instead of becoming
    spaces."""
    return _CONTROL_SPACE.sub(" ", _CONTROLS.sub("", value or "").strip(_LAYOUT_SPACES))


def field_text(value: str) -> str:
    """A raw header value without the field's own whitespace: what follows the colon and
    ends the line, folds included, is layout (RFC 5322 2.2.3); spaces inside an encoded word
    (RFC 2047) are text and are not touched. NULs a tool wrote there go with it (dropped
    later, they would leave the space beside them in the text); other control characters
    stay (an escape may open ISO-2022 text)."""
    return (value or "").strip(" " + _LAYOUT_SPACES + "\x00")


# Words that make a name a company's, not a person's "Last, First": legal forms (with or
# without their dots), "&", "and Co".
_COMPANY = re.compile(
    r"(?:^|[\s,])(?:inc|llc|llp|ltd|ltda|plc|corp|corporation|co|company|gmbh|ag|kg|ohg|ug"
    r"|mbh|e\.?\s?v|sa|sas|sarl|spa|srl|bv|nv|pty|oy|ab|as|asa|aps|kft|sro|s\.?\s?r\.?\s?o"
    r"|s\.?\s?a|s\.?\s?p\.?\s?a|s\.?\s?r\.?\s?l|b\.?\s?v|n\.?\s?v)\.?(?=$|[\s,])|&",
    re.IGNORECASE,
)
# What a client writes after "Last, First": a department or company in brackets or after
# a dash ("Lee, Ann (IT)", "Doe, John - ACME"), kept after the name turned round.
_ANNOTATION = re.compile(r"\s+(?:\([^()]*\)|\[[^\[\]]*\]|[-–|]\s+\S.*)$")


# A person's first names written as initials ("B. V.", "S. A."): capitals, each with its dot,
# a space between; a legal form is written as one word ("S.A.", "B.V.") or lower-cased
# ("e. V.").
_INITIALS = re.compile(r"(?:[A-Z]\.\s+)+[A-Z]\.")


def _company(last: str, first: str) -> bool:
    """Whether "last, first" is a company's name: a legal form or "&" after the comma
    (unless it is a person's initials, "B. V."), or before it beside the company's name
    ("Example GmbH, Vertrieb"); a form's word alone before the comma is a family name
    ("Co, Michael"), "&" never ("AT&T, Support")."""
    if _COMPANY.search(first) and not _INITIALS.fullmatch(first):
        return True
    return "&" in last or (len(last.split()) > 1 and bool(_COMPANY.search(last)))


def _swap_name(name: str) -> str:
    """ "Doe, John" -> "John Doe" (iTop's caller name rule); a company's name ("ACME,
    Inc.") is not turned round, an annotation after the first name ("Lee, Ann (IT)")
    stays last ("Ann Lee (IT)")."""
    parts = [part.strip() for part in name.split(",")]
    if len(parts) != 2 or not all(parts):
        return name
    if _company(*parts):
        return name
    last, first = parts
    note = _ANNOTATION.search(first)
    if note:
        first = first[: note.start()]
    if first and all(len(part.split()) <= 3 for part in (last, first)):
        return f"{first} {last}" + (note.group() if note else "")
    return name


def parse_addresses(raw: str, fallback_charset: str | None = None) -> list[tuple[str, str]]:
    """(name, email lower-cased) pairs from a raw address header; never raises."""
    if not raw:
        return []
    text = _CONTROLS.sub("", fix_surrogates(unfold(raw)[:MAX_HEADER], fallback_charset))
    if "=?" in text and _address_in_words(text):
        # The whole "Name <addr>" put in encoded words (a script's mb_encode_mimeheader):
        # the address is in there; read that mailbox decoded. Not a mailbox with an
        # address outside the words: they are then its name's text (RFC 2047), and a
        # name decoding to "CEO <ceo@...>" would have chosen the caller.
        text = ", ".join(
            _CONTROLS.sub("", decode_words(part, fallback_charset))
            if _address_in_words(part, alone=True)
            else part
            for part in _mailbox_texts(text)
        )
    if "=?" in text:
        text = _Q_WORD.sub(_specials_encoded, text)
    return _address_pairs(text, fallback_charset)


# A Q-encoded word, and what an address field reads as its structure when a mailer leaves
# it raw inside one ("=?utf-8?q?Ann_<ann@x>?="): brackets, "@", separators, quotes,
# parentheses, a backslash.
_Q_WORD = re.compile(r"=\?[^?\s]{1,60}\?[Qq]\?[^?\s]*\?=")
_WORD_SPECIALS = re.compile(r'[<>@,;:"()\[\]\\]')


def _specials_encoded(match: re.Match) -> str:
    """The word with those characters Q-encoded ("<" as "=3C"): the same text once
    decoded, which is only text of the display name, never an address, a bracket, a
    quote nor a comment of the field (RFC 2047 5), wherever quotes or parentheses
    around it open or close."""
    return _WORD_SPECIALS.sub(lambda char: f"={ord(char.group()):02X}", match.group())


def _address_in_words(text: str, alone: bool = False) -> bool:
    """Whether an encoded word of ``text`` holds an address (an "@" once decoded);
    ``alone``: and none stands outside them (the mailbox was put whole into words)."""
    if alone and "@" in _ENCODED_WORD.sub("", text):
        return False
    return any(
        b"@" in _decode_word_payload(match.group(2), match.group(3))
        for match in _ENCODED_WORD.finditer(text)
    )


# What the split of a field into its mailboxes reads: an encoded word, a quoted string
# (each whole: a comma in them is text) or a comma between mailboxes.
_FIELD_TOKENS = re.compile(
    r'=\?[^?\s]{1,60}\?[QqBb]\?.*?(?:\?=|$)|"(?:[^"\\]|\\[\s\S]?)*(?:"|\Z)|,', re.DOTALL
)


def _mailbox_texts(text: str) -> list[str]:
    """The texts of the mailboxes of an address field, split at its commas."""
    parts, start = [], 0
    for match in _FIELD_TOKENS.finditer(text):
        if match.group() == ",":
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


# "<<ann@example.com>>" (a tool that bracketed an address already in brackets): one pair.
_DOUBLED_BRACKETS = re.compile(r"<[ \t]*<([^<>\s]{1,64}@[^<>\s]{1,255})>[ \t]*>")


# Outlook's "Ann Lee [mailto:ann@example.com]" (Exchange relays, pasted forwards).
_MAILTO_BRACKETS = re.compile(r"\[[ \t]*mailto:[ \t]*([^\[\]\s<>]{1,320})[ \t]*\]", re.I)


# A quoted display name (read whole: a "[mailto:…]" inside it is part of the name) or a
# mailto bracket outside quotes. The two alternatives start with different characters; a
# quote always matches, to its closing quote or to the end (unterminated), so a search
# never reads the same quote's text twice: linear.
_QUOTED_OR_MAILTO = re.compile(r'"(?:[^"\\]|\\[\s\S]?)*(?:"|\Z)|' + _MAILTO_BRACKETS.pattern, re.I)


def _mailto_to_address(match: re.Match) -> str:
    """Outside quotes "[mailto:addr]" is the address ("<addr>"); inside a quoted name
    ('"Lee, Ann [mailto:ann@example.com]" <ann@example.com>', Exchange relays) it is
    dropped from the name (read as an address there, it split the name around it)."""
    text = match.group()
    if text.startswith('"'):
        if len(text) > 1 and text.endswith('"') and not text.endswith('\\"'):
            return _MAILTO_BRACKETS.sub("", text)
        return _MAILTO_BRACKETS.sub(r"<\1>", text)  # unterminated: no quoted name
    return f"<{match.group(1)}>"


# Quotes around a whole name: ASCII ones, and the typographic ones an editor puts there.
_NAME_QUOTES = (('"', '"'), ("'", "'"), ("“", "”"), ("„", "“"), ("«", "»"), ("‘", "’"))


def unquoted_name(name: str) -> str:
    """A display name without the quotes around it (one pair enclosing it whole) and without
    a quote left alone at either end (a cut or hand-written field: 'Ann Lee"'); quotes
    inside the name are the sender's ("'Ann Lee' via Support", Google Groups' rewrite)."""
    name = name.strip()
    for opening, closing in _NAME_QUOTES:
        if len(name) >= 2 and name[0] == opening and name[-1] == closing:
            inner = name[1:-1]
            if opening not in inner and closing not in inner:
                return inner.strip()
    if name and name[0] in "\"'" and name.count(name[0]) == 1:
        name = name[1:].lstrip()
    if name and name[-1] in "\"'" and name.count(name[-1]) == 1:
        name = name[:-1].rstrip()
    return name


# A field whose only address is bracketed and followed by its name, as words or as a
# comment ("<ann@example.com> Ann Lee", "<ann@example.com> (Ann Lee)"): "Name <addr>".
_NAME_AFTER = re.compile(
    r"\s*<([^<>\s]{1,320}@[^<>\s]{1,255})>[ \t]*"
    r"(?:\(([^()]{1,200})\)|([^,<>@\"()\[\];:]{1,200}?))[ \t]*"
)


def _name_after_address(match: re.Match) -> str:
    name = (match.group(2) or match.group(3)).replace("\\", "").replace('"', "")
    return f'"{name}" <{match.group(1)}>'


# Brackets holding comments ("<ann(at work)@example.com>", RFC 5322 CFWS): the stdlib puts
# the comment into the display name. Classes apart from "(" and ")": linear.
_COMMENTED_BRACKETS = re.compile(r"<[^<>()]*(?:\([^<>()]*\)[^<>()]*)+>")
_COMMENT = re.compile(r"\([^<>()]*\)")
# The address where the name goes and the name in brackets ("ann@example.com <Ann Lee>").
_SWAPPED = re.compile(r'\s*([^\s<>@",;]{1,64}@[^\s<>@",;]{1,255})\s*<([^<>@,;]{1,200})>\s*')


def _without_comments(match: re.Match) -> str:
    return _COMMENT.sub("", match.group())


def _lone_quote_out(text: str) -> str:
    """A field with an odd number of (unescaped) double quotes without its last one: a quote
    left open swallows the address for the stdlib ('Ann Lee" <ann@example.com>' gave the
    address "ann" and no name)."""
    quotes = [i for i, char in enumerate(text) if char == '"' and text[i - 1 : i] != "\\"]
    if len(quotes) % 2 == 0:
        return text
    return text[: quotes[-1]] + text[quotes[-1] + 1 :]


# RFC 5322's obsolete source route before an address ("<@relay1,@relay2:ann@example.com>"):
# the stdlib reads a route of one hop only, and splits a longer one at its commas.
_ROUTE = re.compile(r"<[ \t]*(?:@[^<>:,@\s]{1,255}[ \t]*(?:,[ \t]*)?){1,20}:")
# Full-width angle brackets (typed with a CJK input method) when there are no others.
_FULL_WIDTH_BRACKETS = str.maketrans("＜＞", "<>")


# A bracketed address, and what may follow a mailbox of an address list: its end or a comma.
_BRACKETED_ADDRESS = re.compile(r"<[ \t]*([^<>\s@]{1,64}@[^<>\s@]{1,255})[ \t]*>")
# What the scan for mailboxes reads: a quoted string (whole, to its closing quote or the
# end: a bracket or a comma in it is the name's), a comment (the same), a comma between
# mailboxes, a bracketed address. The alternatives start with different characters and
# each always reads on from where it starts: a search reads each character once.
_MAILBOX_TOKENS = re.compile(
    r'"(?:[^"\\]|\\[\s\S]?)*(?:"|\Z)|\([^()]*(?:\)|\Z)|,|' + _BRACKETED_ADDRESS.pattern
)
_MAILBOX_END = re.compile(r"[ \t]*(?:\([^()]{0,200}\)[ \t]*)?(?:,|\Z)")
# What an unquoted display name written as an address never holds (other brackets, a
# group's colon and semicolon, an escape): such a name is left to the rules above.
_NOT_IN_ADDRESS_NAME = frozenset("<>;:\\")


def _address_names_quoted(text: str) -> str:
    """Each mailbox written "ceo@acme.example <mailer@elsewhere.example>" (a name that is an
    address, unquoted, before the bracketed address) with its name quoted: the stdlib reads
    it as two addresses, the first one the name's. The bracketed address is the mailbox,
    as mail clients show it; the name is only words, with its comments and quoted words
    ("ceo@acme.example (CEO)"). A bracket or a comma inside quotes or a comment is the
    name's. Linear: one pass over the field."""
    out, done, starts = [], 0, 0
    for match in _MAILBOX_TOKENS.finditer(text):
        token = match.group()
        if token == ",":
            starts = match.end()
            continue
        if token[0] in '"(':
            continue
        name = text[starts : match.start()].strip() if starts >= 0 else ""
        if (
            "@" in name
            and not _NOT_IN_ADDRESS_NAME.intersection(name)
            and _MAILBOX_END.match(text, match.end())
        ):
            out.append(text[done:starts])
            out.append(' "{}" {}'.format(name.replace('"', ""), token))
            done = match.end()
        starts = -1  # a second bracket before the next comma starts no mailbox
    return "".join(out) + text[done:] if out else text


# The pieces of an address field for reading the comments beside a display name: an encoded
# word, a quoted string, a comment, a bracketed address, a comma, other text. Each piece
# starts with its own character (other text stops before them): one pass, linear. A
# comment's quoted pair ("\)") is its text; a comment may hold one nested comment. A "("
# or "<" that opens none (unbalanced, deeper nesting, a bracket inside) is one character of
# text: never a comment to blank, nor the mailbox's bracket.
_QUOTED_PAIR = re.compile(r"\\([\s\S])")
_COMMENT_TEXT = r"(?:[^()<>\\]|\\[\s\S])*"
_PHRASE_TOKENS = re.compile(
    r'=\?[^?\s]{1,60}\?[QqBb]\?[^?]*\?=|"(?:[^"\\]|\\[\s\S]?)*(?:"|\Z)'
    rf"|\((?:[^()<>\\]|\\[\s\S]|\({_COMMENT_TEXT}\))*\)"
    r'|<[^<>]*>|,|[^"(<,=]+|[\s\S]'
)


def _is_comment(piece: str) -> bool:
    return len(piece) > 1 and piece[0] == "("


def _is_bracket(piece: str) -> bool:
    return len(piece) > 1 and piece[0] == "<"


def _phrase_comments_out(text: str) -> str:
    """Each ``name (comment) <addr>`` of a field without the comment: it is not part of the
    name (RFC 5322 3.2.2: CFWS between a phrase's words). A comment that is all the phrase
    holds ("(Ann Lee) <ann@…>") is the name, as in the old "ann@… (Ann Lee)"."""
    out, mailbox = [], []

    def flush():
        if any(_is_bracket(piece) for piece in mailbox):
            before = mailbox[: next(i for i, p in enumerate(mailbox) if _is_bracket(p))]
            comments = [i for i, piece in enumerate(before) if _is_comment(piece)]
            if comments:
                named = any(piece.strip() for i, piece in enumerate(before) if i not in comments)
                for i in comments:
                    inner = _QUOTED_PAIR.sub(r"\1", mailbox[i][1:-1]).strip()
                    inner = inner.replace("\\", "\\\\").replace('"', '\\"')
                    mailbox[i] = " " if named else f'"{inner}"'
        out.extend(mailbox)
        mailbox.clear()

    for match in _PHRASE_TOKENS.finditer(text):
        piece = match.group()
        if piece == ",":
            flush()
            out.append(piece)
        else:
            mailbox.append(piece)
    flush()
    return "".join(out)


# What an address copied from a web page, a PDF or a signature into an address book keeps
# around it, invisible: no-break and other Unicode spaces, zero-width spaces and joiners,
# direction marks, a byte-order mark. Never part of an address (inside the brackets only:
# a name may hold a joiner, Persian's zero-width non-joiner).
_INVISIBLE = re.compile(r"[\u00a0\u00ad\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]")
_BRACKET_CONTENT = re.compile(r"<([^<>]{1,600})>")
_QUOTED_WHOLE = re.compile(r"""\s*(['"])([^'"\s@]{1,64}@[^'"\s@]{1,255})\1\s*""")


# A quoted string (RFC 5322): a quoted local part is the address's own, every character.
_QUOTED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _bracket_cleaned(match: re.Match) -> str:
    """A bracketed address without invisible characters, and without quotes around the
    whole of it (<'ann@x'>: a quoted local part, <"ann lee"@x>, stays, with what it
    holds). A zero-width non-joiner or joiner between two letters of a script that joins
    is a letter's own (Persian's "مدیر\u200cفروش", a Devanagari half form: IDNA2008
    and internationalized addresses hold them), not a copied address's mark."""
    inner = match.group(1)
    whole = _QUOTED_WHOLE.fullmatch(_INVISIBLE.sub("", inner))
    if whole:
        return "<" + whole.group(2) + ">"
    kept, last = [], 0
    for quoted in _QUOTED_STRING.finditer(inner):
        kept += [_INVISIBLE.sub(_invisible_out, inner[last : quoted.start()]), quoted.group()]
        last = quoted.end()
    kept.append(_INVISIBLE.sub(_invisible_out, inner[last:]))
    return "<" + "".join(kept) + ">"


def _invisible_out(found: re.Match) -> str:
    """Nothing for an invisible character; but a joiner between two non-ASCII letters (or
    a letter's mark: a virama) stays."""
    char, text, index = found.group(), found.string, found.start()
    if char not in "\u200c\u200d" or index == 0 or found.end() >= len(text):
        return ""
    before, after = text[index - 1], text[found.end()]
    if before.isascii() or after.isascii():
        return ""
    return char if _letter_or_mark(before) and _letter_or_mark(after) else ""


def _letter_or_mark(char: str) -> bool:
    return char.isalpha() or unicodedata.category(char).startswith("M")


def _written_right(text: str) -> str:
    """An address field as RFC 5322 writes it, from the forms damaged or legacy mailers
    write: invisible characters or quotes around the address inside its brackets, a quote
    left open, source routes, full-width brackets, the name after the
    address, comments inside the brackets or beside the name, the name and the address
    swapped."""
    if "<" in text and (_INVISIBLE.search(text) or "<'" in text or '<"' in text):
        text = _BRACKET_CONTENT.sub(_bracket_cleaned, text)
    if '"' in text:
        text = _lone_quote_out(text)
    if "<@" in text or "< @" in text:
        text = _ROUTE.sub("<", text)
    if "＜" in text and "<" not in text:
        text = text.translate(_FULL_WIDTH_BRACKETS)
    after = _NAME_AFTER.fullmatch(text) if text.lstrip().startswith("<") else None
    if after:
        text = _name_after_address(after)
    if "(" in text and "<" in text:
        text = _COMMENTED_BRACKETS.sub(_without_comments, text)
        text = _phrase_comments_out(text)
    swapped = _SWAPPED.fullmatch(text) if "@" in text else None
    if swapped:
        text = f'"{swapped.group(2).strip()}" <{swapped.group(1)}>'
    return text


def _address_pairs(text: str, fallback_charset: str | None) -> list[tuple[str, str]]:
    text = _written_right(text)
    if "<<" in text or "< <" in text or "<\t<" in text:
        text = _DOUBLED_BRACKETS.sub(r"<\1>", text)
    if "[" in text and "mailto:" in text.lower():
        text = _QUOTED_OR_MAILTO.sub(_mailto_to_address, text)
    if text.count("@") > 1 and "<" in text:
        # After the brackets are repaired: "a@x <<b@y>>" and "a@x [mailto:b@y]" are read
        # as "a@x <b@y>".
        text = _address_names_quoted(text)
    # Unquoted "Doe, John <j@x>" would split in two: quote such names first.
    text = _UNQUOTED_COMMA_NAME.sub(r'\1"\2, \3" <', text)
    try:
        pairs = getaddresses([text])
    except Exception:
        pairs = []
    result: list[tuple[str, str]] = []
    if any(
        addr and not _WHOLE_ADDRESS.fullmatch(addr.strip().strip("<>")) for _, addr in pairs
    ) or _glued_words(text, pairs):
        # Addresses without commas between them ("a@x b@y"), words after a bare address
        # ("a@x.org Ann Lee"): getaddresses glues them into one broken address; read the
        # addresses as they stand instead.
        pairs = _bare_addresses(text)
    encoded = False
    for name, addr in pairs:
        addr = _plain_address((addr or "").strip().strip("<>").lower())
        if addr.startswith("=?"):
            # An encoded word read as an address (a mailbox whose name holds one, its
            # address outside the words, e.g. in a comment): never one (RFC 2047 5).
            encoded = True
            continue
        if "@" not in addr:
            found = _EMAIL.search(addr)
            if not found:
                continue
            addr = found.group().lower()
        name = unquoted_name(clean_text(decode_words(name or "", fallback_charset)))
        if name.lower() == addr:
            name = ""
        result.append((name, addr))
    if not result and not encoded:
        # getaddresses gave up (strict parsing): take the addresses we can see, never
        # one inside encoded words (a mailbox put whole into words was decoded before).
        decoded = decode_words(_WHOLE_WORD.sub(" ", text), fallback_charset)
        for found in _EMAIL.finditer(decoded):
            result.append(("", found.group().lower()))
    return result


def _plain_address(addr: str) -> str:
    """An address without what a URL or an absolute domain adds to it: "mailto:", a
    query after the domain ("?subject=…"), the root's dot ("ann@example.com.")."""
    addr = addr.removeprefix("mailto:")
    local, at, domain = addr.rpartition("@")
    if not at:
        return addr
    return local + at + domain.split("?", 1)[0].rstrip(".")


def _glued_words(text: str, pairs: list) -> bool:
    """Whether getaddresses glued the words after a bare address to its domain
    ("a@example.org Ann Lee" -> "a@example.orgAnnLee"): an address written whole in the
    text (its domain with a dot) is a shorter start of the address it returned."""
    if "@" not in text or not pairs:
        return False
    written = {m.group() for m in _EMAIL.finditer(text) if "." in m.group().rsplit("@", 1)[1]}
    # Each address's starts of a written address's length looked up, rather than each
    # address compared with each written one (quadratic in a To of thousands; issue 14).
    lengths = sorted({len(seen) for seen in written})
    for addr in {addr for _, addr in pairs if addr}:
        for size in lengths:
            if size >= len(addr):
                break
            if addr[size] not in ".-" and addr[:size] in written:
                return True
    return False


def _bare_addresses(text: str) -> list:
    """(name, address) pairs of a field whose addresses are separated by spaces only: each
    ``Name <addr>`` keeps its name, a bare address has none."""
    found, done = [], 0
    for match in _NAMED_OR_BARE.finditer(text):
        name, addr = match.group(1), match.group(2) or match.group(3)
        if match.group(3):
            # "Ann Lee ann@example.org": the words before a bare address name it.
            before = text[done : match.start()]
            name = before if _NAME_BEFORE.fullmatch(before) else ""
        # "Ann Lee [ann@example.com]", "Ann Lee (ann@example.com)": the bracket is no name.
        found.append(((name or "").strip(" \t\"',;([{"), addr))
        done = match.end()
    return found


def display_name(name: str) -> str:
    return _swap_name(clean_text(name))


def parse_ids(raw: str) -> list[str]:
    """Message-IDs without <>, in order, de-duplicated; tolerates folding and bare ids."""
    if not raw:
        return []
    text = fix_surrogates(unfold(raw)[:MAX_HEADER])
    if "=?" in text:
        # Some generators (Python's own email package among them) wrap a long msg-id
        # in RFC 2047 encoded words; the id is what they encode.
        text = decode_words(text).replace(" ", "")
    if "<" in text:
        # A long id folded inside its brackets ("<abc@\r\n example.com>"): no space belongs
        # to a msg-id (RFC 5322 3.6.4), so the fold is taken out.
        text = _BRACKETED.sub(lambda m: _INNER_SPACE.sub("", m.group()), text)
    ids = _MSGID.findall(text)
    if not ids:
        ids = _BARE_ID.findall(text)
    seen: list[str] = []
    for item in ids:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def parse_date(raw: str) -> datetime | None:
    """An aware UTC datetime, or None."""
    if not raw:
        return None
    text = clean_text(fix_surrogates(unfold(raw)))
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is None:
        return None
    try:
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


_TOKEN = r"[!#$%&'*+.^`|~\w-]+"
# A type or disposition whose first parameter lost its ";" ("application/pdf name=x.pdf",
# "attachment filename=x.pdf", "application/pdf, name=x.pdf"): a value holds no space.
_VALUE_THEN_PARAM = re.compile(
    r"^(\s*" + _TOKEN + r"(?:/" + _TOKEN + r")?)(?:\s*,\s*|\s+)(?=[\w.*-]+\s*=)"
)
# An RFC 822 comment after the type ("image/png (screenshot); name=x"): not the type.
_TYPE_COMMENT = re.compile(r"^(\s*" + _TOKEN + r"/" + _TOKEN + r")\s*\([^()\"]*\)")
# Quoted strings, and the text between them (a lone quote left open ends it).
_PARAM_PIECES = re.compile(r'"(?:[^"\\]|\\.)*"|[^"]+|"')
# After a closing quote, any "token=" starts the next parameter; after an unquoted value,
# only a well-known parameter does (an unquoted name may hold spaces: "name=Plan D.pdf").
_AFTER_QUOTE = re.compile(r"^(\s*,?\s*)(?=[\w.*-]+\s*=)")
_KNOWN_PARAM = re.compile(
    r"(\s+)(?=(?:charset|name|filename|format|delsp|boundary|size|creation-date"
    r"|modification-date|read-date|protocol|micalg|report-type|smime-type|method)"
    r"(?:\*\d{0,3}\*?)?\s*=)",
    re.IGNORECASE,
)


# A Content-Type or Content-Disposition value is read by the standard library one parameter
# at a time, copying the rest of the value after each (quadratic: 100,000 parameters in 1 MB
# took 17 s), by the parser and again by each reader. Beyond these bounds the value is read
# from its first parameters, plus the first of each parameter that gives the part its
# structure or name found later; the loader records the cut as a defect.
MAX_PARAMS = 1000
MAX_PARAMS_CHARS = 64 * 1024
_VITAL_PARAM = re.compile(
    r"\s*(boundary|charset|name|filename|format|delsp|type|start|protocol|report-type)"
    r"\s*(?:\*\d{0,3}\*?)?\s*=",
    re.IGNORECASE,
)
_VITAL_PARAM_CHARS = 1024


def params_oversized(value: str) -> bool:
    """Whether a parameter field's value is beyond the bounds the parser reads."""
    return len(value) > MAX_PARAMS_CHARS or value.count(";") > MAX_PARAMS


# (2: a part's type and disposition; an oversized key is held until the next ones)
@functools.lru_cache(maxsize=2)
def bounded_params(value: str) -> str:
    """``value`` (a parameter field's) cut to its type and first parameters (MAX_PARAMS, about
    MAX_PARAMS_CHARS), with the first later parameter of each structural name (boundary,
    charset, name...) kept. A ";" inside quotes splits too: only such a value is cut."""
    pieces = value.split(";")
    kept, size = [pieces[0][:MAX_PARAMS_CHARS]], len(pieces[0])
    index = 1
    while index < len(pieces) and index <= MAX_PARAMS // 2:
        size += len(pieces[index]) + 1
        if size > MAX_PARAMS_CHARS:
            break
        kept.append(pieces[index])
        index += 1
    names = set()
    for piece in kept[1:]:
        if match := _VITAL_PARAM.match(piece):
            names.add(match.group(1).lower())
    for piece in pieces[index:]:
        if len(kept) > MAX_PARAMS or len(names) == 10:
            break
        match = _VITAL_PARAM.match(piece)
        if match and len(piece) <= _VITAL_PARAM_CHARS and match.group(1).lower() not in names:
            names.add(match.group(1).lower())
            kept.append(piece)
    return ";".join(kept)


def repair_params(value: str) -> str:
    """See _repair_params (cached: the parser and the core read a part's type many times)."""
    if len(value) > 1024:
        return _repair_params(value)
    return _repair_params_cached(value)


@functools.lru_cache(maxsize=512)
def _repair_params_cached(value: str) -> str:
    return _repair_params(value)


def _repair_params(value: str) -> str:
    """A Content-Type or Content-Disposition value with the ``;`` its generator left out
    between the value and a parameter, or between two parameters, put back (as lenient
    readers split it), without a comment after the type or a quote left alone; other
    values unchanged."""
    if "(" in value:
        value = _TYPE_COMMENT.sub(r"\1", value, count=1)
    if value.count('"') % 2:
        # A quote left open (a cut header) or closed only: not part of the value.
        value = "".join(piece for piece in _PARAM_PIECES.findall(value) if piece != '"')
    if "=" not in value:
        return value
    if "%" in value and "*" in value:
        value = _SPLIT_ESCAPE.sub(_joined_escape, value)
    value = _VALUE_THEN_PARAM.sub(r"\1; ", value, count=1)
    if value.count("=") < 2:
        return value
    pieces = _PARAM_PIECES.findall(value)
    for index, piece in enumerate(pieces):
        if len(piece) > 1 and piece[0] == piece[-1] == '"':
            if index + 1 < len(pieces):
                pieces[index + 1] = _AFTER_QUOTE.sub("; ", pieces[index + 1], count=1)
        elif piece[0] != '"':
            pieces[index] = _KNOWN_PARAM.sub(_known_param_separator(piece), piece)
    return "".join(pieces)


# An RFC 2231 continuation cut inside a %XX escape (a mailer splitting the encoded value at
# a fixed length): "%" or "%X" at the end of a piece, the escape's rest at the start of the
# next extended piece. The stdlib decodes each piece alone and leaves "%E9" in the name;
# Ruby's mail and Thunderbird join the pieces first.
_SPLIT_ESCAPE = re.compile(r'%([0-9A-Fa-f]?)("?\s*;\s*[^\s=;"]+\*[0-9]+\*\s*=\s*"?)([0-9A-Fa-f]+)')


def _joined_escape(match) -> str:
    """The escape's start moved to the piece holding its rest."""
    head, between, rest = match.groups()
    if len(head) + len(rest) < 2:
        return match.group()
    return between + "%" + head + rest


def _known_param_separator(piece: str):
    """A replacement putting ``;`` before a well-known parameter that follows an unquoted
    value with spaces only (``charset=utf-8 format=flowed``)."""

    def separate(match) -> str:
        before = piece[: match.start()].rstrip()
        return match.group(1) if not before or before.endswith(";") else "; "

    return separate


def header_params(raw: str, *charsets: str | None) -> tuple[str, dict]:
    """Split ``type/subtype; a=b; c*=utf-8''x`` into (value, params) with RFC 2231 decoded;
    raw 8-bit bytes are read by ``charsets`` (declared, in order; see ``decode_8bit``)."""
    from email.message import Message

    message = Message()
    try:
        text = repair_params(fix_surrogates(unfold(raw or ""), *charsets)[:MAX_HEADER])
        message["Content-Type"] = text
        params = message.get_params() or []
        if params and params[0][1]:
            # No value, only parameters ("Content-Disposition: filename=x.pdf"): the stdlib
            # takes the first for the value and leaves it RFC 2231-encoded; read them all
            # as parameters of an empty value.
            del message["Content-Type"]
            message["Content-Type"] = "x; " + text
            params = [("", ""), *(message.get_params() or [])[1:]]
    except Exception:
        return (raw or "").split(";", 1)[0].strip().lower(), {}
    value = params[0][0].lower() if params else ""
    result = {}
    params = params[1:]
    for key, item in params:
        result[key.lower()] = item
    return value, result
