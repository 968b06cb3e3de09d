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


def test_a_side_reads_one_record_a_line_whatever_the_text_holds(tmp_path):
    """A body holding a line separator JSON leaves as it is (U+2028, U+0085, \\x1c) is one
    record: the sides stay aligned (the comparison raised on a zip of unequal lengths)."""
    raw = "From: a@example.com\r\nSubject: s\r\n\r\nx\u2028y\x85z\x1cw\r\n".encode()
    (tmp_path / "a.eml").write_bytes(raw)
    (tmp_path / "b.eml").write_bytes(b"From: b@example.com\r\nSubject: t\r\n\r\nhi\r\n")
    lists = tmp_path / "files.txt"
    lists.write_text(f"{tmp_path / 'a.eml'}\n{tmp_path / 'b.eml'}", encoding="utf-8")
    records = _parse_dump().run_side(ROOT / "helpdesk_mail_ticket", lists, tmp_path / "out.jsonl")
    assert [json.loads(record)["from_email"] for record in records] == [
        "a@example.com",
        "b@example.com",
    ]
