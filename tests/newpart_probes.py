"""What the new-part tests of the unseen-mail classes share: a customer's text below a
line, an attribution above a quote (tests/test_mailparse_content14.py, _attack14.py), and
a plain reply's new part read through the whole parse (the over-cut attacks)."""

from email.message import EmailMessage

from mailparse import Settings, parse_message
from mailparse.newpart import split_reply

SETTINGS = Settings()

# A customer's own text: it must stay in the new part below any line of theirs.
BELOW = "Error 42 on tray 2, then the paper jams.\nPlease send a technician.\n"


def new_part_below(greeting, line):
    """The new part of a reply whose ``line`` is followed by the customer's text."""
    return split_reply(f"{greeting}\n\n{line}\n{BELOW}", SETTINGS).new_part


def new_part_above(attribution):
    """The new part of a short reply above ``attribution`` and its quote."""
    text = f"Thanks, it works.\n\n{attribution}\n\n> Does the printer work now?\n"
    return split_reply(text, SETTINGS).new_part


def parsed_reply(body: str, message_id: str, sender="Tom Baker <tom@customer.example>",
                 subject="Re: ticket"):  # fmt: skip
    """A plain-text reply ``body`` as ``parse_message`` reads it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return parse_message(msg.as_bytes(), SETTINGS)


def flat(text: str) -> str:
    """``text`` with its whitespace made single spaces."""
    return " ".join(text.split())


def parsed_new_part(body: str, message_id: str) -> str:
    """The new part of a plain-text reply ``body`` read by ``parse_message``, its
    whitespace made single spaces."""
    return flat(parsed_reply(body, message_id).new_part_text)
