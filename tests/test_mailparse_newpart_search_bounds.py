"""The new-part rules search some patterns only where a match can be: same answers as the
plain searches they stand for (a speedup must not change a verdict)."""

import random
import re
import re._parser

from mailparse import newpart

# The forms the patterns were written as, before they were bounded or reordered.
_PLAIN_DATEISH = re.compile(r"\d{1,2}:\d{2}|\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")

_FRAGMENTS = [
    "On Mon, 3 Mar 2026 at 10:00, Ann <ann@example.com> wrote",
    "wrote",
    "WROTE",
    "schrieb am",
    "hat",
    "geschrieben",
    "heeft",
    "geschreven",
    "skrev",
    "følgende",
    "님이",
    "작성",
    "한",
    "글",
    "napisał(a)",
    "a écrit",
    "写道",
    "ann@example.com",
    "<a@b.c>",
    "@",
    "10:00",
    "2026",
    "3/4/26",
    "12.31.2025",
    ":",
    "：",
    " ",
    "  ",
    " " * 70,
    "\t",
    "\n",
    "\xa0",
    "\u3000",
    "x" * 30,
    "text",
    "Re",
    "(",
    ")",
    ".",
    "-",
]


def _texts(count: int, seed: int) -> list:
    rng = random.Random(seed)
    texts = ["", ":", "：", "wrote:", " wrote :", "x:", ":wrote", "wrote:\n", "wrote:\n:"]
    for _ in range(count):
        texts.append("".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 14))))
    # A verb far from its colon: spaces inside the verb, 60 characters and spaces after it.
    for verb in ("hat \t\n  geschrieben", "heeft" + " " * 90 + "geschreven", "skrev  følgende"):
        for gap in ("", " " * 200, "y" * 59, "y" * 60, "y" * 61, " \n " + "y" * 60, "y\ny"):
            for before in ("", "On Monday Ann ", "a:b ", "x" * 300):
                texts.append(f"{before}{verb}{gap}:  ")
                texts.append(f"{before}{verb}{gap}： \n")
    return texts


def test_wrote_verbs_fit_the_bound_read_back_from_the_colon():
    # _wrote_end starts its search _WROTE_LETTERS non-space characters before the verb's end:
    # no verb may be longer (spaces inside it aside).
    letters = re.sub(r"\\s[*+]", "", newpart._WROTE)
    assert re._parser.parse(letters, re.IGNORECASE).getwidth()[1] <= newpart._WROTE_LETTERS


def test_wrote_end_answers_as_the_whole_search():
    for text in _texts(20000, seed=14):
        assert newpart._wrote_end(text) == bool(newpart._WROTE_END.search(text)), repr(text)


def test_dateish_matches_as_the_plain_alternation():
    for text in _texts(5000, seed=15):
        assert [m.span() for m in newpart._DATEISH.finditer(text)] == [
            m.span() for m in _PLAIN_DATEISH.finditer(text)
        ], repr(text)


def test_has_address_answers_as_the_search():
    for text in _texts(5000, seed=16):
        assert newpart._has_address(text) == bool(newpart._EMAILISH.search(text)), repr(text)
