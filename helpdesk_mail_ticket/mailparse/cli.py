"""``python3 -m mailparse [--config FILE.json] FILE.eml ...``: one JSON object per line."""

# A command-line tool: it prints its results.
# pylint: disable=print-used

import argparse
import json
import logging
import sys
import time

from .errors import MailParseError, PatternError
from .parse import ParsedEmail, parse_message
from .refs import title_refs
from .settings import Settings


def to_json(parsed: ParsedEmail, filename: str, settings: Settings) -> dict:
    try:
        refs = title_refs(parsed.subject, settings.title_pattern)
    except PatternError:
        refs = []
    return {
        "file": filename,
        "message_id": parsed.message_id,
        "stable_id": parsed.stable_id,
        "subject": parsed.subject,
        "from_email": parsed.from_email,
        "from_name": parsed.from_name,
        "to": [list(pair) for pair in parsed.to],
        "cc": [list(pair) for pair in parsed.cc],
        "reply_to": [list(pair) for pair in parsed.reply_to],
        "date": parsed.date.isoformat() if parsed.date else None,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "body_part": parsed.body_part,
        "description_html": parsed.body_html,
        "text": parsed.body_text,
        "new_part": parsed.new_part_text,
        "new_part_html": parsed.new_part_html,
        "new_part_with_signature": parsed.new_part_with_signature,
        "signature": parsed.signature_text,
        "new_part_fallback": parsed.new_part_fallback,
        "automated": (
            {"kind": parsed.automated.kind, "reason": parsed.automated.reason}
            if parsed.automated
            else None
        ),
        "ticket_refs": refs,
        "attachments": [
            {
                "filename": att.filename,
                "content_type": att.content_type,
                "size": att.size,
                "sha256": att.sha256,
                "content_id": att.content_id,
                "inline": att.inline,
                "kept": att.kept,
                "reason": att.reason,
                "width": att.width,
                "height": att.height,
            }
            for att in parsed.attachments
        ],
        "size": parsed.size,
        "defects": parsed.defects,
        "error": parsed.error,
    }


def _load_settings(path: str | None) -> Settings:
    if not path:
        return Settings()
    with open(path, encoding="utf-8") as handle:
        return Settings.from_itop(json.load(handle))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mailparse", description=__doc__)
    parser.add_argument("--config", help="JSON file of settings by their iTop names")
    parser.add_argument("--timing", action="store_true", help="add seconds spent per file")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    try:
        settings = _load_settings(args.config)
    except (OSError, ValueError, MailParseError) as exc:
        print(f"mailparse: bad --config: {exc}", file=sys.stderr)
        return 2
    for filename in args.files:
        started = time.perf_counter()
        try:
            with open(filename, "rb") as handle:
                raw = handle.read()
            record = to_json(parse_message(raw, settings), filename, settings)
        except Exception as exc:  # never crash on a file: report it
            record = {"file": filename, "error": f"{type(exc).__name__}: {exc}"[:300]}
        if args.timing:
            record["seconds"] = round(time.perf_counter() - started, 4)
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0
