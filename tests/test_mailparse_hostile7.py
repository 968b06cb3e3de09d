"""Bodies of many short lines (issue 14: lone CRs or "a" lines, 0.2-1 million lines in a
2 MB body): each line was read by every detector of the built-in cut. A line none of them
but the attribution's (and at a bare "To" label, the Notes table's) can open is now read
once per distinct line, and the lines below it once each. Work counted, not time."""

from mailparse import newpart
from test_mailparse_hostile6 import python_calls

N = 20_000


def _calls_per_line(lines: list[str]) -> tuple[float, int]:
    calls, cut = python_calls(newpart._builtin_cut, lines)
    return calls / len(lines), cut


def test_short_plain_lines_read_once_per_distinct_line():
    per_line, cut = _calls_per_line(["x"] * N)
    assert cut == -1
    assert per_line < 10, f"{per_line:.1f} calls a line of 'x'"


def test_bare_to_label_lines_read_once_each():
    # "a" is Spanish "To": each line was a Notes table's possible label, read with the
    # 8 lines below it
    per_line, cut = _calls_per_line(["a"] * N)
    assert cut == -1
    assert per_line < 18, f"{per_line:.1f} calls a line of 'a'"


NOTES = ["Ann Lee/ACME", "03/03/2026 10:00 AM", "To", "support@example.com", "Subject", "old"]
ATTRIBUTION = ["On Mon, 3 Mar 2026 at 10:00, Ann <a@b.c> wrote:", "", "old"]


def test_cuts_after_short_lines_unchanged():
    for filler in ("a", "x", "ok", "a\r"):
        for above in (0, 1, 2, 7, 8, 9, 50):
            # past _MANY_LINES lines (the lines after the cut too), each read the new way
            lines, tail = ["Hello"] + [filler] * above, ["x"] * newpart._MANY_LINES
            assert newpart._builtin_cut(lines + NOTES + tail) == len(lines), (filler, above)
            assert newpart._builtin_cut(lines + ATTRIBUTION + tail) == len(lines), (filler, above)
            # a "To" label line with a subject label further than the table's span
            far = lines + ["a"] + ["x"] * 8 + ["Subject"] + tail
            assert newpart._builtin_cut(far) == -1, (filler, above)


def test_bracketed_address_lines_read_only_as_attribution():
    # "<a@b.c>" ends as Gmail's attribution does: read as one, by no other detector
    per_line, cut = _calls_per_line(["<a@b.c>"] * N)
    assert cut == -1
    assert per_line < 90, f"{per_line:.1f} calls a line of '<a@b.c>'"
