"""PHP PCRE strings, ticket references and the iTop-named settings."""

import re

import pytest
from mailparse import (
    PatternError,
    Settings,
    SettingsError,
    compile_pcre,
    parse_dimensions,
    parse_size,
    title_refs,
)
from mailparse.pcre import translate
from mailparse.settings import ITOP_BROKEN_DEFAULT, ITOP_MULTILINE_DELIMITER_PATTERNS


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("/R-([0-9]{6})/", "Re: R-000123 broken", "R-000123"),
        ("/r-(\\d+)/i", "Re: R-42", "R-42"),
        (
            "|^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} .+:$|",
            "2024/01/02 John <j@x.org>:",
            "2024/01/02 John <j@x.org>:",
        ),
        ("#^on .+ wrote:$#i", "On Monday, Bob wrote:", "On Monday, Bob wrote:"),
        ("{ab+c}", "xxabbbc", "abbbc"),
        ("R-\\d+", "see R-7", "R-7"),  # no delimiters: a bare regex
        ("/a\\h+b/", "a \t b", "a \t b"),
        ("/x\\Q.*\\Ey/", "x.*y", "x.*y"),
        ("/\\x{263A}/u", "smile ☺", "☺"),
        ("/(?<num>\\d+)-\\k<num>/", "12-12", "12-12"),
    ],
)
def test_compile_pcre_matches_like_php(pattern, text, expected):
    assert compile_pcre(pattern).search(text).group(0) == expected


def test_backslash_r_matches_every_newline_kind():
    regex = compile_pcre("/\\RFrom: .+\\RSent: .+\\R/m")
    for newline in ("\n", "\r\n", "\r"):
        text = f"Hi{newline}From: a{newline}Sent: b{newline}rest"
        assert regex.search(text).start() == 2


def test_flags_multiline_and_dotall():
    assert compile_pcre("/^b$/m").search("a\nb\nc")
    assert not compile_pcre("/^b$/").search("a\nb\nc")
    assert compile_pcre("/a.b/s").search("a\nb")
    assert compile_pcre("/a$/D").search("a\n") is None
    assert compile_pcre("/a$/").search("a\n")


@pytest.mark.parametrize(
    "pattern", ["/R-(\\d+)/U", "/x/q", ITOP_BROKEN_DEFAULT, "/(unclosed/", "", "/a\\Kb/"]
)
def test_bad_patterns_raise_pattern_error(pattern):
    with pytest.raises(PatternError):
        compile_pcre(pattern)


def test_title_refs_full_match_then_groups_deduplicated():
    assert title_refs("Re: R-000123 broken", "/R-([0-9]{6})/") == ["R-000123", "000123"]
    assert title_refs("[Ticket#42] help", "/Ticket#(\\d+)/") == ["Ticket#42", "42"]
    assert title_refs("R-1 R-2", "/R-(1)/") == ["R-1", "1"]
    assert title_refs("nothing here", "/R-([0-9]{6})/") == []
    assert title_refs("", "/R-([0-9]{6})/") == []
    with pytest.raises(PatternError):
        title_refs("R-000123", "/R-(/")


@pytest.mark.parametrize(
    ("text", "value"),
    [("10M", 10485760), ("0", 0), ("100K", 102400), ("2G", 2147483648), ("512", 512), (7, 7)],
)
def test_parse_size(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["ten", "10X", "-1", "1.5.2M"])
def test_parse_size_rejects(text):
    with pytest.raises(SettingsError):
        parse_size(text)


def test_parse_dimensions():
    assert parse_dimensions("100x20") == (100, 20)
    assert parse_dimensions("100×20") == (100, 20)
    assert parse_dimensions(" 1000 X 1000 ") == (1000, 1000)
    assert parse_dimensions("") is None
    assert parse_dimensions(None) is None
    with pytest.raises(SettingsError):
        parse_dimensions("100")


def test_defaults_are_itops():
    settings = Settings()
    assert settings.body_parts_order == ("text/html", "text/plain")
    assert settings.exclude_attachment_types == ("application/exe",)
    assert settings.maximum_email_size == 10 * 1024 * 1024
    assert settings.images_minimum_size == (100, 20)
    assert settings.images_maximum_size is None
    assert "/^on .+ wrote:$/i" in settings.introductory_patterns
    assert "/^Out Of Office/i" in settings.undesired_subject_patterns
    for pattern in (
        *settings.introductory_patterns,
        *settings.multiline_delimiter_patterns,
        *settings.undesired_subject_patterns,
    ):
        compile_pcre(pattern)


def test_from_itop_converts_itop_names_and_ignores_unknown_keys():
    settings = Settings.from_itop(
        {
            "body_parts_order": "text/plain, text/html",
            "maximum_email_size": "3M",
            "images_minimum_size": "50x10",
            "images_maximum_size": "1000x1000",
            "introductory-patterns": "/^x/i\n/^y/",
            "multiline-delimiter-patterns": [
                *ITOP_MULTILINE_DELIMITER_PATTERNS,
                ITOP_BROKEN_DEFAULT,
            ],
            "exclude_attachment_types": ["application/exe", "application/x-*"],
            "use_message_id_as_uid": "true",
            "periodicity": 30,
        }
    )
    assert settings.body_parts_order == ("text/plain", "text/html")
    assert settings.maximum_email_size == 3 * 1024 * 1024
    assert settings.images_minimum_size == (50, 10)
    assert settings.images_maximum_size == (1000, 1000)
    assert settings.introductory_patterns == ("/^x/i", "/^y/")
    assert settings.multiline_delimiter_patterns == ITOP_MULTILINE_DELIMITER_PATTERNS
    assert settings.exclude_attachment_types == ("application/exe", "application/x-*")
    assert settings.use_message_id_as_uid is True


@pytest.mark.parametrize(
    "mapping",
    [
        {"maximum_email_size": "lots"},
        {"images_minimum_size": "big"},
        {"undesired-subject-patterns": ["/ok/", "/bad(/"]},
        {"title_pattern": "/R-(\\d+)/U"},
        {"body_parts_order": ""},
        {"use_message_id_as_uid": "maybe"},
    ],
)
def test_from_itop_rejects_bad_values(mapping):
    with pytest.raises(SettingsError):
        Settings.from_itop(mapping)


_ALTERNATION_R = r"(?:\r\n|[\n\x0b\x0c\r\x85\u2028\u2029])"  # \R as first translated


@pytest.mark.parametrize(
    "pattern",
    ["\\R", "a\\R", "\\Rb", "a\\R+b", "a\\R{2}b", "a\\R?b", "(\\R)(\\R)", "\\R\\R?\\R", "^\\R$"],
)
def test_backslash_r_matches_as_the_alternation_did(pattern):
    # \R is translated with its class first so that a search skips to the line breaks; every
    # match (span and groups, quantified, CRLF split by backtracking) is the alternation's.
    texts = [
        "a\r\nb",
        "a\r\n\r\nb",
        "a\n\rb",
        "a\r\rb",
        "a\n\nb",
        "a\r\n\nb",
        "\r\n",
        "\r",
        "x\x0b\x0cy\x85\u2028\u2029z",
        "a\r\n\r\r\n\nb\n",
        "ab",
    ]
    for flags in ("", "m", "i", "x", "s"):
        new = compile_pcre(f"/{pattern}/{flags}")
        old = re.compile(
            translate(pattern, dollar_end_only=False).replace(
                compile_pcre("/\\R/").pattern, _ALTERNATION_R
            ),
            new.flags,
        )
        assert new.pattern != old.pattern
        for text in texts:
            found = [(m.span(), m.groups()) for m in new.finditer(text)]
            assert found == [(m.span(), m.groups()) for m in old.finditer(text)], (pattern, text)
