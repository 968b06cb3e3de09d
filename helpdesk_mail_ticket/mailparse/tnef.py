"""A small TNEF (``winmail.dat``) reader: the attached files, nothing else.

TNEF is a stream: signature 0x223E9F78, a 16-bit key, then attributes
``level(1) id(4) length(4) data(length) checksum(2)``. Attachments are introduced by
``attAttachRenddata``; ``attAttachTitle`` holds the 8.3 name, ``attAttachData`` the bytes and
``attAttachment`` a MAPI property list that may carry the long name (PR_ATTACH_LONG_FILENAME)
and MIME type (PR_ATTACH_MIME_TAG). 8-bit names are in the sending Outlook's code page,
which the message-level ``attOemCodepage`` gives. Never raises: broken data gives what was
read so far.
"""

import logging
import struct

from .charsets import decode_8bit

_logger = logging.getLogger(__name__)

SIGNATURE = 0x223E9F78
LVL_MESSAGE = 0x01
LVL_ATTACHMENT = 0x02
ATT_OEM_CODEPAGE = 0x9007
ATT_ATTACH_RENDDATA = 0x9002
ATT_ATTACH_TITLE = 0x8010
ATT_ATTACH_DATA = 0x800F
ATT_ATTACHMENT = 0x9005
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_MIME_TAG = 0x370E
PR_ATTACH_DATA_BIN = 0x3701
MAX_FILES = 500


def is_tnef(data: bytes) -> bool:
    return len(data) >= 6 and struct.unpack_from("<I", data, 0)[0] == SIGNATURE


def parse_tnef(data: bytes, charset_hint: str = "") -> list[dict]:
    """Files inside a TNEF stream: dicts with ``filename``, ``content_type``, ``data``.
    ``charset_hint``: the message's charset, for 8-bit names of a stream that does not
    say its code page."""
    files: list[dict] = []
    try:
        _parse(data, files, charset_hint)
    except Exception:
        _logger.info("TNEF stream truncated or corrupt", exc_info=True)
    return [f for f in files if f.get("data") is not None]


def _parse(data: bytes, files: list[dict], charset_hint: str) -> None:
    if not is_tnef(data):
        return
    offset = 6
    current: dict | None = None
    charsets = [charset_hint]
    while offset + 9 <= len(data) and len(files) <= MAX_FILES:
        level = data[offset]
        attr_id, length = struct.unpack_from("<II", data, offset + 1)
        start = offset + 9
        end = start + length
        if end > len(data):
            break
        value = data[start:end]
        offset = end + 2  # checksum
        if level == LVL_MESSAGE and attr_id & 0xFFFF == ATT_OEM_CODEPAGE and length >= 4:
            charsets.insert(0, f"cp{struct.unpack_from('<I', value)[0]}")
        if level != LVL_ATTACHMENT:
            continue
        name = attr_id & 0xFFFF
        if name == ATT_ATTACH_RENDDATA & 0xFFFF:
            current = {"filename": "", "content_type": "", "data": None}
            files.append(current)
        elif current is None:
            continue
        elif name == ATT_ATTACH_TITLE & 0xFFFF:
            current["filename"] = current["filename"] or _cstring(value, *charsets)
        elif name == ATT_ATTACH_DATA & 0xFFFF:
            current["data"] = value
        elif name == ATT_ATTACHMENT & 0xFFFF:
            _apply_mapi(value, current, charsets)


def _cstring(value: bytes, *charsets: str) -> str:
    """A NUL-ended 8-bit string: UTF-8 when valid, else read by the code page the stream
    declares, the message's charset or the charset that reads it best."""
    return decode_8bit(value.split(b"\x00", 1)[0], *charsets).strip()


class _String8:
    """A PT_STRING8 value, read (see _cstring) only when used: reading 8-bit text detects
    its charset, far costlier than the parse, and a property list holds thousands."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes):
        self.raw = raw


def _text(value, charsets: list):
    return _cstring(value.raw, *charsets) if isinstance(value, _String8) else value


def _apply_mapi(value: bytes, current: dict, charsets: list) -> None:
    props = _mapi_props(value)
    long_name = _text(props.get(PR_ATTACH_LONG_FILENAME), charsets) or _text(
        props.get(PR_ATTACH_FILENAME), charsets
    )
    if isinstance(long_name, str) and long_name:
        current["filename"] = long_name
    mime = _text(props.get(PR_ATTACH_MIME_TAG), charsets)
    if isinstance(mime, str) and "/" in mime:
        current["content_type"] = mime.lower()
    if current.get("data") is None and isinstance(props.get(PR_ATTACH_DATA_BIN), bytes):
        current["data"] = props[PR_ATTACH_DATA_BIN]


_FIXED = {
    0x0002: 2,
    0x0003: 4,
    0x0004: 4,
    0x0005: 8,
    0x0006: 8,
    0x0007: 8,
    0x000A: 4,
    0x000B: 2,
    0x0014: 8,
    0x0040: 8,
    0x0048: 16,
}


def _mapi_props(value: bytes) -> dict:
    """Parse a MAPI property list; only string and binary values are kept (8-bit strings
    as _String8, read when used)."""
    props: dict = {}
    if len(value) < 4:
        return props
    count = struct.unpack_from("<I", value, 0)[0]
    offset = 4
    for _ in range(min(count, 10_000)):
        if offset + 4 > len(value):
            break
        prop_type, prop_id = struct.unpack_from("<HH", value, offset)
        offset += 4
        if prop_id >= 0x8000:  # named property: GUID + kind + id/name
            offset += 16
            kind = struct.unpack_from("<I", value, offset)[0]
            offset += 4
            if kind == 0:
                offset += 4
            else:
                name_len = struct.unpack_from("<I", value, offset)[0]
                offset += 4 + name_len + (-name_len % 4)
        multi = bool(prop_type & 0x1000)
        base = prop_type & 0x0FFF
        values_count = 1
        if multi or base in (0x001E, 0x001F, 0x0102, 0x000D):
            values_count = struct.unpack_from("<I", value, offset)[0]
            offset += 4
        for _ in range(min(values_count, 10_000)):
            if base in _FIXED:
                offset += _FIXED[base]
                continue
            if base not in (0x001E, 0x001F, 0x0102, 0x000D):
                return props  # unknown type: cannot continue safely
            size = struct.unpack_from("<I", value, offset)[0]
            offset += 4
            raw = value[offset : offset + size]
            offset += size + (-size % 4)
            if base == 0x001E:
                props[prop_id] = _String8(raw)
            elif base == 0x001F:
                props[prop_id] = raw.decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
            else:
                props[prop_id] = raw
    return props
