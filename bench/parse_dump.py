"""Every field of every parse, for two versions of the core: a change meant to keep the
output (a speedup) proves it here.

    python3 bench/parse_dump.py --against main [--corpus ../shared/corpus] [--show 5]

Parses every file of the corpus and of ``tests/data`` with ``parse_message`` (default
settings) and writes one JSON line per file: every ``ParsedEmail`` field (the lazy text
fields read), attachments with every field and their content's sha256, the automated
verdict. Each version runs in its own process (the two ``mailparse`` packages cannot share
one); ``--against REF`` extracts ``helpdesk_mail_ticket/mailparse`` at that git revision, as
``corpus_time.py`` does. Prints how many files parse differently, the first few with the
fields that differ, and exits 1 when any does.
"""

import argparse
import dataclasses
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus_time import default_corpus, extract  # bench/ is on the path (script or test)

ROOT = Path(__file__).resolve().parent.parent


def dump(parsed) -> dict:
    """Every field of a ``ParsedEmail`` as JSON-ready values."""
    out = {}
    for item in dataclasses.fields(parsed):
        value = getattr(parsed, item.name)
        if item.name == "attachments":
            value = [
                {
                    key: hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else data
                    for key, data in dataclasses.asdict(att).items()
                }
                for att in value
            ]
        elif item.name == "automated":
            value = dataclasses.asdict(value) if value else None
        out[item.name] = value
    return out


def mail_files(corpus: Path) -> list:
    roots = [corpus, ROOT / "tests" / "data"]
    return sorted(
        path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file()
    )


def worker(package_parent: str, list_file: str, out_file: str) -> None:
    sys.path.insert(0, package_parent)
    from mailparse import parse_message  # pylint: disable=import-outside-toplevel

    with open(out_file, "w", encoding="utf-8") as out:
        for name in Path(list_file).read_text(encoding="utf-8").splitlines():
            line = dump(parse_message(Path(name).read_bytes()))
            out.write(json.dumps(line, default=str, ensure_ascii=False, sort_keys=True) + "\n")


def run_side(package_parent: Path, list_file: Path, out_file: Path) -> list:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(package_parent), str(list_file), str(out_file)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{package_parent}: worker failed\n{done.stderr}")
    # One record a line; not splitlines(): the text may hold U+2028, U+0085 or a separator
    # control, which JSON written with ensure_ascii=False leaves as they are.
    return out_file.read_text(encoding="utf-8").split("\n")[:-1]


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="git revision to compare with")
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--show", type=int, default=5, help="differing files to show")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus).resolve() if args.corpus else default_corpus()
    files = mail_files(corpus)
    with tempfile.TemporaryDirectory(prefix="hmt-dump-") as tmp:
        list_file = Path(tmp) / "files.txt"
        list_file.write_text("\n".join(str(p) for p in files), encoding="utf-8")
        ours = run_side(ROOT / "helpdesk_mail_ticket", list_file, Path(tmp) / "ours.jsonl")
        theirs = run_side(
            extract(args.against, Path(tmp) / "ref"), list_file, Path(tmp) / "ref.jsonl"
        )
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    print(f"{len(files)} files, {len(differing)} parse differently from {args.against}")
    for index in differing[: args.show]:
        a, b = json.loads(ours[index]), json.loads(theirs[index])
        fields = sorted(key for key in a.keys() | b.keys() if a.get(key) != b.get(key))
        print(f"  {files[index]}: {', '.join(fields)}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
