"""Decoding bytes by declared (and often mislabelled) charsets, without mojibake."""

import codecs
import functools
import json
import logging
import math
import re
import unicodedata
from pathlib import Path

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
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
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
# The labels of the WHATWG Encoding Standard (what browsers, and the mail readers built on
# their engines, accept), each read as the codec the standard reads it by (a legacy
# charset's Windows superset), then Apple Mail's own x-mac-* labels. Only labels Python
# does not know or reads by a stricter codec need an entry; _ALIASES is checked first.
_LABEL_GROUPS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8",
    "iso8859-2": "iso88592 csisolatin2 iso-ir-101",
    "iso8859-3": "iso88593",
    "iso8859-4": "iso88594",
    "iso8859-5": "iso88595 csisolatincyrillic",
    "iso8859-6": "iso88596 iso-8859-6-e iso-8859-6-i csiso88596e csiso88596i asmo-708",
    "iso8859-7": "iso88597 sun_eu_greek",
    "iso8859-8": "iso88598 iso-8859-8-e csiso88598e csiso88598i visual logical",
    "iso8859-10": "iso885910",
    "iso8859-13": "iso885913",
    "iso8859-14": "iso885914",
    "iso8859-15": "iso885915 csisolatin9",
    "cp1252": "iso88591 x-cp1252",
    "cp1254": "iso88599",
    "cp874": "dos-874 iso885911",
    "cp1250": "x-cp1250",
    "cp1251": "x-cp1251",
    "cp1253": "x-cp1253",
    "cp1255": "x-cp1255",
    "cp1256": "x-cp1256",
    "cp1257": "x-cp1257",
    "cp1258": "x-cp1258",
    "koi8-r": "koi koi8 cskoi8r",
    "koi8-u": "koi8-ru",
    "mac-roman": "mac csmacintosh",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "mac-latin2": "x-mac-ce x-mac-centraleurroman",
    "mac-greek": "x-mac-greek",
    "mac-turkish": "x-mac-turkish",
    "mac-iceland": "x-mac-icelandic",
    "mac-croatian": "x-mac-croatian",
    "mac-romanian": "x-mac-romanian",
    "mac-arabic": "x-mac-arabic",
    "gb18030": "csgb2312 csiso58gb231280 gb_2312 gb_2312-80 iso-ir-58 chinese x-mac-chinesesimp",
    "big5hkscs": "cn-big5 csbig5 x-x-big5 big5-hkscs x-mac-chinesetrad",
    "euc_jis_2004": "x-euc-jp cseucpkdfmtjapanese",
    "iso2022_jp_ext": "csiso2022jp",
    "cp932": "csshiftjis x-mac-japanese",
    "cp949": "cseuckr csksc56011987 iso-ir-149 korean ksc5601 ksc_5601 x-mac-korean",
}
_ALIASES.update(
    {label: codec for codec, labels in _LABEL_GROUPS.items() for label in labels.split()} | _ALIASES
)
# ISO-2022-JP as Microsoft writes it (see _iso2022_jp_ms): no Python codec of its own.
_ISO2022_JP_MS = "iso2022-jp-ms"
# Fallback chains when the primary codec fails on the data.
_FALLBACKS = {
    "iso2022_jp_ext": ("iso2022_jp_2004", "iso2022_jp_2", _ISO2022_JP_MS, "cp932"),
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


# Where a well-formed UTF-8 sequence starts (RFC 3629: no overlong form, no surrogate)
_UTF8_START = re.compile(
    rb"[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _bytes_as_cp1252(error):
    """In UTF-8 text, stray 8-bit bytes decode one by one as Windows-1252: the whole run of
    them up to the next byte that starts a UTF-8 sequence in one call (the decoder would stop
    at each: a Python call per byte, 8 s for 10 MB of them; issue 14). No sequence the
    decoder reads starts inside the run: an invalid sequence's bytes after its first are
    continuation bytes, which start none."""
    data = error.object
    found = _UTF8_START.search(data, error.end)
    stop = found.start() if found is not None else len(data)
    return data[error.start : stop].decode("cp1252", "mailparse-cp1252"), stop


codecs.register_error("mailparse-cp1252", _cp1252_or_latin1)
codecs.register_error("mailparse-utf8", _bytes_as_cp1252)


def _try(data: bytes, codec: str) -> str | None:
    try:
        if codec == "cp1252":
            return data.decode("cp1252", "mailparse-cp1252")
        if codec == "utf-8-lenient":
            return data.decode("utf-8", "mailparse-utf8")
        if codec == _ISO2022_JP_MS:
            return _iso2022_jp_ms(data)
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    except Exception:  # some CJK codecs raise other errors on broken data
        return None


# An escape sequence of ISO-2022-JP and the mode it starts: two bytes per character (JIS
# X 0208, 1978 or 1983), ASCII or JIS-Roman, half-width katakana (JIS X 0201).
_JIS_ESCAPE = re.compile(rb"(\x1b\$[B@]|\x1b\([BJI])")
_JIS_DOUBLE = (b"\x1b$B", b"\x1b$@")
_JIS_HIGH = bytes.maketrans(bytes(range(0x21, 0x7F)), bytes(range(0xA1, 0xFF)))
_JIS_BYTES = re.compile(rb"[\x21-\x7e]*")
_KANA_BYTES = re.compile(rb"[\x21-\x5f]*")


def _iso2022_jp_ms(data: bytes) -> str | None:
    """ISO-2022-JP as Outlook and other Windows mailers write it under that label
    (Microsoft's CP50220): JIS X 0208 plus NEC's row 13 (①, №, ㈱, ㍉, Ⅲ) and the IBM
    extensions, which the standard codecs refuse. Each two-byte run is read as EUC-JP (the
    same pairs with the high bit set), the rows EUC-JP lacks by their Shift_JIS bytes in
    Windows-31J, as those mailers mean; None when ``data`` is no such text (8-bit bytes,
    another escape, a broken pair)."""
    if not data.isascii():
        return None
    pieces = _JIS_ESCAPE.split(data)
    if any(b"\x1b" in piece for piece in pieces[::2]):
        return None  # an escape this reading does not know
    out = [pieces[0].decode("ascii")]
    for index in range(1, len(pieces), 2):
        mode, chunk = pieces[index], pieces[index + 1]
        if mode in _JIS_DOUBLE or mode == b"\x1b(I":
            found = (_JIS_BYTES if mode in _JIS_DOUBLE else _KANA_BYTES).match(chunk).end()
            if found < len(chunk) and chunk[found] not in b"\r\n":
                return None  # a byte the mode has no place for (a control, a space)
            text, chunk = chunk[:found], chunk[found:]  # a line ends in ASCII
            if mode == b"\x1b(I":
                out.append(bytes(byte + 0x80 for byte in text).decode("cp932"))
            elif len(text) % 2:
                return None
            else:
                read = _jis_run(text.translate(_JIS_HIGH))
                if read is None:
                    return None
                out.append(read)
        out.append(chunk.decode("ascii"))
    return "".join(out)


# A run of JIS pairs with the high bit set (EUC-JP's bytes): pairs EUC-JP has, then pairs
# of the rows only Windows fills (NEC's row 13, the IBM extensions in rows 89-92).
_EUC_RUNS = re.compile(
    rb"((?:[\xa1-\xac\xae-\xf8\xfd\xfe][\xa1-\xfe])*)((?:[\xad\xf9-\xfc][\xa1-\xfe])*)"
)


def _jis_run(euc: bytes) -> str | None:
    """JIS pairs (high bit set) as Windows reads them; None when a pair has no character."""
    out = []
    try:
        for match in _EUC_RUNS.finditer(euc):
            common, windows = match.groups()
            out.append(common.decode("euc_jp"))
            if windows:
                sjis = b"".join(_SJIS_OF[windows[i : i + 2]] for i in range(0, len(windows), 2))
                out.append(sjis.decode("cp932"))
    except (UnicodeDecodeError, KeyError):
        return None
    return "".join(out)


def _sjis_of(row: int, cell: int) -> bytes:
    """The Shift_JIS bytes of the JIS X 0208 pair ``row``, ``cell`` (0x21-0x7E each)."""
    lead = (row - 0x21) // 2 + 0x81
    if lead > 0x9F:
        lead += 0x40
    trail = cell + 0x1F + (1 if cell >= 0x60 else 0) if row % 2 else cell + 0x7E
    return bytes((lead, trail))


_SJIS_OF = {
    bytes((row + 0x80, cell + 0x80)): _sjis_of(row, cell)
    for row in (0x2D, 0x79, 0x7A, 0x7B, 0x7C)
    for cell in range(0x21, 0x7F)
}


def _read_iso2022_jp(data: bytes) -> str | None:
    """7-bit ISO-2022-JP: the standard reading (with its extensions), else Microsoft's."""
    return _try(data, "iso2022_jp_ext") or _iso2022_jp_ms(data)


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
            return _read_iso2022_jp(data) or data.decode("cp1252", "mailparse-cp1252")
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
# What undeclared 8-bit header bytes are written in, most frequent first (the order breaks
# ties): the legacy charsets mail clients still send names, subjects and file names in.
_DETECT_CODECS = (
    "cp1252",
    "cp1254",  # Turkish: Windows-1252 but six letters (see _RARE_LATIN)
    "utf-8-lenient",  # UTF-8 with stray Windows-1252 bytes (text pasted into a UTF-8 name)
    "gb18030",
    "cp932",
    "big5hkscs",
    "cp949",
    "euc_jis_2004",
    "cp1251",
    "koi8-r",
    "koi8-u",  # Ukrainian: KOI8-R but eight box drawings (єіїґ ЄІЇҐ)
    "iso8859-2",
    "cp1250",
    "cp1253",  # Greek
    "iso8859-7",  # Greek: its capitals with a tonos are elsewhere than Windows-1253's
    "cp866",  # Cyrillic, DOS
    "iso8859-5",  # Cyrillic, ISO
    "cp1255",  # Hebrew (ISO-8859-8 reads its letters alike)
    "cp1256",  # Arabic and Persian
    "iso8859-6",  # Arabic, ISO
    "cp874",  # Thai (a superset of TIS-620)
)
# Charsets mail is seldom written in undeclared (DOS's Cyrillic, the ISO ones that Windows'
# own displaced): a reading by one of them must be that much more plausible to be chosen
# (a lone "°" or "–" of Western text is a Cyrillic letter in both Cyrillic ones).
_SELDOM_SENT = {"cp866": 0.25, "iso8859-5": 0.25, "iso8859-6": 0.1}
# ... nor chosen undeclared without one word of three non-ASCII letters: two signs side by
# side ("……", "„“") are a two-letter capital word in CP866 ("ЕЕ", "ДУ").
_LETTER_CODECS = frozenset(
    {"cp1251", "koi8-r", "koi8-u", "cp866", "iso8859-5", "cp1253", "iso8859-7"}
    | {"cp1255", "cp1256", "iso8859-6", "cp874"}
)  # the single-byte charsets of the scripts with letter statistics
_WORD_OF_THREE = re.compile(r"[^\x00-\x7f\W\d_]{3}")
# Charsets chardet names for other scripts' short text (lowercase Cyrillic is Hebrew to it,
# a Czech "Výkaz" Turkish): its vote for them does not count.
_NO_VOTE = frozenset({"cp1254", "cp1255", "iso8859-8", "cp1256", "iso8859-6", "cp874"})
# A declared charset is believed unless another reads the bytes this much better (per
# character, on the scale of _char_score).
_DECLARED_BONUS = 0.5
# The structure counted: "<", ">", '"' and an address's "@": after an ASCII character (or
# first) or before a domain's. Between two 8-bit bytes "@" is a trail byte of Shift_JIS
# ("ァ" is 83 40) or Big5 ("一" is A4 40), which those charsets rightly take into their
# character; a raw 8-bit local part before it keeps its "@" when a domain follows (a dotted
# name ending in letters): a Latin code or number glued after such a character is none
# ("病院A棟", "警察110番", "統一PC").
_DOMAIN = r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_STRUCTURE = rf'(?:^|(?<=[\x00-\x7f]))@|@(?={_DOMAIN})|[<>"]'
_STRUCTURE_MARKS = re.compile(_STRUCTURE)
_STRUCTURE_BYTES = re.compile(_STRUCTURE.encode())
_DETECT_MIN_CONFIDENCE = 0.5
_VOTE_MAX_BYTES = 1024  # chardet reads longer text slowly, and the scores need no vote there
try:  # chardet is one of Odoo's own requirements; the core runs without it
    import chardet as _chardet
except ImportError:  # pragma: no cover - depends on the environment
    _chardet = None


def detect_charset(data: bytes, *declared: str | None) -> str:
    """A Python codec that reads undeclared 8-bit ``data`` strictly and most plausibly, or
    "" when ``data`` is ASCII or UTF-8 (nothing to detect).

    Every candidate (the ``declared`` charsets, then the legacy charsets mail is written in)
    that decodes ``data`` strictly is scored by how plausible its characters are
    (``plausibility``): characters of one script, in the commonly used rows of that
    charset, cased as words are. A declared charset gets a head start; on a tie the more
    frequent charset wins. chardet, when importable, only adds a small vote: on strings
    as short as a name it guesses wrong more often than not."""
    if not data or data.isascii() or _try(data, "utf-8") is not None:
        return ""
    if _mostly_utf8(data):
        return "utf-8-lenient"
    # A long value (a name of thousands of escapes, a header's run of 8-bit bytes) is told by
    # its first _BODY_SAMPLE bytes from its first 8-bit one, as a body is: the scoring grows
    # with the text, and many such names in one message cost seconds each.
    data = _detect_sample(data)
    candidates: dict = {}
    # Ranked among the labels that hint (a part declaring none, or ASCII, before the
    # message's label must not halve the message's head start).
    hints = [codec for codec in map(normalize_charset, declared) if codec not in _NO_HINT]
    # A few letters under a label of their script are read by it; labels of other scripts
    # (a part's and a message's that disagree) are no declaration: the statistics decide.
    named = [codec for codec in hints if codec not in _WEAK_LABELS]
    reading = _try(data, named[0]) if named else None
    if (
        len({_try(data, codec) for codec in named}) == 1
        and _few_letters_of_one_script(reading)
        and plausibility(reading, named[0]) > _IMPLAUSIBLE  # no letters text hardly writes ("ΐκς")
    ):
        return named[0]
    for codec in hints:
        candidates.setdefault(codec, _DECLARED_BONUS / (len(candidates) + 1))
    for rank, codec in enumerate(_DETECT_CODECS):
        candidates.setdefault(codec, -0.001 * rank - _SELDOM_SENT.get(codec, 0.0))
    if len(data) <= _VOTE_MAX_BYTES:
        voted = _chardet_vote(data)
        if voted in candidates and voted not in _NO_VOTE:
            candidates[voted] += 0.05
    best, best_score = "", float("-inf")
    structure = sorted(_STRUCTURE_BYTES.findall(data))
    for codec, bonus in candidates.items():
        text = _try(data, codec)
        if text is None or sorted(m.encode() for m in _STRUCTURE_MARKS.findall(text)) != structure:
            continue  # a charset that swallows "@" or "<" as a trail byte breaks a header
        if (
            codec in _LETTER_CODECS
            and (codec in _SELDOM_SENT or any(hint not in _WEAK_LABELS for hint in hints))
            and codec not in hints
            and not _WORD_OF_THREE.search(text)
        ):
            # No word of three letters: too little to choose a seldom charset, or to
            # override a declared label that names a script ("ЦБ РФ" under windows-1251
            # is no Greek "ΦΑ ΠΤ").
            continue
        fit = _language_fit(text, codec, data)
        # A declared label whose reading mixes letters no language writes together is
        # wrong for these bytes (a mailer's default Latin-1 on a Czech name): no head start.
        score = plausibility(text, codec) + (bonus if not fit else min(bonus, 0.0)) + fit
        if score > best_score:
            best, best_score = codec, score
    if best == "cp1252" and not _WESTERN_LABELS.intersection(hints):
        return _central_european(data) or best
    if best == "cp1254" and "cp1254" not in hints and _western_reads_better(data):
        return _central_european(data) or "cp1252"
    return best


def _detect_sample(data: bytes) -> bytes:
    """``data`` when short; else _BODY_SAMPLE bytes from the first 8-bit one, cut after a
    byte below 0x40 (no CJK charset's trail byte: no character is cut) in its second half
    when one is there."""
    if len(data) <= _BODY_SAMPLE:
        return data
    start = next((i for i, byte in enumerate(data) if byte > 0x7F), 0)
    sample = data[start : start + _BODY_SAMPLE]
    cut = max(sample.rfind(bytes([low])) for low in _LOW_BYTES)
    return sample[: cut + 1] if cut >= _BODY_SAMPLE // 2 else sample


_LOW_BYTES = (0x20, 0x0A, 0x2E, 0x2C, 0x2D, 0x3B, 0x3A, 0x29, 0x30)


# Windows-1252 and Windows-1250 / ISO-8859-2 read each other's bytes as letters of the
# same alphabet ("wrzesień" is "wrzesieñ", "Factură" "Facturã"): no letter alone, and no
# mix of letters (``_language_fit``) tells them apart. The words do: how often each pair
# of adjacent characters holding a non-ASCII letter occurs in each language written in
# them (Polish writes "ńs", Spanish "ñ" only before a vowel; built by
# bench/build_letter_stats.py from Odoo's translations). Windows-1252 stays unless a Central
# European reading fits its best language that much better (per non-ASCII character, in
# tenfold steps: Western mail is by far the more frequent). Windows-1254 competes the same
# way: Turkish is Windows-1252 but six letters, and "ı", "ğ" alone are Icelandic or Czech
# "ý", "ð" to the letter scores ("Kullanýcý hesabý"); Turkish writes "ıc", "ğr", those not.
_LATIN_PAIRS_PATH = Path(__file__).resolve().parent / "data" / "latin_pairs.json"
_CENTRAL_EUROPEAN = ("cp1250", "iso8859-2", "cp1254")  # and Turkish
_WESTERN_LABELS = frozenset({"cp1252", "iso8859-1", "iso8859-15"})
_CENTRAL_MARGIN = 1.5
# Turkish's: its "-ı" after a back vowel ("Batı", "Doları") is Czech "-ý" ("zlatý") to the
# pairs, and 1.5 lost it; Czech words so read lose by _breaks_phonotactics instead.
_TURKISH_MARGIN = 1.0
_PAIR_FLOOR = 0.01  # per ten thousand: a pair the table does not hold
_SIGN_IN_WORD = -4.0  # a non-letter between two letters ("indoné¹tina"): two unseen pairs
_LATIN_SCORED = 64  # non-ASCII characters: enough to tell, a long body costs no more
_C1_CONTROL = re.compile(r"[\x80-\x9f]")


@functools.lru_cache(maxsize=1)
def _latin_pairs() -> dict:
    try:
        tables = json.loads(_LATIN_PAIRS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _logger.warning("Latin pair statistics unreadable: %s", _LATIN_PAIRS_PATH, exc_info=True)
        return {}
    return {
        language: {pair: math.log10(freq + _PAIR_FLOOR) for pair, freq in pairs.items()}
        for language, pairs in tables.items()
    }


def _central_european(data: bytes) -> str:
    """The Central European charset that reads ``data`` (read by Windows-1252 so far) as
    words of a language written in it far better than Windows-1252 reads it as words of
    any language written in that; "" when none does."""
    tables = _latin_pairs()
    western = _try(data, "cp1252")
    if not tables or western is None:
        return ""
    sample = western[:_BODY_SAMPLE]
    western_fit = _latin_fit(sample, tables)
    found, found_score = "", western_fit + _CENTRAL_MARGIN
    for codec in _CENTRAL_EUROPEAN:
        text = _try(data, codec)
        threshold = western_fit + (
            _CENTRAL_MARGIN
            if codec != "cp1254"
            else -_ICELANDIC_ODDS
            if text is not None and _icelandic_or_turkish(western, text)
            else _TURKISH_MARGIN
        )
        if text is None or text == western or _C1_CONTROL.search(text):
            continue  # a C1 control is no text: ISO-8859-2's reading of Windows-1250's "Š"
        score = _latin_fit(text[:_BODY_SAMPLE], tables, codec == "cp1254")
        if score > found_score or (not found and score >= threshold):
            found, found_score = codec, score
    return found


def latin_lower(text: str) -> str:
    """``text`` case folded as the Latin pair statistics count it: Turkish's capital "İ"
    stays one letter ("İ".lower() is "i" and a combining dot, no letter: a sign inside
    every word it starts); after a letter it is an "i" ("DİĞER", "YİĞİT")."""
    if "İ" not in text:
        return text.lower()
    text = _INNER_DOTTED_I.sub("i", text)  # a capital word's "İ" is an "i" ("DİĞER")
    return "İ".join(part.lower() for part in text.split("İ"))


_INNER_DOTTED_I = re.compile(r"(?<=[^\W\d_])İ")


# Turkish vowel harmony: a word's vowels agree, and its dotless "ı" (a back vowel) never
# follows a front one (a suffix's vowel follows the stem's; a vowel after it may be a loan
# suffix's, "Sırbistan": not judged); its "ğ" always follows a vowel; and neither Turkish nor
# Azerbaijani, the other language Windows-1254 writes (its "q" and "x": "Sadıq", "Musaxanlı"),
# writes "w" or "ch". A Windows-1254 reading breaking any is another language's "ý" or "ð"
# ("Veselı" for Czech "Veselý", "Chudı" for "Chudý", "byggğ" for Icelandic "byggð"),
# whatever its pairs: it loses as a sign inside a word does.
_FRONT_VOWELS = frozenset("eiöüİ")
# ... and its high vowel after a rounded one is rounded ("okulu", "sorunu", "Doktoru"): an
# "ı" ending a word after "o" or "u" is Czech "-ý" ("Krutý", "Holý", "Nový", "Hustý"); a
# compound's second part has its own ("Bozkır", "Soğukpınar").
_ROUNDED_BACK = frozenset("ou")
_VOWELS = _FRONT_VOWELS | frozenset("aıouâîû")
_HARMONY_BREAK = _SIGN_IN_WORD
_WORD_BEFORE = re.compile(r"[^\W\d_]{1,12}\Z")
_WORD_AFTER = re.compile(r"[^\W\d_]{0,12}")
_NOT_TURKISH = re.compile(r"w|ch")
# Turkish syllables hold at most two consonants between vowels, and a word starts with one
# consonant or a Western loan's cluster (a stop or "f", "v" before "r" or "l": "Fransız",
# "Program"; "s" before "l", "p", "k", "m", "n": "Slavca"; older loans write "İst-",
# "İsv-": "İstanbul", "İsveç"), nor ends on a stop and "r" before its last vowel; Czech
# writes "zl", "hl", "ml", "st", "sv", "tv", three in a row ("polský", "tvrdý") and "-brý",
# "-drý", "-krý" ("dobrý", "modrý").
_CONSONANTS = "bcçdfghjklmnprsştvyzqx"
# ... but a "y" before a vowel opens a compound's second part ("Alt" + "yapı", "Üst" +
# "yazı"); Czech "y" is a vowel and seldom stands before one ("krytý" still breaks).
# A liquid or "n", a consonant other than "s", then one before a vowel is a Turkish
# syllable boundary ("kart-ları", "sırt-lan", "san-tralı"); Czech "-lský", "-nzlý" close
# on "ý", Icelandic "skýrsla" holds an "s".
# No "ng" closes a Turkish syllable but before a loan's "r" or "l" ("Kon-gre"; Icelandic
# "Þingvellir"), and an "ı" that does not end the word opens one as any vowel does
# ("Kırk-pı-nar"; Czech "-nzlý" ends on it).
_SYLLABLE_BOUNDARY = (
    f"(?!ng[^rl])[lnr][{_CONSONANTS.replace('s', '')}][{_CONSONANTS}](?:[aeioöuüâîû]|ı(?!\\Z))"
)
_THREE_CONSONANTS = re.compile(
    f"(?!{_SYLLABLE_BOUNDARY})[{_CONSONANTS}]{{2}}(?!y[aeıioöuüâîû])[{_CONSONANTS}]"
)
_CLUSTER_START = re.compile(f"[{_CONSONANTS}]{{2}}")
_LOAN_START = re.compile("[bcdgkptfv][rl]|s[lpkmn]")
_FINAL_ONSET = re.compile("[bcdgkpt]rı\\Z")  # Czech "dobrý", "modrý"; Turkish "Kıbrıs" goes on


def _breaks_harmony(text: str, end: int) -> bool:
    """Whether the "ı" or "ğ" ending at ``end`` in ``text`` breaks Turkish vowel harmony
    (as written: a capital "I" is Turkish's capital "ı"), or its word holds letters
    Turkish and Azerbaijani do not write (w, "ch": "Chudı" is Czech "Chudý")."""
    found = _WORD_BEFORE.search(text, 0, end)
    if found is None:
        return False
    head = found.group().replace("I", "ı").replace("İ", "i").lower()
    tail = _WORD_AFTER.match(text, end).group()
    if _NOT_TURKISH.search(head + tail.lower()):
        return True
    if head[-1] == "ğ":
        return len(head) < 2 or head[-2] not in _VOWELS
    if _breaks_phonotactics(head + tail.lower()):
        return True
    after = [char for char in tail.lower() if char in _VOWELS]
    if after and after[0] in "eöü":
        return True  # "adıge" is Icelandic "adýge" (a loan suffix's is "i": "Sırbistan")
    before = [char for char in head[:-1] if char in _VOWELS]
    if not before:
        return False
    return before[-1] in _FRONT_VOWELS or (before[-1] in _ROUNDED_BACK and not tail)


def _breaks_turkish_syllables(text: str, end: int) -> bool:
    """Whether the word of the "ş" ending at ``end`` in ``text`` breaks Turkish syllables
    (_breaks_phonotactics): Icelandic "Þröstur", "Þorsteinn" read by Windows-1254."""
    found = _WORD_BEFORE.search(text, 0, end)
    if found is None:
        return False
    word = found.group() + _WORD_AFTER.match(text, end).group()
    return _breaks_phonotactics(latin_lower(word.replace("I", "ı")))


def _breaks_phonotactics(word: str) -> bool:
    """Whether lower-case ``word`` holds three consonants in a row or starts with two that
    no loan Turkish writes starts with (see _CONSONANTS)."""
    if _THREE_CONSONANTS.search(word) or _FINAL_ONSET.search(word):
        return True
    return bool(_CLUSTER_START.match(word)) and not _LOAN_START.match(word)


# Where the two readings differ only by Icelandic "ð" against Turkish "ğ", the odds turn:
# Turkish mail is far the more frequent, Icelandic "ð" the more frequent letter (its pairs
# outweigh "ğ"'s, "Doðan" over "Doğan"). Turkish wins unless Icelandic reads this much better
# (per letter, in tenfold steps: below the two languages' speakers, some 200 to 1).
_ICELANDIC_ODDS = 1.5


_TURKISH_LETTERS = frozenset("çğıİöşüâîû")
_ICELANDIC_SHAPE = re.compile(f"au|ei|[bdg]\\Z|([{_CONSONANTS}])\\1\\Z")


def _icelandic_or_turkish(western: str, turkish: str) -> bool:
    """Whether the two readings differ only where Windows-1252 reads Icelandic's own "ð"
    and Windows-1254 Turkish "ğ", the Windows-1254 reading holding no letter Turkish does
    not write ("Guðjón") and each word so read shaped as Turkish words are: vowels all
    front or all back ("Doğu", "Oğuz", "Niğde"; Icelandic "veður", "Sigurður" break it),
    Turkish syllables (_breaks_phonotactics: "Staður"), no Icelandic diphthong ("au",
    "ei": "Rauður"), no voiced stop last (Turkish writes "Ahmet", "ağaç": "Suðurland") nor
    a double consonant ("hak", "his": "Goðafoss")."""
    if len(western) != len(turkish) or any(
        char.isalpha() and not char.isascii() and char not in _TURKISH_LETTERS
        for char in latin_lower(turkish)
    ):
        return False
    for index, (one, other) in enumerate(zip(western, turkish, strict=True)):
        if one == other:
            continue
        if one not in "ðÐ":
            return False
        found = _WORD_BEFORE.search(turkish, 0, index + 1)
        word = latin_lower(found.group() + _WORD_AFTER.match(turkish, index + 1).group())
        vowels = {char for char in word if char in _VOWELS}
        if not vowels or (vowels & _FRONT_VOWELS and vowels - _FRONT_VOWELS):
            return False
        if _ICELANDIC_SHAPE.search(word) or _breaks_phonotactics(word.replace("İ", "i")):
            return False
    return True


def _western_reads_better(data: bytes) -> bool:
    """Whether ``data``, read by Windows-1254 on its letters alone (Icelandic "þ" weighs
    less than "ş", a capital "Ý" is Turkish "İ"), reads as words of a language better by
    Windows-1252: its pairs, Turkish harmony and syllables judged. "Şröstur",
    "Şingvellir", "KONEÈNİ" are Icelandic "Þröstur", "Þingvellir" and Czech "KONEČNÝ".
    No margin: the letters' choice already stood for Turkish."""
    tables = _latin_pairs()
    western, turkish = _try(data, "cp1252"), _try(data, "cp1254")
    if not tables or western is None or turkish is None or not _not_turkish_sign(turkish):
        return False
    western_fit = _latin_fit(western[:_BODY_SAMPLE], tables)
    return western_fit > _latin_fit(turkish[:_BODY_SAMPLE], tables, turkish=True)


def _not_turkish_sign(text: str) -> bool:
    """Whether ``text``, a Windows-1254 reading, shows a sign of no Turkish: a letter
    Turkish does not write ("KONEÈNİ"), a sign inside a word, an "ı" or "ğ" word breaking
    harmony or syllables, a "ş" word breaking syllables ("Şröstur", "Şingvellir"). Without
    one the pairs alone do not overturn the letters' choice: they favour Icelandic "þ" and
    "ð" over Turkish "ş" and "ğ" both, and a Turkish text holding both ("Ayşe Doğan",
    "Uğur Şahin") would read Icelandic on them."""
    for found in _NON_ASCII.finditer(text):
        index, char = found.start(), latin_lower(found.group())
        if not char.isalpha():
            if text[index - 1 : index].isalpha() and text[index + 1 : index + 2].isalpha():
                return True
            continue
        if char not in _TURKISH_LETTERS:
            return True
        if char in "ığ" and _breaks_harmony(text, index + 1):
            return True
        if char == "ş" and (
            _breaks_turkish_syllables(text, index + 1) or _icelandic_shaped(text, index + 1)
        ):
            return True
    return False


def _icelandic_shaped(text: str, end: int) -> bool:
    """Whether the word of the letter ending at ``end`` in ``text`` has a shape Turkish
    words do not and Icelandic ones do (_ICELANDIC_SHAPE: "au", "ei", a voiced stop or a
    double consonant last: "Şorbjörg", "Şorsteinn")."""
    found = _WORD_BEFORE.search(text, 0, end)
    if found is None:
        return False
    word = latin_lower(found.group() + _WORD_AFTER.match(text, end).group())
    return bool(_ICELANDIC_SHAPE.search(word))


def _latin_fit(text: str, tables: dict, turkish: bool = False) -> float:
    """How well ``text`` reads as one Latin language: the best language's mean, over the
    first _LATIN_SCORED non-ASCII characters, of the log frequencies of the pairs each
    forms with the characters before and after it (a non-letter there counts as a space).
    ``turkish``: ``text`` is the Windows-1254 reading (its "ş" is judged as a Turkish
    word's, not a Romanian's)."""
    padded = " " + latin_lower(text) + " "
    pairs, signs, count = [], 0.0, 0
    for found in _NON_ASCII.finditer(padded):
        index, char = found.start(), found.group()
        before, after = padded[index - 1], padded[index + 1]
        count += 1
        if not char.isalpha():
            signs += _SIGN_IN_WORD if before.isalpha() and after.isalpha() else 0.0
        else:
            pairs.append((before if before.isalpha() else " ") + char)
            pairs.append(char + (after if after.isalpha() else " "))
            if char in "ığ" and _breaks_harmony(text, index):
                signs += _HARMONY_BREAK
            elif turkish and char == "ş" and _breaks_turkish_syllables(text, index):
                signs += _HARMONY_BREAK
        if count >= _LATIN_SCORED:
            break
    if not count:
        return 0.0
    floor = math.log10(_PAIR_FLOOR)
    best = max(sum(table.get(pair, floor) for pair in pairs) for table in tables.values())
    return (best + signs) / count


# A UTF-8 sequence of two to four bytes (RFC 3629), and a byte no such sequence holds.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}|([\x80-\xff])"
)
_UTF8_SHARE = 2  # UTF-8 bytes for each stray one, at least
_UTF8_MIN_SEQUENCES = 3


def _mostly_utf8(data: bytes) -> bool:
    """Whether 8-bit ``data`` is UTF-8 with stray bytes (a word pasted from a legacy editor
    into UTF-8 text): at least _UTF8_MIN_SEQUENCES multi-byte sequences, one of two bytes
    (a Latin, Greek or Cyrillic letter), holding at least _UTF8_SHARE times as many bytes
    as the bytes outside them, and reading as plausible text. Legacy text hardly forms
    UTF-8 sequences, and those it forms read as no text: a single-byte charset's accented
    capital before a sign ("Ã©"), a CJK pair's bytes now and then; DOS Cyrillic's small
    letters form three-byte ones ("умб" is "㬡"), Thai's consonants two-byte ones of rare
    Cyrillic letters ("บาตัก" has "ҵѡ")."""
    sequences = utf8_bytes = stray = pairs = 0
    for match in _UTF8_SEQUENCE.finditer(data, 0, 65536):
        if match.group(1) is None:
            length = match.end() - match.start()
            sequences += 1
            utf8_bytes += length
            pairs += length == 2
        else:
            stray += 1
    if sequences < _UTF8_MIN_SEQUENCES or not pairs or utf8_bytes < _UTF8_SHARE * stray:
        return False
    text = _UTF8_SEQUENCE.sub(_utf8_or_space, data[:65536]).decode("utf-8", "replace")
    return plausibility(text, "utf-8") >= _PLAUSIBLE


def _utf8_or_space(match) -> bytes:
    return b" " if match.group(1) is not None else match.group()


# At most this many letters: the statistics of running text cannot judge them (a two- or
# three-letter abbreviation's pairs are no pairs of running text, "РФ", "НДС"), nor can any
# other charset's reading of as few bytes outweigh a label that names their script.
_FEW_LETTERS = 4
_WORD = re.compile(r"[^\W\d_]+")
_IMPLAUSIBLE = -0.5  # a reading scoring lower is letters text hardly writes


def _few_letters_of_one_script(text: str | None, most: int = _FEW_LETTERS) -> bool:
    """Whether ``text`` holds a few non-ASCII letters (at most _FEW_LETTERS), all letters
    of one script other than Latin and CJK (the script a declared label names), each word
    cased as words are (small, capital, or a capital first); nothing else non-ASCII."""
    if text is None:
        return False
    found = _NON_ASCII.findall(text)
    if not found or len(found) > most:
        return False
    if not all(_is_letter(char) for char in found):
        return False
    if len({_script(char) for char in found}) != 1 or _script(found[0]) in ("latin", "other"):
        return False
    return all(
        not any(char.isascii() for char in word)  # "йl" is no word: Latin bytes read wrong
        and (word.islower() or word.isupper() or word[1:].islower() or word.lower() == word.upper())
        for word in _WORD.findall(text)
        if not word.isascii()
    )


# The accented Latin letters of the languages Windows-1252 and Windows-1250 / ISO-8859-2
# are written in, one alphabet each (lower case). Real text's accented letters all belong
# to one language; Central European bytes read by the Western charset (or the reverse)
# mix letters no language has together ("Pøíloha è. 1" for "Příloha č. 1").
_LANGUAGE_LETTERS = tuple(
    frozenset(letters)
    for letters in (
        "äöüß",  # de
        "àâæçéèêëîïôœùûüÿ",  # fr
        "áéíñóúü",  # es
        "áâãàçéêíóôõú",  # pt
        "àèéìíîòóù",  # it
        "áéèëíïóöü",  # nl
        "æøåéèóòô",  # da no
        "åäöéü",  # sv fi
        "áðéíóúýþæö",  # is
        "àçèéíïòóúü",  # ca
        "äöüõšž",  # et
        "ąćęłńóśźż",  # pl
        "áčďéěíňóřšťúůýž",  # cs
        "áäčďéíĺľňóôŕšťúýž",  # sk
        "áéíóöőúüű",  # hu
        "čćđšž",  # hr sl bs
        "ăâîșțşţ",  # ro
        "âçğıîöşüû",  # tr az
        "äöü",  # de (letters of both charsets)
    )
)
_LATIN_SINGLE_BYTE = frozenset({"cp1252", "cp1250", "iso8859-2", "cp1254"})
_LANGUAGE_MISFIT = 0.5


def _language_fit(text: str, codec: str, data: bytes) -> float:
    """0, or a penalty when a Latin single-byte reading gives accented letters that no one
    language writes together on one line (the reading of another charset). Only the words
    that are not UTF-8 count (a UTF-8 address beside a legacy name has no letters in that
    charset). UTF-8 with stray bytes is judged when it holds no UTF-8 (then it is the
    Windows-1252 reading). Line by line: a message's header values, joined, may be in
    several languages."""
    if codec == "utf-8-lenient":
        if text != _try(data, "cp1252"):
            return 0.0
        codec = "cp1252"
    elif codec not in _LATIN_SINGLE_BYTE:
        return 0.0
    for line in data.split(b"\n"):
        letters = set()
        for token in _TOKENS.split(line):
            if token.isascii() or _try(token, "utf-8") is not None:
                continue
            text = _try(token, codec) or ""
            letters.update(c.lower()[0] for c in text if "\x80" <= c < "\u0250" and c.isalpha())
        letters.discard("i")  # "İ" lowered
        if letters and not any(letters <= alphabet for alphabet in _LANGUAGE_LETTERS):
            return -_LANGUAGE_MISFIT
    return 0.0


def _chardet_vote(data: bytes) -> str:
    if _chardet is None:
        return ""
    try:
        found = _chardet.detect(data)
    except Exception:
        return ""
    if not found or (found.get("confidence") or 0) < _DETECT_MIN_CONFIDENCE:
        return ""
    return normalize_charset(found.get("encoding"))


_COMMON = 0.9  # a character of a CJK charset's common rows (see _han_score)
_CJK_CODECS = frozenset({"gb18030", "big5hkscs", "cp932", "euc_jis_2004", "cp949"})
_JAPANESE = frozenset({"cp932", "euc_jis_2004", "iso2022_jp_ext"})
# Typographic punctuation that Latin text really uses.
_LATIN_PUNCTUATION = frozenset("–—«»„“”‘’‚…•€£·°®©™§№‰")
_TRAILING_MARKS = frozenset("®©™")  # never lead a word, nor stand beside another sign


def _row(char: str, codec: str) -> int:
    """The lead byte of ``char`` in ``codec`` (0 when it has none there)."""
    try:
        encoded = char.encode(codec)
    except (UnicodeEncodeError, LookupError):
        return 0
    return encoded[0] if len(encoded) == 2 else 0


_LEVEL_TWO = 0.5  # a Han character of a charset's level-2 rows (see _han_score)
# The characters the language of each CJK charset writes (built by
# bench/build_letter_stats.py from Odoo's translations). A charset's common rows hold
# thousands of characters a language hardly writes: two bytes of Korean, Thai or Cyrillic
# read by a Chinese charset land on them as often as on the frequent ones ("나마어" is
# GB2312's "唱付绢", "มกราคม" EUC-JP's "繊智ち"); the frequent ones are the text's.
_CJK_CHARS_PATH = Path(__file__).resolve().parent / "data" / "cjk_chars.json"
_CJK_TABLE = {"euc_jis_2004": "cp932", "iso2022_jp_ext": "cp932"}


@functools.lru_cache(maxsize=1)
def _cjk_chars() -> dict:
    try:
        tables = json.loads(_CJK_CHARS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _logger.warning("CJK character statistics unreadable: %s", _CJK_CHARS_PATH, exc_info=True)
        return {}
    return {codec: frozenset(chars) for codec, chars in tables.items()}


def _written(char: str, codec: str) -> bool:
    """Whether the language of ``codec`` writes ``char`` (True without statistics)."""
    chars = _cjk_chars().get(_CJK_TABLE.get(codec, codec))
    return chars is None or char in chars


# The common Chinese surnames (simplified and traditional forms). A name is the text of a
# From header: a surname and one or two given-name characters, which a user interface's
# translations hardly write (刘, 杨, 赵; 俊, 鑫, 燕). Such a run of Han characters scores
# by its rows alone, as before cjk_chars.json.
_SURNAMES = frozenset(  # the eighty-five most frequent, and the traditional forms
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "張劉陳楊黃趙吳孫馬鄭謝許韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒閆賀龍"
)
# A given name's character weighs less than a written one: a Korean word of syllables its
# language writes keeps a tie against a Chinese charset's reading that starts with a surname.
_GIVEN_NAME = 0.8
_NAME_RUN = re.compile(r"(?<![^\W\d_])[\u4e00-\u9fff]{2,3}(?![^\W\d_])")
_PINYIN_NAME = re.compile(r"(?<![^\W\d_])[\u4e00-\u9fff](?=[a-z]{2,}(?![^\W\d_]))")


def _chinese_name_chars(text: str) -> dict:
    """The Han characters of ``text``'s words of two or three of them (nothing else glued)
    that start with a common surname: index -> the score its character takes when in its
    charset's common rows (the surname's as a written one, a given name's _GIVEN_NAME)."""
    out = {}
    for run in _NAME_RUN.finditer(text[:_MIXED_SCANNED]):
        if run.group()[0] in _SURNAMES:
            out[run.start()] = _COMMON
            out.update(dict.fromkeys(range(run.start() + 1, run.end()), _GIVEN_NAME))
    for run in _PINYIN_NAME.finditer(text[:_MIXED_SCANNED]):
        if run.group() in _SURNAMES:
            out[run.start()] = _COMMON  # a surname glued to its given name in pinyin
    return out


# The common Japanese surnames (the hundred most frequent, written in kanji). A Japanese name
# is a surname of one to three characters and a given name of one to three, glued or after
# a space; EUC-JP's Han rows are GB2312's, and a name's characters (田, 郎, 佐, 藤) are ones
# the translations hardly write: read by their rows alone, as Chinese names are.
_JAPANESE_SURNAMES = frozenset(
    (
        "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 "
        "松本 井上 木村 林 斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 "
        "石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 "
        "太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 "
        "中山 和田 石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 内田 高木 "
        "安藤 島田 谷口 大野 高田 丸山 今井 河野 藤本 村田 武田 上野 杉山 増田 "
        "小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 木下 野口 松尾 菊地 野村 "
        "新井 渡部"
    ).split()
)
_JAPANESE_NAME = re.compile(
    r"(?<![^\W\d_])([\u4e00-\u9fff々]{1,3})([ \u3000]?)([\u4e00-\u9fff々]{1,3})(?![^\W\d_])"
)


def _japanese_name_chars(text: str) -> dict:
    """The Han characters of ``text``'s names (a common surname, then a given name glued or
    after a space, ASCII or ideographic, nothing else glued): index -> the score its
    character takes when in its charset's common rows (the surname's as a written one, a
    given name's _GIVEN_NAME)."""
    out = {}
    for run in _JAPANESE_NAME.finditer(text[:_MIXED_SCANNED]):
        first, given_apart, given = run.groups()  # apart: a space or an ideographic one
        for cut in range(1, len(first) + 1):
            surname = first[:cut]
            if surname in _JAPANESE_SURNAMES:
                break
        else:
            if first + given not in _JAPANESE_SURNAMES:
                continue
            cut = len(first + given)
        start = run.start()
        if cut == 1 and not given_apart:
            # A one-character surname (林, 森, 原) glued to what follows is a word's first
            # character as often: GBK's "抗体" is EUC-JP's "森悶". Only a name's surname
            # before a given name of two or more scores so; the given name as written.
            if run.end() - start >= 3:
                out[start] = _COMMON
            continue
        out.update(dict.fromkeys(range(start, start + cut), _COMMON))
        out.update(
            (index, _GIVEN_NAME)
            for index in range(start + cut, run.end())
            if not text[index].isspace()
        )
    return out


def _han_score(char: str, codec: str, name: bool = False) -> float:
    """A Han character read by ``codec``: 0.9 in the charset's level-1 (common) rows when
    its language writes it, 0.5 in level 2 or not written, -1 outside (rare extensions:
    what wrong bytes land on). A letter in a well-cased word scores 1: two bytes that
    happen to form a common Han character weigh a little less than two letters that form
    a word."""
    if codec == "gb18030":
        row = _row(char, "gb2312")
        score = _COMMON if 0xB0 <= row <= 0xD7 else _LEVEL_TWO if row else -1.0
    elif codec == "big5hkscs":
        row = _row(char, "big5")
        score = _COMMON if 0xA4 <= row <= 0xC6 else _LEVEL_TWO if row >= 0xC9 else -1.0
    elif codec in _JAPANESE:
        row = _row(char, "shift_jis")
        score = _COMMON if 0x88 <= row <= 0x98 else _LEVEL_TWO if row >= 0x99 else -1.0
    else:
        return -0.5  # Hanja in Korean, a Han character in a single-byte charset
    if name or score != _COMMON or _written(char, codec):
        return score
    return _LEVEL_TWO


def _reads_as_word_start(char: str, codec: str, after: str) -> bool:
    """Whether ``char``'s two bytes in ``codec`` read in a Latin charset (Windows-1250,
    ISO-8859-2, Windows-1252) as a word's first two letters before ``after``: two letters,
    the second small and forming with ``after`` a pair one Latin language writes ("ár" of
    "Šárka"; not "õx": "王xiaoming" is no "Íõxiaoming"), the first a capital (a name's) or
    a start such a language writes ("Šá", "úč"; not "ąí", "ÐÂ")."""
    try:
        data = char.encode(codec)
    except (UnicodeEncodeError, LookupError):
        return False
    if len(data) != 2:
        return False
    tables = _latin_pairs()
    for latin in ("cp1250", "iso8859-2", "cp1252"):
        text = _try(data, latin)
        if not text or not (text[0].isalpha() and text[1].isalpha() and text[1].islower()):
            continue
        if not any(text[1] + after.lower() in table for table in tables.values()):
            continue
        if text[0].isupper():
            return True  # a name's start ("Šů" of "Šůrova")
        start, pair = " " + text[0], text
        if any(start in table and pair in table for table in tables.values()):
            return True
    return False


def _char_score(char: str, codec: str, before: str, after: str) -> float:
    """How plausible one non-ASCII character is in text written in ``codec``."""
    code = ord(char)
    if codec == "utf-8" and 0x3040 <= code <= 0xD7A3:
        return _COMMON  # UTF-8 says which character it is: no row to doubt
    if 0x3040 <= code <= 0xD7A3 and before.isascii() and after.isascii():
        if before.isalpha() and after.isalpha():
            return -1.0  # one CJK character inside a Latin word: a Latin letter misread
        if not before.isalnum() and after.islower() and _reads_as_word_start(char, codec, after):
            # One CJK character alone before a word of small Latin letters, its bytes two
            # Latin letters: a Latin word's two accented first letters misread ("Šárka" as
            # Shift_JIS "眼rka"; "新app" in GBK is no "ÐÂapp").
            return -1.0
    if 0x4E00 <= code <= 0x9FFF:
        return _han_score(char, codec)
    if 0x3040 <= code <= 0x30FF:
        return _kana_score(char, codec, before, after)
    if 0xAC00 <= code <= 0xD7A3:  # Hangul syllables
        if codec != "cp949" or not _row(char, "euc_kr"):
            return -1.0
        return _COMMON if _written(char, codec) else _LEVEL_TWO
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:  # CJK punctuation, full width
        return 0.8 if codec in _CJK_CODECS else -1.0
    if 0xFF61 <= code <= 0xFF9F or 0xE000 <= code <= 0xF8FF or code < 0xA0:
        return -2.0  # half-width katakana, private use, C1 controls
    if char.isalpha() or 0xE31 <= code <= 0xE4E:  # Thai vowel and tone marks included
        return _letter_score(char, codec, before, after)
    if char in _TRAILING_MARKS and (after.isalpha() or not after.isascii()):
        return -1.0  # "®", "©", "™" follow a word or stand alone: ISO-8859-2's "Ž", "Š", "Ť"
    if char in _LATIN_PUNCTUATION or char == "\u00a0":
        if codec in _CJK_CODECS or (before.isalpha() and after.isalpha() and char != "’"):
            return -0.5  # quotes, dashes and symbols stand between words, not in them
        return 0.5
    return -1.0  # other symbols: what bytes read by the wrong charset land on


_SMALL_KANA = frozenset("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶー")
# The small kana Japanese writes after other characters: the sokuon (a doubled consonant)
# between a verb's Han stem and its kana ending ("送って", "待った"), the counter "ヶ"/"ヵ"
# (read ka, ga) before a Han character, after a numeral or a Han one or starting a word
# ("1ヶ月", "3ヵ所", "関ヶ原", "ヶ国語"), and the long-vowel mark "ー" that input methods
# give for a dash between Han characters or numerals ("東京ー大阪", "4ー2ー8").
_SOKUON = frozenset("っッ")
_COUNTER_KANA = frozenset("ゕゖヵヶ")
# A small "ya", "yu", "yo" (a palatal syllable) follows a kana of the i column, or in a
# loan's katakana "テ", "デ", "フ", "ヴ" ("テュ", "フュ"): after another it is wrong bytes
# (Big5's "中文" is EUC-JP's "いゅ").
_YOON = frozenset("ゃゅょャュョ")
_I_COLUMN = frozenset("きしちにひみりぎじぢびぴキシチニヒミリギジヂビピテデフヴ")


def _is_katakana(char: str) -> bool:
    return 0x30A1 <= ord(char) <= 0x30FC  # with the long-vowel mark "ー" ("メール")


def _is_hiragana(char: str) -> bool:
    return 0x3041 <= ord(char) <= 0x3096


# Casual Japanese closes a phrase in hiragana with a katakana particle or the emphatic
# small "ッ" ("見てネ", "行くゾ", "あッ"): a katakana letter alone, but a word's end.
_KATAKANA_FINALS = frozenset("ネヨゾナカワサッ")


def _lone_katakana(char: str, before: str, after: str) -> bool:
    """Whether ``char`` is a katakana letter with no katakana beside it and hiragana on
    one side (the long-vowel mark also follows hiragana: "すごーい"), and no particle
    closing a hiragana phrase (_KATAKANA_FINALS)."""
    if char in _KATAKANA_FINALS and _is_hiragana(before) and not _is_kana(after):
        return False
    return (
        char != "ー"
        and _is_katakana(char)
        and not _is_katakana(before)
        and not _is_katakana(after)
        and (_is_hiragana(before) or _is_hiragana(after))
    )


def _is_kana(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0x30FF


def _is_han(char: str) -> bool:
    return 0x4E00 <= ord(char) <= 0x9FFF or char == "々"


def _is_han_or_digit(char: str) -> bool:
    return _is_han(char) or char.isdigit()


def _kana_score(char: str, codec: str, before: str, after: str) -> float:
    """A kana: 1.5 in a Japanese charset (kana is what tells Japanese text from Chinese).
    A small kana only follows a kana, but for the sokuon after a Han stem before a kana, the
    counter ヶ before Han and the dash ー (see _SOKUON); a kana alone among other characters
    is no more evidence of Japanese than a common Han character (Big5's commonest row is
    EUC-JP's hiragana: "港元" is "岩じ")."""
    if codec not in _JAPANESE:
        return -0.5
    if char in _YOON and _is_kana(before) and before not in _I_COLUMN:
        return -1.0
    if _lone_katakana(char, before, after):
        # A katakana letter alone beside hiragana: no word (a katakana word takes a
        # hiragana ending, "メモる"; Big5's "本月" is EUC-JP's "セる").
        return -0.5
    if _is_kana(before):
        return 1.5
    if char in _SMALL_KANA:
        if char in _SOKUON and _is_han(before) and _is_kana(after):
            return 1.5
        if char in _COUNTER_KANA and _is_han(after) and (_is_han(before) or not before.isalpha()):
            return 1.5
        if char == "ー" and _is_han_or_digit(before) and _is_han_or_digit(after):
            return _COMMON  # a dash as Japanese input methods type it ("東京ー大阪")
        return -1.0
    return 1.5 if _is_kana(after) else _COMMON


def _script(char: str) -> str:
    code = ord(char)
    if code < 0x250:
        return "latin"
    if 0x370 <= code < 0x400:
        return "greek"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x5D0 <= code <= 0x5EA:
        return "hebrew"
    if 0x620 <= code <= 0x6FF:
        return "arabic"
    if 0xE01 <= code <= 0xE5B:
        return "thai"
    return "other"


# How often each letter and each pair of adjacent letters occur in real text of the scripts
# whose single-byte charsets read each other's bytes as letters (per ten thousand, case
# folded; built by bench/build_letter_stats.py). The wrong charset's reading of a name gives
# letters and pairs that text seldom holds: "Бзсв-дРЪвгаР" is ISO-8859-5's "Счёт-фактура"
# read as Windows-1251, "зщберйъ" Hebrew read as Cyrillic.
_STATS_PATH = Path(__file__).resolve().parent / "data" / "letter_stats.json"
_FREQUENT = 100.0  # a letter this frequent (1 %) scores as a well-placed letter does
_PER_DECADE = 0.6  # what a letter loses for each tenfold rarer
_UNSEEN_PAIR = 1.0  # a pair of letters real text never writes
_RARE_PAIR = 0.4, 3.0  # what a pair rarer than this (per ten thousand) loses
# Letters counted as another: Russian writes "ё" as "е" but where it must (in names,
# "Счёт"), so text shows it far more seldom than it is read.
_FOLD = {"ё": "е"}


@functools.lru_cache(maxsize=1)
def _letter_stats() -> dict:
    try:
        stats = json.loads(_STATS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _logger.warning("letter statistics unreadable: %s", _STATS_PATH, exc_info=True)
        return {}
    out = {}
    for script, table in stats.items():
        letters = {
            char: max(-1.0, min(1.0, 1.0 + _PER_DECADE * math.log10(freq / _FREQUENT)))
            for char, freq in table["letters"].items()
        }
        out[script] = (letters, table["pairs"])
        if "short" in table:
            out[script + _WORDS] = (table["initials"], table["short"])
    return out


_WORDS = ":words"  # the key of a script's word statistics (initials, short words)
_UNKNOWN_SHORT = 0.25  # what each letter of a short word in small letters real text lacks loses


def _short_word_scores(word: str, codec: str) -> list | None:
    """The scores of the letters of a word of two or three letters, judged as a word rather
    than by its pairs, or None where the word statistics do not judge it (another length,
    mixed scripts or case, a script without them). A word of capitals is an abbreviation,
    its letters initials: each scored by how many words start with it. A word in small
    letters is one of the few short words real text writes, or loses _UNKNOWN_SHORT."""
    if not 2 <= len(word) <= 3 or codec in _CJK_CODECS:
        return None
    script = _script(word[0])
    table = _letter_stats().get(script + _WORDS)
    if table is None or any(_script(char) != script for char in word):
        return None
    if any(char in _RARE_CYRILLIC for char in word):
        return None  # a letter of a language the statistics do not count
    if not (word.islower() or word.isupper() or word[1:].islower() or word.lower() == word.upper()):
        return None  # "сО" is no word, though "со" is (a script without case has no case)
    initials, short = table
    low = "".join(_FOLD.get(char, char) for char in word.lower())
    if low in short:
        return [1.0] * len(word)
    if word.isupper():
        return [
            max(-1.0, min(1.0, 1.0 + _PER_DECADE * math.log10(initials.get(c, 0.01) / _FREQUENT)))
            for c in low
        ]
    if word.islower():
        padded = f" {word} "
        return [
            _char_score(char, codec, padded[i], padded[i + 2]) - _UNKNOWN_SHORT
            for i, char in enumerate(word)
        ]
    return None


def _frequency_score(char: str, script: str, before: str, after: str) -> float | None:
    """A letter of a script with statistics scored by how often real text writes it, and
    writes it after the letter ``before``, or alone (case folded); None for other scripts."""
    table = _letter_stats().get(script)
    if table is None:
        return None
    letters, pairs = table
    low = _FOLD.get(char.lower(), char.lower())
    if low not in letters and char in _RARE_CYRILLIC:
        # A letter of a language the table does not count (Serbian "ђ", "ј", "ћ",
        # Macedonian "ќ", Belarusian "ў"): scored as before the table, nor are its pairs.
        return None
    score = letters.get(low, -1.0)
    previous = _FOLD.get(before.lower(), before.lower())
    if before in _RARE_CYRILLIC and previous not in letters:
        pass  # after such a letter: a pair the table cannot know
    elif _is_letter(before) and _script(before) == script:
        score -= _pair_penalty(pairs, previous + low)
        if not _is_letter(after):  # the last letter of a word: not every letter ends one
            score -= _pair_penalty(pairs, low + " ")
    elif not _is_letter(before) and not _is_letter(after):
        score -= _pair_penalty(pairs, " " + low)  # a letter alone: few are words or initials
        # ... and one letter alone is no more evidence of its script than a typographic
        # sign is of Latin text: the byte of "§ 5", "0,5 ‰", "Angebot … Preise" is a letter
        # alone in CP866 or Windows-874, where Windows-1252 (or the label) must keep it.
        score = min(score, _LONE_LETTER)
    return score


_LONE_LETTER = 0.5  # what a typographic sign between words scores (see _char_score)


def _is_letter(char: str) -> bool:
    """A letter, or a Thai vowel or tone mark (a word goes on across it: "ค่า" is one)."""
    return char.isalpha() or 0xE31 <= ord(char) <= 0xE4E


def _pair_penalty(pairs: dict, pair: str) -> float:
    found = pairs.get(pair, 0.0)
    return _UNSEEN_PAIR if not found else _RARE_PAIR[0] if found < _RARE_PAIR[1] else 0.0


# Cyrillic letters of other languages than Russian, in the rows where Windows-1251 puts
# them: where bytes of another charset land more often than real text.
_RARE_CYRILLIC = frozenset("ђѓєѕіїјљњћќўџґЂЃЄЅІЇЈЉЊЋЌЎЏҐ")


# Icelandic's thorn, where Windows-1252 reads Windows-1254's "ş" ("Ayþe" for "Ayşe"): a
# little less plausible, Turkish mail being far the more frequent. Its "ð" for "ğ" stays a
# tie (weak evidence: Windows-1252 kept), Icelandic writing it in most words.
_RARE_LATIN = frozenset("þÞ")


# Greek letters real Greek text almost never holds (a vowel with both marks, archaic and
# symbol forms) and the codecs in which Greek letters are no letters of their own.
_RARE_GREEK = frozenset("\u03b0\u0390") | frozenset(map(chr, range(0x03D0, 0x0400)))
_LATIN_CYRILLIC_CODECS = frozenset({"cp1252", "cp1250", "cp1251", "koi8_r", "koi8_u", "iso8859-2"})


def _letter_score(char: str, codec: str, before: str, after: str) -> float:
    """A letter of an alphabet: plausible when its neighbours in the word are of its script
    and it is cased as a word is (a capital only first: KOI8-R read as Windows-1251 swaps
    the case of every letter); a letter between two non-ASCII letters is rare in Latin."""
    if codec in _CJK_CODECS:
        return -1.0  # Latin or Cyrillic rows of a CJK charset: mostly wrong bytes
    script = _script(char)
    if script == "other":
        return -1.0
    if script == "greek":
        if char in _RARE_GREEK or (char == "ς" and after.isalpha()):
            # What Cyrillic bytes read as Greek land on: Windows-1251's "т" is a final
            # sigma, "а" an upsilon with two marks; Greek writes neither so.
            return -2.0
        if codec in _LATIN_CYRILLIC_CODECS:
            return -1.0  # Greek letters of a Latin or Cyrillic charset: its symbol rows
    score = _frequency_score(char, script, before, after)
    if score is None:
        score = 0.6 if char in _RARE_CYRILLIC else 0.75 if char in _RARE_LATIN else 1.0
    for near in (before, after):
        if near.isalpha() and _script(near) != script:
            score -= 1.0
    if char.isupper() and before.isalpha() and not before.isupper():
        score -= 1.0
    if script == "latin" and not before.isascii() and before.isalpha():
        score -= 0.7
    return score


def plausibility(text: str, codec: str) -> float:
    """Mean plausibility of the non-ASCII characters of ``text`` (decoded by ``codec``):
    near 1 for real text in that charset, below 0 for bytes of another one."""
    total, count = 0.0, 0
    last = len(text) - 1
    accent = -2  # where the last Greek accented vowel was
    mixed = _mixed_word_letters(text[:_MIXED_SCANNED])
    named = (
        _chinese_name_chars(text)
        if codec in ("gb18030", "big5hkscs")
        else _japanese_name_chars(text)
        if codec in _JAPANESE
        else {}
    )
    word_scores: dict = {}  # index -> score of the letters of a short word
    for found in _NON_ASCII.finditer(text):
        if count >= _MAX_SCORED:
            break  # enough characters to tell: a long body costs no more than a page
        index, char = found.start(), found.group()
        before = text[index - 1] if index else " "
        after = text[index + 1] if index < last else " "
        if index in word_scores:
            total += word_scores.pop(index)
        else:
            score = _char_score(char, codec, before, after)
            if index in named and _han_score(char, codec, name=True) == _COMMON:
                score = max(score, named[index])
            if char.isalpha() and not _is_letter(before) and _is_letter(after):
                # four letters at most: a longer word is no short one (and a long run of
                # letters, matched from each of its words, costs the square of its length)
                word = _WORD.match(text, index, index + 4).group()
                scores = _short_word_scores(word, codec)
                if scores is not None:
                    score = scores[0]
                    following = range(index + 1, index + len(word))
                    word_scores.update(zip(following, scores[1:], strict=True))
            total += score
        if index in mixed:
            total -= _MIXED_WORD
        count += 1
        if char in _TONOS:
            if accent >= 0 and (accent == index - 1 or text[accent + 1 : index].isalpha()):
                total -= _TWO_ACCENTS  # Greek puts one accent on a word: another charset's
            accent = index
        if after == " " and index + 2 <= last and _is_wide(char) and _is_wide(text[index + 2]):
            # Korean puts spaces between words; Chinese and Japanese do not.
            total += _WORD_SPACE if codec == "cp949" else -_WORD_SPACE
    return total / count if count else 0.0


_WORD_SPACE = 0.5
# A word gluing ASCII letters to letters of an alphabet of its own (Cyrillic, Greek, Hebrew,
# Arabic): text writes none ("Инћek" is Windows-1251's reading of Czech "Čížek"; a
# Latin brand beside a Russian word stands apart or behind a hyphen). Each of its non-ASCII
# letters loses this much, not only the one beside the ASCII letter. CJK text does glue
# Latin words to its characters ("Windows版"): not counted here, nor is Thai, written
# without spaces between words as CJK is ("ใบเสนอราคาiPhone", "ลูกค้าVIP").
_MIXED_WORD = 1.0
_SPACED_SCRIPTS = frozenset({"cyrillic", "greek", "hebrew", "arabic"})
# Latin letters that look like Cyrillic or Greek ones: a word of that script holding them
# ("Oтчет", "ΠAPAΓΓEΛIA") is its sender's, not another charset's reading ("Инћek").
_LOOK_ALIKE = frozenset("ABCEHKMOPTXYaceopxy")
_MIXED_SCANNED = 2048  # characters: where _MAX_SCORED non-ASCII ones mostly end
_LETTERS_RUN = re.compile(r"[^\W\d_]{2,}")
_GLUE = re.compile(r"[A-Za-z][^\W\d_\x00-\x7f]|[^\W\d_\x00-\x7f][A-Za-z]")


def _mixed_word_letters(text: str) -> frozenset:
    """The indexes of the non-ASCII letters of ``text``'s words that mix ASCII letters with
    letters of a non-Latin alphabet."""
    if text.isascii() or not _GLUE.search(text):
        return frozenset()
    out = set()
    for word in _LETTERS_RUN.finditer(text):
        letters = word.group()
        if letters.isascii() or not any(char.isascii() for char in letters):
            continue
        if not any(_script(char) in _SPACED_SCRIPTS for char in letters):
            continue
        if _LOOK_ALIKE.issuperset(char for char in letters if char.isascii()):
            continue  # "Oтчет": a Cyrillic or Greek letter typed as its Latin twin
        start = word.start()
        out.update(start + i for i, char in enumerate(letters) if not char.isascii())
    return frozenset(out)


_TONOS = frozenset("άέήίόύώΐΰΆΈΉΊΌΎΏ")
_TWO_ACCENTS = 1.0
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MAX_SCORED = 400


def _is_wide(char: str) -> bool:
    return 0x3040 <= ord(char) <= 0xD7A3


_TRAILING_PUNCT = re.compile(rb"[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]*\Z")


def _cut_utf8(raw: bytes) -> str | None:
    """UTF-8 cut inside its last character (a gateway's byte limit on a long name or
    subject): the text up to the cut and U+FFFD, as clients show it; None unless what
    comes before the cut is valid UTF-8 holding multi-byte characters (a Latin-1 word
    ending in a byte that could lead a UTF-8 sequence is not UTF-8). Punctuation after
    the cut (the closing quote of a parameter) is kept after the mark."""
    rest = _TRAILING_PUNCT.search(raw)
    raw, after = raw[: rest.start()], rest.group().decode("ascii")
    for cut in (1, 2, 3):
        head, tail = raw[:-cut], raw[-cut:]
        if not tail or not 0xC2 <= tail[0] <= 0xF4 or any((b & 0xC0) != 0x80 for b in tail[1:]):
            continue
        need = 2 if tail[0] < 0xE0 else 3 if tail[0] < 0xF0 else 4
        if cut >= need or (cut == 1 and _stray_letter(head, tail)):
            return None
        text = _try(head, "utf-8")
        if text is not None and not text.isascii():
            return text + "\ufffd" + after
        return None
    return None


def _stray_letter(head: bytes, byte: bytes) -> bool:
    """Whether a last byte that could lead a UTF-8 sequence is rather a small letter of
    Windows-1252 ending a Latin word ("caf" + "é"): UTF-8 cut there would leave a
    letter's lead byte after another letter, which a CJK or Cyrillic text's cut does not
    (its letters are three or two bytes), nor a Latin one's (the lead of a two-byte letter
    reads as a capital, "Ã"). Not a four-byte lead (an emoji cut after a word), nor in a
    text holding letters of another script."""
    if byte[0] >= 0xF0:  # a four-byte lead ("ð", "ñ"...): an emoji cut after a word
        return False
    letter = byte.decode("cp1252", "replace")
    before = head[-1:].decode("latin-1")
    if not (letter.islower() and before.isascii() and before.isalpha()):
        return False
    # Only in Latin text: a CJK or Cyrillic text cut after a Latin word ("Windows版").
    text = head.decode("utf-8", "replace")
    return not any(
        char.isalpha() and not unicodedata.name(char, "").startswith("LATIN")
        for char in text
        if not char.isascii()
    )


def decode_8bit(raw: bytes, *hints: str | None) -> str:
    """Raw 8-bit header bytes (no RFC 2047): UTF-8 if valid, else the charset that reads
    them most plausibly, the declared ones (the part's, then the message's) first: see
    :func:`detect_charset`. Windows-1252 when nothing reads them strictly."""
    text = _try(raw, "utf-8")
    if text is not None:
        return text
    text = _cut_utf8(raw)
    if text is not None and not _declared_reads_better(raw, text, hints):
        return text
    tokens = _TOKENS.split(raw)
    legacy = [t for t in tokens if not t.isascii() and _try(t, "utf-8") is None]
    mixed = len(legacy) < sum(1 for t in tokens if not t.isascii())
    if mixed and all(_stray_signs(token) for token in legacy):
        codec = "cp1252"
    else:
        codec = detect_charset(b" ".join(legacy), *hints)
    if mixed:
        # UTF-8 words beside legacy ones (a list's UTF-8 tag before a raw legacy subject,
        # a legacy name beside an internationalized address): each word by its own.
        return "".join(_token_text(token, codec) for token in tokens)
    text = _try(raw, codec) if codec else None
    if text is not None:
        return text
    return raw.decode("cp1252", "mailparse-cp1252")


# A non-ASCII byte between ASCII ones (or a word's ends).
_LONE_HIGH_BYTE = re.compile(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# Windows-1252's quotes, dashes and ellipsis: what an editor's autocorrect makes.
_TYPOGRAPHIC = frozenset("„“”‘’‚«»‹›–—…")


def _stray_signs(token: bytes) -> bool:
    """Whether every 8-bit byte of a word stands alone among ASCII ones and reads in
    Windows-1252 as a quote, a dash or an ellipsis ("«" "E42" "»"): beside UTF-8 words, a
    sign an editor's autocorrect made in Windows-1252. Letters are left to the detector
    (a lone byte is a Western letter in Windows-1252 and a Central European one in
    ISO-8859-2 alike), and so are other signs ("£ukasz" is ISO-8859-2's "Łukasz")."""
    highs = _HIGH_BYTE.findall(token)
    if len(_LONE_HIGH_BYTE.findall(token)) != len(highs):
        return False
    return all(byte.decode("cp1252", "replace") in _TYPOGRAPHIC for byte in highs)


def _declared_reads_better(raw: bytes, cut: str, hints) -> bool:
    """Whether the first declared label that names a script (not a Latin one, which reads
    any bytes as letters) reads ``raw`` more plausibly than as UTF-8 cut short (``cut``):
    a few legacy letters can happen to be UTF-8 up to their last byte."""
    for codec in map(normalize_charset, hints):
        if codec in _WEAK_LABELS or codec in _NO_HINT:
            continue
        text = _try(raw, codec)
        if not _few_letters_of_one_script(text, most=len(raw)):
            return False  # mojibake ("Р–С", "аЏб"): UTF-8 cut short, read as a legacy charset
        return text is not None and plausibility(text, codec) > plausibility(cut, "utf-8")
    return False


# Declared labels that cannot tell which 8-bit characters a body holds: no label, ASCII, or
# a single-byte Latin one (what mailers put on anything).
# Labels that may stand for UTF-8 text: none, ASCII, the Latin ones mailers default to and
# the Mac ones bulk mailers put on UTF-8 (single-byte charsets: any bytes decode, so the
# label alone proves nothing; valid UTF-8 with multi-byte characters almost never is
# another charset's text).
_WEAK_LABELS = frozenset(
    {"", "ascii", "cp1252", "cp1250", "cp1254", "iso8859-1", "iso8859-2", "iso8859-15"}
    | {codec for codec in _LABEL_GROUPS if codec.startswith("mac-")}
)
_BODY_SAMPLE = 4096
_PLAUSIBLE = 0.5


# The labels mailers write by default, whatever the text: no evidence of its charset.
_DEFAULT_LABELS = frozenset({"", "ascii", "utf-8", "cp1252", "iso8859-1", "iso8859-15"})


def untrusted_label(label: str | None, data: bytes = b"") -> bool:
    """Whether a declared label cannot tell which 8-bit characters a value (``data``)
    holds: none, ASCII, UTF-8 (on bytes that are not), a Western one mailers put on
    anything, an unknown one. A Mac label is believed on bytes that are not UTF-8 (a mailer
    writes it only where it means it, or on UTF-8); a Central European or Turkish one
    (only a sender's system of that region writes it) when its reading is text, as a
    body's is (``Kovač Söding`` under windows-1250 mixes letters no one language writes,
    yet is no Windows-1252 "Kovaè")."""
    codec = normalize_charset(label)
    if codec in _DEFAULT_LABELS:
        return True
    if codec not in _WEAK_LABELS or codec.startswith("mac-"):
        return False
    text = _try(data, codec)
    return text is None or plausibility(text, codec) < _PLAUSIBLE


def decode_body(data: bytes, charset: str | None = None) -> str:
    """A text body's bytes by its declared charset, as :func:`decode_bytes` does, except where
    the label cannot be trusted: 8-bit bytes with no label, ASCII, or a single-byte Latin
    label are UTF-8 when they are valid UTF-8 (a UTF-8 body labelled iso-8859-1), else read
    by the label when that reads plausibly, else by the charset detected on the first
    4 KiB; a body labelled UTF-8 that is not is read by the detected charset."""
    if not data or isinstance(data, str):
        return decode_bytes(data, charset)
    codec = normalize_charset(charset)
    if data.isascii():
        if codec in _WEAK_LABELS and (b"\x1b$" in data or b"\x1b(" in data):
            # ISO-2022-JP sent without its label: 7-bit, escape sequences.
            return _read_iso2022_jp(data) or decode_bytes(data, charset)
        return decode_bytes(data, charset)
    if codec not in _WEAK_LABELS and codec != "utf-8":
        return decode_bytes(data, charset)
    text = _try(data, "utf-8")
    if text is not None and (not codec.startswith("mac-") or utf8_likelier(_sample(data), codec)):
        return text
    sample = _sample(data)
    if codec not in ("", "ascii", "utf-8"):
        declared = _try(sample, codec)
        if declared is not None and plausibility(declared, codec) >= _PLAUSIBLE:
            return decode_bytes(data, charset)
    found = detect_charset(sample, "" if codec in ("ascii", "utf-8") else codec)
    if found:
        text = _try(data, found)
        if text is not None:
            return text
    return decode_bytes(data, charset)


def utf8_likelier(data: bytes, codec: str) -> bool:
    """Whether bytes that are valid UTF-8 under a Mac label (``codec``) are UTF-8 rather than
    the label's text. Unlike Latin-1's, Mac Roman's and Mac Cyrillic's valid UTF-8 pairs are
    ordinary text: typographic punctuation before an accented small letter ("l’école" is
    "lՎcole" as UTF-8), a small letter before capitals. UTF-8 when its reading is at least
    as plausible as the label's."""
    utf8 = _try(data, "utf-8")
    if utf8 is None:
        return False
    labelled = _try(data, codec)
    return labelled is None or plausibility(utf8, "utf-8") >= plausibility(labelled, codec)


def _sample(data: bytes) -> bytes:
    """The first _BODY_SAMPLE bytes of ``data`` that hold 8-bit ones, cut at a line end (a
    cut inside a multibyte character would fail a strict decode)."""
    start = next((i for i, byte in enumerate(data[:65536]) if byte > 0x7F), 0)
    start = data.rfind(b"\n", 0, start) + 1
    end = start + _BODY_SAMPLE
    if end >= len(data):
        return data[start:]
    cut = data.rfind(b"\n", start, end)
    return data[start : cut if cut > start else end]


# Words of a header value: split at spaces and address punctuation, kept. Only bytes below
# 0x40, which no CJK charset uses as a trail byte ("[", "@", "\\" are Shift_JIS trail bytes).
_TOKENS = re.compile(rb"([\s<>\"(),;]+)")


_UTF8_HEAD_START = 0.5


def _token_text(token: bytes, codec: str) -> str:
    """One word: ASCII; else UTF-8 when valid and at least as plausible as ``codec``'s
    reading (two bytes of a CJK charset can happen to be valid UTF-8, a Czech "ÚŽ" too),
    with a head start over a Latin single-byte one; else ``codec``."""
    if token.isascii():
        return token.decode("ascii")
    legacy = _try(token, codec) if codec else None
    utf8 = _try(token, "utf-8")
    # A Latin single-byte reading of UTF-8 is mojibake ("â€“", "Ã¼"), which the letter
    # scores cannot tell from text when the word is a lone sign: UTF-8 gets a head start.
    start = _UTF8_HEAD_START if codec in _LATIN_SINGLE_BYTE else 0.0
    if utf8 is not None and (
        legacy is None or plausibility(utf8, "utf-8") + start >= plausibility(legacy, codec)
    ):
        return utf8
    return legacy if legacy is not None else token.decode("cp1252", "mailparse-cp1252")


_ISO2022_ESCAPE = re.compile(r"\x1b[$(]")


def _iso2022(text: str) -> str:
    """7-bit ISO-2022-JP written raw (escape sequences, no RFC 2047), decoded; else
    ``text``. Each run from an escape to the return to ASCII is decoded by itself, so other
    text beside it (an internationalized address in UTF-8) is kept as it is."""
    return _ISO2022_RUN.sub(_iso2022_run, text)


def _iso2022_run(match) -> str:
    try:
        return _read_iso2022_jp(match.group().encode("ascii")) or match.group()
    except UnicodeError:
        return match.group()


_ISO2022_RUN = re.compile(r"\x1b[$(][@-Z][\x1b\x20-\x7e]*?(?:\x1b\([BJ]|(?=[^\x1b\x20-\x7e])|$)")


def fix_surrogates(text: str, charset: str | None = None, *more: str | None) -> str:
    """Undo ``surrogateescape`` (raw 8-bit header bytes) by decoding them properly: see
    :func:`decode_8bit` (``charset`` and ``more`` are the declared charsets, in order)."""
    if not text:
        return text
    if "\x1b" in text and _ISO2022_ESCAPE.search(text):
        text = _iso2022(text)
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
