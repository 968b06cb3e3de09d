"""Ticket references found in a subject by the inbox's title pattern."""

from .pcre import compile_pcre


def title_refs(subject: str, title_pattern: str) -> list[str]:
    """iTop 3.x semantics: the full match first, then each group, de-duplicated.

    ``title_refs("Re: R-000123 broken", "/R-([0-9]{6})/") == ["R-000123", "000123"]``.
    Raises :class:`~mailparse.errors.PatternError` when the pattern does not compile.
    """
    regex = compile_pcre(title_pattern)
    # Without the end spaces a sender encoded (kept in the subject): an anchored pattern
    # matches as it did when the subject was read without them.
    match = regex.search((subject or "").strip())
    if not match:
        return []
    refs: list[str] = []
    for value in (match.group(0), *match.groups()):
        if value and value not in refs:
            refs.append(value)
    return refs
