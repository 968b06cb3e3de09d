"""Score the email core against a mature helpdesk's own reading of its test mail.

    python3 bench/helpdesk_score.py DIR [--verbose] [--half fit|valid|both] [--seed N]

DIR holds pairs ``mailNNN.box`` (the raw mail) and ``mailNNN.yml`` (the helpdesk's expected
parse, Zammad's test-data layout: ``from``, ``from_email``, ``from_display_name``,
``subject``, ``body``, ``content_type``, ``attachments`` with ``filename`` and
``preferences``). Ruby tags in the YAML (``!ruby/hash:...``) are read as plain mappings. A
pair whose YAML lacks a key leaves that measure out for that mail.

Measures, per mail (printed as rates for the fitting and the validation half):

- subject: ``ParsedEmail.subject`` equals the expected subject exactly.
- sender address: ``from_email`` equals ``from_email``, both lower-cased.
- display name: ``from_name`` equals ``from_display_name``; "Last, First" read as
  "First Last" counts as equal (the core's documented choice, CONTRACT.md).
- attachment names: the expected names, as a multiset, equal ours. Parts the helpdesk keeps
  as a copy of the body (``preferences`` ``content-alternative`` or ``original-format``:
  the HTML side it converted) are not attachments to an agent and are left out of its side;
  mails where neither side names an attachment are left out.
- body F1 >= 0.9: token F1 (lower-cased ``\\w+`` tokens, as bench/fixture_score.py) between
  the visible text of our ``body_html`` and the expected body: its visible text when its
  ``content_type`` is HTML (the same lxml rendering on both sides), else the text as is;
  a body without ``content_type`` counts as HTML when it holds an HTML tag.
  The helpdesk writes "no visible content" for a mail without a body: read as empty.

The split is fixed and does not move when a mail is missing: each mail goes to the fitting
half when the first byte of sha256(f"{seed}:{name}") is even. Look only at the fitting
half's misses (``--verbose``); ``--half valid`` must be asked for by name.
"""

import argparse
import collections
import hashlib
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_score import token_f1  # noqa: E402
from fixture_score import _name_forms, print_halves, visible_text  # noqa: E402
from mailparse import parse_message  # noqa: E402

SPLIT_SEED = 14
ZAMMAD_EMPTY_BODY = "no visible content"
_TAG = re.compile(r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>", re.IGNORECASE)
MEASURES = ("subject", "sender address", "display name", "attachment names", "body F1>=0.9")


class _RubyLoader(yaml.SafeLoader):
    """SafeLoader that reads Ruby-tagged mappings, sequences and scalars as plain ones."""


def _untagged(loader, _suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RubyLoader.add_multi_constructor("!", _untagged)


def load_expected(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_RubyLoader) or {}


def half_of(name: str, seed: int) -> str:
    return "fit" if hashlib.sha256(f"{seed}:{name}".encode()).digest()[0] % 2 == 0 else "valid"


def _expected_names(expected: dict) -> list:
    names = []
    for item in expected.get("attachments") or []:
        prefs = item.get("preferences") or {}
        if prefs.get("content-alternative") or prefs.get("original-format"):
            continue
        names.append(str(item.get("filename") or ""))
    return names


def _is_html(body: str, content_type) -> bool:
    """The expected body is HTML when its type says so, or, untyped, when it holds a tag."""
    if content_type:
        return "html" in str(content_type)
    return bool(_TAG.search(body))


def score_one(raw: bytes, expected: dict) -> dict:
    """Measure name -> (ok, detail) for the measures the expectation allows."""
    parsed = parse_message(raw)
    out = {}
    if "subject" in expected:
        want = str(expected["subject"] or "")
        out["subject"] = (parsed.subject == want, f"want {want!r} got {parsed.subject!r}")
    if "from_email" in expected:
        want = str(expected["from_email"] or "").lower()
        out["sender address"] = (
            parsed.from_email == want,
            f"want {want!r} got {parsed.from_email!r}",
        )
    if "from_display_name" in expected:
        want_name = str(expected["from_display_name"] or "")
        out["display name"] = (
            parsed.from_name in _name_forms(want_name),
            f"want {want_name!r} got {parsed.from_name!r}",
        )
    if "attachments" in expected:
        want = collections.Counter(_expected_names(expected))
        ours = collections.Counter(a.filename for a in parsed.attachments)
        if want or ours:
            out["attachment names"] = (
                want == ours,
                f"want {sorted(want.elements())} ours {sorted(ours.elements())}",
            )
    if expected.get("body") is not None:
        body = str(expected["body"])
        if body.strip() == ZAMMAD_EMPTY_BODY:  # the helpdesk's placeholder for no body
            body = ""
        is_html = _is_html(body, expected.get("content_type"))
        reference = visible_text(body) if is_html else body
        got = visible_text(parsed.body_html)
        f1 = token_f1(reference, got)
        out["body F1>=0.9"] = (
            f1 >= 0.9,
            f"F1 {f1:.2f} ({parsed.body_part}) want {reference.strip()[:160]!r} "
            f"got {got.strip()[:160]!r}",
        )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mails", help="folder of mailNNN.box + mailNNN.yml pairs")
    parser.add_argument("--seed", type=int, default=SPLIT_SEED)
    parser.add_argument("--verbose", action="store_true", help="list the fitting half's misses")
    parser.add_argument("--half", choices=("fit", "valid", "both"), default="fit")
    args = parser.parse_args(argv)
    base = Path(args.mails).resolve()
    pairs = [p for p in sorted(base.glob("*.box")) if p.with_suffix(".yml").is_file()]
    if not pairs:
        print(f"no mailNNN.box + mailNNN.yml pairs under {base}", file=sys.stderr)
        return 2
    counts = {h: collections.defaultdict(lambda: [0, 0]) for h in ("fit", "valid")}
    errors, slowest, sizes = [], (0.0, ""), collections.Counter()
    for path in pairs:
        half = half_of(path.stem, args.seed)
        sizes[half] += 1
        expected = load_expected(path.with_suffix(".yml"))
        started = time.perf_counter()
        try:
            result = score_one(path.read_bytes(), expected)
        except Exception as exc:  # the core must never raise; count it and go on
            errors.append(f"{path.name}: {exc!r}")
            continue
        slowest = max(slowest, (time.perf_counter() - started, path.name))
        for measure, (ok, detail) in result.items():
            counts[half][measure][0] += ok
            counts[half][measure][1] += 1
            if args.verbose and not ok and args.half in (half, "both"):
                print(f"[{half}] {measure}: {path.name}: {detail}", file=sys.stderr)
    print(
        f"mails: {len(pairs)} ({sizes['fit']} fit / {sizes['valid']} valid), "
        f"seed {args.seed}, slowest {slowest[0] * 1000:.0f} ms"
    )
    return print_halves(counts, errors, MEASURES)


if __name__ == "__main__":
    sys.exit(main())
