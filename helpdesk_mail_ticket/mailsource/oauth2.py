"""The OAuth2 token client of XOAUTH2 logins: renew an access token (RFC 6749 section 6).

mailsource takes an access token, it does not fetch one; this module is what fetches it
from a standard token endpoint, for whoever stores the tokens (the inbox model). It uses
``requests`` (a dependency of Odoo), the one module of mailsource that does: the package
does not import it, so IMAP and POP3 stay stdlib only. Failures are :class:`TokenError`s
whose ``reason`` tells a lost authorization (``invalid_grant``, ``invalid_client``: an
administrator must act) from a passing problem (``network``, ``endpoint``,
``bad_response``); no secret of the request (refresh token, client secret, code) is ever
in their message or detail.
"""

from urllib.parse import urlsplit

import requests

from .errors import TokenError

TIMEOUT = 15  # seconds for one token request
DETAIL_LIMIT = 300
_SECRETS = ("refresh_token", "client_secret", "code")
_REASONS = {
    "invalid_grant": "invalid_grant",
    "invalid_client": "invalid_client",
    "unauthorized_client": "invalid_client",
}


def refresh_access_token(
    url, client_id, refresh_token, client_secret=None, scope=None, timeout=TIMEOUT
):
    """The token endpoint's JSON reply (a dict with ``access_token``, and usually
    ``expires_in``, ``refresh_token`` when rotated, ``refresh_token_expires_in``) for a
    ``grant_type=refresh_token`` request. An empty secret or scope is not sent."""
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    if client_secret:
        data["client_secret"] = client_secret
    if scope:
        data["scope"] = scope
    return request_token(url, data, timeout=timeout)


def request_token(url, data, timeout=TIMEOUT):
    """POST the form ``data`` to the token endpoint ``url``; the JSON reply when it has
    an access token, a :class:`TokenError` otherwise."""
    endpoint = display_url(url)
    try:
        response = requests.post(
            url, data=data, timeout=timeout, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        detail = _redact(str(exc), data)
        raise TokenError(
            f"Token endpoint unreachable: {detail}", reason="network", host=endpoint, detail=detail
        ) from None
    try:
        reply = response.json()
    except ValueError:
        reply = None
    reply = reply if isinstance(reply, dict) else {}
    if response.ok and reply.get("access_token"):
        return reply
    raise _refusal(response.status_code, reply, endpoint, data)


def lifetime_seconds(value, default):
    """A lifetime of a token reply (``expires_in``...) as seconds >= 0, or ``default``."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return default


def display_url(url):
    """The URL without credentials, query or fragment (for messages)."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else (url or "")


def _refusal(status, reply, endpoint, data):
    """The TokenError for a reply without an access token (RFC 6749 section 5.2)."""
    error = str(reply.get("error") or "")
    reason = _REASONS.get(error, "endpoint" if status >= 400 else "bad_response")
    parts = [f"HTTP {status}", error, str(reply.get("error_description") or "")]
    if reason == "bad_response":
        parts.append("no access_token in the reply")
    detail = _redact(" ".join(part for part in parts if part), data)
    return TokenError(
        f"Token endpoint refused: {detail}", reason=reason, host=endpoint, detail=detail
    )


def _redact(text, data):
    """``text`` without any secret of the token request, cut to DETAIL_LIMIT."""
    for name in _SECRETS:
        secret = data.get(name)
        if secret and len(secret) >= 3:
            text = text.replace(secret, "********")
    return text.strip()[:DETAIL_LIMIT]
