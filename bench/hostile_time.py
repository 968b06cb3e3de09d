"""Parse time of the email core on hostile plain-text bodies (issue 14: any message < 5 s).

    python3 bench/hostile_time.py [--mb 2.6] [--only horde,sep] [--profile 25] [--core DIR]

Builds each body at the given size (plain text, CRLF, and inside an HTML ``<pre>``), parses
it once with ``parse_message`` and reads what the addon reads (new part text and HTML),
printing CPU seconds (``time.process_time``). ``--core`` imports ``mailparse`` from another
folder (e.g. one ``git archive`` of main) to compare versions; run both under the same load.
The body is cut at ``max_body_chars`` (2 MB): to see scaling compare sizes below it
(``--mb 0.5,2``: four times the text).
"""

import argparse
import cProfile
import html
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINES = {
    # dateless Horde attribution lines, no quote after them
    "horde": lambda i: f"Zitat von A{i % 997} <a{i % 991}@b.c>:",
    # separator lines of hyphenated words
    "sep": lambda i: "---- a-b-c ----" if i % 2 else "-----a-a-a-a-----",
    # a customer's citing lines, the writer described (no quote after them): each is read
    # as an attribution and kept
    "cite": lambda i: f"Your colleague {i % 997} wrote on 03.03.2026:",
    # the same, no digit in the writer's words (a digit there ends them: read as a name)
    "cite3": lambda i: f"Your colleague {'abcdefghij'[i % 10]}nn wrote on 03.03.2026:",
    # Notes' bare labels under a Notes name and a date, never with a subject label below
    "notes": lambda i: ("Ann Lee/ACME", "03/03/2026 10:00", "To", "x@y.z")[i % 4],
    # a device footer's words opening a sentence
    "sent": lambda i: f"Sent from my iPhone but it bounced {i % 997}",
    # quoted lines each followed by a device footer left unquoted (the quoted message's)
    "qfoot": lambda i: f"> quoted {i % 997}" if i % 2 else "Sent from my iPhone",
    # quoted questions each answered right below (interleaved replies)
    "qa": lambda i: f"> Is the printer {i % 997} on?" if i % 2 else f"Yes {i % 991}.",
    # Notes' bare labels with a subject label below, no sender above
    "notes2": lambda i: ("03/03/2026 10:00", "To", "cc", "Subject", "x")[i % 5],
    # a client's attribution with a described sender above each quote
    "cite2": lambda i: "Your colleague wrote:" if i % 2 else f"> line {i % 997}",
    # attributions of a verb no list holds, no quote after them, each line joined with the
    # two below it (Mutt's bracketed date; "said"), and the same with blank lines between
    "mutt": lambda i: f"* Name{i % 997} <a{i % 991}@b.c> [2017-05-05 05:39]:",
    "said": lambda i: f"Name{i % 997} Surname <addr{i % 991}@example.com> said:",
    "muttb": lambda i: "" if i % 2 else f"* Name{i % 997} <a{i % 991}@b.c> [2017-05-05 05:39]:",
    "saidb": lambda i: "" if i % 2 else f"Name{i % 997} Surname <addr{i % 991}@example.com> said:",
}


def body(kind: str, size: int, eol: str = "\n") -> str:
    out, total, i = [], 0, 0
    while total < size:
        line = LINES[kind](i)
        out.append(line)
        total += len(line) + len(eol)
        i += 1
    return "Hello,\n\nplease help.\n\n".replace("\n", eol) + eol.join(out) + eol


def message(text: str, form: str) -> bytes:
    eol = "\r\n" if form == "crlf" else "\n"
    head = (
        "From: Customer <c@example.org>\nTo: support@example.com\nSubject: hostile\n"
        "Message-ID: <h@example.org>\nMIME-Version: 1.0\n"
    )
    if form == "pre":
        head += "Content-Type: text/html; charset=utf-8\n\n"
        payload = "<html><body><pre>" + html.escape(text) + "</pre></body></html>\n"
    else:
        head += "Content-Type: text/plain; charset=utf-8\n\n"
        payload = text
    return (head + payload).replace("\n", eol).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--mb", default="2.6,1,5", help="body sizes in MB, comma-separated")
    ap.add_argument("--only", default="horde,sep")
    ap.add_argument("--forms", default="plain,crlf,pre")
    ap.add_argument("--profile", type=int, default=0, help="cProfile top N (first case only)")
    ap.add_argument("--core", default=str(ROOT / "helpdesk_mail_ticket"))
    args = ap.parse_args()
    sys.path.insert(0, args.core)
    from mailparse import parse_message  # pylint: disable=import-outside-toplevel

    for kind in args.only.split(","):
        for mb in args.mb.split(","):
            text = body(kind, int(float(mb) * 1e6))
            for form in args.forms.split(","):
                raw = message(text, form)
                prof = cProfile.Profile() if args.profile else None
                start = time.process_time()
                if prof:
                    prof.enable()
                parsed = parse_message(raw)
                _ = (parsed.new_part_text, parsed.new_part_html, parsed.body_text)
                if prof:
                    prof.disable()
                took = time.process_time() - start
                new = len(parsed.new_part_text or "")
                print(f"{kind:6} {mb:>4} MB {form:5} {took:7.2f} s  new part {new}", flush=True)
                if prof:
                    pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
                    return


if __name__ == "__main__":
    main()
