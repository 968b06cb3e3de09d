"""bench/corpus_time.py reads what the addon reads of a parse, on today's ParsedEmail."""

import sys
from pathlib import Path

from mailparse import parse_message

ROOT = Path(__file__).resolve().parent.parent


def test_corpus_time_reads_what_a_parse_has():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus_time
    finally:
        sys.path.remove(str(ROOT / "bench"))
    raw = b"From: ann@example.com\r\nSubject: Printer\r\n\r\nThe printer is down.\r\n"
    corpus_time._read_all(parse_message(raw))
