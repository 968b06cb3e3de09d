"""A learned line classifier for the new part of a plain-text reply (issue 14).

Every line of a body is labelled ``new`` (what the sender wrote), ``sig`` (the sender's
signature) or ``old`` (quoted history: attribution lines, header blocks, quotes). Each line
is described by sparse binary features: the rule detectors of :mod:`.newpart` (quote depth,
"wrote:" attributions, Outlook/Notes header fields in the languages the core knows, separator
lines, signature delimiters, valedictions, contact cues), its shape (length, words, capitals),
its position (lines to the end, to the next quote marker below, markers above) and the same
cues of the lines around it. A multinomial logistic regression, trained by
``bench/train_newpart.py`` on the fitting half of the corpus, scores each label; a Viterbi pass
keeps the order a reply has (``new``, then ``sig``, then ``old``).

The weights are a small JSON file (``data/newpart_model.json``) read once; inference is plain
Python. Nothing here raises: a missing or damaged model file means "no model" (``None``).
"""

import json
import logging
import math
import re
from functools import lru_cache
from pathlib import Path

from . import newpart as rules

_logger = logging.getLogger(__name__)

LABELS = ("new", "sig", "old")
MODEL_PATH = Path(__file__).resolve().parent / "data" / "newpart_model.json"
MAX_LINES = 400  # longer bodies: the lines after this are "old" (history) by construction
WINDOW_AFTER = 4  # lines classified below the rules' cut (the history further down is old)

_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_TRAILING_COMMA = re.compile(r"[,;]\s*$")


_NEAR = (0, 1, 2, 4, 8)


def window_end(lines: list[str], rules_line: int) -> int:
    """How many lines the classifier reads: down to a few lines below the rules' cut (the
    built-in detectors and iTop patterns), at most ``MAX_LINES``. Training reads the same."""
    return min(len(lines), rules_line + WINDOW_AFTER, MAX_LINES)


def _bucket(value: int, edges: tuple) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _quote_depth(line: str) -> int:
    depth = 0
    for char in line:
        if char == ">":
            depth += 1
        elif char not in " \t":
            break
    return depth


def _old_marker(lines: list[str], index: int) -> tuple[str, int]:
    """The kind of old-content marker a line is and the line it starts on (("", -1) if
    none): the rules of :mod:`.newpart`."""
    line = lines[index]
    if not line.strip() or len(line) > rules.MAX_LINE_LEN:
        return "", -1
    head = line.lstrip()[:1]
    if line.lstrip()[:3] == ">>>" and rules._GROUPWISE.match(line):
        return "groupwise", index
    if head == ">":
        return "quote", index
    if rules._is_separator(line) or rules._is_wrapped_separator(lines, index):
        if rules._separates(lines, index):
            return "separator", index
        return "", -1
    if ":" in line or "：" in line:
        if rules._is_header_block(lines, index) or (
            head in (":", "|") and rules._marked_header_block(lines, index)
        ):
            return "header", index
        notes = rules._recipient_block_start(lines, index)
        if notes >= 0:
            return "header", notes
    if rules._may_open_attribution(lines, index) and rules._attribution_at(lines, index):
        return "attribution", index
    if rules._is_mobile_separator(lines, index):
        return "mobile", index + 1
    return "", -1


# Cues of one line: (feature, pattern of newpart or here, matched on the raw line?).
_CUES = (
    ("sigdelim", rules._SIG_DELIMITER, True),
    ("mobile", rules._MOBILE_SIG, True),
    ("valediction", rules._VALEDICTION, True),
    ("signoff", rules._SIGN_OFF, True),
    ("rule", rules._RULE_LINE, True),
    ("field", rules._FIELD_LINE, True),
    ("fromfield", rules._FROM_LINE, True),
    ("contact", rules._CONTACT_CUE, False),
    ("phone", rules._PHONE, False),
    ("email", rules._EMAILISH, False),
    ("url", _URL, False),
    ("date", rules._DATEISH, False),
    ("sentence", rules._SENTENCE_END, False),
    ("colon", rules._ENDS_COLON, False),
    ("comma", _TRAILING_COMMA, False),
)


def _shape(line: str) -> list[str]:
    """Features of one line on its own."""
    stripped = line.strip()
    if not stripped:
        return ["blank"]
    words = stripped.split()
    out = [f"len{_bucket(len(stripped), (2, 10, 25, 45, 72))}"]
    out.append(f"words{_bucket(len(words), (1, 2, 3, 5, 9))}")
    depth = _quote_depth(line)
    if depth:
        out.append(f"depth{min(depth, 3)}")
    if line[:1] in " \t":
        out.append("indented")
    for name, pattern, raw in _CUES:
        if pattern.match(line) if raw else pattern.search(stripped):
            out.append(name)
    if len(words) <= 4 and all(_NAME_WORD.match(word) and word[0].isupper() for word in words):
        out.append("namelike")
    letters = _WORD.findall(stripped)
    if letters and sum(len(w) for w in letters) < len(stripped) / 2:
        out.append("fewletters")
    return out


def line_features(lines: list[str]) -> list[list[str]]:
    """The features of every line (at most ``MAX_LINES``), in order."""
    lines = lines[:MAX_LINES]
    count = len(lines)
    shapes = [_shape(line) for line in lines]
    markers = [""] * count
    for index in range(count):
        kind, at = _old_marker(lines, index)
        if kind and 0 <= at < count and not markers[at]:
            markers[at] = kind
    # Walking down: what was seen above; walking up: what lies below.
    seen: set = set()
    seen_delim = False
    blanks_before = 0
    above = []
    for index in range(count):
        above.append((sorted(seen), seen_delim, blanks_before))
        if markers[index]:
            seen.add(markers[index])
        seen_delim = seen_delim or "sigdelim" in shapes[index]
        blanks_before = blanks_before + 1 if shapes[index] == ["blank"] else 0
    below = [None] * count
    to_marker = to_end = None  # non-blank lines down to the next marker / to the end
    for index in range(count - 1, -1, -1):
        below[index] = (to_marker, to_end)
        if shapes[index] != ["blank"]:
            to_end = 0 if to_end is None else to_end + 1
            to_marker = None if to_marker is None else to_marker + 1
        if markers[index]:
            to_marker = 0
    out = []
    for index in range(count):
        feats = ["bias", *shapes[index]]
        marker = markers[index]
        if marker:
            feats.append(f"m:{marker}")
        kinds, delim, blanks = above[index]
        feats.extend(f"seen:{kind}" for kind in kinds or ("none",))
        if delim:
            feats.append("seen:sigdelim")
        feats.append(f"blanks{_bucket(blanks, (0, 1, 2))}")
        to_marker, to_end = below[index]
        feats.append("tomark:none" if to_marker is None else f"tomark{_bucket(to_marker, _NEAR)}")
        feats.append("toend:none" if to_end is None else f"toend{_bucket(to_end, _NEAR)}")
        feats.append(f"first{_bucket(index, (0, 2, 5))}")
        for offset, tag in ((-1, "p"), (1, "n")):
            near = index + offset
            if 0 <= near < count:
                feats.extend(f"{tag}:{feat}" for feat in shapes[near])
                if markers[near]:
                    feats.append(f"{tag}:m:{markers[near]}")
            else:
                feats.append(f"{tag}:edge")
        out.append(feats)
    return out


class Model:
    """Weights per feature and label; ``label_lines`` decodes a body."""

    def __init__(self, data: dict):
        labels = tuple(data["labels"])
        if labels != LABELS:
            raise ValueError(f"labels {labels!r}, expected {LABELS!r}")
        self.weights: dict[str, list[float]] = {
            name: [float(v) for v in values] for name, values in data["weights"].items()
        }
        for name, values in self.weights.items():
            if len(values) != len(LABELS):
                raise ValueError(f"feature {name!r}: {len(values)} weights")
        self.meta = data.get("meta", {})

    def scores(self, features: list[str]) -> list[float]:
        """Log-probabilities of the labels for one line."""
        total = [0.0] * len(LABELS)
        for name in features:
            weights = self.weights.get(name)
            if weights:
                for label, weight in enumerate(weights):
                    total[label] += weight
        top = max(total)
        norm = top + math.log(sum(math.exp(value - top) for value in total))
        return [value - norm for value in total]

    def label_lines(self, lines: list[str]) -> list[str]:
        """The most likely labels in reply order (``new`` … ``sig`` … ``old``)."""
        if not lines:
            return []
        features = line_features(lines)
        order = list(range(len(LABELS)))
        # best[s]: best score of a labelling of the lines so far ending in state s.
        best = dict.fromkeys(order, -math.inf)
        back: list[dict] = []
        for index, feats in enumerate(features):
            emission = self.scores(feats)
            current, pointers = {}, {}
            for state in order:
                if index == 0:
                    previous, score = state, 0.0
                else:
                    previous = max((s for s in order if s <= state), key=lambda s: best[s])
                    score = best[previous]
                current[state], pointers[state] = score + emission[state], previous
            best = current
            back.append(pointers)
        state = max(order, key=lambda s: best[s])
        path = [state]
        for pointers in reversed(back[1:]):
            state = pointers[state]
            path.append(state)
        labels = [LABELS[state] for state in reversed(path)]
        labels.extend("old" for _ in range(len(lines) - len(labels)))
        return labels


@lru_cache(maxsize=4)
def load_model(path: str = "") -> Model | None:
    """The shipped model (or the file at ``path``), read once; None if unreadable."""
    try:
        data = json.loads(Path(path or MODEL_PATH).read_text(encoding="utf-8"))
        return Model(data)
    except (OSError, ValueError, KeyError, TypeError):
        _logger.warning("new-part model %s not usable", path or MODEL_PATH, exc_info=True)
        return None
