"""Pass rate of every damage class (tests/mail_damage.py), this core and another side by side.

    python3 bench/damage_rates.py [--against main] [--corpus ../shared/corpus] [--no-corpus]
    python3 bench/damage_rates.py --verbose        # the first failures of each class

Sources: the ``.eml`` files of ``tests/data`` and the mail files of the corpus's fitting half
(``corpus_split``; Quagga and forge hold bodies, not messages, and are left out). A source
is used when a clean parse reads its sender and subject. Only the fitting half is read: the
failures listed with ``--verbose`` are what one may write rules from. Each side runs in its
own process (``--against REF`` extracts ``helpdesk_mail_ticket/mailparse`` at that revision,
as corpus_time.py does); ``--no-chardet`` runs both as if chardet were not installed.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus_split import Split  # noqa: E402
from corpus_time import default_corpus, extract  # noqa: E402

_NOT_MESSAGES = ("quagga_hpi", "mailgun_forge")


def source_paths(corpus: Path | None) -> list:
    paths = sorted((ROOT / "tests" / "data").rglob("*.eml"))
    if corpus is not None and corpus.is_dir():
        paths += [
            corpus / name
            for name in Split(corpus).files("fit")
            if not name.startswith(_NOT_MESSAGES)
        ]
    return [str(path) for path in paths]


def worker(package_parent: str, list_file: str, verbose: int, no_chardet: bool) -> None:
    if no_chardet:
        sys.modules["chardet"] = None
    sys.path[:0] = [package_parent, str(ROOT / "tests")]
    import mail_damage

    sources = mail_damage.load_sources(Path(list_file).read_text(encoding="utf-8").splitlines())
    results = mail_damage.run(sources)
    print(
        json.dumps(
            {
                "sources": len(sources),
                "classes": {
                    name: [passed, total, failures[:verbose]]
                    for name, (passed, total, failures) in results.items()
                },
            }
        )
    )


def run_side(package_parent: Path, list_file: Path, verbose: int, no_chardet: bool) -> dict:
    command = [sys.executable, __file__, "--worker", str(package_parent), str(list_file)]
    command += [str(verbose), "1" if no_chardet else ""]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{package_parent}: worker failed\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rate(passed: int, total: int) -> str:
    return f"{passed:5d}/{total:<5d} {100 * passed / total:5.1f}%" if total else "    -"


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        parent, list_file, verbose, no_chardet = sys.argv[2:6]
        worker(parent, list_file, int(verbose), bool(no_chardet))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--no-corpus", action="store_true", help="tests/data only")
    parser.add_argument("--against", help="git revision to compare the working tree with")
    parser.add_argument("--no-chardet", action="store_true")
    parser.add_argument("--verbose", type=int, nargs="?", const=3, default=0)
    args = parser.parse_args(argv)
    corpus = None if args.no_corpus else Path(args.corpus or default_corpus()).resolve()
    with tempfile.TemporaryDirectory(prefix="hmt-damage-") as tmp:
        list_file = Path(tmp) / "files.txt"
        list_file.write_text("\n".join(source_paths(corpus)), encoding="utf-8")
        sides = {"working tree": ROOT / "helpdesk_mail_ticket"}
        if args.against:
            sides[args.against] = extract(args.against, Path(tmp) / "ref")
        found = {
            name: run_side(parent, list_file, args.verbose, args.no_chardet)
            for name, parent in sides.items()
        }
    names = list(found)
    print(f"{found[names[0]]['sources']} source mails; " + " | ".join(names))
    totals = {name: [0, 0] for name in names}
    for cls in found[names[0]]["classes"]:
        row = []
        for name in names:
            passed, total, _failures = found[name]["classes"].get(cls, [0, 0, []])
            totals[name][0] += passed
            totals[name][1] += total
            row.append(_rate(passed, total))
        print(f"{cls:48s} " + "   ".join(row))
        for line in found[names[0]]["classes"][cls][2]:
            print(f"    {line[:240]}")
    print(f"{'all variants':48s} " + "   ".join(_rate(*totals[name]) for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
