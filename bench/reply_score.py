"""Score the new part the email core finds against other projects' expected replies.

    python3 bench/reply_score.py DIR [--verbose] [--half fit|valid|both] [--seed N]

DIR holds one sub-folder per collection (a project's fixture set); in it each ``NAME.txt``
is a plain-text mail body (a reply or a forward, quotes and signatures included) and
``NAME.expected`` the text that project's tests expect once quotes, signatures and
forwarded history are trimmed. Nothing fetched is committed: bench/README.md says how to
rebuild such a folder.

Each body is wrapped into a minimal message (``corpus_score.as_message``) so the whole
``parse_message`` pipeline runs, text part first; the new part read is
``ParsedEmail.new_part_text`` (no quotes, no signature). Measures per collection and half:

- exact: the new part equals the expected text after ws-norm (every run of whitespace one
  space, stripped);
- token F1: mean F1 over bags of lower-cased ``\\w+`` tokens.

Where the expected text is empty (nothing but quotes) and the core says "nothing new"
(``new_part_fallback``: it then gives the whole body), the new part counts as empty, as
issue 14's scoring allows.

The split is fixed as in ``fixture_score.py``: per collection the fixtures are sorted,
shuffled by ``random.Random`` seeded with ``"<seed>:<collection>"``, the first half
(rounded up) is the fitting half. Look only at the fitting half's misses (``--verbose``
lists them; ``--half valid`` must be asked for by name) when deciding what to fix; the
validation half is the figure that counts, and a gap above 0.03 between the halves means a
rule was fitted to examples.
"""

import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_score import TEXT_FIRST, as_message, token_f1, ws  # noqa: E402
from fixture_score import collection_of, read_pairs  # noqa: E402
from mailparse import parse_message  # noqa: E402


def new_part(body: str) -> tuple[str, bool]:
    """The new part of a body, and whether the core found nothing new (its fallback)."""
    parsed = parse_message(as_message(body.strip()), TEXT_FIRST)
    return parsed.new_part_text, parsed.new_part_fallback


def main(argv=None) -> int:
    pairs = read_pairs(argv, __doc__, ".txt", ".expected")
    if pairs is None:
        return 2
    args, base, fixtures, halves = pairs
    # (collection, half) -> [exact, count, sum of F1]
    rows = collections.defaultdict(lambda: [0, 0, 0.0])
    errors, slowest = [], (0.0, "")
    for path in fixtures:
        body = path.read_text(encoding="utf-8", errors="replace")
        expected = path.with_suffix(".expected").read_text(encoding="utf-8", errors="replace")
        half, name = halves[path], str(path.relative_to(base))
        started = time.perf_counter()
        try:
            got, nothing_new = new_part(body)
        except Exception as exc:  # the core must never raise; count it and go on
            errors.append(f"{name}: {exc!r}")
            got, nothing_new = "", False
        slowest = max(slowest, (time.perf_counter() - started, name))
        if nothing_new and not expected.strip():
            got = ""  # "nothing new" said, the whole body given: what issue 14 allows
        exact = ws(got) == ws(expected)
        f1 = token_f1(expected, got)
        for key in ((collection_of(path, base), half), ("all", half)):
            rows[key][0] += exact
            rows[key][1] += 1
            rows[key][2] += f1
        if args.verbose and not exact and args.half in (half, "both"):
            print(
                f"[{half}] {name}: F1 {f1:.2f}\n  want {ws(expected)[:300]!r}\n"
                f"  got  {ws(got)[:300]!r}",
                file=sys.stderr,
            )
    n_fit = sum(1 for h in halves.values() if h == "fit")
    print(
        f"fixtures: {len(fixtures)} ({n_fit} fit / {len(fixtures) - n_fit} valid), "
        f"seed {args.seed}, slowest {slowest[0] * 1000:.0f} ms"
    )
    head = ("collection", "fit exact", "fit F1", "valid exact", "valid F1")
    print("| {:<12} | {:>16} | {:>6} | {:>16} | {:>8} |".format(*head))
    print(f"|{'-' * 14}|{'-' * 18}|{'-' * 8}|{'-' * 18}|{'-' * 10}|")
    names = [*sorted({c for c, _ in rows} - {"all"}), "all"]
    for name in names:
        cells = []
        for half in ("fit", "valid"):
            exact, total, f1 = rows[(name, half)]
            cells.append(f"{100 * exact / total:5.1f} % {exact:>3}/{total:<3}" if total else "-")
            cells.append(f"{f1 / total:.3f}" if total else "-")
        print(f"| {name:<12} | {cells[0]:>16} | {cells[1]:>6} | {cells[2]:>16} | {cells[3]:>8} |")
    for line in errors:
        print(f"EXCEPTION {line}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
