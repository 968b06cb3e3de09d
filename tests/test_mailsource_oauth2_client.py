"""mailsource's OAuth2 token client (RFC 6749 section 6) against the harness's endpoint.

The client renews an access token with a refresh token; every refusal is a
``TokenError`` whose ``reason`` tells a lost authorization (an administrator must act)
from a passing problem, and no secret of the request is ever in its message.
"""

import pytest
from mailharness.common import free_ports
from mailharness.oauth2 import OAuth2Endpoint
from mailsource import TokenError
from mailsource.oauth2 import display_url, lifetime_seconds, refresh_access_token


@pytest.fixture
def endpoint():
    with OAuth2Endpoint(access_lifetime=600) as server:
        yield server


def renew(endpoint, refresh_token, **overrides):
    values = {
        "url": endpoint.token_url,
        "client_id": endpoint.client_id,
        "client_secret": endpoint.client_secret,
        "refresh_token": refresh_token,
    }
    values.update(overrides)
    return refresh_access_token(**values)


def test_renews_the_access_token(endpoint):
    refresh = endpoint.issue_refresh_token("support@example.com")
    reply = renew(endpoint, refresh, scope="IMAP offline_access")
    assert endpoint.is_active(reply["access_token"])
    assert reply["expires_in"] == 600 and reply["refresh_token"] == refresh
    (request,) = endpoint.token_requests("refresh_token")
    assert request.status == 200 and request.client_id == endpoint.client_id


def test_rotated_refresh_token_is_returned(endpoint):
    endpoint.rotate_refresh_tokens = True
    endpoint.refresh_lifetime = 86400
    refresh = endpoint.issue_refresh_token("support@example.com")
    reply = renew(endpoint, refresh)
    assert reply["refresh_token"] != refresh
    assert lifetime_seconds(reply.get("refresh_token_expires_in"), 0) == 86400
    with pytest.raises(TokenError) as raised:
        renew(endpoint, refresh)  # the old one was revoked by the rotation
    assert raised.value.reason == "invalid_grant" and raised.value.permanent


@pytest.mark.parametrize(
    ("case", "reason", "permanent"),
    [
        ("revoked", "invalid_grant", True),
        ("bad_secret", "invalid_client", True),
        ("unavailable", "endpoint", False),
    ],
)
def test_refusals_by_reason_without_secrets(endpoint, case, reason, permanent):
    refresh = endpoint.issue_refresh_token("support@example.com")
    overrides = {}
    if case == "revoked":
        endpoint.revoke(refresh)
    elif case == "bad_secret":
        overrides["client_secret"] = "wrong-" + endpoint.client_secret
    else:
        endpoint.fail_next(503, f"temporarily_unavailable {refresh}")  # echoes a secret
    with pytest.raises(TokenError) as raised:
        renew(endpoint, refresh, **overrides)
    error = raised.value
    assert (error.reason, error.permanent) == (reason, permanent)
    assert error.host == endpoint.token_url
    for secret in (refresh, endpoint.client_secret):
        assert secret not in str(error) and secret not in (error.detail or "")
    assert error.detail.startswith("HTTP ")


def test_unreachable_endpoint_is_a_passing_network_failure():
    (port,) = free_ports(1)  # nothing listens there
    with pytest.raises(TokenError) as raised:
        refresh_access_token(
            url=f"http://127.0.0.1:{port}/token", client_id="c", refresh_token="rt-secret"
        )
    assert raised.value.reason == "network" and not raised.value.permanent
    assert "rt-secret" not in str(raised.value)


def test_display_url_drops_credentials_and_query():
    assert display_url("https://u:p@login.example.com:8443/t/token?x=1#f") == (
        "https://login.example.com:8443/t/token"
    )
    assert lifetime_seconds("3599", 1) == 3599
    assert lifetime_seconds(None, 3600) == 3600
    assert lifetime_seconds("soon", 3600) == 3600
