"""Automated mail: auto-replies, bounces, feedback reports, bulk mail, loops.

iTop's ``undesired-subject-patterns`` first, then headers: RFC 3834 ``Auto-Submitted``,
``X-Autoreply``/``X-Autorespond``, ``Precedence`` bulk/junk/list, ``X-Auto-Response-Suppress``,
``X-Loop``, empty ``Return-Path``, mailer-daemon/postmaster senders, ``multipart/report``
(delivery-status, feedback-report), and well-known bounce/auto-reply subjects.
"""

import ipaddress
import logging
import re
from dataclasses import dataclass

from .errors import PatternError
from .pcre import compile_pcre

_logger = logging.getLogger(__name__)


@dataclass
class Automated:
    kind: str  # auto_reply | bounce | feedback_report | bulk | loop | undesired_subject
    reason: str


_DAEMON = re.compile(
    r"^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|mailerdaemon|mail\.daemon|"
    r"mail-delivery-subsystem|mailer|bounce|bounces|no-reply-bounce|"
    r"microsoftexchange[0-9a-f]*|mdaemon)(?:[+=.-][^@]*)?@",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(
    r"mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|"
    r"mail administrator|delivery status notification",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^(?:(?:fw|fwd|re):\s*)?(?:"
    r"undeliver(?:ed|able)|delivery (?:status notification|failure|failed|has failed|"
    r"notification|report)|returned mail|mail delivery failed|failure notice|"
    r"non[- ]?delivery|message not delivered|delivery status|could not send message|"
    r"mail system error|warning: could not send|returned to sender|message delivery failure|"
    r"unzustellbar|nicht zustellbar|non remis|non distribuable|échec de la remise|"
    r"no se puede entregar|não entregue|mail could not be delivered|rejected|"
    r"delayed mail|delivery delayed|undelivered mail returned to sender|"
    r"nondeliverable|permanent error|mail failure|error sending message|"
    r"email address (?:possibly )?(?:incorrect|not found)|message (?:rejected|bounced)|"
    r"benachrichtung|zustellung|spam|quota)",
    re.IGNORECASE,
)
# A list server's own address (Mailman, Sympa, ezmlm, fml, Majordomo, LISTSERV): moderation
# notices, "not a member" rejections, subscription confirmations. Only with a list server's
# header: a person's mailbox may be named "purchase-request".
_LIST_ROBOT = re.compile(
    r"^(?:[^@]+-(?:admin|owner|request|bounces?|confirm|ctl|help)|owner-[^@]+|"
    r"listserv|majordomo|sympa|mailman|ezmlm|fml)(?:[+=][^@]*)?@",
    re.IGNORECASE,
)
_LIST_SERVER_HEADERS = (
    "list-id",
    "mailing-list",
    "x-mailman-version",
    "x-ml-server",
    "x-mlserver",
    "x-ml-name",
    "x-sympa-version",
    "x-listserver",
    "x-list-administrivia",
    "x-ezmlm-version",
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^(?:auto(?:matic)?[- ]?(?:reply|response|answer|antwort)|out of (?:the )?office|"
    r"absence|abwesenheit|réponse automatique|respuesta automática|risposta automatica|"
    r"automatisch antwoord|resposta automática|autosvar|automatisk svar|poza biurem|"
    r"автоответ|不在|自動応答|自动回复|on vacation|vacation reply|away from)",
    re.IGNORECASE,
)


def detect_automated(
    headers: dict,
    *,
    subject: str,
    from_email: str,
    from_name: str,
    content_type: str,
    report_type: str,
    undesired: tuple = (),
    body_start: str = "",
    forwarded_only: bool = False,
) -> Automated | None:
    """Return why a message is automated, or None. ``headers`` is lower-case name -> value;
    ``body_start``: the first characters of a plain-text body (machine-readable notices);
    ``forwarded_only``: the message is nothing but attached messages (no text of its own)."""
    # The admin's patterns read the subject without its end spaces, as they always did
    # (the subject keeps the ones its sender encoded; "/^...$/" must still match).
    for pattern in undesired:
        try:
            if compile_pcre(pattern).search((subject or "").strip()):
                return Automated("undesired_subject", f"subject matches {pattern}")
        except PatternError as exc:
            _logger.warning("undesired-subject pattern skipped: %s", exc)
    found = _by_structure(content_type, report_type)
    if found:
        return found
    found = _by_headers(headers)
    if found:
        return found
    found = _by_json_notice(body_start) or _by_report_alone(subject, forwarded_only)
    if found:
        return found
    return _by_sender(headers, subject, from_email, from_name)


def _by_structure(content_type: str, report_type: str) -> Automated | None:
    if content_type != "multipart/report":
        return None
    report = (report_type or "").lower()
    if report == "feedback-report":
        return Automated("feedback_report", "multipart/report; report-type=feedback-report")
    if report == "disposition-notification":
        return Automated("auto_reply", "read receipt (disposition-notification)")
    return Automated("bounce", f"multipart/report; report-type={report or 'unknown'}")


# Amazon SES event notifications mailed through SNS: a JSON document whose (escaped) message
# says "notificationType": "Bounce" / "Complaint". Only a body that IS the JSON document: a
# person quoting one writes words above it.
_JSON_NOTICE = re.compile(r'notificationType\\*"\s*:\s*\\*"(Bounce|Complaint)\\*"')


def _by_json_notice(body_start: str) -> Automated | None:
    if not body_start.lstrip().startswith("{"):
        return None
    match = _JSON_NOTICE.search(body_start)
    if not match:
        return None
    kind = "bounce" if match.group(1) == "Bounce" else "feedback_report"
    return Automated(kind, f"JSON notification ({match.group(1)})")


def _by_headers(headers: dict) -> Automated | None:
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        kind = "auto_reply" if "replied" in auto_submitted else "bulk"
        return Automated(kind, f"Auto-Submitted: {auto_submitted}")
    for name in (
        "x-autoreply",
        "x-autorespond",
        "x-autoresponder",
        "x-autogenerated",
        "x-auto-reply",
        "x-mail-autoreply",
    ):
        value = headers.get(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return Automated("auto_reply", f"{name}: {value.strip()}"[:200])
    if headers.get("x-ms-exchange-inbox-rules-loop") or headers.get(
        "x-ms-exchange-generated-message-source"
    ):
        return Automated("auto_reply", "Exchange rule-generated message")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        kind = "auto_reply" if "auto" in precedence else "bulk"
        return Automated(kind, f"Precedence: {precedence}")
    suppress = headers.get("x-auto-response-suppress", "").strip().lower()
    if suppress and suppress not in ("none",):
        # Sent by Exchange on its own automatic mail (OOF, DR, RN, NRN, AutoReply, All).
        tokens = {t.strip() for t in re.split(r"[,\s]+", suppress) if t.strip()}
        if tokens & {"all", "oof", "autoreply", "dr", "ndr", "rn", "nrn"}:
            return Automated("bulk", f"X-Auto-Response-Suppress: {suppress}"[:200])
    if headers.get("x-loop"):
        return Automated("loop", f"X-Loop: {headers['x-loop'].strip()}"[:200])
    if headers.get("x-failed-recipients"):
        return Automated("bounce", "X-Failed-Recipients present")
    if "return-path" in headers and headers["return-path"].strip() in ("<>", ""):
        return Automated("bounce", "empty Return-Path <>")
    if headers.get("list-id") or headers.get("list-unsubscribe"):
        return None  # mailing lists are human mail in this corpus sense; see Precedence
    return None


# Feedback loops that do not use ARF (Outlook.com's JMRP and the like) send the reported
# message as the report's only part, under a subject naming the address of the host that
# sent it: "complaint about message from 203.0.113.7". A person's complaint to an abuse
# desk may name an address too, but says something of its own: only the bare report is
# automated.
_COMPLAINT_SUBJECT = re.compile(
    r"^(?:abuse|spam|junk(?:\s+mail)?|complaint|feedback)(?:\s+(?:report|complaint))?\s+"
    r"(?:about|for|on|regarding|re)\s+(?:an?\s+|the\s+)?(?:message|mail|e-?mail)s?\s+from\s+"
    r"\[?([0-9a-f.:]{2,45})\]?\s*$",
    re.IGNORECASE,
)


def _names_a_host(subject: str) -> bool:
    match = _COMPLAINT_SUBJECT.match(subject)
    if not match:
        return False
    try:
        address = ipaddress.ip_address(match.group(1))
    except ValueError:
        return False
    return not address.is_unspecified


def _by_report_alone(subject: str, forwarded_only: bool) -> Automated | None:
    if forwarded_only and _names_a_host((subject or "").strip()):
        return Automated("feedback_report", f"complaint report {subject.strip()}"[:200])
    return None


def _own_sender(headers: dict) -> bool:
    """Whether the mail names a sender address of its own (From, Sender or Reply-To): a
    caller read from the Return-Path alone is the envelope sender a relay wrote, as
    good as none for a notice (a bounce a relay sent with a null or missing From)."""
    return any("@" in headers.get(name, "") for name in ("from", "sender", "reply-to"))


def _by_sender(headers: dict, subject: str, from_email: str, from_name: str) -> Automated | None:
    if from_email and _DAEMON.match(from_email):
        return Automated("bounce", f"sender {from_email}")
    if from_name and _DAEMON_NAME.search(from_name):
        return Automated("bounce", f"sender name {from_name}"[:200])
    if (
        from_email
        and _LIST_ROBOT.match(from_email)
        and any(name in headers for name in _LIST_SERVER_HEADERS)
    ):
        return Automated("bounce", f"mailing-list server notice from {from_email}"[:200])
    subject = (subject or "").strip()
    if _AUTO_REPLY_SUBJECT.match(subject):
        return Automated("auto_reply", f"auto-reply subject {subject}"[:200])
    if _BOUNCE_SUBJECT.match(subject) and (
        not from_email
        or not _own_sender(headers)
        or "noreply" in from_email
        or "no-reply" in from_email
        or headers.get("content-type", "").lower().startswith("multipart/report")
        or re.search(
            r"undeliver|delivery|returned mail|failure notice|nicht zustellbar", subject, re.I
        )
    ):
        return Automated("bounce", f"bounce subject {subject}"[:200])
    return None
