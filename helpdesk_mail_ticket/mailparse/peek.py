"""A peek at an email's header block: Message-ID, Subject, From and Date, for a message
the ledger sets aside before parsing it in full (its parsing may be what kills the
process, or it is too big): the admin still sees what it is, and its Message-ID keys it.

Decoded as :func:`mailparse.parse_message` decodes them (one decoder:
:func:`mailparse.headers.decode_words`); never raises; reads at most ``MAX_PEEK`` bytes.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from .headers import parse_date, parse_ids
from .loader import header_block, header_start, load_message
from .parse import _charset_hint, _first, _raw_fields, read_caller, read_subject

_logger = logging.getLogger(__name__)

MAX_PEEK = 256 * 1024  # bytes of the message read for its header block


@dataclass(frozen=True)
class HeaderPeek:
    """What the header block says; empty strings and None when it says nothing."""

    message_id: str = ""
    subject: str = ""
    email_from: str = ""
    date: datetime | None = None  # naive UTC, as Odoo stores datetimes


def peek_headers(raw):
    """The :class:`HeaderPeek` of ``raw`` (bytes of a message or of its header block).
    NUL characters, which a hostile header may carry, are dropped."""
    try:
        raw = bytes(raw[:MAX_PEEK])
        raw = raw[header_start(raw) :]
        block = header_block(raw)
        message = load_message(block)
        hint = _charset_hint(message, block)
        fields = _raw_fields(message)
        ids = parse_ids(_first(fields, "message-id"))
        date = parse_date(_first(fields, "date"))
        return HeaderPeek(
            message_id=_clean(ids[0] if ids else ""),
            subject=_clean(read_subject(fields, hint)),
            email_from=_clean(read_caller(fields, hint)[0]),
            date=date.replace(tzinfo=None) if date else None,
        )
    except Exception:  # the headers of a poison message: anything may be in them
        _logger.warning("Unreadable header block", exc_info=True)
        return HeaderPeek()


def _clean(text):
    return text.replace("\x00", "")
