"""Score the email core (helpdesk_mail_ticket/mailparse) on the shared real-mail corpus.

    python3 bench/corpus_score.py [--corpus ../shared/corpus] [--verbose]

Metrics follow the corpus INDEX.md: robustness (every message of every collection parsed with
no exception, < 5 s each), new-part checks (crisp exact, github/talon/alfonsrv checks), quagga
token F1 (ASF / Enron, suspect rows skipped), automated-mail recall on sisimai and false
positives on human mail (talon, crisp, quagga bodies), stalwart decoded text vs the oracle.
"""

import argparse
import collections
import json
import re
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))

from mailparse import Settings, parse_message  # noqa: E402
from mailparse.loader import load_message  # noqa: E402
from mailparse.newpart import first_fragment  # noqa: E402
from mailparse.parse import decode_text_part  # noqa: E402

TEXT_FIRST = Settings(body_parts_order=("text/plain", "text/html"))
TOKEN = re.compile(r"\w+")


def ws(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def token_f1(expected: str, got: str) -> float:
    exp = collections.Counter(t.lower() for t in TOKEN.findall(expected))
    hyp = collections.Counter(t.lower() for t in TOKEN.findall(got))
    if not exp and not hyp:
        return 1.0
    common = sum((exp & hyp).values())
    if not common:
        return 0.0
    precision, recall = common / sum(hyp.values()), common / sum(exp.values())
    return 2 * precision * recall / (precision + recall)


def as_message(body: str) -> bytes:
    """Wrap a plain-text body fixture into a message, so the full pipeline runs."""
    message = EmailMessage()
    message["From"] = "someone@example.com"
    message["Subject"] = "Re: fixture"
    message.set_content(body.replace("\r\n", "\n"))
    return message.as_bytes()


def reply_of(body: str):
    parsed = parse_message(as_message(body), TEXT_FIRST)
    return parsed


class Score:
    def __init__(self, verbose: bool):
        self.verbose = verbose
        self.rows: dict[str, list] = collections.defaultdict(lambda: [0, 0])
        self.extra: dict[str, str] = {}

    def check(self, metric: str, ok: bool, label: str = "", detail: str = "") -> None:
        self.rows[metric][0] += bool(ok)
        self.rows[metric][1] += 1
        # The false-positive row counts the bad outcome: report its hits, not its misses.
        failed = ok if metric == "human flagged (FP)" else not ok
        if failed and self.verbose:
            print(f"FAIL {metric} {label} {detail}"[:600], file=sys.stderr)


# --- robustness -------------------------------------------------------------------------------


def robustness(corpus: Path, score: Score) -> None:
    slowest = (0.0, "")
    for path in sorted(corpus.rglob("*")):
        if (
            not path.is_file()
            or path.suffix in (".json", ".jsonl", ".md", ".ann")
            or "LICENSE" in path.name
        ):
            continue
        raw = path.read_bytes()
        started = time.perf_counter()
        try:
            parsed = parse_message(raw)
            ok = True
            detail = parsed.error
        except Exception as exc:  # the metric: no exception may escape
            ok, detail = False, repr(exc)
        elapsed = time.perf_counter() - started
        slowest = max(slowest, (elapsed, path.name))
        score.check("robustness", ok and elapsed < 5, str(path.relative_to(corpus)), detail)
    score.extra["robustness"] = f"slowest {slowest[0]:.2f}s ({slowest[1]})"


# --- new part -------------------------------------------------------------------------------------


def crisp(corpus: Path, score: Score) -> None:
    base = corpus / "crisp_email_reply_parser"
    cases = json.loads((base / "expected.json").read_text(encoding="utf-8"))["cases"]
    for name, case in cases.items():
        body = (base / "test" / "fixtures" / f"{name}.txt").read_text(encoding="utf-8")
        parsed = reply_of(body)
        for key in ("first_fragment_exact", "first_fragment_stripped", "visible_text_exact"):
            if key not in case:
                continue
            got = (
                parsed.new_part_text
                if key == "visible_text_exact"
                else first_fragment(parsed.new_part_text)
            )
            score.check("crisp exact", ws(got) == ws(case[key]), name, repr(got[:200]))
        for pattern in case.get("first_fragment_matches", []):
            got = first_fragment(parsed.new_part_text)
            ok = re.search(pattern, got, re.MULTILINE) is not None
            score.check("crisp regex", ok, name, pattern)


def github(corpus: Path, score: Score) -> None:
    base = corpus / "github_email_reply_parser"
    cases = json.loads((base / "expected.json").read_text(encoding="utf-8"))["cases"]
    for name, case in cases.items():
        body = (base / "test" / "emails" / f"{name}.txt").read_text(encoding="utf-8")
        started = time.perf_counter()
        parsed = reply_of(body)
        elapsed = time.perf_counter() - started
        new_part = parsed.new_part_text
        if "parse_reply_equals" in case:
            score.check(
                "github",
                new_part.rstrip() == case["parse_reply_equals"],
                name,
                repr(new_part[:200]),
            )
        if "first_fragment_equals" in case:
            got = first_fragment(new_part)
            score.check("github", got == case["first_fragment_equals"], name, repr(got[:200]))
        if "first_fragment_matches" in case:
            got = first_fragment(new_part)
            score.check(
                "github",
                re.search(case["first_fragment_matches"], got) is not None,
                name,
                repr(got[:100]),
            )
        if "must_finish_within_seconds" in case:
            score.check(
                "github", elapsed < case["must_finish_within_seconds"], name, f"{elapsed:.2f}s"
            )


def talon(corpus: Path, score: Score) -> None:
    base = corpus / "talon" / "tests" / "fixtures"
    expected = json.loads((base / "expected.json").read_text(encoding="utf-8"))
    for name, reply in expected["standard_replies"].items():
        parsed = parse_message((base / name).read_bytes(), TEXT_FIRST)
        # talon's assertion strips quotations only: compare with the signature kept.
        got = parsed.new_part_with_signature
        score.check("talon", got.strip() == reply.strip(), name, repr(got[:200]))
    for name, reply in expected["html_replies"].items():
        markup = (base / name).read_bytes()
        message = EmailMessage()
        message["Subject"] = "Re: x"
        message.set_content(markup.decode("utf-8", "replace"), subtype="html")
        parsed = parse_message(message.as_bytes())
        got = parsed.new_part_text
        ok = re.sub(r"\s", "", got) == re.sub(r"\s", "", reply)
        score.check("talon", ok, name, repr(got[:200]))


_TRAILING_RULE = re.compile(r"(?:\n[ \t]*[-_=*]{5,}[ \t]*)+\s*$")


def _without_trailing_rule(text: str) -> str:
    """Drop a trailing rule line ("-----"), the Outlook separator above a quoted header.

    Two alfonsrv equals-assertions keep it, while github asserts the same file (email_2_1)
    without it; comparing without it keeps the two upstreams from contradicting each other."""
    return _TRAILING_RULE.sub("", "\n" + (text or "").rstrip())


def alfonsrv(corpus: Path, score: Score) -> None:
    base = corpus / "alfonsrv_mail_parser_reply"
    cases = json.loads((base / "expected.json").read_text(encoding="utf-8"))["cases"]
    for name, case in cases.items():
        path = base / "test" / "emails" / f"{name}.txt"
        if not path.exists():
            continue
        new_part = reply_of(path.read_text(encoding="utf-8")).new_part_text
        for expected in case.get("reply_body_equals", []):
            ok = ws(_without_trailing_rule(new_part)) == ws(_without_trailing_rule(expected))
            score.check("alfonsrv", ok, name, repr(new_part[:200]))
        for needle in case.get("reply_body_contains", []):
            score.check("alfonsrv", needle in new_part, name, f"missing {needle!r}")
        for needle in case.get("reply_body_not_contains", []):
            score.check("alfonsrv", needle not in new_part, name, f"has {needle!r}")


def _bottom_posted_answer(ann_path: Path) -> str:
    """The answer of a bottom-posted reply, which Quagga's zones cannot express ("" if none).

    Such a reply is annotated as a Header zone followed by one Body zone that holds the quote
    and the answer below it, so "first Body zone before any header" derives an empty new part.
    When the Body zone right after a leading Header has ">" lines followed by unquoted text,
    the answer is that zone's unquoted lines."""
    if not ann_path.exists():
        return ""
    zones = json.loads(ann_path.read_text(encoding="utf-8")).get("denotations", [])
    zones = sorted(zones, key=lambda z: (z["start"], -z["end"]))
    if not zones or zones[0]["type"] != "Header":
        return ""
    body = next((z for z in zones[1:] if z["type"] == "Body"), None)
    if body is None or body["start"] != zones[0]["end"]:
        return ""
    lines = body["text"].split("\n")
    first_quote = next((i for i, line in enumerate(lines) if line.startswith(">")), -1)
    if first_quote < 0:
        return ""
    answer = [line for line in lines[first_quote:] if not line.startswith(">")]
    return "\n".join(answer) if any(line.strip() for line in answer) else ""


def quagga(corpus: Path, score: Score) -> None:
    base = corpus / "quagga_hpi"
    f1s: dict[str, list[float]] = collections.defaultdict(list)
    rederived: collections.Counter = collections.Counter()
    for line in (base / "expected_new_part.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("suspect_annotation"):
            continue
        raw = (base / "Datasets" / row["file"]).read_bytes()
        if row["corpus"] == "Enron":  # full messages with headers
            parsed = parse_message(raw, TEXT_FIRST)
        else:  # ASF files are bodies
            parsed = reply_of(raw.decode("utf-8", "replace"))
        if not row["new_part"].strip():
            answer = _bottom_posted_answer(base / "Datasets" / (row["file"] + ".ann"))
            if answer:
                row["new_part"] = answer
                rederived[row["corpus"]] += 1
        if not row["new_part"].strip():
            # Nothing new (e.g. a bare forward): the core must say so; the ticket then gets
            # the whole body by design (issue 3), so the text itself is not compared.
            value = 1.0 if parsed.new_part_fallback else 0.0
        else:
            value = token_f1(row["new_part"], parsed.new_part_with_signature)
        f1s[row["corpus"]].append(value)
        if value < 0.9 and score.verbose:
            print(f"QUAGGA {row['file']} f1={value:.2f}", file=sys.stderr)
    for name, values in sorted(f1s.items()):
        mean = sum(values) / len(values)
        share = sum(v >= 0.9 for v in values) / len(values)
        note = f", {rederived[name]} bottom-posted" if rederived[name] else ""
        score.extra[f"quagga {name} F1"] = (
            f"{mean:.3f} (share >= 0.9: {share:.1%}, n={len(values)}{note})"
        )


# --- automated mail -------------------------------------------------------------------------------


def sisimai(corpus: Path, score: Score) -> None:
    base = corpus / "sisimai_set_of_emails"
    for line in (base / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        parsed = parse_message((base / row["file"]).read_bytes())
        score.check("sisimai recall", parsed.automated is not None, row["file"], row["category"])


def human_false_positives(corpus: Path, score: Score) -> None:
    for path in sorted(
        (corpus / "talon" / "tests" / "fixtures" / "standard_replies").glob("*.eml")
    ):
        parsed = parse_message(path.read_bytes())
        score.check(
            "human flagged (FP)", parsed.automated is not None, path.name, str(parsed.automated)
        )
    bodies = list((corpus / "crisp_email_reply_parser" / "test" / "fixtures").glob("*.txt"))
    bodies += [
        p
        for p in (corpus / "quagga_hpi" / "Datasets" / "ASF").rglob("*")
        if p.is_file() and not p.suffix
    ]
    for path in sorted(bodies):
        parsed = parse_message(as_message(path.read_text(encoding="utf-8", errors="replace")))
        score.check(
            "human flagged (FP)", parsed.automated is not None, path.name, str(parsed.automated)
        )
    for path in sorted((corpus / "quagga_hpi" / "Datasets" / "Enron").rglob("*.txt")):
        parsed = parse_message(path.read_bytes())
        score.check(
            "human flagged (FP)", parsed.automated is not None, path.name, str(parsed.automated)
        )


# --- stalwart decoding ----------------------------------------------------------------------------


def _oracle_parts(tree: dict) -> list[str]:
    """Text/Html bodies of the oracle's flat part list, in order (nested messages included)."""
    out = []
    for part in tree.get("parts", []):
        body = part.get("body")
        if not isinstance(body, dict):
            continue
        kind = next(iter(body))
        if kind in ("Text", "Html"):
            out.append(body[kind])
        elif kind == "Message":
            out.extend(_oracle_parts(body[kind]))
    return out


def _our_parts(message) -> list[str]:
    out = []
    stack = [message]
    while stack:
        part = stack.pop(0)
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack = list(payload) + stack
            continue
        out.append(decode_text_part(part))  # any leaf: the oracle says which are text
    return out


def stalwart(corpus: Path, score: Score) -> None:
    base = corpus / "stalwart_mail_parser" / "resources" / "eml"
    for eml in sorted(base.rglob("*.eml")):
        oracle_path = eml.with_suffix(".json")
        if not oracle_path.exists():
            continue
        oracle = _oracle_parts(json.loads(oracle_path.read_text(encoding="utf-8")))
        message = load_message(eml.read_bytes())  # the MIME tree parse_message reads
        ours = [ws(t) for t in _our_parts(message)]
        for index, text in enumerate(oracle):
            ok = ws(text) in ours
            label = f"{eml.relative_to(base)}#{index}"
            score.check("stalwart", ok, label, repr(ws(text)[:120]))


TARGETS = {
    "robustness": "100%",
    "crisp exact": ">= 85%",
    "github": ">= 95%",
    "talon": ">= 95%",
    "alfonsrv": ">= 95%",
    "sisimai recall": ">= 98%",
    "human flagged (FP)": "<= 1%",
    "stalwart": ">= 98%",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--verbose", "-v", action="store_true", help="print failures to stderr")
    parser.add_argument("--only", help="comma-separated sections (robustness,crisp,github,...)")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus).resolve()
    score = Score(args.verbose)
    sections = [
        robustness,
        crisp,
        github,
        talon,
        alfonsrv,
        quagga,
        sisimai,
        human_false_positives,
        stalwart,
    ]
    wanted = set(args.only.split(",")) if args.only else None
    started = time.perf_counter()
    for section in sections:
        if wanted and section.__name__ not in wanted:
            continue
        section(corpus, score)
    print(f"{'metric':<22} {'passed':>9} {'rate':>8}  target")
    for metric, (ok, total) in score.rows.items():
        rate = ok / total if total else 0.0
        print(f"{metric:<22} {ok:>4}/{total:<4} {rate:>8.1%}  {TARGETS.get(metric, '')}")
    for metric, text in score.extra.items():
        target = {"quagga ASF F1": ">= 0.95", "quagga Enron F1": ">= 0.90"}.get(metric, "")
        print(f"{metric:<22} {text}  {target}")
    print(f"(total {time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
