"""MyThings' OAuth2 endpoints on api.enco.io (`POST /token`, `POST /revoke`) and the bearer check of the API.

As the vendor page says: client credentials, `grant_type=client_credentials&scope=openid`, sent as
query parameters (the page's curl), as form parameters or as HTTP Basic; the answer is
`{"scope", "token_type": "Bearer", "expires_in", "access_token"}`; one active token per
application: asking again before it expires answers the same token with its remaining
`expires_in`; `/revoke` with `token`, `client_id`, `client_secret` revokes it, and the next
`/token` issues a new one. Tokens live `SimConfig.token_ttl` seconds (the vendor's hour by
default). The demo application also has a permanent token (`MYTHINGS_PERMANENT_TOKEN`), which
never expires.

Choices where the vendor page is silent (WSO2 API Manager's behaviour, which api.enco.io runs):
- the access token is an opaque UUID, as WSO2 issues them; `scope` is `openid` when asked for,
  `default` when no scope is asked (other scopes are dropped, as WSO2 drops scopes it does not
  grant); the answer carries `Cache-Control: no-store`;
- where the credentials come in more than one way, HTTP Basic wins, then the form, then the query;
- wrong or missing client credentials are 401 `{"error": "invalid_client", "error_description":
  "Client Authentication failed."}`; no grant_type is 400 `invalid_request` "Missing grant_type
  parameter value"; another grant type is 400 `unsupported_grant_type` "Unsupported grant_type
  value";
- `/revoke` answers 200 with an empty body, also for a token that is unknown or already revoked
  (RFC 7009, which WSO2 follows); a missing `token` is 400 `invalid_request`; it does not revoke
  the permanent token, which the vendor says is deleted from the dashboard instead;
- on the API, the gateway answers a missing bearer with 401 fault 900902 "Missing Credentials"
  and an unknown, expired or revoked one with 401 fault 900901 "Invalid Credentials", each with
  `WWW-Authenticate` (see errors.py for the fault body).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sim.credentials import (
    MYTHINGS_CLIENT_ID,
    MYTHINGS_CLIENT_SECRET,
    MYTHINGS_PERMANENT_TOKEN,
)
from tui.sim.mythings.errors import INVALID_CREDENTIALS, MISSING_CREDENTIALS, GatewayFault

TOKEN_PATH = "/token"
REVOKE_PATH = "/revoke"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_REALM = 'OAuth2 realm="WSO2 API Manager"'


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=_NO_STORE
    )


@dataclass
class _Issued:
    token: str
    expires: float


async def _params(request: Request) -> dict[str, str]:
    """The request's parameters: the query, overridden by a form body."""
    params = {k: v for k, v in request.query_params.items()}
    if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
        body = (await request.body()).decode("latin-1")
        params.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
    return params


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(user), unquote_plus(password)


def _client_ok(request: Request, params: dict[str, str]) -> bool:
    pair = _basic(request.headers.get("authorization"))
    client_id, secret = pair or (params.get("client_id"), params.get("client_secret"))
    return (
        client_id is not None
        and secret is not None
        and hmac.compare_digest(client_id.encode(), MYTHINGS_CLIENT_ID.encode())
        and hmac.compare_digest(secret.encode(), MYTHINGS_CLIENT_SECRET.encode())
    )


class TokenStore:
    """The demo application's one active access token (and the tokens revoked or expired)."""

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._active: _Issued | None = None

    def _current(self) -> _Issued | None:
        if self._active is not None and self._active.expires <= time.time():
            self._active = None
        return self._active

    def valid(self, token: str) -> bool:
        """Whether a bearer token opens the API now."""
        if hmac.compare_digest(token.encode(), MYTHINGS_PERMANENT_TOKEN.encode()):
            return True
        current = self._current()
        return current is not None and hmac.compare_digest(token.encode(), current.token.encode())

    async def token_endpoint(self, request: Request) -> Response:
        """POST /token (client_credentials)."""
        params = await _params(request)
        grant = params.get("grant_type")
        if not grant:
            return _oauth_error(400, "invalid_request", "Missing grant_type parameter value")
        if not _client_ok(request, params):
            return _oauth_error(401, "invalid_client", "Client Authentication failed.")
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type value")
        current = self._current()
        if current is None:
            current = self._active = _Issued(str(uuid.uuid4()), time.time() + self.ttl)
        scopes = params.get("scope", "").split()
        return JSONResponse(
            {
                "scope": "openid" if "openid" in scopes else "default",
                "token_type": "Bearer",
                "expires_in": max(0, math.ceil(current.expires - time.time())),
                "access_token": current.token,
            },
            headers=_NO_STORE,
        )

    async def revoke_endpoint(self, request: Request) -> Response:
        """POST /revoke: token, client_id, client_secret."""
        params = await _params(request)
        if not _client_ok(request, params):
            return _oauth_error(401, "invalid_client", "Client Authentication failed.")
        token = params.get("token")
        if not token:
            return _oauth_error(400, "invalid_request", "Invalid revocation request")
        current = self._current()
        if current is not None and hmac.compare_digest(token.encode(), current.token.encode()):
            self._active = None
        return Response(status_code=200, headers=_NO_STORE)

    def check(self, request: Request) -> None:
        """Raise the gateway's 401 unless the request carries a valid bearer token."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GatewayFault(
                401,
                MISSING_CREDENTIALS,
                "Missing Credentials",
                "Required OAuth credentials not provided. Make sure your API invocation call "
                "has a header: 'Authorization: Bearer ACCESS_TOKEN'",
                {"WWW-Authenticate": _REALM},
            )
        if not self.valid(token.strip()):
            raise GatewayFault(
                401,
                INVALID_CREDENTIALS,
                "Invalid Credentials",
                "Access failure for API: /mythings/1.1.0, version: 1.1.0 status: (900901) - "
                "Invalid Credentials. Make sure you have provided the correct security credentials",
                {"WWW-Authenticate": f'{_REALM}, error="invalid_token"'},
            )
