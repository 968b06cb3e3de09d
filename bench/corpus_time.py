"""Parse time of the email core on the shared corpus, two versions side by side in one run.

    python3 bench/corpus_time.py --against 9e10d8c [--rounds 7] [--corpus ../shared/corpus]
    python3 bench/corpus_time.py --profile 30      # cProfile of the working tree, top 30

Every mail file of the corpus (the files ``corpus_split`` lists, both halves) is read into
memory once; each version then parses all of them with ``parse_message`` and reads what the
addon reads of each result (title, sender, new part as text and HTML, body text,
attachments), in its own Python process (the two ``mailparse`` packages cannot share one),
alternating the versions round after round so that a noisy neighbour on the machine weighs
on both alike. The figure is CPU time (``time.process_time``) per message; the median round
of each side is compared. ``--against REF`` extracts ``helpdesk_mail_ticket/mailparse`` at
that git revision (``git archive``) into a temporary folder; the other side is this working
tree.
"""

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = "helpdesk_mail_ticket/mailparse"


def default_corpus() -> Path:
    # ../shared/corpus beside the checkout, or beside the folder holding the worktrees.
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpus").is_dir():
            return base / "shared" / "corpus"
    return ROOT.parent / "shared" / "corpus"


def corpus_files(corpus: Path) -> list:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus_split import Split  # pylint: disable=import-outside-toplevel

    split = Split(corpus)
    return [corpus / name for half in ("fit", "valid") for name in split.files(half)]


def _read_all(parsed) -> None:
    """What the addon reads of a parse (lazy fields included)."""
    _ = (parsed.subject, parsed.from_email, parsed.new_part_html, parsed.new_part_text)
    _ = (parsed.body_text, parsed.attachments, parsed.automated)


def worker(package_parent: str, files: list, repeat: int) -> None:
    """Child process: import mailparse from ``package_parent``, print CPU seconds per pass."""
    sys.path.insert(0, package_parent)
    from mailparse import parse_message  # pylint: disable=import-outside-toplevel

    raws = [Path(name).read_bytes() for name in files]
    for raw in raws[:50]:  # warm up the regex and codec caches
        _read_all(parse_message(raw))
    out = []
    for _ in range(repeat):
        started = time.process_time()
        for raw in raws:
            _read_all(parse_message(raw))
        out.append(time.process_time() - started)
    print(json.dumps(out))


def extract(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, CORE],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "helpdesk_mail_ticket"


def run_side(package_parent: Path, list_file: Path, repeat: int) -> list:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(package_parent), str(list_file), str(repeat)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{package_parent}: worker failed\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(files: list, top: int) -> None:
    sys.path.insert(0, str(ROOT / "helpdesk_mail_ticket"))
    from mailparse import parse_message  # pylint: disable=import-outside-toplevel

    raws = [path.read_bytes() for path in files]
    profiler = cProfile.Profile()
    profiler.enable()
    for raw in raws:
        _read_all(parse_message(raw))
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        parent, list_file, repeat = sys.argv[2:5]
        worker(parent, Path(list_file).read_text(encoding="utf-8").splitlines(), int(repeat))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--against", help="git revision to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=7, help="alternated rounds per side")
    parser.add_argument("--repeat", type=int, default=1, help="corpus passes per round")
    parser.add_argument("--profile", type=int, metavar="TOP", help="cProfile the working tree")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus).resolve() if args.corpus else default_corpus()
    files = corpus_files(corpus)
    if args.profile:
        profile(files, args.profile)
        return 0
    with tempfile.TemporaryDirectory(prefix="hmt-time-") as tmp:
        list_file = Path(tmp) / "files.txt"
        list_file.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        sides = {"working tree": ROOT / "helpdesk_mail_ticket"}
        if args.against:
            sides[args.against] = extract(args.against, Path(tmp) / "ref")
        timings: dict = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, parent in sides.items():
                timings[name].extend(run_side(parent, list_file, args.repeat))
    print(f"{len(files)} messages, {args.rounds} alternated rounds x {args.repeat} pass(es)")
    medians = {}
    for name, values in timings.items():
        per_msg = [v / len(files) * 1000 for v in values]
        medians[name] = statistics.median(per_msg)
        print(
            f"{name:<14} median {medians[name]:.3f} ms/msg"
            f"  (min {min(per_msg):.3f}, max {max(per_msg):.3f})"
        )
    if args.against:
        ratio = medians["working tree"] / medians[args.against] - 1
        print(f"working tree vs {args.against}: {ratio:+.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
