"""Attacks on the zammad branch's parser changes (text after </html>, spaces kept in file
names, comments beside a display name, reports named by their description): mail where
the new rules must not lose or corrupt what an agent needs, nor open a hole."""

import pytest
from mailparse import parse_message
from test_mailparse_helpdesk_classes import _bounce, _html_mail, _names, _sender
from test_mailparse_name_address import _caller, _caller_replied

# --- a parenthesis that is no comment beside the name ------------------------------------
# A "(" that opens no closed comment (one holding a bracket, nested, unbalanced) is text:
# taken for a comment, it was blanked and the bracket inside it became the caller.


@pytest.mark.parametrize(
    "field",
    [
        b"(CEO <ceo@acme.example>) <mailer@elsewhere.example>",
        b"Ann (see <ceo@acme.example>) <mailer@elsewhere.example>",
    ],
)
def test_a_bracket_inside_parentheses_never_becomes_the_caller(field):
    address, _name, peeked = _caller(field)
    assert (address, peeked) == ("mailer@elsewhere.example", "mailer@elsewhere.example")


def test_a_nested_comment_goes_whole_from_the_name():
    assert _sender(b"Ann Lee (Sales (EU)) <ann@customer.example>") == (
        "Ann Lee",
        "ann@customer.example",
    )


@pytest.mark.parametrize(
    "field",
    [
        b"Ann (x@evil.example) <ann@customer.example>",
        b"(x@evil.example) <ann@customer.example>",
        b'(\\"x@evil.example\\") <ann@customer.example>',
    ],
)
def test_an_address_in_a_comment_is_never_the_caller(field):
    address, _name, peeked = _caller(field)
    assert (address, peeked) == ("ann@customer.example", "ann@customer.example")


# A web form's mailer that writes the visitor's address in a comment beside the visitor's
# name, and the visitor in Reply-To: the comment is no part of the name, but it is what the
# From says, and the Reply-To confirms it: the visitor is the caller, as before.
@pytest.mark.parametrize(
    "from_field",
    [
        b"Ann Lee (visitor@mail.example) <wordpress@shop.example>",
        b"Ann Lee (Visitor@Mail.example) via Contact <noreply@forms.example>",
    ],
)
def test_the_reply_to_confirming_an_address_in_a_comment_is_the_caller(from_field):
    address, _name, peeked = _caller_replied(from_field, b"visitor@mail.example")
    assert (address, peeked) == ("visitor@mail.example", "visitor@mail.example")


def test_an_address_in_a_comment_no_reply_to_confirms_is_not_the_caller():
    address, _name, peeked = _caller_replied(
        b"Ann Lee (visitor@mail.example) <wordpress@shop.example>", b"other@mail.example"
    )
    assert (address, peeked) == ("wordpress@shop.example", "wordpress@shop.example")


def test_parentheses_inside_quotes_and_encoded_words_stay_text():
    assert _sender(b'"Smith (Sales)" <s@x.example>') == ("Smith (Sales)", "s@x.example")
    assert _sender(b"=?utf-8?Q?=28Sales=29?= <s@x.example>") == ("(Sales)", "s@x.example")
    assert _sender(b"Ann <ann(home)@customer.example>") == ("Ann", "ann@customer.example")


# --- text after </html> ---------------------------------------------------------------------


def test_a_second_document_after_the_first_leaks_no_head_into_the_text():
    parsed = parse_message(
        _html_mail(
            "<html><body><p>Dear team,</p></body></html>\n<html><head><title>JunkTitle</title>"
            "<style>p{color:red}</style><script>var s='x';</script></head>"
            "<body><p>Disclaimer</p></body></html>"
        )
    )
    for text in (parsed.body_text, parsed.new_part_text):
        assert "Dear team" in text and "Disclaimer" in text
        assert "JunkTitle" not in text and "color" not in text and "var s" not in text


def test_an_end_tag_in_a_comment_leaves_a_finished_document_as_it_is():
    markup = "<html><body><p>Dear team,</p><!-- </html> old --></body></html>\n"
    assert parse_message(_html_mail(markup)).body_html == markup


def test_a_quote_before_the_appended_text_is_still_cut():
    parsed = parse_message(
        _html_mail(
            "<html><body><div>New text here</div><div class='gmail_quote'>On Mon, Bob wrote:"
            "<blockquote>old stuff</blockquote></div></body></html>\n<div>Appended note</div>"
        )
    )
    assert "old stuff" not in parsed.new_part_text
    assert "New text here" in parsed.new_part_text


def test_much_text_after_the_end_is_read_once():
    junk = "<div>line of text</div>\n" * 20000
    parsed = parse_message(_html_mail("<html><body><p>Dear</p></body></html>\n" + junk))
    assert parsed.body_text.count("line of text") == 20000


# --- spaces in file names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        (b'Content-Type: application/pdf; name="  a.pdf  "\n', "a.pdf"),
        (b'Content-Type: application/pdf; name="a\tb.pdf"\n', "a b.pdf"),
        (b"Content-Type: application/pdf; name==?utf-8?Q?a=0Ab.pdf?=\n", "a b.pdf"),
        (b"Content-Type: application/pdf; name==?utf-8?Q?a=01=7Fb.pdf?=\n", "ab.pdf"),
        (b'Content-Type: application/pdf; name="..\\\\  x.pdf"\n', "x.pdf"),
        (b'Content-Type: application/pdf; name="a  /  b.pdf"\n', "b.pdf"),
    ],
)
def test_a_file_name_with_spaces_is_still_safe(header, name):
    assert _names(header) == [name]


def test_a_name_of_spaces_only_gets_the_default_name():
    (name,) = _names(b'Content-Type: application/pdf; name="     "\n')
    assert name.strip() and name.endswith(".pdf")


def test_spaces_before_a_dangerous_extension_do_not_hide_it():
    raw = (
        b"From: ann@customer.example\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nHi\n"
        b'--XX\nContent-Type: application/octet-stream; name="invoice.pdf'
        + b" " * 300
        + b'.exe"\n\nMZ\n--XX--\n'
    )
    (attachment,) = parse_message(raw).attachments
    assert attachment.filename.endswith(".exe") and len(attachment.filename) <= 255
    assert not attachment.kept


def test_an_encoded_forwarded_subject_is_a_safe_eml_name():
    raw = (
        b"From: ann@customer.example\nSubject: Fwd\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=XX\n\n"
        b"--XX\nContent-Type: text/plain\n\nSee below.\n"
        b"--XX\nContent-Type: message/rfc822\n\n"
        b"From: bob@vendor.example\nSubject: =?utf-8?Q?=2E=2E/a__b=09c=0A:d?=\n\nAttached.\n"
        b"--XX--\n"
    )
    assert [a.filename for a in parse_message(raw).attachments] == ["a  b c _d.eml"]


# --- a report part named by its description ---------------------------------------------------


@pytest.mark.parametrize(
    ("description", "names"),
    [
        (b"report.exe", ["Undelivered Message.eml", "report.exe.txt"]),
        (b"", ["Undelivered Message.eml", "delivery-status.txt"]),
        (b"    ", ["Undelivered Message.eml", "delivery-status.txt"]),
        (b"=?utf-8?Q?Zustellbericht?=", ["Undelivered Message.eml", "Zustellbericht.txt"]),
        (b"a\\b", ["Undelivered Message.eml", "delivery-status.txt"]),
        (b"Delivery\n report", ["Delivery report.txt", "Undelivered Message.eml"]),
        (b"=?utf-8?Q?a=0Ab?=", ["Undelivered Message.eml", "a b.txt"]),
        (b"...", ["Undelivered Message.eml", "delivery-status.txt"]),
    ],
)
def test_a_report_description_is_made_a_safe_name(description, names):
    raw = _bounce(
        b"Content-Description: " + description + b"\n",
        b"Content-Description: Undelivered Message\n",
        b"From: desk@helpdesk.example\nTo: bob@x.example\n\nHello Bob\n",
    )
    assert sorted(a.filename for a in parse_message(raw).attachments) == names


def test_a_description_on_an_ordinary_part_names_nothing_new():
    assert _names(b"Content-Type: application/pdf\nContent-Description: Invoice\n")[0] != (
        "Invoice.txt"
    )
