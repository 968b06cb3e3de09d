#!/usr/bin/env python3
"""Fuzz the email core: random mutations of real mail and generated hostile structures.

    python3 bench/fuzz.py --iterations 20000 --seed 1

Every input goes through ``mailparse.parse_message`` with the default settings, as the
inboxes do. A failure is an exception escaping the parser (its contract: problems are
recorded on the result, never raised) or a result breaking its invariants; a slow input
is one over ``--budget`` seconds. Prints iterations, failures, slow inputs, the slowest
time and the peak memory, and saves each failing input under ``--out`` for replay.
"""

import argparse
import random
import resource
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))

from mailparse import Settings, parse_message  # noqa: E402

SEEDS_DIR = ROOT / "tests" / "data"
HEAD = (
    b"From: Alice <alice@acme.example>\r\nTo: support@helpdesk.example\r\n"
    b"Subject: fuzz\r\nMessage-ID: <fuzz@x>\r\nMIME-Version: 1.0\r\n"
)
CHARSETS = [b"utf-8", b"iso-8859-1", b"x-unknown", b"utf-7", b"gb2312", b"", b"\xff", b"utf-16"]
ENCODINGS = [b"base64", b"quoted-printable", b"7bit", b"8bit", b"x-uuencode", b"binary", b"bogus"]
TYPES = [
    b"text/plain",
    b"text/html",
    b"image/png",
    b"application/pdf",
    b"message/rfc822",
    b"application/ms-tnef",
    b"multipart/mixed",
    b"text/calendar",
]


def seeds():
    return [path.read_bytes() for path in sorted(SEEDS_DIR.glob("*/*.eml"))]


def mutate(rng, data):
    """Flip, insert, delete, duplicate or truncate chunks of ``data``."""
    data = bytearray(data)
    for _step in range(rng.randint(1, 8)):
        if not data:
            break
        where = rng.randrange(len(data))
        kind = rng.random()
        if kind < 0.3:
            data[where] = rng.randrange(256)
        elif kind < 0.5:
            data[where:where] = rng.randbytes(rng.randint(1, 64))
        elif kind < 0.65:
            del data[where : where + rng.randint(1, 200)]
        elif kind < 0.8:
            chunk = data[where : where + rng.randint(1, 400)]
            data[where:where] = chunk * rng.randint(1, 20)
        elif kind < 0.9:
            token = rng.choice([b"\r\n", b"\n\n", b"--", b"=?", b"?=", b"=\r\n", b"\x00", b"<"])
            data[where:where] = token * rng.randint(1, 50)
        else:
            data = data[: max(1, where)]
    return bytes(data)


def hostile(rng):
    """A generated structure from the hostile families the inboxes must survive."""
    family = rng.randrange(6)
    if family == 0:  # deep nesting
        body = b"Content-Type: text/plain\r\n\r\ninner\r\n"
        for level in range(rng.randint(50, 1500)):
            b = b"n%d" % level
            body = (
                b'Content-Type: multipart/mixed; boundary="'
                + b
                + b'"\r\n\r\n--'
                + b
                + b"\r\n"
                + body
                + b"\r\n--"
                + b
                + b"--\r\n"
            )
        return HEAD + body
    if family == 1:  # many parts
        parts = b"".join(
            b"--m\r\nContent-Type: " + rng.choice(TYPES) + b"\r\n\r\nx\r\n"
            for _ in range(rng.randint(100, 12000))
        )
        return HEAD + b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n' + parts + b"--m--\r\n"
    if family == 2:  # huge or numerous headers
        size = rng.randint(10_000, 2_000_000)
        headers = (
            b"X-Big: " + b"a" * size + b"\r\n"
            if rng.random() < 0.5
            else (b"".join(b"X-H%d: v\r\n" % n for n in range(rng.randint(1000, 50_000))))
        )
        return HEAD + headers + b"Content-Type: text/plain\r\n\r\nbody\r\n"
    if family == 3:  # broken transfer encodings and charsets
        return HEAD + (
            b"Content-Type: "
            + rng.choice([b"text/plain", b"text/html"])
            + b"; charset="
            + rng.choice(CHARSETS)
            + b"\r\nContent-Transfer-Encoding: "
            + rng.choice(ENCODINGS)
            + b"\r\n\r\n"
            + rng.randbytes(rng.randint(0, 200_000))
            + b"\r\n"
        )
    if family == 4:  # encoded words everywhere
        word = b"=?" + rng.choice(CHARSETS) + b"?" + rng.choice([b"B", b"Q", b"X"]) + b"?"
        word += rng.randbytes(rng.randint(0, 60)).replace(b"?=", b"") + b"?="
        return (
            b"From: "
            + word * rng.randint(1, 500)
            + b" <a@b.c>\r\nSubject: "
            + word * rng.randint(1, 2000)
            + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        )
    html = b"<div>" * rng.randint(1000, 100_000) + b"x" + b"</div>" * rng.randint(0, 10)
    return HEAD + b"Content-Type: text/html\r\n\r\n" + html + b"\r\n"


def check(raw, settings):
    """The parser's invariants on ``raw``; returns whether it called the mail
    undecodable (``error`` set: the inbox sets such mail aside with that reason)."""
    parsed = parse_message(raw, settings)
    assert isinstance(parsed.error, str), "error is not a string"
    assert isinstance(parsed.new_part_text, str), "new_part_text is not a string"
    assert isinstance(parsed.body_html, str), "body_html is not a string"
    assert parsed.stable_id, "no stable id"
    assert parsed.size == len(raw), "size differs from the input"
    return bool(parsed.error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--out", default="/tmp/hmt-fuzz-failures")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    corpus = seeds()
    settings = Settings()
    failures = slow = undecodable = 0
    slowest = 0.0
    started = time.monotonic()
    for iteration in range(options.iterations):
        raw = hostile(rng) if rng.random() < 0.1 else mutate(rng, rng.choice(corpus))
        began = time.monotonic()
        try:
            undecodable += check(raw, settings)
        except Exception:  # the parser's contract is to raise nothing: count it
            failures += 1
            save(options.out, f"fail-{iteration}.eml", raw)
            print(f"iteration {iteration}: {traceback.format_exc(limit=3)}", flush=True)
        elapsed = time.monotonic() - began
        slowest = max(slowest, elapsed)
        if elapsed > options.budget:
            slow += 1
            save(options.out, f"slow-{iteration}.eml", raw)
            print(f"iteration {iteration}: {elapsed:.1f} s ({len(raw)} bytes)", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"iterations {options.iterations}, failures {failures}, slow {slow} "
        f"(> {options.budget:g} s), undecodable {undecodable}, "
        f"slowest {slowest:.2f} s, peak memory {peak} MB, "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if failures or slow else 0


def save(directory, name, raw):
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_bytes(raw)


if __name__ == "__main__":
    sys.exit(main())
