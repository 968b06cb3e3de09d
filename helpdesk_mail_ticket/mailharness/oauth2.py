"""A loopback OAuth2 authorization server: token endpoint and token introspection."""

import base64
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass

from .common import HOST, ServerThread


@dataclass
class TokenRequest:
    """One request seen by :class:`OAuth2Endpoint` (secrets left out)."""

    path: str
    grant_type: str = ""
    client_id: str = ""
    status: int = 200
    error: str = ""


class _OAuth2Handler(http.server.BaseHTTPRequestHandler):
    """POST ``.../token`` (RFC 6749 section 6) and ``.../introspect`` (RFC 7662)."""

    def log_message(self, format, *args):  # quiet: the endpoint records requests itself
        return

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = {
            key: values[-1]
            for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items()
        }
        endpoint = self.server.endpoint
        path = urllib.parse.urlsplit(self.path).path
        if path.endswith("/introspect"):
            status, reply = endpoint._introspect(form)
        elif path.endswith("/token"):
            status, reply = endpoint._token(path, form, self.headers.get("Authorization"))
        else:
            status, reply = 404, {"error": "not_found"}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class _HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


class OAuth2Endpoint(ServerThread):
    """A loopback OAuth2 authorization server for tests: it issues, refreshes, introspects
    and revokes bearer tokens, all in memory.

    * ``token_url`` (``POST .../token``): ``grant_type=refresh_token`` (or
      ``authorization_code`` with a code of ``issue_authorization_code``) with the client's
      ``client_id``/``client_secret`` (form fields or HTTP Basic) answers
      ``{"access_token", "token_type": "Bearer", "expires_in", "refresh_token"}`` (the same
      refresh token unless ``rotate_refresh_tokens``; ``refresh_token_expires_in`` too when
      ``refresh_lifetime`` is set), or RFC 6749 errors: ``invalid_client`` (401),
      ``invalid_grant`` (400, unknown or revoked refresh token or code),
      ``unsupported_grant_type``. Any path ending in ``/token`` works, so a client that
      appends ``token`` to a configurable base URL can be pointed here.
    * ``introspection_url`` (``POST .../introspect``, ``token=...``): what Dovecot's oauth2
      passdb asks; ``{"active": true, "username": login, "exp": ...}`` for a live access
      token, ``{"active": false}`` otherwise.

    ``requests`` lists every request (:class:`TokenRequest`, without secrets);
    ``fail_next(status, error)`` makes the next token request fail that way.
    """

    host = HOST
    thread_name = "oauth2"

    def __init__(self, access_lifetime=3600):
        self.access_lifetime = access_lifetime
        self.client_id = "hmt-client-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(18)
        self.rotate_refresh_tokens = False
        self.refresh_lifetime = None  # seconds announced as refresh_token_expires_in
        self.requests = []
        self._access = {}  # access token -> (login, expires_at)
        self._refresh = {}  # refresh token -> login
        self._codes = {}  # authorization code -> login
        self._failures = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.port = None

    # -- lifecycle -----------------------------------------------------------------------

    def _make_server(self):
        server = _HttpServer((HOST, 0), _OAuth2Handler)
        server.endpoint = self
        return server

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def token_url(self):
        return f"{self.url}/token"

    @property
    def introspection_url(self):
        return f"{self.url}/introspect"

    def dovecot_config(self):
        """The ``args`` file of Dovecot's oauth2 passdb, pointing at this endpoint."""
        return (
            f"introspection_url = {self.introspection_url}\n"
            "introspection_mode = post\n"
            "force_introspection = yes\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
            "timeout_msecs = 5000\n"
        )

    # -- tokens ----------------------------------------------------------------------------

    def issue_access_token(self, login, expires_in=None, token=None):
        """A new bearer token for ``login``, valid ``expires_in`` seconds (negative: expired);
        ``token`` chooses its text (e.g. as long as a real provider's JWT)."""
        token = token or "at-" + secrets.token_urlsafe(24)
        lifetime = self.access_lifetime if expires_in is None else expires_in
        with self._lock:
            self._access[token] = (login, time.time() + lifetime)
        return token

    def issue_refresh_token(self, login):
        """A new refresh token for ``login`` (valid until revoked)."""
        token = "rt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh[token] = login
        return token

    def issue_authorization_code(self, login):
        """A one-time code, as a provider's consent page returns it to the client's
        redirect URI; exchanged by ``grant_type=authorization_code``."""
        code = "ac-" + secrets.token_urlsafe(18)
        with self._lock:
            self._codes[code] = login
        return code

    def revoke(self, token):
        """Revoke an access or refresh token (as when the user withdraws the consent)."""
        with self._lock:
            self._access.pop(token, None)
            self._refresh.pop(token, None)

    def expire(self, token):
        """Make an access token expired (introspection answers inactive)."""
        with self._lock:
            if token in self._access:
                self._access[token] = (self._access[token][0], time.time() - 1)

    def is_active(self, token):
        with self._lock:
            login, expires_at = self._access.get(token, (None, 0))
        return login is not None and expires_at > time.time()

    def fail_next(self, status=503, error="temporarily_unavailable"):
        """The next token request is answered ``status`` with ``{"error": error}``."""
        with self._lock:
            self._failures.append((status, error))

    def token_requests(self, grant_type=None):
        """The token-endpoint requests seen so far (optionally of one grant type)."""
        return [
            request
            for request in self.requests
            if request.path != "introspect" and (grant_type in (None, request.grant_type))
        ]

    # -- request handling ----------------------------------------------------------------

    def _introspect(self, form):
        token = form.get("token", "")
        with self._lock:
            login, expires_at = self._access.get(token, (None, 0))
        active = login is not None and expires_at > time.time()
        self.requests.append(TokenRequest("introspect", error="" if active else "inactive"))
        if not active:
            return 200, {"active": False}
        return 200, {"active": True, "username": login, "exp": int(expires_at)}

    def _client_credentials(self, form, authorization):
        if authorization and authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization[6:]).decode("utf-8", "replace")
            client_id, _sep, secret = decoded.partition(":")
            return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token(self, path, form, authorization):
        client_id, client_secret = self._client_credentials(form, authorization)
        request = TokenRequest(path, grant_type=form.get("grant_type", ""), client_id=client_id)
        self.requests.append(request)
        status, reply = self._token_reply(request, form, client_id, client_secret)
        request.status, request.error = status, reply.get("error", "")
        return status, reply

    def _token_reply(self, request, form, client_id, client_secret):
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            return failure[0], {"error": failure[1]}
        if client_id != self.client_id or not secrets.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        ):
            return 401, {"error": "invalid_client", "error_description": "Unknown client."}
        if request.grant_type == "authorization_code":
            with self._lock:
                login = self._codes.pop(form.get("code", ""), None)  # single use
            if login is None:
                return 400, {"error": "invalid_grant", "error_description": "Unknown code."}
            refresh_token = self.issue_refresh_token(login)
        elif request.grant_type == "refresh_token":
            refresh_token = form.get("refresh_token", "")
            with self._lock:
                login = self._refresh.get(refresh_token)
            if login is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "The refresh token is invalid, expired or revoked.",
                }
            if self.rotate_refresh_tokens:
                self.revoke(refresh_token)
                refresh_token = self.issue_refresh_token(login)
        else:
            return 400, {"error": "unsupported_grant_type"}
        reply = {
            "access_token": self.issue_access_token(login),
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "refresh_token": refresh_token,
        }
        if self.refresh_lifetime is not None:
            reply["refresh_token_expires_in"] = self.refresh_lifetime
        return 200, reply
