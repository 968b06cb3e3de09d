"""Decoding bytes by declared (and often mislabelled) charsets, without mojibake."""

import codecs
import functools
import logging
import re

_logger = logging.getLogger(__name__)

# Declared label -> what senders really mean.
_ALIASES = {
    "iso-8859-1": "cp1252",  # WHATWG: Latin-1 labels are windows-1252
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-jp": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext",
    "big5": "big5hkscs",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "iso-8859-8-i": "iso-8859-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "unknown": "",
    "x-user-defined": "",
    "default": "",
    "charset": "",
}
# Fallback chains when the primary codec fails on the data.
_FALLBACKS = {
    "iso2022_jp_ext": ("iso2022_jp_2004", "iso2022_jp_2", "cp932"),
    "ascii": ("utf-8", "utf-8-lenient"),
    "utf-8": ("utf-8-lenient",),
    "cp932": ("euc_jis_2004",),
}
_CLEAN = re.compile(r"[^a-z0-9_.:\-]")


def normalize_charset(label: str | None) -> str:
    """Return a Python codec name for a MIME charset label, or "" when unknown/absent."""
    try:
        return _normalize_cached(label)
    except TypeError:  # an unhashable label: not cached
        return _normalize_charset(label)


@functools.lru_cache(maxsize=256)
def _normalize_cached(label) -> str:
    return _normalize_charset(label)


def _normalize_charset(label) -> str:
    """Return a Python codec name for a MIME charset label, or "" when unknown/absent."""
    if not label:
        return ""
    name = _CLEAN.sub("", str(label).strip().strip("\"'").lower().split("*", 1)[0])
    if name in _ALIASES:
        return _ALIASES[name]
    if name.startswith("cp-") or name.startswith("windows-"):
        name = "cp" + name.split("-", 1)[1]
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _cp1252_or_latin1(error):
    """Bytes undefined in cp1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode as Latin-1."""
    chunk = error.object[error.start : error.end]
    return chunk.decode("latin-1"), error.end


def _bytes_as_cp1252(error):
    """In UTF-8 text, stray 8-bit bytes decode one by one as Windows-1252."""
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", "mailparse-cp1252"), error.end


codecs.register_error("mailparse-cp1252", _cp1252_or_latin1)
codecs.register_error("mailparse-utf8", _bytes_as_cp1252)


def _try(data: bytes, codec: str) -> str | None:
    try:
        if codec == "cp1252":
            return data.decode("cp1252", "mailparse-cp1252")
        if codec == "utf-8-lenient":
            return data.decode("utf-8", "mailparse-utf8")
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    except Exception:  # some CJK codecs raise other errors on broken data
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` by its declared charset, falling back sensibly; never raises."""
    if not data:
        return ""
    if isinstance(data, str):
        return data
    codec = normalize_charset(charset)
    if not codec:
        # Undeclared: UTF-8 if it is valid, else Windows-1252 (the most common 8-bit).
        text = _try(data, "utf-8")
        if text is not None:
            return text
        if data.count(b"\x1b$") or data.count(b"\x1b("):
            return _try(data, "iso2022_jp_ext") or data.decode("cp1252", "mailparse-cp1252")
        return data.decode("cp1252", "mailparse-cp1252")
    for candidate in (codec, *_FALLBACKS.get(codec, ())):
        text = _try(data, candidate)
        if text is not None:
            return text
    if codec not in ("utf-8",) and _try(data, "utf-8") is not None:
        return data.decode("utf-8")
    try:
        return data.decode(codec, "replace")
    except Exception:
        return data.decode("cp1252", "mailparse-cp1252")


# Codecs that cannot tell anything about 8-bit bytes: a hint naming them is no hint.
_NO_HINT = frozenset({"", "ascii", "utf-8"})
_DETECT_MIN_CONFIDENCE = 0.5
try:  # chardet is one of Odoo's own requirements; the core runs without it
    import chardet as _chardet
except ImportError:  # pragma: no cover - depends on the environment
    _chardet = None


def detect_charset(data: bytes) -> str:
    """A Python codec for undeclared 8-bit ``data`` that decodes it strictly, or "".

    chardet when importable (it reads short CJK and Cyrillic strings well; charset_normalizer
    does not at the length of a name or a subject), else nothing: the caller falls back."""
    if _chardet is None or not data:
        return ""
    try:
        found = _chardet.detect(data)
    except Exception:
        return ""
    if not found or (found.get("confidence") or 0) < _DETECT_MIN_CONFIDENCE:
        return ""
    codec = normalize_charset(found.get("encoding"))
    if codec in _NO_HINT:
        return ""
    return codec if _try(data, codec) is not None else ""


def decode_8bit(raw: bytes, *hints: str | None) -> str:
    """Raw 8-bit header bytes (no RFC 2047): UTF-8 if valid, else the first declared charset
    that decodes them (the part's, then the message's), else a detected one, else
    Windows-1252."""
    text = _try(raw, "utf-8")
    if text is not None:
        return text
    for hint in hints:
        codec = normalize_charset(hint)
        if codec in _NO_HINT:
            continue
        for candidate in (codec, *_FALLBACKS.get(codec, ())):
            text = _try(raw, candidate)
            if text is not None:
                return text
    detected = detect_charset(raw)
    if detected:
        return _try(raw, detected)
    return raw.decode("cp1252", "mailparse-cp1252")


def fix_surrogates(text: str, charset: str | None = None, *more: str | None) -> str:
    """Undo ``surrogateescape`` (raw 8-bit header bytes) by decoding them properly: see
    :func:`decode_8bit` (``charset`` and ``more`` are the declared charsets, in order)."""
    if not text:
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        _logger.debug("lone surrogates in decoded text: repairing them")
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return decode_8bit(raw, charset, *more)
