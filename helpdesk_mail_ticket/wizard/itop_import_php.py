# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Read PHP array literals as iTop's ``config-itop.php`` writes them, without eval.

Only literals are understood: ``array(...)`` and ``[...]`` with ``key => value``
entries, single- and double-quoted strings with PHP's escapes, integers (decimal,
hex, octal, binary), floats, ``true``/``false``/``null``, and comments. Anything else
(a variable, a constant, a function call) raises ``PhpSyntaxError`` with its line.

A PHP array whose keys are all integers becomes a list (in PHP's insertion order),
any other a dict. This module imports no Odoo: pure tests load it directly.
"""

import re

__all__ = ["PhpSyntaxError", "find_setting", "parse_php_value"]


class PhpSyntaxError(ValueError):
    """The text is not a PHP literal this reader understands."""


_TOKEN_RE = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>//[^\n]*|\#(?!\[)[^\n]*|/\*.*?\*/)
    | (?P<sq>'(?:[^'\\]|\\.)*')
    | (?P<dq>"(?:[^"\\]|\\.)*")
    | (?P<number>(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+
                  |(?:\d[\d_]*)?\.\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*(?:[eE][+-]?\d+)?))
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<arrow>=>)
    | (?P<punct>[()\[\],\-+])
    """,
    re.VERBOSE | re.DOTALL,
)
_DQ_ESCAPE_RE = re.compile(
    r"\\(?:(?P<simple>[ntrvef\\$\"])|(?P<oct>[0-7]{1,3})|x(?P<hex>[0-9A-Fa-f]{1,2})"
    r"|u\{(?P<uni>[0-9A-Fa-f]+)\})"
)
_DQ_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "v": "\v",
    "e": "\x1b",
    "f": "\f",
    "\\": "\\",
    "$": "$",
    '"': '"',
}


def _single_quoted(body):
    """PHP single quotes: only \\\\ and \\' are escapes, any other backslash stays."""
    return re.sub(r"\\([\\'])", r"\1", body)


def _double_quoted(body, line):
    if re.search(r"\$[A-Za-z_{]|\{\$", body.replace("\\$", "")):
        raise PhpSyntaxError(f"line {line}: variables inside a double-quoted string")

    def unescape(match):
        if match.group("simple"):
            return _DQ_SIMPLE[match.group("simple")]
        if match.group("oct"):
            return chr(int(match.group("oct"), 8) & 0xFF)
        if match.group("hex"):
            return chr(int(match.group("hex"), 16))
        return chr(int(match.group("uni"), 16))

    return _DQ_ESCAPE_RE.sub(unescape, body)


def _number(text):
    clean = text.replace("_", "")
    lower = clean.lower()
    if lower.startswith("0x"):
        return int(clean[2:], 16)
    if lower.startswith("0b"):
        return int(clean[2:], 2)
    if lower.startswith("0o"):
        return int(clean[2:], 8)
    if any(char in lower for char in ".e"):
        return float(clean)
    if len(clean) > 1 and clean.startswith("0"):
        return int(clean, 8)  # PHP's legacy octal: 0755
    return int(clean)


class _Tokens:
    """Lazy tokenizer from a position: what follows the parsed value is never read."""

    def __init__(self, text, pos=0):
        self.text = text
        self.pos = pos
        self._peeked = None

    def _line(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def _read(self):
        while self.pos < len(self.text):
            match = _TOKEN_RE.match(self.text, self.pos)
            if not match:
                snippet = self.text[self.pos : self.pos + 20]
                raise PhpSyntaxError(f"line {self._line(self.pos)}: unexpected {snippet!r}")
            start, self.pos = self.pos, match.end()
            kind = match.lastgroup
            if kind not in ("space", "comment"):
                return kind, match.group(), self._line(start)
        return "end", "", self._line(self.pos)

    def peek(self):
        if self._peeked is None:
            self._peeked = self._read()
        return self._peeked

    def next(self):
        token = self.peek()
        self._peeked = None
        return token

    def expect(self, value):
        kind, text, line = self.next()
        if text != value:
            raise PhpSyntaxError(f"line {line}: expected {value!r}, found {text or kind!r}")


def _parse_value(tokens):
    kind, text, line = tokens.next()
    if kind == "sq":
        return _single_quoted(text[1:-1])
    if kind == "dq":
        return _double_quoted(text[1:-1], line)
    if kind == "number":
        return _number(text)
    if kind == "punct" and text in "-+":
        value = _parse_value(tokens)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PhpSyntaxError(f"line {line}: {text} before a non-number")
        return -value if text == "-" else value
    if kind == "punct" and text == "[":
        return _parse_entries(tokens, "]")
    if kind == "name":
        lower = text.lower()
        if lower in ("true", "false"):
            return lower == "true"
        if lower == "null":
            return None
        if lower == "array" and tokens.peek()[1] == "(":
            tokens.next()
            return _parse_entries(tokens, ")")
    raise PhpSyntaxError(f"line {line}: {text or 'end of text'!r} is not a PHP literal")


def _parse_entries(tokens, closing):
    entries = []
    next_index = 0
    while tokens.peek()[1] != closing:
        value = _parse_value(tokens)
        if tokens.peek()[0] == "arrow":
            tokens.next()
            key = value
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise PhpSyntaxError(f"line {tokens.peek()[2]}: invalid array key {key!r}")
            if isinstance(key, str) and re.fullmatch(r"-?[1-9]\d*|0", key):
                key = int(key)  # PHP casts "12" keys to integers
            value = _parse_value(tokens)
        else:
            key = next_index
        entries = [entry for entry in entries if entry[0] != key] + [(key, value)]
        if isinstance(key, int):
            next_index = max(next_index, key + 1)
        if tokens.peek()[1] != closing:
            tokens.expect(",")
    tokens.next()
    if all(isinstance(key, int) for key, _value in entries):
        return [value for _key, value in entries]
    return dict(entries)


def parse_php_value(text, pos=0):
    """The PHP literal at ``pos`` in ``text`` (an array, a string, a number...)."""
    return _parse_value(_Tokens(text, pos))


def find_setting(text, name):
    """The value of ``'name' => ...`` in a PHP file, or None when the file has no such
    entry. Comments are skipped; a commented-out entry is not found."""
    pattern = re.compile(r"""(['"])""" + re.escape(name) + r"""\1\s*=>""")
    for match in pattern.finditer(text):
        if _inside_comment_or_string(text, match.start()):
            continue
        return parse_php_value(text, match.end())
    return None


def _inside_comment_or_string(text, position):
    """Whether ``position`` lies inside a comment or another string literal: a token
    that starts before it covers it. Code this reader does not tokenize (``$x = ``,
    ``<?php``) is stepped over one character at a time."""
    pos = 0
    while pos < position:
        match = _TOKEN_RE.match(text, pos)
        if not match:
            pos += 1
            continue
        if match.end() > position:
            return True
        pos = match.end()
    return False
