"""bench/parse_dump.py writes every field of a parse, attachments by their content's hash."""

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

from mailparse import ParsedEmail, parse_message

ROOT = Path(__file__).resolve().parent.parent


def _parse_dump():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import parse_dump
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return parse_dump


def test_dump_holds_every_field_of_a_parse():
    raw = (
        b"From: Ann <ann@example.com>\r\nSubject: Printer\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe printer is down.\r\n"
        b'--b\r\nContent-Type: application/pdf; name="log.pdf"\r\n'
        b"Content-Disposition: attachment\r\n\r\n%PDF-1.4 x\r\n--b--\r\n"
    )
    parsed = parse_message(raw)
    line = json.loads(json.dumps(_parse_dump().dump(parsed), default=str))
    assert set(line) == {item.name for item in dataclasses.fields(ParsedEmail)}
    assert line["from_email"] == "ann@example.com"
    assert line["new_part_text"] == "The printer is down."
    (attachment,) = line["attachments"]
    assert attachment["filename"] == "log.pdf"
    assert attachment["data"] == hashlib.sha256(parsed.attachments[0].data).hexdigest()
