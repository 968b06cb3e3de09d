"""Attacks on the hostile-input bounds of issue 14 (branch hostile6)."""

import sys

from mailparse.htmlquote import new_part_html
from mailparse.settings import DEFAULT_SETTINGS


def _work(markup: str) -> int:
    """Python calls (lxml's element-class hook included) to read the new part of ``markup``."""
    count = 0

    def profile(_frame, event, _arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        new_part_html(markup, DEFAULT_SETTINGS)
    finally:
        sys.setprofile(None)
    return count


def test_trailing_empty_elements_are_trimmed_without_reading_the_body_again():
    # The new part's trailing rules, breaks and empty blocks were dropped one at a time, the
    # whole body walked again to find each next last element (up to 200 times): 2 MB of
    # "<li>" (each an empty element at the end) took 50 s. The next last element is found
    # from the one removed.
    def build(n):
        return "<p>Hello, please help.</p>" + "<p>text</p>" * n + "<br><p></p>" * (n // 4)

    small, large = _work(build(300)), _work(build(600))  # 75 and 150 trailing pairs
    assert large / small < 2.4, f"work grew {large / small:.2f}x for twice the elements"
    kept = new_part_html(build(300), DEFAULT_SETTINGS)
    assert kept.endswith("<p>text</p>") and kept.count("<p>text</p>") == 300, kept[-80:]
    markup = "<p>Hi</p><div><p>x</p><div><br><p> </p></div>\n</div>"
    nested = new_part_html(markup, DEFAULT_SETTINGS)
    assert nested == "<p>Hi</p><div><p>x</p>\n</div>", nested
