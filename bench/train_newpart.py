"""Train the new-part line classifier (``mailparse/lineclass.py``) on the fitting half.

    python3 bench/train_newpart.py                     # corpus at ../shared/corpus
    python3 bench/train_newpart.py --folds 5 --out model.json  # elsewhere than the addon
    python3 bench/train_newpart.py --limit 40 --folds 2 --out /some/where/model.json  # smoke run

Training data: Quagga's zone annotations (``quagga_hpi/Datasets/{ASF,Enron}/**/*.ann``) of
the FITTING half only (``corpus_split``), rows flagged ``suspect_annotation`` left out. A line
is ``old`` from the first top-level Header zone on (attribution lines, header blocks and
everything below), ``sig`` inside a ``Body/Signature`` zone above it, ``new`` otherwise.
Mails the zone model cannot express as new/sig/old in that order (a leading Header: forwards
and bottom-posted answers; unquoted text after a quote above the first Header: inline
answers) are left out, and so are mails whose quote holds inline or bottom-posted answers
for the rules (``newpart.rules_cut_line`` is -1): the rules of ``newpart`` handle them. Each
mail is read as inference reads it: down to ``lineclass.window_end`` (a few lines below the
rules' cut), so the accuracy is over those lines, the history further down left out.

Features are ``lineclass.line_features`` (the same code inference runs). The model is a
multinomial logistic regression with L2, fitted by full-batch gradient descent in numpy (a
training-time dependency only). It prints the k-fold cross-validated line accuracy (all lines,
non-blank lines, and the share of mails whose every line is right), by mail, over the fitting
half, and the rules' accuracy on the same lines (``split_reply``, for comparison), then fits
on all of it and writes the weights as JSON (the same data gives the same file).
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))
sys.path.insert(0, str(ROOT / "bench"))

from corpus_split import Split, default_corpus  # noqa: E402
from mailparse import Settings  # noqa: E402
from mailparse.lineclass import LABELS, MODEL_PATH, Model, line_features, window_end  # noqa: E402
from mailparse.newpart import itop_cut_line, rules_cut_line, split_reply  # noqa: E402

DEFAULT = Settings()
MIN_COUNT = 3  # features seen on fewer training lines are dropped
DECIMALS = 4  # weights are rounded in the file


def _fix_mojibake(line: str) -> str:
    """Quagga's ASF texts are UTF-8 read as cp1252 ("â€™"): read them back when they are."""
    try:
        return line.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return line


def _labels(text: str, zones: list) -> list[str] | None:
    """One label per line of ``text`` from the zones, or None when not expressible."""
    headers = [z["start"] for z in zones if z["type"] == "Header"]
    bodies = [z["start"] for z in zones if z["type"] == "Body"]
    old_from = min(headers) if headers else len(text) + 1
    if bodies and headers and min(headers) < min(bodies):
        return None  # a leading Header: a forward or a bottom-posted answer
    signatures = [(z["start"], z["end"]) for z in zones if z["type"].startswith("Body/Signature")]
    labels, offset, quoted = [], 0, False
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if start >= old_from:
            labels.append("old")
        elif line.lstrip().startswith(">"):
            labels.append("old")
            quoted = True
        elif quoted and line.strip():
            return None  # an inline answer below a quote
        elif any(s <= start < e for s, e in signatures):
            labels.append("sig")
        else:
            labels.append("new")
    return labels


def load_mails(corpus: Path, limit: int = 0) -> list[tuple[str, list[str], list[str]]]:
    """(name, lines, labels) of the fitting half's expressible annotated mails."""
    base = corpus / "quagga_hpi"
    suspect = set()
    for row in (base / "expected_new_part.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(row)
        if row.get("suspect_annotation"):
            suspect.add(row["file"])
    split = Split(corpus)
    mails = []
    for ann in sorted((base / "Datasets").rglob("*.ann")):
        mail = ann.with_suffix("")
        name = str(mail.relative_to(base / "Datasets"))
        if not mail.is_file() or name in suspect or split.half(mail) != "fit":
            continue
        data = json.loads(ann.read_text(encoding="utf-8"))
        text = data["text"].replace("\r\n", "\n").replace("\r", "\n")
        labels = _labels(text, data.get("denotations", []))
        if labels is None:
            continue
        lines = [_fix_mojibake(line) for line in text.split("\n")]
        # What inference reads: down to a few lines below the rules' cut.
        rules_line = rules_cut_line(lines, itop_cut_line("\n".join(lines), DEFAULT))
        if rules_line < 0:
            continue  # inline or bottom-posted answers: the rules decide, as at inference
        end = window_end(lines, rules_line)
        mails.append((name, lines[:end], labels[:end]))
    if limit:
        mails = mails[:limit]
    return mails


def featurize(mails):
    """Per mail: the feature lists and label indexes of its lines (capped like inference)."""
    out = []
    for name, lines, labels in mails:
        features = line_features(lines)
        cap = len(features)
        out.append((name, lines[:cap], features, [LABELS.index(x) for x in labels[:cap]]))
    return out


def fit(data, l2: float = 1e-4, steps: int = 800, rate: float = 2.0) -> dict:
    """Multinomial logistic regression on the lines of ``data``; returns the model's dict."""
    counts: dict[str, int] = {}
    for _, _, features, _ in data:
        for feats in features:
            for name in set(feats):
                counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT or n == "bias")
    column = {name: i for i, name in enumerate(names)}
    rows = [feats for _, _, features, _ in data for feats in features]
    y = np.array([label for _, _, _, labels in data for label in labels])
    x = np.zeros((len(rows), len(names)), dtype=np.float32)
    for i, feats in enumerate(rows):
        for name in feats:
            j = column.get(name)
            if j is not None:
                x[i, j] = 1.0
    # Classes weighted so that the rare signature lines count (balanced by line count).
    share = np.bincount(y, minlength=len(LABELS)) / len(y)
    sample = (1.0 / np.maximum(share, 1e-6))[y] ** 0.5
    sample /= sample.mean()
    onehot = np.eye(len(LABELS))[y]
    w = np.zeros((len(names), len(LABELS)))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):  # Adam, full batch
        logits = x @ w
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        grad = x.T @ ((prob - onehot) * sample[:, None]) / len(y) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= rate * 0.1 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    weights = {
        name: [round(float(value), DECIMALS) for value in w[column[name]]]
        for name in names
        if np.abs(w[column[name]]).max() >= 10**-DECIMALS
    }
    return {"labels": list(LABELS), "weights": weights}


def evaluate(model: Model, data) -> dict:
    lines = right = content = content_right = whole = 0
    for _, text_lines, _, labels in data:
        got = model.label_lines(text_lines)
        ok = [LABELS.index(g) == t for g, t in zip(got, labels, strict=True)]
        lines += len(ok)
        right += sum(ok)
        for line, good in zip(text_lines, ok, strict=True):
            if line.strip():
                content += 1
                content_right += good
        whole += all(ok)
    return {
        "line_accuracy": right / max(lines, 1),
        "nonblank_line_accuracy": content_right / max(content, 1),
        "mail_exact": whole / max(len(data), 1),
        "lines": lines,
        "mails": len(data),
    }


def rules_labels(lines: list[str]) -> list[str]:
    """The rules' labels (``newpart.split_reply`` with default settings), for comparison:
    ``old`` from its cut and on quoted lines, ``sig`` from the first line of the signature it
    cut, ``new`` otherwise."""
    split = split_reply("\n".join(lines), Settings())
    cut = len(lines)
    if split.quote_offset >= 0:
        cut = "\n".join(lines)[: split.quote_offset].count("\n")
    sig_from = cut
    if split.signature:
        first = split.signature.split("\n")[0].strip()
        for index in range(cut - 1, -1, -1):
            if lines[index].strip() == first:
                sig_from = index
                break
    labels = []
    for index, line in enumerate(lines):
        if index >= cut or line.lstrip().startswith(">"):
            labels.append("old")
        else:
            labels.append("sig" if index >= sig_from else "new")
    return labels


def evaluate_rules(data) -> dict:
    class Rules:
        label_lines = staticmethod(rules_labels)

    return evaluate(Rules, data)


def cross_validate(data, folds: int, seed: int = 14, steps: int = 800) -> dict:
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    totals = {"lines": 0, "right": 0.0, "content": 0.0, "whole": 0.0, "mails": 0}
    for fold in range(folds):
        held = {order[i] for i in range(fold, len(order), folds)}
        train = [d for i, d in enumerate(data) if i not in held]
        test = [d for i, d in enumerate(data) if i in held]
        result = evaluate(Model(fit(train, steps=steps)), test)
        totals["lines"] += result["lines"]
        totals["right"] += result["line_accuracy"] * result["lines"]
        totals["mails"] += result["mails"]
        totals["whole"] += result["mail_exact"] * result["mails"]
        nonblank = sum(1 for _, lines, _, _ in test for line in lines if line.strip())
        totals["content"] += result["nonblank_line_accuracy"] * nonblank
    nonblank_all = sum(1 for _, lines, _, _ in data for line in lines if line.strip())
    return {
        "folds": folds,
        "line_accuracy": round(totals["right"] / totals["lines"], 4),
        "nonblank_line_accuracy": round(totals["content"] / nonblank_all, 4),
        "mail_exact": round(totals["whole"] / totals["mails"], 4),
        "lines": totals["lines"],
        "mails": totals["mails"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = default_corpus()
    parser.add_argument("--corpus", default=str(default))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0, help="first N mails only (smoke run)")
    parser.add_argument("--steps", type=int, default=800, help="gradient steps per fit")
    parser.add_argument("--out", default=str(MODEL_PATH))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    mails = load_mails(Path(args.corpus).resolve(), args.limit)
    data = featurize(mails)
    counts = {label: 0 for label in LABELS}
    for _, _, _, labels in data:
        for label in labels:
            counts[LABELS[label]] += 1
    print(f"fitting half: {len(data)} mails, lines {counts}")
    cv = cross_validate(data, args.folds, steps=args.steps) if args.folds > 1 else {}
    if cv:
        print(
            f"{cv['folds']}-fold CV: line accuracy {cv['line_accuracy']:.4f}, "
            f"non-blank {cv['nonblank_line_accuracy']:.4f}, "
            f"mails all lines right {cv['mail_exact']:.4f} ({cv['mails']} mails)"
        )
    rules = evaluate_rules(data)
    print(
        f"rules (newpart.split_reply) on the same lines: line accuracy "
        f"{rules['line_accuracy']:.4f}, non-blank {rules['nonblank_line_accuracy']:.4f}, "
        f"mails all lines right {rules['mail_exact']:.4f}"
    )
    model = fit(data, steps=args.steps)
    model["meta"] = {
        "trained_on": "quagga_hpi ASF + Enron, fitting half (bench/corpus_split.py)",
        "mails": len(data),
        "lines": counts,
        "cv": cv,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    Model(json.loads(out.read_text(encoding="utf-8")))  # it loads
    elapsed = time.perf_counter() - started
    print(f"wrote {out.name}: {len(model['weights'])} features ({elapsed:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
