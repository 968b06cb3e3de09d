"""Score the email core against another project's expected reading of mail it never saw.

    python3 bench/fixture_score.py DIR [--verbose] [--half fit|valid|both] [--seed N]

DIR holds fixtures: each ``NAME.eml`` (the raw mail) beside ``NAME.json`` (what another
parser or project's tests expect). Fixtures sit in sub-folders of DIR, or are named
``COLLECTION__NAME.eml``; the collection (the folder, else the prefix) is the unit of the
split. The JSON keys read, each optional (an absent key leaves that measure out for that
fixture)::

    {"subject": "..." | null,
     "from": {"address": "...", "name": "..."} | null,
     "attachments": [{"filename": "..." | null, ...}, ...],
     "text": "..." | null, "html": "..." | null}

This is the shape ``postal-mime`` returns (a parser one can run over any fixture set), and
hand-written expectations taken from a project's tests fit it too.

Measures (per fixture, printed as rates for the fitting and the validation half):

- subject: ``ParsedEmail.subject`` equals the expected subject (null means none: "").
- sender address: ``from_email`` equals the expected address, lower-cased.
- display name: ``from_name`` equals the expected name; a "Last, First" name read as
  "First Last" counts as equal (the core's documented choice, CONTRACT.md).
- attachment names: every attachment the expectation *names* is among ours by that name
  (fixtures whose expectation names none are left out). Unnamed expected parts are not
  compared: naming them is each parser's own choice.
- body F1 >= 0.9: token F1 (lower-cased ``\\w+`` tokens) between the text the agent sees
  (the visible text of ``body_html``) and the expected body: the visible text of the
  expected HTML when both sides read an HTML body, else the expected text, else the visible
  text of the expected HTML. Fixtures whose expectation has no body are left out.

The split is fixed: per collection the fixtures are sorted, shuffled by ``random.Random``
seeded with the seed and the collection name, the first half (rounded up) is the fitting
half. Look only at the fitting half's failures (``--verbose`` lists them; ``--half valid``
must be asked for by name) when deciding what to fix; the validation half is the figure
that counts.
"""

import argparse
import collections
import json
import random
import re
import sys
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_score import token_f1  # noqa: E402
from mailparse import parse_message  # noqa: E402

SPLIT_SEED = 14
TOKEN = re.compile(r"\w+")
MEASURES = ("subject", "sender address", "display name", "attachment names", "body F1>=0.9")


def visible_text(html: str) -> str:
    """The text a browser shows of an HTML body (scripts and styles out)."""
    if not html or not html.strip():
        return ""
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]*>", " ", html)
    for node in doc.xpath("//script|//style|//head/title"):
        node.drop_tree()
    for node in doc.iter(*_BLOCKS):  # a block starts a line, as a browser lays it out
        node.tail = "\n" + (node.tail or "")
    return doc.text_content()


_BLOCKS = ("p", "div", "br", "li", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "hr")


def collection_of(path: Path, base: Path) -> str:
    relative = path.relative_to(base)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return path.name.split("__", 1)[0] if "__" in path.name else "all"


def split(fixtures: list[Path], base: Path, seed: int) -> dict[Path, str]:
    by_collection = collections.defaultdict(list)
    for path in fixtures:
        by_collection[collection_of(path, base)].append(path)
    halves = {}
    for name, paths in by_collection.items():
        paths = sorted(paths)
        random.Random(f"{seed}:{name}").shuffle(paths)
        cut = (len(paths) + 1) // 2
        halves.update({p: ("fit" if i < cut else "valid") for i, p in enumerate(paths)})
    return halves


def _name_forms(name: str) -> set:
    forms = {name}
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        forms.add(f"{first} {last}".strip())
    return forms


def score_one(raw: bytes, expected: dict) -> dict:
    """Measure name -> (ok, detail) for the measures the expectation allows."""
    parsed = parse_message(raw)
    out = {}
    if "subject" in expected:
        want = expected["subject"] or ""
        out["subject"] = (parsed.subject == want, f"want {want!r} got {parsed.subject!r}")
    if "from" in expected:
        sender = expected["from"] or {}
        want = (sender.get("address") or "").lower()
        out["sender address"] = (
            parsed.from_email == want,
            f"want {want!r} got {parsed.from_email!r}",
        )
        want_name = sender.get("name") or ""
        out["display name"] = (
            parsed.from_name in _name_forms(want_name),
            f"want {want_name!r} got {parsed.from_name!r}",
        )
    named = [a.get("filename") for a in expected.get("attachments") or [] if a.get("filename")]
    if named:
        ours = [a.filename for a in parsed.attachments]
        missing = [n for n in named if n not in ours]
        out["attachment names"] = (not missing, f"missing {missing} ours {ours}")
    exp_text, exp_html = expected.get("text"), expected.get("html")
    if exp_html and parsed.body_part == "text/html":
        reference = visible_text(exp_html)
    elif exp_text:
        reference = exp_text
    elif exp_html:
        reference = visible_text(exp_html)
    else:
        reference = None
    if reference is not None:
        got = visible_text(parsed.body_html)
        f1 = token_f1(reference, got)
        out["body F1>=0.9"] = (
            f1 >= 0.9,
            f"F1 {f1:.2f} ({parsed.body_part}) want {reference.strip()[:160]!r} "
            f"got {got.strip()[:160]!r}",
        )
    return out


def print_halves(counts, errors, measures) -> int:
    """The table of each measure on the fitting and the validation half, then the
    exceptions; the exit status (1 when the core raised). Shared with
    bench/helpdesk_score.py."""
    print(f"| {'measure':<18} | {'fit':>16} | {'valid':>16} |")
    print(f"|{'-' * 20}|{'-' * 18}|{'-' * 18}|")
    for measure in measures:
        cells = []
        for half in ("fit", "valid"):
            ok, total = counts[half][measure]
            cells.append(f"{100 * ok / total:5.1f} % {ok:>3}/{total:<3}" if total else "-")
        print(f"| {measure:<18} | {cells[0]:>16} | {cells[1]:>16} |")
    for line in errors:
        print(f"EXCEPTION {line}")
    return 1 if errors else 0


def read_pairs(argv, doc, suffix, expected_suffix):
    """A fixture scorer's command line (``doc`` its module's docstring), the fixtures of
    its folder (``NAME<suffix>``, each with its expectation ``NAME<expected_suffix>``
    beside it) and their halves; None (told on stderr) when there are none."""
    pairs = f"COLLECTION/NAME{suffix} + NAME{expected_suffix}"
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("fixtures", help=f"folder of {pairs} pairs")
    parser.add_argument("--seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--verbose", action="store_true", help="list the fitting half's misses")
    parser.add_argument(
        "--half",
        choices=("fit", "valid", "both"),
        default="fit",
        help="whose misses --verbose lists (default: fit only)",
    )
    args = parser.parse_args(argv)
    base = Path(args.fixtures).resolve()
    found = sorted(base.rglob(f"*{suffix}"))
    fixtures = [p for p in found if p.with_suffix(expected_suffix).is_file()]
    if not fixtures:
        print(f"no {pairs} pairs under {base}", file=sys.stderr)
        return None
    return args, base, fixtures, split(fixtures, base, args.seed)


def main(argv=None) -> int:
    pairs = read_pairs(argv, __doc__, ".eml", ".json")
    if pairs is None:
        return 2
    args, base, fixtures, halves = pairs
    counts = {h: collections.defaultdict(lambda: [0, 0]) for h in ("fit", "valid")}
    errors, slowest = [], (0.0, "")
    for path in fixtures:
        expected = json.loads(path.with_suffix(".json").read_text())
        if expected.get("error"):
            continue
        half = halves[path]
        started = time.perf_counter()
        try:
            result = score_one(path.read_bytes(), expected)
        except Exception as exc:  # the core must never raise; count it and go on
            errors.append(f"{path.relative_to(base)}: {exc!r}")
            continue
        slowest = max(slowest, (time.perf_counter() - started, str(path.relative_to(base))))
        for measure, (ok, detail) in result.items():
            counts[half][measure][0] += ok
            counts[half][measure][1] += 1
            if args.verbose and not ok and args.half in (half, "both"):
                print(f"[{half}] {measure}: {path.relative_to(base)}: {detail}", file=sys.stderr)
    n_fit = sum(1 for h in halves.values() if h == "fit")
    print(
        f"fixtures: {len(fixtures)} ({n_fit} fit / {len(fixtures) - n_fit} valid), "
        f"seed {args.seed}, slowest {slowest[0] * 1000:.0f} ms"
    )
    return print_halves(counts, errors, MEASURES)


if __name__ == "__main__":
    sys.exit(main())
