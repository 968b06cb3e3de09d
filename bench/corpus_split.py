"""The fixed split of the shared corpus into a fitting half and a validation half.

    python3 bench/corpus_split.py [--corpus ../shared/corpus] [--half fit|valid]

Each collection (a top-level folder of the corpus; Quagga's ``Datasets/ASF`` and
``Datasets/Enron`` separately) lists its mail files (``.json``, ``.jsonl``, ``.md``, ``.ann``
and licence files left out), sorted, shuffled by ``random.Random`` seeded with the seed and the
collection's name; the first half (rounded up) is the fitting half, the rest the validation
half. A file keeps its half in every metric that reads it. Rules and models are tuned and
trained on the fitting half only; the validation half is only ever scored.

Printed with ``--half``: the corpus-relative paths of one half, one a line (for a training
script or to read the mail one may tune on).
"""

import argparse
import random
import sys
from pathlib import Path

SPLIT_SEED = 14  # fixed once (issue 14); changing it re-splits everything
HALVES = ("fit", "valid")
_SKIPPED_SUFFIXES = (".json", ".jsonl", ".md", ".ann")
_SUBCOLLECTIONS = {"quagga_hpi": 2}  # depth of a collection under these folders


def default_corpus() -> Path:
    """``../shared/corpus`` beside the checkout, or beside the folder of a git worktree."""
    root = Path(__file__).resolve().parent.parent
    return next(
        (
            base / "shared" / "corpus"
            for base in (root.parent, root.parent.parent)
            if (base / "shared" / "corpus").is_dir()
        ),
        root.parent / "shared" / "corpus",
    )


def is_mail_file(path: Path) -> bool:
    return path.is_file() and path.suffix not in _SKIPPED_SUFFIXES and "LICENSE" not in path.name


class Split:
    def __init__(self, corpus: Path, seed: int | None = None):
        self.corpus = Path(corpus).resolve()
        self.seed = SPLIT_SEED if seed is None else seed
        self._fit: dict[str, set] = {}

    def collection(self, path: Path) -> str:
        parts = Path(path).resolve().relative_to(self.corpus).parts
        depth = 1 + _SUBCOLLECTIONS.get(parts[0], 0)
        return "/".join(parts[: min(depth, len(parts) - 1) or 1])

    def _fitting(self, collection: str) -> set:
        if collection not in self._fit:
            files = sorted(
                str(p.relative_to(self.corpus))
                for p in (self.corpus / collection).rglob("*")
                if is_mail_file(p)
            )
            random.Random(f"{self.seed}:{collection}").shuffle(files)
            self._fit[collection] = set(files[: (len(files) + 1) // 2])
        return self._fit[collection]

    def half(self, path: Path) -> str:
        """``"fit"`` or ``"valid"`` for a mail file of the corpus."""
        relative = str(Path(path).resolve().relative_to(self.corpus))
        return "fit" if relative in self._fitting(self.collection(path)) else "valid"

    def files(self, half: str) -> list[str]:
        out = []
        for path in sorted(self.corpus.rglob("*")):
            if is_mail_file(path) and self.half(path) == half:
                out.append(str(path.relative_to(self.corpus)))
        return out


def main(argv=None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(root.parent / "shared" / "corpus"))
    parser.add_argument("--half", choices=HALVES, default="fit")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    for name in Split(Path(args.corpus), args.seed).files(args.half):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
