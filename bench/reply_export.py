"""Export other projects' reply fixtures as the pairs ``bench/reply_score.py`` reads.

    python3 bench/reply_export.py OUT [--trimmer DIR] [--webridge DIR]

Each DIR is a checkout (a work tree, or a bare git directory read at HEAD) of:

- ``--trimmer``: discourse/email_reply_trimmer (MIT): every ``test/emails/NAME.txt`` with
  ``test/trimmed/NAME.txt``, the text its tests expect once quotes, signatures and embedded
  mail are trimmed (both read stripped, as its tests do). Written as ``OUT/discourse/``.
- ``--webridge``: web-ridge/email-reply-parser (MIT): its tests compose a base mail
  (``dataset/basemail``), a signature (``dataset/signatures``) and a quoted reply
  (``dataset/quoted_reply``) and expect the base mail back, the quote below (bottom) or
  above (top). Every composition would put each piece in both halves of the split, so one
  composition per signature is written, the base mail and the quoted reply taken in turn
  (k-th signature, base mail k mod n, quoted reply k mod m, names sorted), in both layouts.
  Written as ``OUT/webridge/``.

Nothing fetched is committed; OUT lives outside the repository.
"""

import argparse
import subprocess
import sys
from pathlib import Path


class Checkout:
    """Files of a work tree, or of a bare git directory at HEAD."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.bare = not (self.path / ".git").exists() and (self.path / "HEAD").is_file()

    def names(self, folder: str) -> list[str]:
        if not self.bare:
            return sorted(p.name for p in (self.path / folder).iterdir() if p.is_file())
        out = subprocess.run(
            ["git", "-C", str(self.path), "ls-tree", "--name-only", f"HEAD:{folder}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return sorted(out.split())

    def read(self, path: str) -> str:
        if not self.bare:
            return (self.path / path).read_text(encoding="utf-8")
        return subprocess.run(
            ["git", "-C", str(self.path), "show", f"HEAD:{path}"],
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8")


def _write(folder: Path, name: str, body: str, expected: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(body, encoding="utf-8")
    (folder / f"{name}.expected").write_text(expected, encoding="utf-8")


def trimmer(repo: Checkout, out: Path) -> int:
    names = [n for n in repo.names("test/emails") if n.endswith(".txt")]
    for name in names:
        body = repo.read(f"test/emails/{name}").strip()
        expected = repo.read(f"test/trimmed/{name}").strip()
        _write(out / "discourse", name[:-4], body, expected)
    return len(names)


def webridge(repo: Checkout, out: Path) -> int:
    bases = repo.names("dataset/basemail")
    signatures = repo.names("dataset/signatures")
    quotes = repo.names("dataset/quoted_reply")
    count = 0
    for k, signature in enumerate(signatures):
        base, quote = bases[k % len(bases)], quotes[k % len(quotes)]
        mail = repo.read(f"dataset/basemail/{base}")
        sig = repo.read(f"dataset/signatures/{signature}")
        quoted = repo.read(f"dataset/quoted_reply/{quote}")
        stem = f"{base[:-4]}+{signature[:-4]}+{quote[:-4]}"
        # as its test composes them (TestAllKindOfCombinations)
        _write(out / "webridge", f"{stem}+bottom", f"{mail}\n\n{sig}\n\n{quoted}", mail.strip())
        _write(out / "webridge", f"{stem}+top", f"{quoted}\n\n{mail}\n\n{sig}\n\n", mail.strip())
        count += 2
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--trimmer", help="discourse/email_reply_trimmer checkout")
    parser.add_argument("--webridge", help="web-ridge/email-reply-parser checkout")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.trimmer:
        print(f"discourse: {trimmer(Checkout(args.trimmer), out)} pairs")
    if args.webridge:
        print(f"webridge: {webridge(Checkout(args.webridge), out)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
