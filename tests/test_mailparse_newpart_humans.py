"""New part: a customer's sentence that opens like a client's footer is the customer's
(issue 14, over-cuts: the worst failure for a helpdesk, the caller's words lost).

"Sent from my iPhone but it bounced back" is a sentence about the mail, not a device's
footer: it goes on with a clause (a conjunction, a negation, a pronoun, a verb) that no
client's footer holds. Written for the class in 14 languages, in the three places such a
line cuts when read as a footer or a mobile client's separator: the last line, the line
above the quoted message, a line followed by more of the customer's text.
"""

from email.message import EmailMessage

import pytest
from mailparse import Settings, parse_message

SETTINGS = Settings()
QUOTE = "On Tue, Mar 3, 2026 at 10:00 AM Ann Lee <ann@x.example> wrote:\n> Hello,\n> restart it.\n"


def new_part(body: str, html: str = "") -> str:
    msg = EmailMessage()
    msg["From"] = "Tom Baker <tom@customer.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Re: ticket"
    msg["Message-ID"] = "<humans@customer.example>"
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    return " ".join(parse_message(msg.as_bytes(), SETTINGS).new_part_text.split())


def words(text: str) -> str:
    return " ".join(text.split())


# A footer's opening words, then what the customer says about that mail.
FOOTER_LIKE_SENTENCES = [
    "Sent from my iPhone but it bounced back",
    "Sent from my iPhone is what it says but nothing arrives",
    "Sent via Outlook but it bounced back",
    "Sent from Outlook and it never arrived",
    "Sent with my Android phone and nothing came",
    "Sent from my mobile device yesterday and it was rejected",
    "Sent from my Windows laptop it works fine",
    "Get Outlook for Android does not install",
    "Get Outlook for iOS then it crashes",
    "Envoyé de mon iPhone mais le message revient",
    "Gesendet von meinem iPhone aber nichts kam an",
    "Enviado desde mi iPhone pero no llega",
    "Inviato da iPhone ma non arriva",
    "Verzonden vanaf mijn iPhone maar het komt niet aan",
    "Enviado do meu iPhone mas não chega",
    "Отправлено с iPhone но письмо не доходит",
    "Wysłane z iPhone ale nie dochodzi",
    "Skickat från min iPhone men det kommer inte fram",
    "Sendt fra min iPhone men den kommer ikke frem",
    "Sendt fra min iPad men den kom aldri fram",
]


@pytest.mark.parametrize("line", FOOTER_LIKE_SENTENCES)
def test_footer_like_last_line_is_kept(line):
    body = f"Hi,\n\nthe invoice mail fails.\n{line}\n"
    assert new_part(body) == words(body)


@pytest.mark.parametrize("line", FOOTER_LIKE_SENTENCES)
def test_footer_like_line_with_text_below_is_kept(line):
    body = f"Hi,\n\n{line}\nPlease help, order 4411.\n"
    assert new_part(body) == words(body)


@pytest.mark.parametrize("line", FOOTER_LIKE_SENTENCES)
def test_footer_like_line_above_the_quote_is_kept(line):
    body = f"Hi,\n\n{line}\n\n{QUOTE}"
    assert new_part(body) == words(f"Hi, {line}")


# The clients' own footers still go, on the last line and above the quoted message.
DEVICE_FOOTERS = [
    "Sent from my iPhone",
    "Sent from my Samsung Galaxy smartphone",
    "Sent from Yahoo Mail on Android",
    "Sent from Mail for Windows",
    "Envoyé de mon iPhone",
    "Von meinem iPhone gesendet",
    "Gesendet von meinem Android",
    "Enviado desde mi iPhone",
    "Inviato da iPhone",
    "Verzonden vanaf mijn iPhone",
    "Enviado do meu iPhone",
    "Отправлено с iPhone",
    "Wysłane z iPhone'a",
    "Skickat från min iPhone",
    "Sendt fra min iPhone",
    "Get Outlook for iOS",
]


@pytest.mark.parametrize("footer", DEVICE_FOOTERS)
def test_device_footer_still_cut(footer):
    assert (
        new_part(f"Hi,\n\nthe invoice mail fails.\n\n{footer}\n") == "Hi, the invoice mail fails."
    )
    body = f"Hi,\n\nthe invoice mail fails.\n\n{footer}\n\n{QUOTE}"
    assert new_part(body) == "Hi, the invoice mail fails."
