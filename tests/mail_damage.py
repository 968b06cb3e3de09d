"""Damage generator: real mail, damaged the way real gateways and clients damage it.

Each damage class is a property over many source mails: a source whose sender, subject,
attachment names and body are known from a clean parse is damaged, parsed again, and must
give the same reading (or, for the classes that put new text in, that text). Used by
``tests/test_mailparse_damage_classes.py`` (on ``tests/data``) and by
``bench/damage_rates.py`` (pass rates per class, on the corpus's fitting half too).

A class is ``(name, function)``; ``function(source)`` yields ``(damaged bytes, expected)``
pairs, ``expected`` a dict of the fields it sets (the others stay as in the clean parse).
"""

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path

from mailparse import parse_message

DATA = Path(__file__).resolve().parent / "data"
_SPACES = re.compile(r"\s+")
_FIELD_LINE = re.compile(rb"^([\x21-\x39\x3b-\x7e]+):")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


@dataclass
class Reading:
    """What a helpdesk agent reads of a message."""

    from_email: str
    from_name: str
    subject: str
    attachments: list = field(default_factory=list)
    body: str = ""
    inline: list = field(default_factory=list)  # names of the images placed in the body

    @classmethod
    def of(cls, raw: bytes) -> "Reading":
        parsed = parse_message(raw)
        return cls(
            parsed.from_email,
            parsed.from_name,
            parsed.subject,
            sorted(att.filename for att in parsed.attachments),
            _SPACES.sub(" ", parsed.body_text or "").strip(),
            sorted(att.filename for att in parsed.attachments if att.inline),
        )


@dataclass
class Source:
    """A real mail split at its header block, with its clean reading."""

    label: str
    raw: bytes
    reading: Reading
    newline: bytes
    fields: list  # [(name lower-cased, [raw lines])]
    body: bytes

    @property
    def multipart_boundary(self) -> bytes:
        head = b"\n".join(line for _, lines in self.fields for line in lines)
        found = re.search(rb'boundary\s*=\s*"?([^";\r\n]+)"?', head, re.IGNORECASE)
        top = self.field_value(b"content-type").lower()
        return found.group(1) if found and b"multipart/" in top else b""

    def field_value(self, name: bytes) -> bytes:
        for key, lines in self.fields:
            if key == name.decode():
                return b" ".join(line.strip() for line in lines).split(b":", 1)[1].strip()
        return b""

    def build(self, fields: list, body: bytes | None = None, newline: bytes | None = None):
        newline = newline or self.newline
        head = newline.join(line for _, lines in fields for line in lines)
        return head + newline + newline + (self.body if body is None else body)


def split_source(label: str, raw: bytes) -> Source | None:
    """A Source, or None when the mail has no readable sender and subject to compare."""
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    end = raw.find(newline + newline)
    if end < 0:
        return None
    head, body = raw[:end], raw[end + 2 * len(newline) :]
    fields: list = []
    for line in head.split(newline):
        match = _FIELD_LINE.match(line)
        if match:
            fields.append((match.group(1).decode("ascii").lower(), [line]))
        elif fields and line[:1] in (b" ", b"\t"):
            fields[-1][1].append(line)
        elif not fields and line.startswith(b"From "):
            continue  # an mbox separator
        else:
            return None  # already damaged: not a clean source
    reading = Reading.of(raw)
    names = [name for name, _ in fields]
    if not _ADDRESS.fullmatch(reading.from_email) or not reading.subject:
        return None
    if names.count("from") != 1:
        return None
    if names.count("subject") != 1:
        return None
    return Source(label, raw, reading, newline, fields, body)


def load_sources(paths) -> list:
    sources = []
    for path in paths:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        source = split_source(path.name, raw)
        if source is not None:
            sources.append(source)
    return sources


def test_data_sources() -> list:
    return load_sources(sorted(p for p in DATA.rglob("*.eml")))


# --- helpers ----------------------------------------------------------------------------------


def _replace(fields: list, name: str, lines: list) -> list:
    out, done = [], False
    for key, old in fields:
        if key == name and not done:
            out.append((key, lines))
            done = True
        else:
            out.append((key, old))
    return out


def _insert(fields: list, name: str, new: tuple, after: bool) -> list:
    out = []
    for key, lines in fields:
        if key == name and not after:
            out.append(new)
        out.append((key, lines))
        if key == name and after:
            out.append(new)
    return out


def _without(fields: list, *names: str) -> list:
    return [(key, lines) for key, lines in fields if key not in names]


def _unfold(lines: list) -> bytes:
    return b" ".join(line.strip() for line in lines).replace(b":", b": ", 1).replace(b":  ", b": ")


# --- structural damage -------------------------------------------------------------------------

_TRACKING = base64.b64encode(bytes(range(256)) * 2).decode()  # 684 characters


def _tracking_field(newline: bytes) -> tuple:
    """A long base64 tracking header wrapped raw: pieces flush left, as some gateways write."""
    pieces = [_TRACKING[i : i + 76] for i in range(0, 300, 76)]
    return (
        "x-tracking",
        [b"X-MS-Exchange-Tracking: " + pieces[0].encode()]
        + [piece.encode() for piece in pieces[1:]],
    )


def _received_flush_left() -> tuple:
    """A Received field whose continuation lines lost their indentation."""
    return (
        "received",
        [
            b"Received: from mx.example.net (mx.example.net [192.0.2.7])",
            b"(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))",
            b"by mail.example.org (Postfix) with ESMTPS id 4F1C2A0B3",
            b"for <support@example.org>; Fri, 4 Dec 2026 10:00:00 +0000",
        ],
    )


def flush_left(where: str, kind: str):
    """A flush-left continuation just before or after From, Subject or Message-ID."""
    after = where.startswith("after")
    name = where.split("_", 1)[1]

    def damage(source: Source):
        if name not in [key for key, _ in source.fields]:
            return
        new = _tracking_field(source.newline) if kind == "tracking" else _received_flush_left()
        yield source.build(_insert(source.fields, name, new, after)), {}

    return damage


def blank_continuation(source: Source):
    """A continuation line of spaces only (a folded address list, a Subject folded before
    its encoded words), alone and with a flush-left continuation further down."""
    for name in ("subject", "to"):
        lines = next((lines for key, lines in source.fields if key == name), None)
        if lines is None:
            continue
        fields = _replace(source.fields, name, [lines[0], b" ", *lines[1:]])
        # The blank line's space is the value's (RFC 5322 unfolding keeps it): compared
        # with runs of spaces made one.
        yield source.build(fields), {"_spaces": True}
        tracking = _tracking_field(source.newline)
        yield source.build(_insert(fields, name, tracking, True)), {"_spaces": True}


def long_unfolded(source: Source):
    """Every field on one line, and a 3,000-character field among them."""
    fields = [(key, [_unfold(lines)]) for key, lines in source.fields]
    long = ("x-long", [b"X-Spam-Report: " + b" ".join([b"rule_%d=0.1" % i for i in range(300)])])
    yield source.build([long, *fields]), {}
    yield source.build([*fields[:1], long, *fields[1:]]), {}


def newlines(source: Source):
    """Bare LF, CRLF, and mixes of them (head in one, body in the other, line by line)."""
    raw_lf = source.raw.replace(b"\r\n", b"\n")
    yield raw_lf, {}
    yield raw_lf.replace(b"\n", b"\r\n"), {}
    end = raw_lf.find(b"\n\n")
    head, body = raw_lf[:end], raw_lf[end + 2 :]
    yield head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body, {}
    yield head + b"\n\n" + body.replace(b"\n", b"\r\n"), {}
    lines = head.split(b"\n")
    mixed = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines))
    yield mixed + b"\n" + body.replace(b"\n", b"\r\n"), {}
    # Bare CR (classic Mac OS, a tool converting line ends the wrong way).
    yield raw_lf.replace(b"\n", b"\r"), {}


def duplicate_from(source: Source):
    fields = source.fields
    from_field = next(lines for key, lines in fields if key == "from")
    yield source.build(_insert(fields, "from", ("from", from_field), True)), {}
    # A gateway's own empty or unparsable From after the real one.
    yield source.build(_insert(fields, "from", ("from", [b"From: "]), True)), {}
    yield source.build(_insert(fields, "from", ("from", [b"From: undisclosed"]), True)), {}
    # ... or before it.
    yield source.build(_insert(fields, "from", ("from", [b"From:"]), False)), {}


def no_space_after_colon(source: Source):
    fields = source.fields
    for name in ("from", "subject"):
        lines = next(lines for key, lines in fields if key == name)
        first = re.sub(rb"^([^:]+):[ \t]*", rb"\1:", lines[0])
        fields = _replace(fields, name, [first, *lines[1:]])
    yield source.build(fields), {}


def space_before_colon(source: Source):
    """RFC 5322's obsolete syntax: 'Subject : x', 'From : y' (old and hand-made mailers)."""
    fields = source.fields
    for name in ("from", "subject", "message-id"):
        lines = next((lines for key, lines in fields if key == name), None)
        if lines:
            first = re.sub(rb"^([^:]+):", rb"\1 :", lines[0])
            fields = _replace(fields, name, [first, *lines[1:]])
    yield source.build(fields), {}


def junk_before_headers(source: Source):
    """What tools write before the header block: a UTF-8 BOM (an .eml saved by a Windows
    tool), empty lines, a NUL line, an escaped mbox '>From ' line."""
    nl = source.newline
    for junk in (
        b"\xef\xbb\xbf",
        nl,
        nl + nl,
        b"\x00" + nl,
        b">From someone@example.net Fri Dec  4 10:00:00 2026" + nl,
        b"From someone@example.net Fri Dec  4 10:00:00 2026" + nl,
        b"\xef\xbb\xbfFrom someone@example.net Fri Dec  4 10:00:00 2026" + nl,
    ):
        yield junk + source.raw, {}


def split_header_block(source: Source):
    """An empty line inside the header block (a gateway's or milter's field written with a
    line end too many): below the first field, before From, Subject, Message-ID or
    Content-Type; twice; and two empty lines at once."""
    names = [key for key, _ in source.fields]
    places = {1}
    for name in ("from", "subject", "message-id", "content-type"):
        if name in names:
            places.add(names.index(name))
    nl = source.newline
    for place in sorted(places):
        if 0 < place < len(names):
            yield source.build([*source.fields[:place], ("", [b""]), *source.fields[place:]]), {}
    if "from" in names and 0 < names.index("from") < len(names):
        at = names.index("from")
        fields = [*source.fields[:at], ("", [nl.join([b"", b""])]), *source.fields[at:]]
        yield source.build(fields), {}
        if "subject" in names and names.index("subject") > at + 1:
            second = names.index("subject") + 1
            fields = [
                *source.fields[:at],
                ("", [b""]),
                *source.fields[at : second - 1],
                ("", [b""]),
                *source.fields[second - 1 :],
            ]
            yield source.build(fields), {}


def other_senders(source: Source):
    """A Sender, a Resent-From and a Reply-To beside the author's From (a list's, an agent
    who redirected the mail, a no-reply form): the caller is the From's. A From that names
    a group without an address ("undisclosed-recipients:;"), or none, beside the author in
    Sender: the caller is the Sender's."""
    added = [
        ("sender", [b"Sender: owner-support@lists.example.net"]),
        ("resent-from", [b"Resent-From: Agent Smith <agent@desk.example.net>"]),
        ("resent-sender", [b"Resent-Sender: relay@desk.example.net"]),
    ]
    yield source.build([*source.fields, *added]), {}
    yield source.build([*added, *source.fields]), {}
    if "sender" in [key for key, _ in source.fields]:
        return  # (the caller would be that Sender's)
    from_field = next(lines for key, lines in source.fields if key == "from")
    sender = [b"Sender:" + from_field[0].split(b":", 1)[1], *from_field[1:]]
    for empty in (b"From: undisclosed-recipients:;", b"From:", b"From: <>"):
        fields = _replace(source.fields, "from", [empty])
        yield source.build(_insert(fields, "from", ("sender", sender), True)), {}


def repeated_subject(source: Source):
    subject = next(lines for key, lines in source.fields if key == "subject")
    yield source.build(_insert(source.fields, "subject", ("subject", subject), True)), {}
    yield source.build(_insert(source.fields, "subject", ("subject", [b"Subject: "]), True)), {}


def nul_bytes(source: Source):
    """NUL bytes inside the From and Subject values and on a line of their own."""
    fields = source.fields
    for name in ("from", "subject"):
        lines = next(lines for key, lines in fields if key == name)
        first = lines[0]
        colon = first.index(b":") + 1
        fields = _replace(fields, name, [first[:colon] + b"\x00" + first[colon:], *lines[1:]])
    yield source.build(fields), {}
    yield source.build(_insert(source.fields, "subject", ("x-nul", [b"X-Junk: a\x00b"]), True)), {}


def no_blank_line_before_boundary(source: Source):
    """The header block runs straight into the first MIME boundary."""
    boundary = source.multipart_boundary
    if not boundary:
        return
    start = source.body.find(b"--" + boundary)
    if start < 0:
        return
    head = source.newline.join(line for _, lines in source.fields for line in lines)
    yield head + source.newline + source.body[start:], {}


# --- display names -----------------------------------------------------------------------------


def display_name_forms(source: Source):
    """Comments, quoted commas and quoted specials in the From field."""
    email = source.reading.from_email.encode()
    for value, name in (
        (b'"Doe, John" <' + email + b">", "John Doe"),
        (b"John Doe <" + email + b"> (Acme IT)", "John Doe"),
        (email + b" (John Doe)", "John Doe"),
        (b'"John \\"JD\\" Doe" <' + email + b">", 'John "JD" Doe'),
        (b'"John Doe (Acme)" <' + email + b">", "John Doe (Acme)"),
        (b"John Doe<" + email + b">", "John Doe"),
        (b"John Doe <mailto:" + email + b">", "John Doe"),
        (b"John Doe " + email, "John Doe"),
        (b'"John Doe" ' + email, "John Doe"),
        (b"=?utf-8?B?" + base64.b64encode(b"John Doe <" + email + b">") + b"?=", "John Doe"),
        (b"=?utf-8?Q?" + _q("John Doe <" + email.decode() + ">") + b"?=", "John Doe"),
    ):
        yield (
            source.build(_replace(source.fields, "from", [b"From: " + value])),
            {"from_name": name},
        )


def addresses_without_comma(source: Source):
    """Two addresses in From separated by a space only (a web form's mailer), or words
    after a bare address (getaddresses glues them to its domain). Words holding an address
    before a bracketed one are that mailbox's name, the bracket its address, as every mail
    client reads them ("ceo@acme.example <mailer@elsewhere.example>")."""
    email = source.reading.from_email.encode()
    for value in (
        email + b" other@example.net",
        b"<" + email + b"> <other@example.net>",
        email + b" John Doe",
        email + b" <" + email + b">",
    ):
        yield source.build(_replace(source.fields, "from", [b"From: " + value])), {"from_name": ""}
    value = b"other@example.net Acme <" + email + b">"
    yield (
        source.build(_replace(source.fields, "from", [b"From: " + value])),
        {"from_name": "other@example.net Acme"},
    )


# --- raw 8-bit text in a legacy charset --------------------------------------------------------

LEGACY_TEXTS = {
    "utf-8": ("José Müller", "Problème d'impression – urgent", "Devis_été.pdf"),
    "gb2312": ("张伟", "打印机又坏了，请尽快处理", "报价单.pdf"),
    "gbk": ("刘德华", "服务器无法连接，请帮忙", "发票申请表.xlsx"),
    "big5": ("陳小明", "印表機故障，請協助處理", "報價單.pdf"),
    "shift_jis": ("山田太郎", "プリンターが壊れました", "見積書.pdf"),
    "euc-jp": ("佐藤花子", "パスワードを忘れました", "請求書.pdf"),
    "iso-2022-jp": ("鈴木一郎", "会議室の予約について", "議事録.docx"),
    "euc-kr": ("김철수", "프린터가 고장났습니다", "견적서.pdf"),
    "koi8-r": ("Иван Петров", "Принтер сломан, помогите", "Счёт.pdf"),
    "windows-1251": ("Ольга Смирнова", "Не работает почта", "Договор.docx"),
    "windows-1252": ("François Müller", "Drucker kaputt – bitte prüfen", "Rechnung_März.pdf"),
    "iso-8859-2": ("Łukasz Wróbel", "Drukarka nie działa", "Faktura_źródło.pdf"),
}
# The text part's charset label: the right one, none at all, or one that is wrong.
DECLARATIONS = ("declared", "undeclared", "wrong")
_WRONG = {"utf-8": "iso-8859-1"}


def _declared(charset: str, mode: str) -> bytes:
    if mode == "declared":
        return charset.encode()
    if mode == "wrong":
        return _WRONG.get(charset, "iso-8859-1").encode()
    return b""


def _pdf_part(boundary: bytes, disposition: bytes, ctype: bytes = b"application/pdf") -> bytes:
    if disposition.startswith(b"Content-Type:"):
        return b"--" + boundary + b"\n" + disposition  # a whole part, given as it is
    return (
        b"--"
        + boundary
        + b"\nContent-Type: "
        + ctype
        + b"\n"
        + disposition
        + b"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
    )


def with_attachment(source: Source, part_headers: bytes, charset_label: bytes | None = None):
    """``source`` with one more attachment part (whose headers are ``part_headers``): the
    real mail's header block and body, wrapped in a multipart/mixed when it is not one;
    ``charset_label`` (b"": none) replaces the text part's charset label."""
    boundary = source.multipart_boundary
    if b"multipart/alternative" in source.field_value(b"content-type").lower():
        boundary = b""  # the alternatives are the body: wrapped, as clients attach to them
    body = source.body.replace(b"\r\n", b"\n")
    fields = [(k, [line.rstrip(b"\r") for line in v]) for k, v in source.fields]
    if boundary:
        close = body.rfind(b"--" + boundary + b"--")
        if close < 0 or body.count(boundary + b'"') + body.count(boundary + b"\n;") > 0:
            return b""  # no close delimiter, or a nested multipart with the same boundary
        body = body[:close] + _pdf_part(boundary, part_headers) + body[close:]
        return source.build(fields, body, b"\n")
    boundary = b"damage-boundary-1"
    content = [(k, v) for k, v in fields if k.startswith("content-")]
    if not content:
        content = [("content-type", [b"Content-Type: text/plain"])]
    if charset_label is not None:
        content = _relabel(content, charset_label)
    text = b"\n".join(line for _, lines in content for line in lines)
    fields = [
        *_without(fields, *[k for k, _ in content]),
        ("content-type", [b'Content-Type: multipart/mixed; boundary="' + boundary + b'"']),
    ]
    body = (
        b"--"
        + boundary
        + b"\n"
        + text
        + b"\n\n"
        + body
        + b"\n"
        + _pdf_part(boundary, part_headers)
        + b"--"
        + boundary
        + b"--\n"
    )
    return source.build(fields, body, b"\n")


def _relabel(content: list, charset_label: bytes) -> list:
    out = []
    for key, lines in content:
        if key == "content-type":
            value = re.sub(rb';\s*charset\s*=\s*"?[^";\s]*"?', b"", _unfold(lines))
            if charset_label and value.lower().startswith(b"content-type: text/"):
                value += b"; charset=" + charset_label
            lines = [value]
        out.append((key, lines))
    return out


def legacy_charset(charset: str, mode: str):
    """Display name, subject and an attachment name as raw 8-bit bytes in ``charset`` (no
    RFC 2047 / 2231); the text part declares ``charset``, nothing, or a wrong one."""
    name, subject, filename = LEGACY_TEXTS[charset]

    def damage(source: Source):
        if source.multipart_boundary:
            return  # the text part's label is set on single-part sources only
        email = source.reading.from_email.encode()
        encoded = {text: text.encode(charset) for text in (name, subject, filename)}
        fields = _replace(
            source.fields, "from", [b'From: "' + encoded[name] + b'" <' + email + b">"]
        )
        fields = _replace(fields, "subject", [b"Subject: " + encoded[subject]])
        fields = _without(fields, "content-transfer-encoding")
        changed = Source(source.label, b"", source.reading, b"\n", fields, source.body)
        raw = with_attachment(
            changed,
            b'Content-Disposition: attachment; filename="' + encoded[filename] + b'"',
            _declared(charset, mode),
        )
        names = sorted([*source.reading.attachments, filename])
        yield raw, {"from_name": name, "subject": subject, "attachments": names, "body": None}

    return damage


_LEGACY_LABEL = re.compile(rb"charset\s*=\s*\"?(?!us-ascii|utf-8|utf8|iso-8859-1\b)[\w-]+", re.I)


def mixed_utf8_and_legacy(charset: str, what: str):
    """A list or gateway's UTF-8 tag put before a raw legacy subject ("[Entrée] …"), or a
    raw legacy display name beside an internationalized (UTF-8) address. Sources that
    declare another legacy charset are left out (a declared charset is believed)."""
    name, subject, _ = LEGACY_TEXTS[charset]

    def damage(source: Source):
        if _LEGACY_LABEL.search(source.raw):
            return
        if what == "subject":
            tag = "[Entrée-Zürich] "
            value = tag.encode() + subject.encode(charset)
            yield (
                source.build(_replace(source.fields, "subject", [b"Subject: " + value])),
                {"subject": tag + subject},
            )
            return
        address = "jöran@bücher.example"
        value = b'"' + name.encode(charset) + b'" <' + address.encode() + b">"
        fields = _replace(source.fields, "from", [b"From: " + value])
        yield source.build(fields), {"from_name": name, "from_email": address}

    return damage


def _stray_cp1252(text: str, *signs: str) -> bytes:
    data = text.encode()
    for sign in signs:
        data = data.replace(sign.encode(), sign.encode("cp1252"), 1)
    return data


def utf8_with_stray_bytes(source: Source):
    """UTF-8 text with a sign or letter pasted from a Windows editor (Windows-1252 bytes):
    in the subject, the display name, a file name and the body."""
    subject = "Drucker – Fehler «E42» bei Müller"
    value = _stray_cp1252(subject, "«", "»")
    fields = _replace(source.fields, "subject", [b"Subject: " + value])
    yield source.build(fields), {"subject": subject}
    value = _stray_cp1252("Grüße aus Köln – café", "é")
    fields = _replace(source.fields, "subject", [b"Subject: " + value])
    yield source.build(fields), {"subject": "Grüße aus Köln – café"}
    email = source.reading.from_email.encode()
    value = b'"' + _stray_cp1252("José Müller-Lüdenscheidt", "é") + b'" <' + email + b">"
    fields = _replace(source.fields, "from", [b"From: " + value])
    yield source.build(fields), {"from_name": "José Müller-Lüdenscheidt"}
    name = "Übersicht «final» – Zürich.pdf"
    headers = b'Content-Disposition: attachment; filename="' + _stray_cp1252(name, "«", "»") + b'"'
    raw = with_attachment(source, headers)
    if raw:
        names = sorted([*source.reading.attachments, name])
        yield raw, {"attachments": names, "body": None}


def legacy_body(charset: str, mode: str):
    """A text body in ``charset`` sent 8-bit with its label right, absent or wrong (a UTF-8
    body labelled iso-8859-1, a legacy one labelled us-ascii or UTF-8)."""
    name, subject, filename = LEGACY_TEXTS[charset]
    text = f"{subject}\n\n{name}\n{filename}\n"

    def damage(source: Source):
        if source.multipart_boundary or source.reading.attachments:
            return
        label = {"declared": charset, "undeclared": "", "wrong": _BODY_WRONG.get(charset)}[mode]
        ctype = b"Content-Type: text/plain" + (b"; charset=" + label.encode() if label else b"")
        fields = [(k, v) for k, v in source.fields if not k.startswith("content-")]
        fields += [("content-type", [ctype]), ("cte", [b"Content-Transfer-Encoding: 8bit"])]
        body = text.encode(charset).replace(b"\n", source.newline)
        yield source.build(fields, body), {"body": _SPACES.sub(" ", text).strip()}

    return damage


def legacy_html_body(charset: str):
    """An HTML body in ``charset`` whose MIME type has no charset: its <meta> names it."""
    name, subject, _ = LEGACY_TEXTS[charset]

    def damage(source: Source):
        if source.multipart_boundary or source.reading.attachments:
            return
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        html = f"<html><head>{meta}</head><body><p>{subject}</p><p>{name}</p></body></html>"
        fields = [(k, v) for k, v in source.fields if not k.startswith("content-")]
        fields += [
            ("content-type", [b"Content-Type: text/html"]),
            ("cte", [b"Content-Transfer-Encoding: 8bit"]),
        ]
        yield source.build(fields, html.encode(charset)), {"body": f"{subject} {name}"}

    return damage


_BODY_WRONG = {"utf-8": "iso-8859-1", "windows-1252": "utf-8", "iso-8859-2": "iso-8859-1"}


# --- RFC 2047 encoded words, damaged -------------------------------------------------------------

_WORD_TEXT = "Drucker im 2. Stock – Fehler «E42» bei Müller"
_SJIS = "プリンターが壊れています".encode("shift_jis")


def _b(text: str, charset: str = "utf-8") -> bytes:
    return base64.b64encode(text.encode(charset))


def _b_words(charset: str, data: bytes, cut: int, between: bytes) -> bytes:
    """``data`` as two B-encoded words labelled ``charset``, cut at its byte ``cut`` (inside
    a character if it falls there), ``between`` them (a space, a fold or nothing)."""
    label = b"=?" + charset.encode() + b"?B?"
    first, second = base64.b64encode(data[:cut]), base64.b64encode(data[cut:])
    return label + first + b"?=" + between + label + second + b"?="


def _q(text: str, charset: str = "utf-8", spaces: bytes = b"_") -> bytes:
    out = []
    for byte in text.encode(charset):
        char = bytes([byte])
        if char == b" ":
            out.append(spaces)
        elif 33 <= byte < 127 and char not in b"=?_":
            out.append(char)
        else:
            out.append(b"=%02X" % byte)
    return b"".join(out)


def encoded_word_forms():
    """(label, encoded subject value, expected) for damaged RFC 2047 subjects."""
    text = _WORD_TEXT
    half = len(text) // 2
    utf8 = text.encode()
    cut = utf8.index("–".encode()) + 1  # inside a multibyte character
    return [
        (
            "folded between words",
            _b_words("utf-8", utf8, len(text[:half].encode()), b"\n "),
            text,
        ),
        (
            "multibyte split across words",
            _b_words("utf-8", utf8, cut, b" "),
            text,
        ),
        (
            "fold inside a word",
            b"=?utf-8?Q?" + _q(text[:half]) + b"\n " + _q(text[half:]) + b"?=",
            text,
        ),
        ("utf-8 labelled latin-1", b"=?iso-8859-1?Q?" + _q(text) + b"?=", text),
        (
            "latin-1 labelled utf-8",
            b"=?utf-8?Q?" + _q(text.replace("–", "-"), "cp1252") + b"?=",
            text.replace("–", "-"),
        ),
        ("unencoded spaces", b"=?utf-8?Q?" + _q(text, spaces=b" ") + b"?=", text),
        ("missing ?=", b"=?utf-8?Q?" + _q(text), text),
        ("glued to text", b"Re:=?utf-8?B?" + _b(text) + b"?=", "Re:" + text),
        ("lower-case q and label", b"=?UTF8?q?" + _q(text) + b"?=", text),
        (
            "multibyte split across folded words",
            _b_words("utf-8", utf8, cut, b"\n "),
            text,
        ),
        (
            "no space between words",
            _b_words("utf-8", utf8, len(text[:half].encode()), b""),
            text,
        ),
        (
            "shift_jis split inside a character, folded",
            _b_words("shift_jis", _SJIS, 5, b"\n "),
            _SJIS.decode("shift_jis"),
        ),
        ("unknown charset label", b"=?x-unknown?Q?" + _q(text) + b"?=", text),
        (
            "gb2312 label on gbk",
            b"=?gb2312?B?" + _b("打印机故障 – 镕", "gbk") + b"?=",
            "打印机故障 – 镕",
        ),
    ]


def encoded_words(source: Source):
    for _label, value, expected in encoded_word_forms():
        fields = _replace(
            source.fields, "subject", [b"Subject: " + value.replace(b"\n", source.newline)]
        )
        yield source.build(fields), {"subject": expected}
    email = source.reading.from_email.encode()
    name = "Jürgen Groß"
    for value in (
        b'"=?utf-8?B?' + _b(name) + b'?=" <' + email + b">",
        b"=?utf-8?Q?J=C3=BCrgen Gro=C3=9F?= <" + email + b">",
        b"=?iso-8859-1?Q?J=C3=BCrgen_Gro=C3=9F?= <" + email + b">",
        b"=?utf-8?Q?J=C3=BCrgen?=\n =?utf-8?Q?_Gro=C3=9F?= <" + email + b">",
    ):
        fields = _replace(source.fields, "from", [b"From: " + value.replace(b"\n", source.newline)])
        yield source.build(fields), {"from_name": name}


# --- attachment name parameters ------------------------------------------------------------------

_FILE = "Übersicht Q3 – Zürich (final).pdf"


def _pct(text: str) -> bytes:
    return b"".join(
        bytes([c]) if chr(c).isalnum() and c < 128 else b"%%%02X" % c for c in text.encode()
    )


def attachment_params():
    """(label, part headers, expected name)."""
    pct = _pct(_FILE)
    third = len(pct) // 3
    # Cut continuations between %XX escapes only.
    cuts = [m.start() for m in re.finditer(rb"%", pct)]
    one = min(cuts, key=lambda at: abs(at - third))
    two = min(cuts, key=lambda at: abs(at - 2 * third))
    return [
        ("rfc2231", b"Content-Disposition: attachment; filename*=utf-8''" + pct, _FILE),
        ("rfc2231 language", b"Content-Disposition: attachment; filename*=UTF-8'de'" + pct, _FILE),
        (
            "rfc2231 continuations",
            b"Content-Disposition: attachment;\n filename*0*=utf-8''"
            + pct[:one]
            + b";\n filename*1*="
            + pct[one:two]
            + b";\n filename*2*="
            + pct[two:],
            _FILE,
        ),
        (
            "rfc2231 continuations out of order",
            b"Content-Disposition: attachment;\n filename*2*="
            + pct[two:]
            + b";\n filename*0*=utf-8''"
            + pct[:one]
            + b";\n filename*1*="
            + pct[one:two],
            _FILE,
        ),
        (
            "rfc2231 encoded and plain continuations mixed",
            b"Content-Disposition: attachment;\n filename*0*=utf-8''"
            + _pct(_FILE[:9])
            + b';\n filename*1="'
            + _FILE[9:].replace("–", "-").replace("ü", "u").encode()
            + b'"',
            _FILE[:9] + _FILE[9:].replace("–", "-").replace("ü", "u"),
        ),
        (
            "type name wrapped flush left",
            b'Content-Type: application/pdf; name="Quarterly report\nfor the board.pdf"\n'
            b"Content-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n"
            b"JVBERi0xLjQK\n",
            "Quarterly report for the board.pdf",
        ),
        (
            "file name wrapped flush left on the last field",
            b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
            b'Content-Disposition: attachment; filename="Quarterly report\nfor the board.pdf"\n'
            b"\nJVBERi0xLjQK\n",
            "Quarterly report for the board.pdf",
        ),
        (
            "rfc2231 plain continuations",
            b'Content-Disposition: attachment;\n filename*0="Quarterly report ";\n'
            b' filename*1="for the board.pdf"',
            "Quarterly report for the board.pdf",
        ),
        (
            "rfc2047 in quotes",
            b'Content-Disposition: attachment; filename="=?utf-8?B?' + _b(_FILE) + b'?="',
            _FILE,
        ),
        (
            "name on Content-Type only",
            b"Content-Disposition: attachment\nX-Dummy: 1",
            None,  # set below with the type's name
        ),
        (
            "filename on Content-Disposition only, no type name",
            b'Content-Disposition: attachment; filename="Plan B.pdf"',
            "Plan B.pdf",
        ),
        (
            "disposition with only a filename",
            b'Content-Disposition: filename="Plan C.pdf"',
            "Plan C.pdf",
        ),
        (
            "raw utf-8",
            b'Content-Disposition: attachment; filename="' + _FILE.encode() + b'"',
            _FILE,
        ),
        (
            "rfc2231 raw utf-8 bytes",
            b"Content-Disposition: attachment; filename*=utf-8''" + _FILE.encode(),
            _FILE,
        ),
        (
            "rfc2231 raw bytes beside %XX",
            b"Content-Disposition: attachment; filename*=utf-8''"
            + _pct(_FILE[:9])
            + _FILE[9:].encode(),
            _FILE,
        ),
        (
            "unquoted with spaces",
            b"Content-Disposition: attachment; filename=Plan D.pdf",
            "Plan D.pdf",
        ),
    ]


def attachment_names(source: Source):
    for label, headers, expected in attachment_params():
        if expected is None:
            raw = with_attachment(source, headers.replace(b"X-Dummy: 1", b"X-Dummy: 1"))
            raw = raw.replace(
                b"Content-Type: application/pdf\n" + headers,
                b'Content-Type: application/pdf; name="' + _FILE.encode() + b'"\n' + headers,
            )
            expected = _FILE
        else:
            raw = with_attachment(source, headers)
        if raw:
            names = sorted([*source.reading.attachments, expected])
            yield raw, {"attachments": names, "body": None, "_label": label}


# --- parts a helpdesk must keep and name ------------------------------------------------------

_INNER = (
    b"From: Ann Lee <ann@example.org>\nTo: desk@example.com\nSubject: {subject}\n"
    b"Message-ID: <inner-1@example.org>\nContent-Type: text/plain; charset={charset}\n\n"
    b"The original request.\n"
)


def forwarded_forms():
    """(label, inner Subject bytes, its charset label, expected .eml name)."""
    text = "Réunion – budget 2027"
    return [
        ("plain", b"Printer on floor 2", b"us-ascii", "Printer on floor 2.eml"),
        ("encoded word", b"=?utf-8?B?" + _b(text) + b"?=", b"us-ascii", text + ".eml"),
        ("raw utf-8", text.encode(), b"utf-8", text + ".eml"),
        (
            "raw legacy, declared",
            "プリンターが壊れました".encode("cp932"),
            b"shift_jis",
            "プリンターが壊れました.eml",
        ),
        (
            "raw legacy, undeclared",
            "Принтер сломан".encode("koi8-r"),
            b"us-ascii",
            "Принтер сломан.eml",
        ),
        ("unsafe characters", b"Re: a/b: what?", b"us-ascii", "Re_ a_b_ what.eml"),
    ]


def forwarded_message(source: Source):
    """A forwarded message attached: named by its own subject, as mail clients name it."""
    for label, subject, charset, expected in forwarded_forms():
        inner = _INNER.replace(b"{subject}", subject).replace(b"{charset}", charset)
        part = b"Content-Type: message/rfc822\nContent-Disposition: attachment\n\n" + inner
        raw = with_attachment(source, part)
        if raw:
            names = sorted([*source.reading.attachments, expected])
            yield raw, {"attachments": names, "_label": label}


_REPORT = (
    b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
    b"Final-Recipient: rfc822; nobody@example.org\nAction: failed\nStatus: 5.1.1\n\n"
    b"Final-Recipient: rfc822; other@example.org\nAction: failed\nStatus: 5.2.2\n"
)
_SIGNATURE = (
    b"Content-Type: application/pgp-signature\nContent-Description: OpenPGP digital signature\n"
    b"\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"
)


def security_and_report_parts(source: Source):
    """A delivery-status report and a PGP signature, unnamed: kept under clients' names."""
    for part, name in ((_REPORT, "delivery-status.txt"), (_SIGNATURE, "signature.asc")):
        raw = with_attachment(source, part)
        if raw:
            yield raw, {"attachments": sorted([*source.reading.attachments, name])}


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(out, "PNG")
    return base64.encodebytes(out.getvalue())


def inline_image_forms():
    """(label, img tag, image part headers): how clients reference an inline image."""
    return [
        ("quoted cid", b'<img src="cid:logo@x">', b"Content-ID: <logo@x>"),
        ("unquoted cid", b"<img src=cid:logo@x>", b"Content-ID: <logo@x>"),
        ("Content-ID without brackets", b'<img src="cid:logo@x">', b"Content-ID: logo@x"),
        ("cid in another case", b'<img src="cid:LOGO@X">', b"Content-ID: <logo@x>"),
        ("cid %-encoded (RFC 2392)", b'<img src="cid:logo%40x">', b"Content-ID: <logo@x>"),
        ("cid with its brackets", b'<img src="cid:&lt;logo@x&gt;">', b"Content-ID: <logo@x>"),
        ("cid padded with spaces", b'<img src=" cid:logo@x ">', b"Content-ID: <logo@x>"),
        (
            "inline disposition with a name",
            b'<img src="cid:logo@x">',
            b'Content-ID: <logo@x>\nContent-Disposition: inline; filename="logo.png"',
        ),
    ]


def inline_image(source: Source):
    """The mail's text as HTML in a multipart/related with an image it shows: placed."""
    if source.multipart_boundary or source.reading.attachments:
        return  # a single-part mail of text only: its text becomes the HTML body
    png = _png()
    text = source.reading.body.encode("utf-8").replace(b"<", b"&lt;")
    for label, tag, headers in inline_image_forms():
        fields = _without(
            [(k, [line.rstrip(b"\r") for line in v]) for k, v in source.fields],
            *[k for k, _ in source.fields if k.startswith("content-")],
        )
        fields.append(("content-type", [b'Content-Type: multipart/related; boundary="rel"']))
        body = (
            b"--rel\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>"
            + text
            + b"</p>"
            + tag
            + b"</body></html>\n--rel\nContent-Type: image/png\n"
            + headers
            + b"\nContent-Transfer-Encoding: base64\n\n"
            + png
            + b"--rel--\n"
        )
        name = "logo.png" if b"logo.png" in headers else "image001.png"
        yield (
            source.build(fields, body, b"\n"),
            {
                "attachments": sorted([*source.reading.attachments, name]),
                "inline": [name],
                "body": None,  # the text made HTML: not what this class is about
                "_label": label,
            },
        )


def text_file_forms():
    """(label, part, expected name): text files attached without an 'attachment'
    disposition, as scripts, calendars and Apple Mail send them."""
    return [
        ("csv named", b'Content-Type: text/csv; name="data.csv"\n\na,b\n1,2\n', "data.csv"),
        ("log named", b'Content-Type: text/plain; name="error.log"\n\nline 1\n', "error.log"),
        (
            "calendar invitation",
            b'Content-Type: text/calendar; method=REQUEST; name="invite.ics"\n\n'
            b"BEGIN:VCALENDAR\nEND:VCALENDAR\n",
            "invite.ics",
        ),
        (
            "inline named text",
            b'Content-Type: text/plain\nContent-Disposition: inline; filename="notes.txt"\n\n'
            b"my notes\n",
            "notes.txt",
        ),
        ("vcard", b'Content-Type: text/x-vcard; name="ann.vcf"\n\nBEGIN:VCARD\n', "ann.vcf"),
        ("unnamed csv", b"Content-Type: text/csv\n\na,b\n", "text001.csv"),
        ("named page", b'Content-Type: text/html; name="page.html"\n\n<p>x</p>\n', "page.html"),
    ]


def text_files(source: Source):
    """A text file attached without 'Content-Disposition: attachment': kept, the body
    unchanged."""
    if source.reading.attachments:
        return  # default names count parts: keep the expectation simple
    for label, part, expected in text_file_forms():
        raw = with_attachment(source, part)
        if raw:
            yield raw, {"attachments": [expected], "_label": label}


def uuencoded_file(source: Source):
    """A file uuencoded into a plain-text body (``uuencode file | mail``, old clients)."""
    if source.multipart_boundary or source.reading.attachments:
        return
    if b"text/html" in source.field_value(b"content-type").lower():
        return
    if b"base64" in source.field_value(b"content-transfer-encoding").lower():
        return
    if b"quoted-printable" in source.field_value(b"content-transfer-encoding").lower():
        return
    data = bytes(range(256)) * 4
    lines = b"".join(binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45))
    block = b"begin 644 monitor-report.bin\n" + lines + b"`\nend\n"
    nl = source.newline
    body = source.body.rstrip() + nl + nl + block.replace(b"\n", nl)
    yield source.build(source.fields, body), {"attachments": ["monitor-report.bin"]}


# --- the classes -------------------------------------------------------------------------------


def classes() -> list:
    found = []
    for where in (
        "before_from",
        "after_from",
        "before_subject",
        "after_subject",
        "before_message-id",
        "after_message-id",
    ):
        for kind in ("tracking", "received"):
            found.append((f"flush-left {kind} {where}", flush_left(where, kind)))
    found += [
        ("blank continuation line", blank_continuation),
        ("long unfolded headers", long_unfolded),
        ("LF / CRLF mixes", newlines),
        ("duplicate From", duplicate_from),
        ("no space after colon", no_space_after_colon),
        ("repeated Subject", repeated_subject),
        ("empty line inside the header block", split_header_block),
        ("UTF-8 with stray Windows-1252 bytes", utf8_with_stray_bytes),
        ("Sender, Resent-From beside From; group From", other_senders),
        ("space before colon", space_before_colon),
        ("junk before the header block", junk_before_headers),
        ("NUL bytes in headers", nul_bytes),
        ("no blank line before boundary", no_blank_line_before_boundary),
        ("display name forms", display_name_forms),
        ("addresses without a comma", addresses_without_comma),
        ("RFC 2047 damaged", encoded_words),
        ("attachment name parameters", attachment_names),
        ("forwarded message named by its subject", forwarded_message),
        ("delivery-status and PGP parts kept", security_and_report_parts),
        ("inline image placed", inline_image),
        ("text files kept", text_files),
        ("uuencoded file in the body", uuencoded_file),
    ]
    for charset in LEGACY_TEXTS:
        for mode in DECLARATIONS:
            found.append((f"raw 8-bit {charset} {mode}", legacy_charset(charset, mode)))
    for charset in LEGACY_TEXTS:
        for mode in DECLARATIONS:
            if mode != "wrong" or charset in _BODY_WRONG:
                found.append((f"8-bit body {charset} {mode}", legacy_body(charset, mode)))
    for charset in LEGACY_TEXTS:
        found.append((f"HTML body {charset} named by its meta only", legacy_html_body(charset)))
    for charset in LEGACY_TEXTS:
        if charset != "utf-8":
            for what in ("subject", "name"):
                found.append(
                    (
                        f"UTF-8 beside raw 8-bit {charset} {what}",
                        mixed_utf8_and_legacy(charset, what),
                    )
                )
    return found


def check(source: Source, raw: bytes, expected: dict) -> list:
    """The fields that differ from what is expected: [(field, expected, got)]."""
    if not raw:
        return []
    got = Reading.of(raw)
    want = source.reading
    wrong = []
    for name in ("from_email", "from_name", "subject", "attachments", "body", "inline"):
        value = expected.get(name, getattr(want, name))
        if value is None:
            continue  # not compared for this damage (the body changed with it)
        found = getattr(got, name)
        if expected.get("_spaces") and name == "subject":
            value, found = _SPACES.sub(" ", value), _SPACES.sub(" ", found)
        if found != value:
            wrong.append((name, value, found))
    return wrong


def run(sources: list, selected=None) -> dict:
    """{class name: (passed, total, [failure descriptions])}."""
    results = {}
    for name, damage in classes():
        if selected and name not in selected:
            continue
        passed = total = 0
        failures = []
        for source in sources:
            for raw, expected in damage(source):
                if not raw:
                    continue
                total += 1
                wrong = check(source, raw, expected)
                if wrong:
                    label = expected.get("_label", "")
                    failures.append(f"{source.label} {label}: {wrong[0]}")
                else:
                    passed += 1
        results[name] = (passed, total, failures)
    return results
