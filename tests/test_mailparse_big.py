"""Big messages: their long base64 bodies stay out of the stdlib parser, and nothing else
changes (same tree, same attachments, same stable id as the plain parse)."""

import base64
import hashlib
import random
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from mailparse import loader, parse, parse_message
from mailparse.loader import load_message, payload_bytes, repair_header_block

DATA = Path(__file__).parent / "data"
MB = 1024 * 1024


def blob(size, seed=1):
    return random.Random(seed).randbytes(size)


def big_email(*attachments, text="See attached.", **headers):
    message = EmailMessage()
    message["From"] = "Alice <alice@example.com>"
    message["To"] = "support@example.com"
    message["Subject"] = "Big"
    message["Message-ID"] = "<big@example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message.as_bytes()


@pytest.fixture
def plain(monkeypatch):
    """parse_message as before: every message through the stdlib parser whole."""

    def run(raw):
        with monkeypatch.context() as patched:
            patched.setattr(loader, "BIG_MESSAGE_BYTES", 1 << 62)
            return parse_message(raw)

    return run


@pytest.fixture
def parsed_sizes(monkeypatch):
    sizes, original = [], loader._stdlib_parse

    def spy(raw):
        sizes.append(len(raw))
        return original(raw)

    monkeypatch.setattr(loader, "_stdlib_parse", spy)
    return sizes


def assert_same(parsed, expected):
    for name in (
        "error",
        "message_id",
        "stable_id",
        "subject",
        "body_text",
        "body_html",
        "defects",
    ):
        assert getattr(parsed, name) == getattr(expected, name), name
    assert [(a.filename, a.content_type, a.kept, a.data) for a in parsed.attachments] == [
        (a.filename, a.content_type, a.kept, a.data) for a in expected.attachments
    ]


def test_big_attachments_decode_from_the_raw_bytes(plain, parsed_sizes):
    first, second = blob(2 * MB), blob(MB // 2 + 3, seed=2)
    raw = big_email(("a.pdf", first), ("b.pdf", second))
    parsed = parse_message(raw)
    assert max(parsed_sizes) < 16 * 1024, "the base64 bodies were not given to the parser"
    assert [a.data for a in parsed.attachments] == [first, second]
    assert_same(parsed, plain(raw))


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_line_endings_and_blank_lines_inside_the_body(plain, newline):
    encoded = base64.encodebytes(blob(MB + 1)).replace(b"\n", newline)
    lines = encoded.split(newline)
    lines.insert(len(lines) // 2, b"")  # a blank line inside the run
    raw = newline.join(
        [
            b"From: a@example.com",
            b"Content-Type: multipart/mixed; boundary=XX",
            b"",
            b"--XX",
            b"Content-Type: text/plain",
            b"",
            b"body",
            b"--XX",
            b"Content-Type: application/octet-stream; name=x.bin",
            b"Content-Transfer-Encoding: base64",
            b"",
            *lines,
            b"--XX--",
            b"",
        ]
    )
    parsed = parse_message(raw)
    assert parsed.attachments[0].data == blob(MB + 1)
    assert_same(parsed, plain(raw))


def build(part_headers, body, preamble=b""):
    return (
        b"From: a@example.com\r\nMessage-ID: <x@example.com>\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n" + preamble + b"--B\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--B\r\n" + part_headers + b"\r\n" + body
        + b"\r\n--B--\r\n"
    )  # fmt: skip


CASES = {
    # The run is a text body, not an encoding: its text is put back.
    "text body": (b"Content-Type: text/plain\r\n", b"abcd\r\n" * 200_000),
    # Base64 missing its padding: decoded by the stdlib, as before.
    "unpadded": (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n",
        base64.encodebytes(blob(MB + 1)).rstrip(b"=\n").replace(b"\n", b"\r\n"),
    ),
    # Padding in the middle (two encodings glued together).
    "inner padding": (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n",
        (base64.encodebytes(blob(MB + 1)) + base64.encodebytes(b"x")).replace(b"\n", b"\r\n"),
    ),
    # An attached message holding a big attachment: its .eml keeps every byte.
    "attached message": (
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=f.eml\r\n",
        big_email(("inner.pdf", blob(MB))),
    ),
    # A whole message sent base64 (RFC 2046 forbids it): repaired as before.
    "encoded message": (
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n",
        base64.encodebytes(big_email(("inner.pdf", blob(MB)))),
    ),
    # Declared quoted-printable: not ours to decode.
    "quoted-printable": (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: quoted-printable\r\n",
        b"QUJD\r\n" * 200_000,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_same_result_as_the_plain_parse(plain, case):
    raw = build(*CASES[case])
    assert len(raw) >= loader.BIG_MESSAGE_BYTES
    assert_same(parse_message(raw), plain(raw))


def mutated_emails(count, seed):
    """Small multipart mails (attachments, an attached message, CRLF or LF) damaged at
    random: bytes inserted, deleted, duplicated, truncated."""
    rng = random.Random(seed)
    inserts = [b"=", b"==", b"\n", b"\r\n", b"\n\n", b"-", b"--", b" ", b"\r", b":", b"\x86"]
    for _ in range(count):
        message = EmailMessage()
        message["From"], message["Subject"] = "a@b.c", "s"
        if rng.random() < 0.5:
            message["Message-ID"] = "<id@x>"
        message.set_content("hello " * rng.randint(1, 50))
        for number in range(rng.randint(0, 3)):
            data = rng.randbytes(rng.randint(0, 3000))
            message.add_attachment(data, "application", "pdf", filename=f"f{number}.bin")
        if rng.random() < 0.3:
            message.add_attachment(EmailMessage(big_email(("in.pdf", rng.randbytes(2000)))))
        raw = bytearray(message.as_bytes())
        if rng.random() < 0.5:
            raw = bytearray(raw.replace(b"\n", b"\r\n"))
        for _ in range(rng.randint(0, 6)):
            at, operation = rng.randrange(len(raw) + 1), rng.random()
            if operation < 0.3:
                raw[at:at] = rng.choice(inserts)
            elif operation < 0.5:
                del raw[at : at + rng.randint(1, 50)]
            elif operation < 0.8:
                raw[at:at] = raw[rng.randrange(len(raw)) :][: rng.randint(1, 300)]
            else:
                del raw[at:]
        yield bytes(raw)


def test_damaged_mail_gives_the_same_result_either_way(monkeypatch, plain):
    """Every mail through the set-aside path (tiny thresholds), compared with the plain
    parse: same tree, same attachments bytes, same stable id, same defects."""
    monkeypatch.setattr(loader, "BIG_MESSAGE_BYTES", 1)
    monkeypatch.setattr(loader, "BLOB_MIN_BYTES", 200)
    for raw in mutated_emails(300, seed=5):
        assert_same(parse_message(raw), plain(raw))


def test_run_in_the_preamble_falls_back_to_the_plain_parse(plain, parsed_sizes):
    raw = build(b"Content-Type: text/plain\r\n", b"tail", preamble=b"QUJD\r\n" * 200_000)
    parsed = parse_message(raw)
    assert parsed_sizes[0] < 16 * 1024 and parsed_sizes[-1] == len(raw)
    assert_same(parsed, plain(raw))


def test_header_repair_sees_the_message_as_received(plain):
    """The header repair guesses the line ending from the first 4 KB: it must read the
    message itself, not the one with its base64 run cut out (a CRLF further down)."""
    raw = (
        b"Received: from a\n(using TLS)\nby b\nReturn-Path: <x@y.z>\nSubject: s\n"
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: application/pdf\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(blob(MB)) + b"--B\n"
        b"Content-Type: text/plain\r\n\r\nCRLF text\r\n--B--\n"
    )
    parsed = parse_message(raw)
    assert parsed.headers["received"] == "from a (using TLS) by b"
    assert parsed.attachments[0].data == blob(MB)
    assert_same(parsed, plain(raw))


def test_payload_bytes_of_a_set_aside_part():
    data = blob(MB)
    message = load_message(big_email(("a.pdf", data)))
    (part,) = [p for p in message.walk() if p.get_filename() == "a.pdf"]
    assert payload_bytes(part) == data
    assert "MAILPARSEBLOB" in part.get_payload()


def test_a_forged_token_is_only_text(plain):
    raw = big_email(("a.pdf", blob(MB)), text="MAILPARSEBLOB0000000000000000N0\n")
    parsed = parse_message(raw)
    assert "MAILPARSEBLOB0000000000000000N0" in parsed.body_text
    assert_same(parsed, plain(raw))


def reference_stable_id(raw):
    """The stable id as computed before it was hashed a slice at a time."""
    message = load_message(raw)
    digest = hashlib.sha256()
    for name in ("from", "to", "cc", "date", "subject"):
        for value in message.get_all(name, []):
            digest.update(name.encode() + b":")
            digest.update(
                parse.clean_text(parse.fix_surrogates(str(value))).encode("utf-8", "replace")
            )
            digest.update(b"\n")
    body = raw.replace(b"\r\n", b"\n")
    head_end = body.find(b"\n\n")
    body = body[head_end + 2 :] if head_end >= 0 else body
    digest.update(re.sub(rb"\s+", b" ", body).strip())
    return "sha256:" + digest.hexdigest()


@pytest.mark.parametrize("slice_size", [1, 3, 7, 1024 * 1024])
def test_stable_id_hashed_a_slice_at_a_time(monkeypatch, slice_size):
    monkeypatch.setattr(parse, "_HASH_SLICE", slice_size)
    rng = random.Random(slice_size)
    pieces = [b" ", b"\t", b"\r", b"\n", b"\r\n", b"a", b"xyz", b"\x0b", b"\n\n", b"\r\n\r\n"]
    samples = [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    samples += [b"From: a@b.c\r\nSubject: s\r\n\r\n  body \r\n text\r\n\r\n"]
    if slice_size > 7:
        samples += [path.read_bytes() for path in sorted(DATA.rglob("*.eml"))]
    for raw in samples:
        assert parse._stable_id(load_message(raw), raw) == reference_stable_id(raw), raw[:80]


def test_big_message_without_message_id_keeps_its_stable_id(plain):
    raw = big_email(("a.pdf", blob(MB)), text="no id").replace(
        b"Message-ID: <big@example.com>\n", b""
    )
    parsed = parse_message(raw)
    assert parsed.stable_id == reference_stable_id(raw)
    assert_same(parsed, plain(raw))


def test_header_repair_of_a_big_message():
    head = b"Received: from a\n(using TLS)\nby b\nReturn-Path: <x@y.z>\nSubject: s\n\n"
    body = b"line\n" * 300_000
    assert repair_header_block(head + body) == (
        b"Received: from a\n (using TLS)\n by b\nReturn-Path: <x@y.z>\nSubject: s\n\n" + body
    )
    many = b"".join(b"X-H%d: v\n" % n for n in range(2500)) + b"\nbody\n"
    assert repair_header_block(many) is many
