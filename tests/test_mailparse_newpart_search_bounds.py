"""The new-part rules search some patterns only where a match can be: same answers as the
plain searches they stand for (a speedup must not change a verdict)."""

import random
import re
import re._parser

import pytest
from mailparse import newpart
from mailparse.settings import DEFAULT_SETTINGS, ITOP_MULTILINE_DELIMITER_PATTERNS

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


def _texts(count: int, seed: int, fragments: tuple = ()) -> list:
    rng = random.Random(seed)
    pool = [*_FRAGMENTS, *fragments]
    texts = ["", ":", "：", "wrote:", " wrote :", "x:", ":wrote", "wrote:\n", "wrote:\n:"]
    for _ in range(count):
        texts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 14))))
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


def _wrote_end_everywhere(text: str) -> bool:
    """_WROTE_END tried at every character of the text, its tail judged at each match."""
    return any(
        newpart._attribution_tail(match.group("tail"))
        for start in range(len(text))
        if (match := newpart._WROTE_END.match(text, start)) is not None
    )


def test_wrote_end_answers_as_the_whole_search():
    for text in _texts(20000, seed=14):
        assert newpart._wrote_end(text) == _wrote_end_everywhere(text), repr(text)


def test_dateish_matches_as_the_plain_alternation():
    for text in _texts(5000, seed=15):
        assert [m.span() for m in newpart._DATEISH.finditer(text)] == [
            m.span() for m in _PLAIN_DATEISH.finditer(text)
        ], repr(text)


def test_has_address_answers_as_the_search():
    for text in _texts(5000, seed=16):
        assert newpart._has_address(text) == bool(newpart._EMAILISH.search(text)), repr(text)


def _each_searched(text: str, patterns: list) -> int:
    """iTop's rule as written: every pattern searched, the start closest to the beginning."""
    starts = [m.start() for m in (p.search(text) for p in patterns) if m]
    return min(starts, default=-1)


_DELIMITER_FRAGMENTS = (
    "From: a",
    "Sent: b",
    "FROM:",
    "De : c",
    "Envoyé : ",
    "Date d'envoi : d",
    "Date : ",
    "Date:",
    "Expéditeur: e",
    "-----Message d'origine-----",
    "____",
    "_",
    "\r\n",
    "\r",
    "\u2028",
    "-- ",
    "R-12",
    "axa",
    "by",
)
_DELIMITER_SETS = [
    ITOP_MULTILINE_DELIMITER_PATTERNS,
    (*ITOP_MULTILINE_DELIMITER_PATTERNS, "/^-- $/m", "/(R)-(\\d+)/", "/^x*$/"),
    ("/\\RFrom: .+/", "/^from:/i"),  # different flags: searched one by one
    ("/(b)/", "/(a)x\\1/"),  # a back-reference (to group 1, the first pattern's if joined)
    ("/(?<n>a)x/", "/(?<n>b)y/"),  # a group name twice: one by one
    ("/a # x/x", "/b/x"),  # verbose: one by one
    ("/(?i)from/", "/sent/"),  # a global inline flag: one by one
    ("/^$/m", "/\\Z/"),  # empty matches
]


@pytest.mark.parametrize("sources", _DELIMITER_SETS)
def test_delimiters_searched_as_one_find_the_closest_start(sources):
    patterns = newpart._compile_all(sources, "delimiter")
    rng = random.Random(18)
    # Lines of fragments joined by any kind of line break, for the delimiters' multi-line forms.
    texts = _texts(3000, seed=17, fragments=_DELIMITER_FRAGMENTS) + [
        "".join(
            rng.choice((*_DELIMITER_FRAGMENTS[:12], "text", "", " x"))
            + rng.choice(("\n", "\r\n", "\r", "\n\n"))
            for _ in range(rng.randint(1, 8))
        )
        for _ in range(3000)
    ]
    for text in texts:
        assert newpart._itop_cut(text, patterns) == _each_searched(text, patterns), repr(text)


def test_delimiters_are_searched_as_one_only_when_that_cannot_differ():
    defaults = newpart._compile_all(ITOP_MULTILINE_DELIMITER_PATTERNS, "delimiter")
    assert newpart._one_search(tuple(defaults)) is not None
    for sources in _DELIMITER_SETS[2:7]:
        patterns = newpart._compile_all(sources, "delimiter")
        assert newpart._one_search(tuple(patterns)) is None, sources


def test_time_colon_matches_as_the_look_behind_form():
    plain = re.compile(r"(?<=\d)[:：](?=\d)")
    for text in _texts(5000, seed=19):
        assert [m.span() for m in newpart._TIME.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], repr(text)
        assert newpart._TIME.sub(".", text) == plain.sub(".", text)


def test_a_line_ends_with_a_colon_as_the_pattern_says():
    # _is_attribution and _wrote_end test the last character of the stripped text for the
    # _ENDS_COLON search: the same answer whatever the spaces (Unicode ones too) after it.
    for text in [*_texts(5000, seed=20), "a:\u3000", "a：\x85", "a:\u2028", ":\n", "a:b"]:
        assert (text.rstrip()[-1:] in (":", "：")) == bool(newpart._ENDS_COLON.search(text))


_FIELD_FRAGMENTS = (
    "From",
    "from",
    "Von",
    "De",
    "Sent",
    "To",
    "Subject",
    "Betreff",
    "cc",
    "보낸 사람",
    "sent  by",
    "An",
    ">",
    "*",
    "**",
    "_",
    "***",
    ":",
    "：",
    " ",
    " " * 45,
    "\t",
    "x",
    "Thursday",
)


def test_field_lines_match_as_the_patterns_written_with_split_space_runs():
    # _FIELD_LINE and _FROM_LINE read each run of spaces once; the forms they replace:
    other = f"{newpart._FROM_FIELDS}|{newpart._OTHER_FIELDS}"
    plain_field = re.compile(rf"^\s*[*_]{{0,2}}\s*(?:{other})\s*[*_]{{0,2}}\s*[:：]", re.IGNORECASE)
    plain_from = re.compile(
        rf"^\s*[>]?\s*[*_]{{0,2}}\s*(?:{newpart._FROM_FIELDS})\s*[*_]{{0,2}}\s*[:：]",
        re.IGNORECASE,
    )
    rng = random.Random(21)
    texts = [
        "".join(rng.choice(_FIELD_FRAGMENTS) for _ in range(rng.randint(1, 7))) for _ in range(4000)
    ]
    texts += ["  > ** From  ** : x", ">From:", "_From_:", "* * From:", "From **:", " " * 44 + "cc:"]
    for text in texts:
        assert bool(newpart._FIELD_LINE.match(text)) == bool(plain_field.match(text)), repr(text)
        assert bool(newpart._FROM_LINE.match(text)) == bool(plain_from.match(text)), repr(text)


class _CountingPattern:
    """A compiled pattern that counts its searches (the real pattern does the work)."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.searches = 0

    def search(self, *args):
        self.searches += 1
        return self.pattern.search(*args)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


@pytest.fixture
def fresh_caches():
    """The new part's per-text caches empty before and after: a test that counts or
    changes a pattern's searches leaves no cached answer behind for the next test."""

    def clear():
        for name in ("_wrote_end_segment", "_separator_words"):
            if hasattr(newpart, name):
                getattr(newpart, name).cache_clear()

    clear()
    yield
    clear()


@pytest.mark.usefixtures("fresh_caches")
def test_horde_attribution_lines_search_the_verbs_once_each(monkeypatch):
    # The attribution scan joins each line with up to two lines below it: each joined text
    # ends with a line whose own colon-free segment decides the verb search, searched once
    # (issue 14: 100,000 such lines took 3-9 s when each was searched for each join).
    counting = _CountingPattern(newpart._WROTE_END)
    monkeypatch.setattr(newpart, "_WROTE_END", counting)
    lines = [f"Zitat von Ann{i} <ann{i}@example.com>:" for i in range(300)]
    text = "Hello,\n\nplease help.\n\n" + "\n".join(lines) + "\n"
    assert newpart.split_reply(text, DEFAULT_SETTINGS).new_part.startswith("Hello,")
    assert 0 < counting.searches <= len(lines) + 5


def test_separator_words_are_searched_as_the_whole_search():
    rng = random.Random(16)
    pool = "- -- ---- _ = * ~ a a-b Message ORIGINAL wrote のメール : ： 転送 hat geschrieben ſent"
    pool = [*pool.split(), " ", "x" * 20]
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12))).strip()
        for within in (len(text), 80, 5, 0):
            expected = newpart._SEPARATOR_WORDS.search(text, 0, within) is not None
            assert newpart._separator_words(text, within) == expected, (text, within)


@pytest.mark.usefixtures("fresh_caches")
def test_repeated_hyphenated_separators_search_their_words_once(monkeypatch):
    counting = _CountingPattern(newpart._SEPARATOR_WORDS)
    monkeypatch.setattr(newpart, "_SEPARATOR_WORDS", counting)
    lines = ["---- a-b-c ----", "-----a-a-a-a-----"] * 200
    text = "Hello,\n\nplease help.\n\n" + "\n".join(lines) + "\n"
    assert newpart.split_reply(text, DEFAULT_SETTINGS).new_part.startswith("Hello,")
    assert 0 < counting.searches <= 2


def test_wrote_far_answers_as_the_whole_search():
    # _wrote_far searches its verbs only between the last colon or bracket before the
    # sender's address and that address: the same match as the search of the whole text.
    rng = random.Random(22)
    pool = (
        "Wiadomość napisana przez",
        "schrieb",
        "hat  geschrieben",
        "napisana\nprzez",
        " Ann ",
        "Ann",
        "<ann@example.com>",
        "<a@b>",
        "<",
        ">",
        "[2017-05-05 05:39]",
        " w dniu 03.03.2026, o godz. 10:00",
        "* ",
        "x" * 70,
    )
    texts = _texts(8000, seed=22) + [
        "".join(rng.choice(pool) for _ in range(rng.randint(1, 8))) + rng.choice(("", ":", "： "))
        for _ in range(8000)
    ]
    for text in texts:
        time_as_dot = newpart._TIME.sub(".", text)
        plain = newpart._WROTE_FAR.search(time_as_dot)
        match = newpart._wrote_far_search(time_as_dot)
        assert (match and match.span(), match and match.group("tail")) == (
            plain and plain.span(),
            plain and plain.group("tail"),
        ), repr(text)


class _WindowPattern:
    """A compiled pattern that records how many characters each search may try a match at
    (from its start position to its end position, one for a match; the real pattern does
    the work)."""

    def __init__(self, pattern, windows):
        self.pattern = pattern
        self.windows = windows

    def search(self, text, pos=0, endpos=None):
        end = len(text) if endpos is None else min(endpos, len(text))
        self.windows.append(end - pos)
        return self.pattern.search(text, pos, end)

    def match(self, *args):
        self.windows.append(1)
        return self.pattern.match(*args)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def test_mutt_attribution_lines_search_their_patterns_within_one_line(monkeypatch):
    # Mutt's attributions without a quote below them ("* Ann <a@x> [2017-05-05 05:39]:"):
    # each line is joined with the two below it and each join searched for a verb far from
    # the colon, tried at every character of the joined lines (issue 14: 2 MB of such lines
    # took 10 s). Such a verb stands before the sender's address, after the colon of the
    # line above: a search need try no more than the start of the last line (and the space
    # joining it). The verbs alone are searched first where this branch has them. A
    # verb-less attribution's address (_VERBLESS) is the last word before the colon.
    windows = []
    for name in ("_WROTE_FAR", "_FAR_VERB_SPACE", "_VERBLESS"):
        if hasattr(newpart, name):
            monkeypatch.setattr(newpart, name, _WindowPattern(getattr(newpart, name), windows))
    lines = [f"* Ann Lee{i} <ann{i}@example.com> [2017-05-05 05:39]:" for i in range(300)]
    text = "Hello,\n\nplease help.\n\n" + "\n".join(lines) + "\n"
    assert newpart.split_reply(text, DEFAULT_SETTINGS).new_part.startswith("Hello,")
    assert len(windows) >= len(lines)
    assert max(windows) <= len(" * Ann Lee299 ")


def test_verbless_answers_as_the_whole_search():
    # An address in brackets or bare, a ">" with spaces around it, before the final colon.
    pool = ("<ann@example.com>", "ann@example.com", "a@b", ">", " > ", "<", "x.y", "\u3000")
    pool = (*pool, "联系了")
    texts = _texts(6000, seed=23, fragments=pool)
    for text in [*texts, *(t + ":" for t in texts), *(t + " >：\u3000" for t in texts)]:
        plain = newpart._VERBLESS.search(text)
        match = newpart._verbless_search(text)
        assert (match and match.span()) == (plain and plain.span()), repr(text)
