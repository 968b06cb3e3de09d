"""Hostile shapes left after hostile7 (issue 14: every message in under 5 s, mail up to
10 MB reaches the parser). Work counted (Python calls, lines or tags read), not time."""

from mailparse import newpart
from test_mailparse_hostile6 import python_calls

N = 20_000


def _calls_per_line(lines: list[str]) -> tuple[float, int]:
    calls, cut = python_calls(newpart._builtin_cut, lines)
    return calls / len(lines), cut


def test_lines_no_join_of_which_ends_an_attribution_are_not_joined():
    # "<a@b.c>" ends with a bracket: only Gmail's dated form ("2013/7/20 Ann <a@x>") ends
    # so, and it opens with a date; each line was joined with the one and two lines below
    # it and every join read as an attribution (87 calls a line)
    for line in ("<a@b.c>", "Ann <a@b.c>"):
        per_line, cut = _calls_per_line([line] * N)
        assert cut == -1
        assert per_line < 45, f"{per_line:.1f} calls a line of {line!r}"


def test_attributions_ending_with_a_bracket_a_verb_or_a_colon_still_cut():
    for attribution in (
        ["2013/7/20 Ann via Helpdesk <helpdesk@example.com>"],
        ["2013/7/20 Ann via Helpdesk", "<helpdesk@example.com>"],
        ["On Mon, 3 Mar 2026 10:00 Ann Lee <a@b.c> wrote"],
        ["Am 03.03.2026 um 10:00 schrieb Ann <a@b.c>:"],
        ["Ann Lee <a@b.c>", "napisał(a):"],
    ):
        for tail in ([], ["x"] * newpart._MANY_LINES):
            lines = ["Hello"] + attribution + tail
            assert newpart._builtin_cut(lines) == 1, (attribution, len(tail))
            quoted = ["Hello"] + attribution + ["> old"]
            assert newpart._attribution_at(quoted, 1) == len(attribution), attribution
