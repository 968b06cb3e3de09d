"""Attachments: naming, exclusion (iTop list + dangerous types), TNEF, forwarded .eml, images."""

import base64
import binascii
import hashlib
import logging
import mimetypes
import re
import urllib.parse
from dataclasses import dataclass
from email.message import Message

from .charsets import decode_8bit, decode_bytes, fix_surrogates, normalize_charset, untrusted_label
from .headers import clean_text, decode_words, header_params, one_line
from .images import image_size, resize_to_fit
from .loader import payload_bytes
from .tnef import is_tnef, parse_tnef

_logger = logging.getLogger(__name__)

# Executables, scripts, installers, shortcuts and macro-capable containers.
DANGEROUS_EXTENSIONS = frozenset(
    """ade adp app appx appxbundle application apk bat bas cab chm cmd com cpl crt dll diagcab
    exe gadget hlp hta htaccess inf ins isp iso img jar jnlp js jse ksh lib lnk mad maf mag mam
    maq mar mas mat mau mav maw mcf mda mdb mde mdt mdw mdz msc msh msh1 msh2 mshxml msh1xml
    msh2xml msi msix msixbundle msp mst ocx ops pcd pif pl plg prf prg ps1 ps1xml ps2 ps2xml
    psc1 psc2 psd1 psdm1 psm1 pssc reg scf scr sct settingcontent-ms shb shs sys theme tmp url
    vb vbe vbp vbs vhd vhdx vsmacros vsw vxd webpnp ws wsc wsf wsh xbap xll xnk""".split()
)
DANGEROUS_TYPES = (
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-ms-installer",
    "application/x-msi",
    "application/x-ms-shortcut",
    "application/x-dosexec",
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-mach-binary",
    "application/vnd.microsoft.portable-executable",
    "application/exe",
    "application/x-exe",
    "application/x-bat",
    "application/x-sh",
    "application/x-csh",
    "application/x-shellscript",
    "application/x-javascript",
    "application/javascript",
    "text/javascript",
    "application/hta",
    "application/x-java-archive",
    "application/java-archive",
    "application/x-java-jnlp-file",
    "application/vnd.android.package-archive",
    "application/x-ms-application",
    "application/x-vbscript",
    "text/vbscript",
    "application/x-powershell",
)
# Text types a body is read from; other text parts are files.
BODY_SUBTYPES = frozenset({"plain", "html", "enriched", "richtext"})
_UNSAFE_NAME = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
# Bidirectional controls: a name would show another order than its characters
# ("invoice\u202efdp.exe" shows as "invoiceexe.pdf"). Taken out; joiners stay.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MULTIPART_SKIP = ("multipart/",)
# Machine-readable reports kept as text files named after what they are (a bounce's
# delivery-status says which recipient failed and why).
REPORT_TYPES = {
    "message/delivery-status": "delivery-status.txt",
    "message/global-delivery-status": "delivery-status.txt",
    "message/feedback-report": "feedback-report.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/global-disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "rfc822-headers.txt",
    "message/global-headers": "rfc822-headers.txt",
}
# Unnamed security parts, named as mail clients show them.
_TYPE_NAMES = {
    "application/pgp-signature": "signature.asc",
    "application/pgp-encrypted": "PGPMIME version identification.txt",
    "application/pgp-keys": "public-key.asc",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m",
    "application/x-pkcs7-mime": "smime.p7m",
    # An invitation's calendar part, unnamed as Gmail and Outlook send it: their name
    "text/calendar": "invite.ics",
}
# A forwarded (or returned) message: named by its subject. message/global is one with UTF-8
# headers (RFC 6532).
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_MAX_SUBJECT_NAME = 120
# OpenPGP's ASCII armor: a key, a signature or an encrypted message alike, so the name does
# not tell the type (mime.types says "application/pgp-keys").
_ARMOR_EXTENSIONS = frozenset({"asc"})
# The payload of a PGP/MIME multipart/encrypted (RFC 3156), unnamed: as Thunderbird names it.
_ENCRYPTED_NAME = "encrypted.asc"
_REAL_EXTENSION = re.compile(r"[a-z0-9]{1,5}")
_VALID_TYPE = re.compile(r"[!#$%&'*+.^`|~\w-]+/[!#$%&'*+.^`|~\w-]+")
_TYPE_JUNK = re.compile(r"[\s\"']+")
_WIDE_RUNS = re.compile(r"[\x80-\xff]+")
_LOST_QUOTE = re.compile(r"([A-Za-z][\w.:-]{1,39})'(.*)", re.DOTALL)


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False
    kept: bool = True
    reason: str = ""
    width: int | None = None
    height: int | None = None
    disposition: str = ""  # extension: "inline", "attachment" or ""
    original_size: int | None = None  # extension: bytes before a resize (None: not resized)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data).hexdigest()


def _disposition(part: Message) -> str:
    """ "inline", "attachment" or "" (absent, or only parameters: ``filename=x.pdf``)."""
    try:
        value = part.get_content_disposition()
    except Exception:
        value = None
    value = (value or "").lower()
    return value if value in ("inline", "attachment") else ""


def content_type(part: Message) -> str:
    """The part's type. One written loosely (``"application/pdf"``, ``application / pdf``)
    is read as meant; an invalid one (``pdf; name=x.pdf``: no ``/``, which the stdlib reads
    as text/plain; ``application/``) or none at all is guessed from the file name the part
    carries when the name has a known file type (a text named "Nachricht" stays text)."""
    ctype = part.get_content_type()
    if ctype != "text/plain":
        if _VALID_TYPE.fullmatch(ctype):
            return ctype
        squeezed = _TYPE_JUNK.sub("", ctype)
        if _VALID_TYPE.fullmatch(squeezed):
            return squeezed
        return _type_by_name(part) or "application/octet-stream"
    declared = part.get("content-type")
    if declared is None:
        # No type: a name can only come from a disposition (most such parts are a plain
        # message's whole body, read without looking further).
        return (_type_by_name(part) or ctype) if "content-disposition" in part else ctype
    if str(declared).split(";", 1)[0].count("/") == 1:
        return ctype
    return _type_by_name(part) or ctype


def _type_by_name(part: Message) -> str:
    guessed, _ = mimetypes.guess_type(_filename(part) or "", strict=False)
    return guessed.lower() if guessed else ""


def is_attachment(part: Message) -> bool:
    """iTop: a text part is an attachment only if its disposition says so; others always.
    A text part of a type no body is read from (text/csv, text/calendar, text/x-vcard,
    text/rfc822-headers...) is a file too, whatever its disposition."""
    if _disposition(part) == "attachment":
        return True
    try:
        maintype, _, subtype = content_type(part).partition("/")
    except Exception:
        return True
    if maintype == "text":
        return subtype not in BODY_SUBTYPES
    return maintype != "multipart"


def sent_as_attachment(part: Message) -> bool:
    """Whether the part's disposition is ``attachment``."""
    return _disposition(part) == "attachment"


# Where a file name is read, in order: RFC 2183's and RFC 2045's own parameters, then the
# ones PHP mailers put on the other header (Thunderbird, MimeKit and Ruby's mail read them).
_NAME_PARAMS = (
    ("content-disposition", "filename"),
    ("content-type", "name"),
    ("content-type", "filename"),
    ("content-disposition", "name"),
)


def has_filename(part: Message) -> bool:
    """Whether the part carries a file name (see _NAME_PARAMS)."""
    try:
        named = {
            header: {key.lower() for key, value in (part.get_params(header=header) or []) if value}
            for header in ("content-disposition", "content-type")
        }
        return any(param in named[header] for header, param in _NAME_PARAMS)
    except Exception:
        return False


def _raw_value(part: Message, name: str) -> str:
    try:
        for key, value in part.raw_items():
            if str(key).lower() == name:
                return str(value)
    except Exception:
        return ""
    return ""


def _part_charset(part: Message) -> str:
    try:
        return str(part.get_content_charset() or "")
    except Exception:
        return ""


def _rfc2231_value(value: tuple, *hints: str) -> str:
    """An RFC 2231 ``charset'lang'%XX`` value. Bytes that are valid UTF-8 with non-ASCII
    characters are UTF-8 whatever the label (mailers label UTF-8 names iso-8859-1: read as
    labelled, they are mojibake). Under a label that cannot tell (utf-8 on bytes that are
    not, us-ascii, none, a Latin one mailers default to, an unknown one) the bytes are read
    as a raw 8-bit name is: the label, then the part's and message's charsets (``hints``)
    first, detected (a Windows-1250 name labelled utf-8 is no "Za\ufffd\ufffd"); otherwise
    the declared charset."""
    if len(value) < 3:
        return ""
    charset, text = value[0], str(value[2])
    if not charset:
        # "utf-8'R%C3%A9.pdf": the language's quote left out; the charset is still there.
        lost = _LOST_QUOTE.match(text)
        if lost and normalize_charset(lost.group(1)):
            charset, text = lost.groups()
    if any(ord(char) > 0xFF for char in text):
        # Raw 8-bit bytes written in the value instead of %XX (the header's own decoding
        # has read them): kept as read, the %XX runs beside them decoded.
        return _WIDE_RUNS.sub(lambda m: _rfc2231_value((charset, "", m.group()), *hints), text)
    try:
        data = text.encode("latin-1")
    except Exception:
        return text
    if not data.isascii() and normalize_charset(charset) != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            _logger.debug("RFC 2231 value not UTF-8: read as %s", charset)
    if not data.isascii() and untrusted_label(charset, data):
        return decode_8bit(data, charset, *hints)
    return decode_bytes(data, charset or "utf-8")


def _filename(part: Message, charset_hint: str = "") -> str:
    """Disposition ``filename``, else type ``name``; RFC 2231, RFC 2047 and raw 8-bit (read
    by the part's declared charset, then the message's ``charset_hint``, then detected).
    A degraded name (see _degraded) gives way to a full one of the same type in a later
    parameter (RFC 2231 continuations with a piece missing are degraded too); a part
    naming no file is named by its Content-Location, else by a
    Content-Description that reads as a file name of its type."""
    charsets = (_part_charset(part), charset_hint)
    read = {}
    degraded, kind = "", ""
    for header, param in _NAME_PARAMS:
        if header not in read:
            read[header] = header_params(_raw_value(part, header), *charsets)[1]
        params = read[header]
        if params.get(param):
            value = params[param]
            if isinstance(value, tuple):
                value = _rfc2231_value(value, *charsets)
            given = _decoded_name(str(value), charsets)
            name = _clean_name(given)
            if not name:  # one that reads as nothing (spaces, an empty encoded word): the next
                continue
            if not _degraded(given) and not _pieces_missing(_raw_value(part, header), param):
                if not degraded or _extension(name).startswith(kind):
                    return name
            elif not degraded:
                degraded, kind = name, _extension(name)
    return degraded or _location_name(part) or _description_name(part)


def _pieces_missing(raw: str, param: str) -> bool:
    """Whether ``param`` is written in RFC 2231 continuations with a piece missing
    ("filename*0", "filename*2"; or numbered from 1): the name they read is a lossy one."""
    if "*" not in raw:
        return False
    numbers = {
        int(found.group(1))
        for found in re.finditer(
            r"(?<![\w.-])" + re.escape(param) + r"\*([0-9]{1,3})\*?\s*=", raw, re.IGNORECASE
        )
    }
    return bool(numbers) and numbers != set(range(max(numbers) + 1))


def _description_name(part: Message) -> str:
    """The part's Content-Description when it reads as a file name of the part's declared
    type (``Invoice 2024.pdf`` on application/pdf); "" for prose ("PDF document")."""
    described = _raw_value(part, "content-description")
    if not described or "." not in described:
        return ""
    name = one_line(decode_words(fix_surrogates(described)))
    if not name or len(name) > _MAX_NAME or _PATH_SEPARATOR.search(name):
        return ""
    stem, _, ext = name.rpartition(".")
    if not stem.strip() or not _REAL_EXTENSION.fullmatch(ext.lower()):
        return ""
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return _clean_name(name) if guessed and guessed.lower() == part.get_content_type() else ""


# Windows' short (8.3) alias of a long file name: up to 6 characters, "~", a number.
_DOS_ALIAS = re.compile(r"[^\s~.]{1,6}~[0-9]{1,6}(?:\.[^\s.]{1,3})?")


def _degraded(name: str) -> bool:
    """Whether a file name is a mailer's lossy form of another: a DOS short name, or "?"
    (or U+FFFD) where the charset it was written in lacked a character."""
    return "?" in name or "\ufffd" in name or bool(_DOS_ALIAS.fullmatch(name))


def _location_name(part: Message) -> str:
    """The last piece of the part's Content-Location (RFC 2557), query and fragment left out,
    %XX read as UTF-8; "" unless it names a file with an extension."""
    location = re.sub(r"\s+", "", _raw_value(part, "content-location")).strip("\"'<>")
    if not location or location.lower().startswith(("cid:", "mid:", "data:")):
        return ""
    try:
        path = urllib.parse.urlsplit(location).path
    except ValueError:  # a broken URL (an unclosed "[" in its host)
        return ""
    piece = path.rstrip("/").rsplit("/", 1)[-1]
    if "%" in piece:
        piece = _percent_decoded(piece)
    name = _clean_name(piece)
    stem, dot, ext = name.rpartition(".")
    if not (stem and dot and _REAL_EXTENSION.fullmatch(ext.lower())):
        return ""
    return name if _names_its_type(name, part.get_content_type()) else ""


# Types whose subtype a mailer may spell its own way (image/jpg, audio/mp3): the main type
# is enough for a URL's file name to be of the part's type.
_MEDIA_TYPES = ("image/", "audio/", "video/")


def _names_its_type(name: str, ctype: str) -> bool:
    """Whether a file name taken from a header other than a name parameter (a URL's last
    piece) is a name of the part's own type: a location is often a script's URL
    (GetImage.ashx, pixel.php, ../x.exe), which would hide an image's type or drop it as a
    dangerous file. A part of no known type (application/octet-stream) takes the name."""
    if ctype == "application/octet-stream":
        return True
    guessed = _guess_type(name)
    if guessed == ctype:
        return True
    return ctype.startswith(_MEDIA_TYPES) and guessed.partition("/")[0] == ctype.partition("/")[0]


def _percent_decoded(text: str) -> str:
    try:
        return urllib.parse.unquote(text, errors="strict")
    except UnicodeDecodeError:
        return urllib.parse.unquote(text, encoding="cp1252", errors="replace")


def _decoded_name(name: str, charsets: tuple) -> str:
    """A file name parameter's value decoded (RFC 2047, raw 8-bit), not yet cleaned."""
    name = one_line(decode_words(fix_surrogates(name, *charsets)))
    if len(name) > 2 and name[0] == name[-1] == "'":
        name = name[1:-1]  # quoted with apostrophes (name='x y.pdf'), as some scripts write
    return name


_MAX_NAME = 255
_PATH_SEPARATOR = re.compile(r"[\\/]")


def _clean_name(name: str) -> str:
    """The base name of a file name as given (a Windows or Unix path, ``../x``, reduced to
    its last piece), bidirectional controls taken out (a name shows what it is),
    characters no file system takes replaced, the spaces around it and
    the dots after it (Windows drops them) taken off; "" when nothing is left but dots and
    underscores.
    Underscores and a leading dot are the sender's (``_DSC0412.JPG``, ``.pdf``,
    ``.htaccess``: its type is checked as such). A name over 255 characters is shortened
    before its extension."""
    name = _PATH_SEPARATOR.split(_BIDI_CONTROLS.sub("", name).strip().rstrip("\\/"))[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().rstrip(". ")
    if not name.strip("._ "):
        return ""
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if stem and 0 < len(ext) <= 16:
            name = stem[: _MAX_NAME - len(ext) - 1].rstrip() + dot + ext
        else:
            name = name[:_MAX_NAME]
    return name


def _content_id(part: Message) -> str:
    try:
        value = part.get("Content-ID") or part.get("Content-Id") or ""
    except Exception:
        return ""
    return clean_text(fix_surrogates(str(value))).strip().strip("<>").strip()


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _safe_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", _BIDI_CONTROLS.sub("", one_line(text))).strip(" ._")


def _message_name(part: Message, charset_hint: str = "") -> str:
    """``<subject>.eml`` for a forwarded message (a safe file name), "" without a subject."""
    payload = part.get_payload()
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], Message):
        return ""
    subject = _raw_value(payload[0], "subject")
    if not subject:
        return ""
    name = _safe_name(decode_words(subject, charset_hint))[:_MAX_SUBJECT_NAME].rstrip(" ._")
    return f"{name}.eml" if name else ""


def _label_name(part: Message, extension: str) -> str:
    """``<Content-Description>.<extension>`` for an unnamed report part or returned message:
    the sender's label for it (Postfix: "Delivery report", "Undelivered Message"); "" when
    there is none, or it is too long or a path to be a file name."""
    described = one_line(decode_words(fix_surrogates(_raw_value(part, "content-description"))))
    if not described or len(described) > _MAX_SUBJECT_NAME or _PATH_SEPARATOR.search(described):
        return ""
    name = _safe_name(described)
    if not name:
        return ""
    return name if name.lower().endswith(extension) else name + extension


def _default_name(ctype: str, counter: int) -> str:
    """iTop's ``<type>NNN.<subtype>`` naming, with a real extension when one is known."""
    main, _, sub = ctype.partition("/")
    if ctype in REPORT_TYPES:
        return REPORT_TYPES[ctype]
    if ctype in _TYPE_NAMES:
        return _TYPE_NAMES[ctype]
    if ctype == "message/rfc822":
        return f"message{counter:03d}.eml"
    ext = mimetypes.guess_extension(ctype, strict=False) or ""
    ext = {".jpe": ".jpg", ".ksh": ".txt", ".bat": ".txt"}.get(ext, ext)
    if not ext:
        ext = "." + re.sub(r"[^a-z0-9.+-]+", "", (sub or "bin").lower())[:20] or ".bin"
    return f"{main or 'part'}{counter:03d}{ext}"


def _type_matches(ctype: str, patterns) -> str:
    for pattern in patterns:
        pattern = pattern.lower().strip()
        if not pattern:
            continue
        if pattern == ctype or (pattern.endswith("*") and ctype.startswith(pattern[:-1])):
            return pattern
    return ""


def exclusion_reason(filename: str, ctype: str, settings) -> str:
    """Why an attachment must not be kept ("" when it may be kept)."""
    matched = _type_matches(ctype, settings.exclude_attachment_types)
    if matched:
        return f"excluded type {ctype}" + (f" ({matched})" if matched != ctype else "")
    if settings.block_dangerous_attachments:
        if ctype in DANGEROUS_TYPES:
            return f"dangerous type {ctype}"
        ext = _extension(filename)
        if ext in DANGEROUS_EXTENSIONS:
            return f"dangerous file extension .{ext}"
    return ""


def _payload(part: Message) -> bytes:
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or (
        part.get_content_maintype() == "message" and part.is_multipart()
    ):
        payload = part.get_payload()
        if isinstance(payload, list) and payload:
            # A delivery-status is read as one block of fields per recipient: keep them all.
            blocks = payload if ctype in REPORT_TYPES else payload[:1]
            return b"".join(_block_bytes(block) for block in blocks)
    data = payload_bytes(part)
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return data


def _block_bytes(block: Message) -> bytes:
    try:
        return block.as_bytes(policy=block.policy.clone(linesep="\r\n"))
    except Exception:
        try:
            return str(block).encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def collect_attachments(
    message: Message,
    body_html: str,
    settings,
    walk,
    charset_hint: str = "",
    body_part: Message | None = None,
) -> list[Attachment]:
    """Every attachment of the message, kept or not (with the reason); ``charset_hint``: the
    message's charset, for raw 8-bit file names. A named text/plain or text/html part that
    is not ``body_part`` (the one read as the body) nor an alternative of it is a file the
    sender attached (Apple Mail's inline ``notes.txt``, a page, Exchange's ATT00001.txt)."""
    found: list[Attachment] = []
    counter = 0
    body_seen = False
    alternatives, encrypted, finder = _containers(message, walk)
    for part in walk(message):
        try:
            ctype = content_type(part)
        except Exception:
            ctype = "application/octet-stream"
        if (
            part is message
            and not part.is_multipart()
            and ctype.startswith("text/")
            and not sent_as_attachment(part)
        ):
            continue  # the whole message is its text; unless sent as a file (a CSV report)
        if ctype.startswith(_MULTIPART_SKIP):
            continue
        if part is body_part or (
            ctype.startswith("text/")
            and not is_attachment(part)
            and (id(part) in alternatives or not has_filename(part))
        ):
            body_seen = True
            continue
        counter += 1
        try:
            files = _attachments_of(
                part, ctype, counter, settings, charset_hint, id(part) in encrypted
            )
            if id(part) in finder:
                for att in files:
                    att.kept, att.reason = False, _FINDER_DATA
            found.extend(files)
        except Exception:
            _logger.warning("attachment skipped: unreadable part", exc_info=True)
    del body_seen
    return found


_CONTAINER_TYPES = ("multipart/alternative", "multipart/encrypted", "multipart/appledouble")
_FINDER_DATA = "Mac Finder data of an AppleDouble file (the file follows it)"


def _containers(message: Message, walk) -> tuple[set, set, set]:
    """ids of the parts that are alternatives of one another (children of a
    multipart/alternative: versions of the body, never files), of the encrypted
    payloads of PGP/MIME multipart/encrypted parts (their application/octet-stream child),
    and of the Finder data of AppleDouble files (RFC 1740: the application/applefile part
    of a multipart/appledouble, before the file itself)."""
    alternatives, encrypted, finder = set(), set(), set()
    for part in walk(message):
        ctype = part.get_content_type()
        if ctype not in _CONTAINER_TYPES:
            continue
        payload = part.get_payload()
        if not isinstance(payload, list):
            continue
        if ctype == "multipart/alternative":
            alternatives.update(id(child) for child in payload)
        elif ctype == "multipart/appledouble":
            finder.update(
                id(child)
                for child in payload[:-1]
                if isinstance(child, Message)
                and child.get_content_type() == "application/applefile"
            )
        else:
            encrypted.update(
                id(child)
                for child in payload
                if isinstance(child, Message)
                and child.get_content_type() == "application/octet-stream"
            )
    return alternatives, encrypted, finder


def _attachments_of(
    part: Message,
    ctype: str,
    counter: int,
    settings,
    charset_hint: str = "",
    encrypted: bool = False,
) -> list[Attachment]:
    data = _payload(part)
    name = _filename(part, charset_hint)
    if (
        ctype in ("application/octet-stream", "application/ms-tnef", "application/vnd.ms-tnef")
        and (name.lower() == "winmail.dat" or ctype != "application/octet-stream")
        and is_tnef(data)
    ):
        inner = parse_tnef(data, charset_hint)
        if inner:
            for found in inner:
                found["filename"] = _clean_name(found["filename"] or "")
            return [
                _make(
                    f["data"],
                    f["filename"]
                    or _default_name(f["content_type"] or "application/octet-stream", counter + i),
                    f["content_type"] or _guess_type(f["filename"]),
                    "",
                    "attachment",
                    settings=settings,
                )
                for i, f in enumerate(inner)
            ]
    if ctype == "application/octet-stream" and name:
        ctype = _guess_type(name) or ctype
    if not name and ctype in _MESSAGE_TYPES:
        name = _message_name(part, charset_hint)
    if not name and (ctype in _MESSAGE_TYPES or ctype in REPORT_TYPES):
        name = _label_name(part, ".eml" if ctype in _MESSAGE_TYPES else ".txt")
    if not name and encrypted:
        name = _ENCRYPTED_NAME
    if not name:
        name = _default_name(ctype, counter)
    elif ctype in _MESSAGE_TYPES and not _REAL_EXTENSION.fullmatch(_extension(name)):
        # A name without an extension gets ".eml"; one with an extension is the sender's.
        name += ".eml"
    return [_make(data, name, ctype, _content_id(part), _disposition(part), settings=settings)]


_UUENCODED = re.compile(
    r"^begin [0-7]{3,4} ([^\r\n]{1,255})\r?\n((?:[^\r\n]{0,100}\r?\n){0,200000}?)end[ \t]*\r?$",
    re.MULTILINE,
)


_BASE64_BLOCK = re.compile(
    r"^begin-base64 [0-7]{3,4} ([^\r\n]{1,255})\r?\n((?:[A-Za-z0-9+/=]{1,100}\r?\n){0,200000}?)"
    r"====[ \t]*\r?$",
    re.MULTILINE,
)


def extract_uuencoded(text: str, settings) -> tuple[str, list]:
    """Files uuencoded into a plain-text body (``begin 644 name`` ... ``end``, as
    ``uuencode file | mail`` and old clients send them; ``begin-base64 644 name`` ...
    ``====``, as ``uuencode -m`` writes them): the body without them, and the files as
    attachments."""
    if "begin" not in text:
        return text, []
    found = []

    def take(match) -> str:
        data = _uudecode(match.group(2))
        if data is None:
            return match.group()
        name = _clean_name(match.group(1))
        name = name or _default_name("application/octet-stream", len(found) + 1)
        found.append(_make(data, name, _guess_type(name), "", "attachment", settings=settings))
        return ""

    def take_base64(match) -> str:
        try:
            data = base64.b64decode("".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError):
            data = None
        if data is None:
            return match.group()
        name = _clean_name(match.group(1))
        name = name or _default_name("application/octet-stream", len(found) + 1)
        found.append(_make(data, name, _guess_type(name), "", "attachment", settings=settings))
        return ""

    if "begin " in text:
        text = _UUENCODED.sub(take, text)
    if "begin-base64 " in text:
        text = _BASE64_BLOCK.sub(take_base64, text)
    return text, found


def _uudecode(block: str) -> bytes | None:
    """The bytes of uuencoded lines; None when they are not uuencoding."""
    out = []
    for line in block.splitlines():
        if not line or line in ("`", " "):
            continue
        raw = line.encode("latin-1", "replace")
        try:
            out.append(binascii.a2b_uu(raw))
        except binascii.Error:
            # Encoders that pad lines with garbage: decode the length the line declares.
            size = (((raw[0] - 32) & 63) * 4 + 5) // 3
            try:
                out.append(binascii.a2b_uu(raw[:size]))
            except binascii.Error:
                return None
    return b"".join(out)


def _guess_type(name: str) -> str:
    if _extension(name) in _ARMOR_EXTENSIONS:
        return "application/octet-stream"
    guessed, _ = mimetypes.guess_type(name or "", strict=False)
    return (guessed or "application/octet-stream").lower()


def _make(data, name, ctype, cid, disposition, *, settings) -> Attachment:
    att = Attachment(
        filename=name, content_type=ctype, data=data or b"", content_id=cid, disposition=disposition
    )
    reason = exclusion_reason(name, ctype, settings)
    if reason:
        att.kept, att.reason = False, reason
        return att
    if ctype.startswith("image/"):
        _apply_image_rules(att, settings)
    return att


def _apply_image_rules(att: Attachment, settings) -> None:
    size = image_size(att.data)
    if size is None:
        return  # corrupt or unsupported: kept as is (iTop)
    att.width, att.height = size
    minimum = settings.images_minimum_size
    if minimum and (att.width < minimum[0] or att.height < minimum[1]):
        att.kept = False
        att.reason = f"image {att.width}x{att.height} below {minimum[0]}x{minimum[1]}"
        return
    maximum = settings.images_maximum_size
    if maximum:
        resized = resize_to_fit(att.data, maximum)
        if resized:
            att.original_size = len(att.data)
            att.data, (att.width, att.height) = resized
