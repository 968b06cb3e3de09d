"""How many raw 8-bit names and subjects (no RFC 2047) the charset detector reads wrong, per
language and charset, on text it was never tuned on.

    python3 bench/charset_names_score.py [--per-language 300] [--seed 14] [--declared]
    python3 bench/charset_names_score.py --half fit --verbose   # the fitting half's misses

The text: CLDR's display names (countries, languages, scripts, currencies, months, days) in
each language, through Babel (an Odoo requirement) -- not the source of the letter
statistics (``bench/build_letter_stats.py`` counts Odoo's translations). Each language gives
``--per-language`` names holding a non-ASCII letter its charsets can write, drawn with a fixed
seed; Russian adds a set of abbreviations (the capital initials of CLDR's multi-word names,
"Южная Америка" -> "ЮА", in a subject: "Re: ЮА 2024"). Every name is split once by a hash of
the seed and its text into a fitting half and a validation half: tune on the first, report
both (the validation half is the figure that counts).

Each name is encoded in each charset of its language and read by ``decode_8bit`` with no
label (``--declared``: with the charset's own label, which must read it).
"""

import argparse
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "helpdesk_mail_ticket"))

from mailparse.charsets import decode_8bit

LATIN_1 = ("windows-1252",)
CENTRAL = ("windows-1250", "iso-8859-2")
LANGUAGES = {
    "ru": ("koi8-r", "windows-1251", "cp866"),
    "uk": ("koi8-u", "windows-1251"),
    "bg": ("windows-1251",),
    "el": ("windows-1253", "iso-8859-7"),
    "he": ("windows-1255", "iso-8859-8"),
    "ar": ("windows-1256", "iso-8859-6"),
    "fa": ("windows-1256",),
    "th": ("cp874",),
    "tr": ("windows-1254",),
    "pl": CENTRAL,
    "cs": CENTRAL,
    "sk": CENTRAL,
    "hu": CENTRAL,
    "sl": CENTRAL,
    "hr": CENTRAL,
    "ro": CENTRAL,
    "de": LATIN_1,
    "fr": LATIN_1,
    "es": LATIN_1,
    "pt": LATIN_1,
    "it": LATIN_1,
    "nl": LATIN_1,
    "da": LATIN_1,
    "sv": LATIN_1,
    "fi": LATIN_1,
    "nb": LATIN_1,
    "is": LATIN_1,
    "ca": LATIN_1,
    # CJK (names14's "ambiguous" short names; weighed since names5)
    "zh": ("gbk",),
    "zh_Hant": ("big5",),
    "ja": ("shift_jis", "euc-jp"),
    "ko": ("euc-kr",),
}
ABBREVIATIONS = {"ru-abbr": ("ru", ("koi8-r", "windows-1251", "cp866"))}


def _cldr_names(language: str) -> list:
    from babel import Locale

    locale = Locale.parse(language)
    names = []
    for table in (locale.territories, locale.languages, locale.scripts, locale.currencies):
        names += table.values()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            names += locale.months[context][width].values()
            names += locale.days[context][width].values()
    return sorted(set(names))


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _abbreviations(names: list) -> list:
    out = set()
    for name in names:
        words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
        if 2 <= len(words) <= 4 and not any(w[0].isascii() for w in words):
            out.add("Re: " + "".join(w[0] for w in words).upper() + " 2024")
    return sorted(out)


def sets(per_language: int, seed: int) -> dict:
    """{set name: (charsets, [names])}: each set's names drawn with ``seed``."""
    out = {}
    for language, charsets in LANGUAGES.items():
        names = [
            n
            for n in _cldr_names(language)
            if not n.isascii() and all(_encodable(n, c) for c in charsets)
        ]
        random.Random(f"{seed}-{language}").shuffle(names)
        out[language] = (charsets, sorted(names[:per_language]))
    for name, (language, charsets) in ABBREVIATIONS.items():
        names = [n for n in _abbreviations(_cldr_names(language)) if not n.isascii()]
        random.Random(f"{seed}-{name}").shuffle(names)
        out[name] = (charsets, sorted(names[:per_language]))
    return out


def half(text: str, seed: int) -> str:
    digest = hashlib.sha256(f"{seed}:{text}".encode()).digest()
    return "fit" if digest[0] % 2 == 0 else "valid"


def score(per_language: int, seed: int, declared: bool, only_half: str = "", verbose=False):
    rows = []
    for name, (charsets, names) in sets(per_language, seed).items():
        wrong = {"fit": 0, "valid": 0}
        total = {"fit": 0, "valid": 0}
        for text in names:
            side = half(text, seed)
            for charset in charsets:
                total[side] += 1
                read = decode_8bit(text.encode(charset), charset if declared else None)
                if read != text:
                    wrong[side] += 1
                    if verbose and side == (only_half or "fit"):
                        print(f"  {name} {charset}: {text!r} -> {read!r}", file=sys.stderr)
        rows.append((name, charsets, wrong, total))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--declared", action="store_true")
    parser.add_argument("--half", choices=("fit", "valid"), default="fit")
    parser.add_argument("--verbose", action="store_true", help="the --half's misses on stderr")
    args = parser.parse_args()
    rows = score(args.per_language, args.seed, args.declared, args.half, args.verbose)
    print("| set | charsets | wrong, fit half | wrong, valid half |")
    print("|---|---|---|---|")
    sums = {"fit": [0, 0], "valid": [0, 0]}
    for name, charsets, wrong, total in rows:
        for side, counted in sums.items():
            counted[0] += wrong[side]
            counted[1] += total[side]
        print(
            f"| {name} | {', '.join(charsets)} | {wrong['fit']}/{total['fit']} "
            f"| {wrong['valid']}/{total['valid']} |"
        )
    print(f"| all | | {sums['fit'][0]}/{sums['fit'][1]} | {sums['valid'][0]}/{sums['valid'][1]} |")


if __name__ == "__main__":
    main()
