"""PHP PCRE pattern strings, as iTop admins write them, compiled with :mod:`re`.

iTop's settings hold patterns such as ``/R-([0-9]{6})/``, ``/^on .+ wrote:$/i``,
``|^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} .+:$|`` or ``/\\RFrom: .+\\RSent: .+\\R/m``. This module
splits delimiters and flags, and translates the PCRE-only syntax that Python's ``re`` lacks:
``\\R``, ``\\h``/``\\H``, ``\\v``/``\\V``, ``\\z``, ``\\Z``, ``\\e``, ``\\Q…\\E``, ``\\x{…}``,
``(?<name>…)``, ``\\k<name>``, ``\\g{n}``; possessive quantifiers and atomic groups need
Python ≥ 3.11 (on 3.10 they degrade to greedy / plain groups).
"""

import functools
import re
import sys

from .errors import PatternError

_BRACKETS = {"{": "}", "<": ">"}
# Opening characters that PHP would accept as delimiters but that admins use for groups:
# "(R-\d+)" is taken as a bare regex, as iTop's FixPattern does.
_NOT_DELIMITERS = set("([")
_FLAGS = {
    "i": re.IGNORECASE,
    "m": re.MULTILINE,
    "s": re.DOTALL,
    "x": re.VERBOSE,
    "u": 0,  # str patterns are Unicode already
    "S": 0,  # "study": an optimisation hint
    "X": 0,  # extra strictness
    "D": 0,  # handled in the translation ($ -> \Z)
    "A": 0,  # handled in the translation (\A prefix)
}
_REFUSED_FLAGS = {
    "U": "the U (ungreedy) modifier is not supported",
    "e": "the e modifier was removed from PHP",
    "J": "the J modifier is not supported",
    "n": "the n (no auto capture) modifier is not supported",
}
# PCRE's \R: CRLF as one line break, else any one vertical space. Written as the class first
# and an LF taken only after a CR (the same matches, CRLF tried before CR alone), not as the
# alternation (?:\r\n|[...]): a pattern that starts with a class lets ``re`` skip to the next
# line break when searching, where an alternation is tried at every character. iTop's
# delimiter patterns all start with \R and are searched in every text body: the alternation
# made that search a tenth of a message's parse.
_NEWLINE_R = r"(?:[\n\x0b\x0c\r\x85\u2028\u2029](?:(?<=\r)\n)?)"
_HSPACE = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_VSPACE = "\\n\\x0b\\x0c\\r\\x85\\u2028\\u2029"
_PROPS = {"L": r"^\W\d_", "N": r"\d", "Nd": r"\d"}
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HAS_ATOMIC = sys.version_info >= (3, 11)


def split_delimiters(pattern: str) -> tuple[str, str]:
    """Return ``(body, flags)`` of a PHP PCRE string; a bare regex gives ``(pattern, "")``."""
    text = pattern.strip()
    if not text:
        raise PatternError("empty pattern")
    opener = text[0]
    if opener.isalnum() or opener == "\\" or opener.isspace() or opener in _NOT_DELIMITERS:
        return text, ""
    closer = _BRACKETS.get(opener, opener)
    end = text.rfind(closer)
    if end <= 0:
        return text, ""
    flags = text[end + 1 :]
    if not flags.isalpha() and flags:
        return text, ""
    return text[1:end], flags


def _flags_value(flags: str) -> int:
    value = 0
    for char in flags:
        if char in _REFUSED_FLAGS:
            raise PatternError(_REFUSED_FLAGS[char])
        if char not in _FLAGS:
            raise PatternError(f"unknown modifier {char!r}")
        value |= _FLAGS[char]
    return value


def _braced(body: str, index: int, opener: str, closer: str) -> tuple[str, int]:
    if index >= len(body) or body[index] != opener:
        raise PatternError(f"expected {opener!r} at offset {index}")
    end = body.find(closer, index + 1)
    if end < 0:
        raise PatternError(f"missing {closer!r}")
    return body[index + 1 : end], end + 1


def _hex_escape(body: str, index: int) -> tuple[str, int]:
    """``\\x{263A}`` -> ``\\u263a``; ``\\xHH`` stays."""
    if index < len(body) and body[index] == "{":
        digits, index = _braced(body, index, "{", "}")
        try:
            code = int(digits, 16)
        except ValueError:
            raise PatternError(f"bad \\x{{{digits}}}")
        return (f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"), index
    return "\\x", index


def _named_ref(body: str, index: int) -> tuple[str, int]:
    """``\\k<n>``, ``\\k{n}``, ``\\k'n'`` -> ``(?P=n)``."""
    if index >= len(body):
        raise PatternError("dangling \\k")
    pairs = {"<": ">", "{": "}", "'": "'"}
    opener = body[index]
    if opener not in pairs:
        raise PatternError("bad \\k reference")
    name, index = _braced(body, index, opener, pairs[opener])
    return f"(?P={name})", index


def _group_ref(body: str, index: int) -> tuple[str, int]:
    """``\\g{1}``, ``\\g1``, ``\\g{name}`` -> ``\\1`` / ``(?P=name)``."""
    if index < len(body) and body[index] == "{":
        ref, index = _braced(body, index, "{", "}")
    else:
        match = re.match(r"-?\d+", body[index:])
        if not match:
            raise PatternError("bad \\g reference")
        ref, index = match.group(), index + match.end()
    if ref.isdigit():
        return f"(?:\\{int(ref)})", index
    if _NAME_RE.fullmatch(ref):
        return f"(?P={ref})", index
    raise PatternError(f"unsupported \\g{{{ref}}} reference")


def _escape(body: str, index: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape at ``body[index] == '\\'``; return (python text, next index)."""
    if index + 1 >= len(body):
        raise PatternError("pattern ends with a backslash")
    char = body[index + 1]
    nxt = index + 2
    simple_out = {
        "R": None if in_class else _NEWLINE_R,
        "h": _HSPACE if in_class else f"[{_HSPACE}]",
        "H": None if in_class else f"[^{_HSPACE}]",
        "v": _VSPACE if in_class else f"[{_VSPACE}]",
        "V": None if in_class else f"[^{_VSPACE}]",
        "z": None if in_class else r"\Z",
        "Z": None if in_class else r"(?=\n?\Z)",
        "e": r"\x1b",
        "a": r"\x07",
    }
    if char in simple_out:
        out = simple_out[char]
        if out is None:
            raise PatternError(f"\\{char} is not allowed in a character class")
        return out, nxt
    if char == "Q":
        end = body.find("\\E", nxt)
        literal = body[nxt:] if end < 0 else body[nxt:end]
        return re.escape(literal), (len(body) if end < 0 else end + 2)
    if char == "E":
        return "", nxt
    if char == "x":
        return _hex_escape(body, nxt)
    if char == "k" and not in_class:
        return _named_ref(body, nxt)
    if char == "g" and not in_class:
        return _group_ref(body, nxt)
    if char in "pP":
        prop = body[nxt] if nxt < len(body) else ""
        if prop == "{":
            prop, nxt = _braced(body, nxt, "{", "}")
        else:
            nxt += 1
        negate = (char == "P") != prop.startswith("^")
        prop = prop.lstrip("^")
        if prop not in _PROPS or in_class:
            raise PatternError(f"unsupported Unicode property \\{char}{{{prop}}}")
        inner = _PROPS[prop]
        if inner.startswith("^"):
            return (f"[{inner[1:]}]" if negate else f"[{inner}]"), nxt
        return (f"[^{inner}]" if negate else inner), nxt
    if char in "KGXCN" or (char.isalpha() and char not in "AbBdDsSwWnrtfu0123456789"):
        # \T, \K, \G... : PCRE rejects or Python cannot express them.
        raise PatternError(f"unsupported escape \\{char}")
    return body[index : index + 2], nxt


def _group_open(body: str, index: int) -> tuple[str, int]:
    """Translate ``(?<name>``, ``(?'name'``, ``(?P<name>``, ``(?>``, ``(?|``."""
    rest = body[index:]
    match = re.match(r"\(\?(?:P?<|')([A-Za-z_][A-Za-z0-9_]*)[>']", rest)
    if match:
        return f"(?P<{match.group(1)}>", index + match.end()
    if rest.startswith("(?>") and not _HAS_ATOMIC:
        return "(?:", index + 3
    if rest.startswith("(?|"):
        raise PatternError("branch reset groups are not supported")
    if rest.startswith("(*"):
        raise PatternError("PCRE verbs are not supported")
    return "(", index + 1


def translate(body: str, dollar_end_only: bool = False) -> str:
    """Translate a PCRE body (no delimiters) into Python ``re`` syntax."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(body):
        char = body[index]
        if char == "\\":
            piece, index = _escape(body, index, in_class)
            out.append(piece)
            continue
        if in_class:
            if char == "]" and not _class_start(out):
                in_class = False
            elif char == "[" and body.startswith("[:", index):
                end = body.find(":]", index)
                if end > 0:
                    out.append(_posix_class(body[index + 2 : end]))
                    index = end + 2
                    continue
            out.append(char)
            index += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            index += 1
            if index < len(body) and body[index] == "^":
                out.append("^")
                index += 1
            if index < len(body) and body[index] == "]":
                out.append("\\]")
                index += 1
            continue
        if char == "(":
            piece, index = _group_open(body, index)
            out.append(piece)
            continue
        if char in "*+?}" and index + 1 < len(body) and body[index + 1] == "+" and not _HAS_ATOMIC:
            out.append(char)
            index += 2
            continue
        if char == "$" and dollar_end_only:
            out.append(r"\Z")
            index += 1
            continue
        out.append(char)
        index += 1
    if in_class:
        raise PatternError("missing terminating ] for character class")
    return "".join(out)


def _class_start(out: list[str]) -> bool:
    return bool(out) and out[-1] in ("[",)


_POSIX = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": "\\w",
}


def _posix_class(name: str) -> str:
    if name not in _POSIX:
        raise PatternError(f"unknown POSIX class [:{name}:]")
    return _POSIX[name]


@functools.lru_cache(maxsize=512)
def compile_pcre(pattern: str) -> re.Pattern:
    """Compile a PHP PCRE string (``/…/flags``) or a bare regex; raise :class:`PatternError`."""
    if not isinstance(pattern, str):
        raise PatternError("pattern must be a string")
    body, flags = split_delimiters(pattern)
    value = _flags_value(flags)
    python = translate(body, dollar_end_only="D" in flags and "m" not in flags)
    if "A" in flags:
        python = rf"\A(?:{python})"
    python = _hoist_inline_flags(python)
    try:
        return re.compile(python, value)
    except (re.error, OverflowError, RecursionError) as exc:
        raise PatternError(f"invalid pattern {pattern!r}: {exc}")


_INLINE_FLAGS = re.compile(r"(?<!\\)\(\?([imsx]+)\)")


def _hoist_inline_flags(python: str) -> str:
    """PCRE allows ``(?i)`` mid-pattern; Python only at the start: hoist it (approximation)."""
    found = [m for m in _INLINE_FLAGS.finditer(python) if m.start() > 0]
    if not found:
        return python
    letters = "".join(sorted({c for m in found for c in m.group(1)}))
    return f"(?{letters})" + _INLINE_FLAGS.sub(
        lambda m: m.group(0) if m.start() == 0 else "", python
    )
