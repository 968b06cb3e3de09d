"""Build helpdesk_mail_ticket/mailparse/data/letter_stats.json: how often each letter, and
each pair of adjacent letters, occurs in real text of the scripts whose legacy single-byte
charsets (KOI8-R, Windows-1251, CP866, ISO-8859-5; Windows-1253 / ISO-8859-7; Windows-1255 /
ISO-8859-8; Windows-1256 / ISO-8859-6; TIS-620 / Windows-874) read each other's bytes as
letters too. ``charsets.plausibility`` scores a reading by them: bytes read by the wrong one
of those charsets give letters and pairs real text seldom holds.

    python3 bench/build_letter_stats.py [--out FILE]

The text: the translated strings (msgstr) of Odoo's own modules in each language, found
through the installed ``odoo`` package (LGPL-3; only counts are kept, no text). Each
language of a script weighs the same. Letters are counted case-folded: Caps Lock is no
evidence (see tests/test_mailparse_attack_names.py). A letter standing alone (a one-letter
word, an initial) counts as the pair " x", the last letter of a word as "x " (Hebrew's
final forms, Greek's final sigma, Arabic's ta marbuta end words). Only pairs of at least
``MIN_PAIR`` per ten thousand are kept: a pair absent from the table is a rare one.

It also writes ``latin_pairs.json`` beside it: for each language written in Windows-1252 or
Windows-1250 / ISO-8859-2 (and a few Latin ones beside them), how often each pair of
adjacent characters holding a non-ASCII letter occurs (a word's start or end as a space),
per ten thousand pairs: which of those charsets reads undeclared bytes as that language's
words.

And ``cjk_chars.json``: for each CJK charset, the Han, kana and Hangul characters its
language's text writes (``charsets._han_score``: a character of a charset's common rows that
the language hardly writes is what another charset's bytes land on).
"""

import argparse
import ast
import collections
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "helpdesk_mail_ticket"))

# What a letter is, as the reader scores it (a Thai vowel or tone mark is one, a digit none):
# the table counts the pairs and word ends ``charsets.plausibility`` looks up.
from mailparse.charsets import _is_letter as is_letter
from mailparse.charsets import latin_lower

SCRIPTS = {
    # script: (languages, first and last code point of its letters)
    "cyrillic": (("ru", "uk", "bg"), (0x0400, 0x04FF)),
    "greek": (("el",), (0x0370, 0x03FF)),
    "hebrew": (("he",), (0x05D0, 0x05EA)),
    "arabic": (("ar", "fa"), (0x0620, 0x06FF)),
    "thai": (("th",), (0x0E01, 0x0E5B)),
}
MIN_PAIR = 0.3  # per ten thousand pairs
MAX_CHARS = 4_000_000  # of translated text per language
OUT = (
    Path(__file__).resolve().parent.parent
    / "helpdesk_mail_ticket/mailparse/data"
    / "letter_stats.json"
)
_MSGSTR = re.compile(r'^msgstr(?:\[\d+\])? (".*")$|^(".*")$')
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%[sd]|\{\w*\}|<[^>]*>")


def translations(language: str) -> str:
    """The translated strings of Odoo's modules in ``language`` (the core's, then those of
    the addons beside it in a source tree), up to MAX_CHARS."""
    import odoo  # only this script needs Odoo

    root = Path(odoo.__file__).parent
    paths = sorted(root.glob(f"addons/*/i18n/{language}.po"))
    paths += sorted(root.parent.glob(f"addons/*/i18n/{language}.po"))
    out, size = [], 0
    for path in paths:
        in_msgstr = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgstr"):
                in_msgstr = True
            elif not line.startswith('"'):
                in_msgstr = False
            found = _MSGSTR.match(line)
            if in_msgstr and found:
                try:
                    text = ast.literal_eval(found.group(1) or found.group(2))
                except (SyntaxError, ValueError):
                    continue
                out.append(text)
                size += len(text)
        if size > MAX_CHARS:
            break
    return _PLACEHOLDER.sub(" ", " ".join(out))


def counts(text: str, low: int, high: int):
    """Letters, pairs of adjacent letters, one-letter words (a pair " x") and the last
    letters of longer words (a pair "x "), a letter being what ``is_letter`` says (as
    ``charsets._frequency_score`` reads them)."""
    letters, pairs = collections.Counter(), collections.Counter()
    text = " " + text.lower().replace("ё", "е") + " "  # as charsets._FOLD reads it
    for index in range(1, len(text) - 1):
        char, before, after = text[index], text[index - 1], text[index + 1]
        if not (low <= ord(char) <= high and is_letter(char)):
            continue
        letters[char] += 1
        if low <= ord(before) <= high and is_letter(before):
            pairs[before + char] += 1
            if not is_letter(after):
                pairs[char + " "] += 1
        elif not is_letter(before) and not is_letter(after):
            pairs[" " + char] += 1
    return letters, pairs


def words(text: str, low: int, high: int):
    """The first letters of words, and the words of two or three letters (case folded):
    what a short word is judged by (an abbreviation's capitals are initials, a short word
    in small letters one of the few real text writes)."""
    initials, short = collections.Counter(), collections.Counter()
    text = text.lower().replace("ё", "е")
    for found in _WORD.finditer(text):
        word = found.group()
        if not all(low <= ord(char) <= high for char in word):
            continue
        initials[word[0]] += 1
        if 2 <= len(word) <= 3:
            short[word] += 1
    return initials, short


_WORD = re.compile(r"[^\W\d_]+")
# Scripts written without spaces between words: no word statistics.
WORDLESS = ("thai",)
MIN_SHORT = 0.5  # per ten thousand words: a short word rarer than this is no word


def _share(counter, weight, into):
    total = sum(counter.values())
    for key, count in counter.items():
        into[key] += count / total * weight


def build() -> dict:
    stats = {}
    for script, (languages, (low, high)) in SCRIPTS.items():
        letters, pairs = collections.Counter(), collections.Counter()
        initials, short = collections.Counter(), collections.Counter()
        for language in languages:
            text = translations(language)
            found_letters, found_pairs = counts(text, low, high)
            _share(found_letters, 1 / len(languages), letters)
            _share(found_pairs, 1 / len(languages), pairs)
            if script not in WORDLESS:
                found_initials, found_short = words(text, low, high)
                _share(found_initials, 1 / len(languages), initials)
                _share(found_short, 1 / len(languages), short)
        stats[script] = {
            "letters": {c: round(f * 10000, 1) for c, f in sorted(letters.items()) if f >= 1e-5},
            "pairs": {
                p: round(f * 10000, 1) for p, f in sorted(pairs.items()) if f * 10000 >= MIN_PAIR
            },
        }
        if script not in WORDLESS:
            stats[script]["initials"] = {
                c: round(f * 10000, 1) for c, f in sorted(initials.items()) if f >= 1e-5
            }
            stats[script]["short"] = {
                w: round(f * 10000, 1) for w, f in sorted(short.items()) if f * 10000 >= MIN_SHORT
            }
    return stats


# Languages written in Windows-1252, Windows-1250 / ISO-8859-2 (and the Latin ones beside
# them): which of those charsets reads undeclared bytes as words of one of them
# (``charsets._central_european``: "albañski" or "albański").
LATIN_LANGUAGES = (
    *("de", "fr", "es", "pt", "it", "nl", "da", "sv", "fi", "nb", "is", "ca"),
    *("pl", "cs", "sk", "hu", "sl", "hr", "ro"),
    *("tr", "et", "lt", "lv"),
)
MIN_LATIN_PAIR = 0.05  # per ten thousand pairs
LATIN_OUT = OUT.with_name("latin_pairs.json")


def latin_pairs(text: str) -> dict:
    """Per ten thousand pairs of adjacent characters of which one at least is a letter (a
    non-letter counting as a space: a word's start or end), those holding a non-ASCII
    letter, case folded."""
    pairs, total = collections.Counter(), 0
    text = " " + latin_lower(text) + " "  # "İ" one letter, as the reader folds it
    for index in range(len(text) - 1):
        first, second = text[index], text[index + 1]
        if not (first.isalpha() or second.isalpha()):
            continue
        first = first if first.isalpha() else " "
        second = second if second.isalpha() else " "
        total += 1
        if not (first.isascii() and second.isascii()):
            pairs[first + second] += 1
    return {
        pair: round(count * 10000 / total, 2)
        for pair, count in sorted(pairs.items())
        if count * 10000 / total >= MIN_LATIN_PAIR
    }


def build_latin() -> dict:
    return {language: latin_pairs(translations(language)) for language in LATIN_LANGUAGES}


# The language each CJK charset's text is written in, and the characters counted: Han,
# kana and Hangul syllables (``charsets._han_score``'s rows hold them all alike).
CJK_LANGUAGES = {"gb18030": "zh_CN", "big5hkscs": "zh_TW", "cp932": "ja", "cp949": "ko"}
MIN_CJK = 0.1  # per ten thousand characters: one rarer is a character the language hardly writes
CJK_OUT = OUT.with_name("cjk_chars.json")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7A3


def cjk_chars(text: str) -> str:
    """The CJK characters of ``text`` at least MIN_CJK per ten thousand of them, most
    frequent first (a string: only which characters the language writes is read)."""
    found = collections.Counter(char for char in text if _is_cjk(char))
    total = sum(found.values()) or 1
    return "".join(
        char
        for char, count in sorted(found.items(), key=lambda item: (-item[1], item[0]))
        if count * 10000 / total >= MIN_CJK
    )


def build_cjk() -> dict:
    return {codec: cjk_chars(translations(lang)) for codec, lang in CJK_LANGUAGES.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--latin-out", type=Path, default=LATIN_OUT)
    parser.add_argument("--cjk-out", type=Path, default=CJK_OUT)
    args = parser.parse_args()
    cjk = build_cjk()
    args.cjk_out.write_text(json.dumps(cjk, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    print(f"cjk: {', '.join(f'{codec} {len(chars)}' for codec, chars in cjk.items())} characters")
    latin = build_latin()
    args.latin_out.write_text(json.dumps(latin, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    print(f"latin: {len(latin)} languages, {sum(map(len, latin.values()))} pairs")
    stats = build()
    args.out.write_text(json.dumps(stats, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    for script, table in stats.items():
        print(
            f"{script}: {len(table['letters'])} letters, {len(table['pairs'])} pairs, "
            f"{len(table.get('short', ()))} short words"
        )


if __name__ == "__main__":
    main()
