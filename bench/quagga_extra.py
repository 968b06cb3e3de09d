"""Score the new part on Quagga's other splits: mail never tuned on (issue 14).

    python3 bench/quagga_extra.py QUAGGA_DATASETS_DIR [--line-model off|full]

``../shared/corpus/quagga_hpi`` holds the train split of HPI-Information-Systems/Quagga's
``Datasets/`` only. Its ``eval`` and ``test`` splits (ASF: ``ASF/eval``, ``ASF/test``; Enron:
``Enron/annotated_all/eval``, ``Enron/annotated_all/test``) are annotated the same way and
are an extra validation set: fetch the repository, point this script at its ``Datasets``
directory, never commit the data. Files whose text is also in the shared corpus are left
out. The expected new part is derived from the ``.ann`` zones exactly as the shared
``expected_new_part.jsonl`` was (first top-level zone if it is a Body, its Body/Signature
zones, mojibake of the annotation tool repaired; single-zone rows holding ``>`` lines marked
suspect and skipped), and scored by ``corpus_score.quagga``'s two definitions (``strict``:
issue 14's). Only the means are printed: individual misses of a validation set are never
listed (looking at them is tuning on them).
"""

import argparse
import collections
import hashlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_score
from corpus_split import default_corpus

SPLITS = {
    "ASF": ("ASF/eval", "ASF/test"),
    "Enron": ("Enron/annotated_all/eval", "Enron/annotated_all/test"),
}


def unmojibake(text: str) -> str:
    """The annotation tool stored UTF-8 read as Windows-1252 (``â€™`` for ``’``): undo it."""
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return text


def derive(ann: dict) -> dict:
    """The expected row of one ``.ann`` file, as ``quagga_hpi/expected_new_part.jsonl``."""
    zones = ann["denotations"]
    for zone in zones:
        zone["text"] = unmojibake(zone["text"])
    top = sorted(
        (z for z in zones if z["type"] in ("Body", "Header")), key=lambda z: (z["start"], -z["end"])
    )
    first = top[0] if top else None
    if first is None or first["type"] != "Body":
        return {"new_part": "", "new_part_signature": [], "suspect_annotation": False}
    new_part = first["text"]
    signatures = [
        z["text"]
        for z in sorted(zones, key=lambda z: z["start"])
        if z["type"] == "Body/Signature"
        and z["start"] >= first["start"]
        and z["end"] <= first["end"]
    ]
    suspect = len(top) == 1 and bool(re.search(r"^>", new_part, re.MULTILINE))
    return {"new_part": new_part, "new_part_signature": signatures, "suspect_annotation": suspect}


def _text_key(text: str) -> str:
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


def shared_keys(corpus: Path) -> set:
    keys = set()
    for ann in (corpus / "quagga_hpi" / "Datasets").rglob("*.ann"):
        try:
            keys.add(_text_key(json.loads(ann.read_text(encoding="utf-8"))["text"]))
        except (ValueError, KeyError):
            continue
    return keys


def score(datasets: Path, corpus: Path) -> dict:
    seen = shared_keys(corpus)
    means = collections.defaultdict(list)
    counts = collections.Counter()
    for name, folders in SPLITS.items():
        for folder in folders:
            for ann_path in sorted((datasets / folder).glob("*.ann")):
                mail = ann_path.with_suffix("")
                try:
                    ann = json.loads(ann_path.read_text(encoding="utf-8"))
                except ValueError:
                    counts[f"{name} unreadable"] += 1
                    continue
                if not mail.exists():
                    continue
                if _text_key(ann["text"]) in seen:
                    counts[f"{name} in shared corpus"] += 1
                    continue
                row = derive(ann)
                if row["suspect_annotation"]:
                    counts[f"{name} suspect"] += 1
                    continue
                raw = mail.read_bytes()
                if name == "Enron":  # full messages with headers
                    parsed = corpus_score.parse_message(raw, corpus_score.TEXT_FIRST)
                else:  # ASF files are bodies
                    parsed = corpus_score.reply_of(raw.decode("utf-8", "replace"))
                annotated = row["new_part"]
                if annotated.strip():
                    expected = corpus_score._without_signature(annotated, row["new_part_signature"])
                    means[f"{name} strict"].append(
                        corpus_score.token_f1(expected, parsed.new_part_text)
                    )
                else:
                    answer = corpus_score._bottom_posted_answer(ann_path)
                    annotated = answer
                if annotated.strip():
                    value = corpus_score.token_f1(annotated, parsed.new_part_with_signature)
                else:
                    value = 1.0 if parsed.new_part_fallback else 0.0
                means[f"{name} F1"].append(value)
    return {"means": means, "counts": counts}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", help="Quagga's Datasets directory (eval and test splits)")
    parser.add_argument("--corpus", default=str(default_corpus()))
    parser.add_argument("--line-model", choices=("off", "full"), default=None)
    args = parser.parse_args(argv)
    if args.line_model is not None:
        corpus_score.TEXT_FIRST = corpus_score.TEXT_FIRST.replace(
            line_model=args.line_model.replace("off", "")
        )
    result = score(Path(args.datasets), Path(args.corpus).resolve())
    print(f"{'quagga extra':<20} {'mean':>6} {'>=.9':>5} {'n':>5}  target")
    targets = {"ASF strict": ">= 0.95", "Enron strict": ">= 0.96"}
    for metric in ("ASF F1", "ASF strict", "Enron F1", "Enron strict"):
        values = result["means"].get(metric, [])
        if not values:
            continue
        mean = sum(values) / len(values)
        share = sum(v >= 0.9 for v in values) / len(values)
        target = targets.get(metric, "")
        print(f"{metric:<20} {mean:>6.3f} {share:>5.0%} {len(values):>5}  {target}")
    for key, count in sorted(result["counts"].items()):
        print(f"  left out: {key}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
