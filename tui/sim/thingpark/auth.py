"""ThingPark's Keycloak token endpoint (client credentials) and the bearer check of the API.

Choices where the vendor page is silent:
- the token answer is Keycloak's: `access_token` (a JWT-shaped string; its signature is random, only
  the simulator can check it), `expires_in`, `refresh_expires_in: 0`, `token_type: "Bearer"`,
  `not-before-policy: 0`, `scope`; no refresh token, as Keycloak gives none for client credentials;
- client credentials come in the form or as HTTP Basic (the Basic pair wins when both are sent);
  wrong or missing ones are 401 `invalid_client`, a missing grant_type is 400 `invalid_request`, any
  other grant type 400 `unsupported_grant_type`;
- on the API a missing, unknown or expired bearer is 401 with the OSS error body and
  `WWW-Authenticate: Bearer` (with `error="invalid_token"` when a token was sent).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
import uuid
from urllib.parse import parse_qs, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sim.credentials import (
    THINGPARK_CLIENT_ID,
    THINGPARK_CLIENT_SECRET,
    THINGPARK_SUBSCRIBER_ID,
)
from tui.sim.thingpark.errors import UNAUTHORIZED, ThingParkError

TOKEN_PATH = "/users-auth/protocol/openid-connect/token"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _keycloak_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=_NO_STORE
    )


class TokenStore:
    """Issued access tokens and their expiry (epoch seconds)."""

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._tokens: dict[str, float] = {}

    def issue(self, client_id: str, issuer: str) -> str:
        """A fresh access token valid for `ttl` seconds."""
        now = time.time()
        # Forget expired tokens so a long-running sim does not grow.
        for tok in [t for t, exp in self._tokens.items() if exp <= now]:
            del self._tokens[tok]
        header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "fleet-sim"}).encode())
        claims = {
            "exp": int(now) + self.ttl,
            "iat": int(now),
            "jti": str(uuid.uuid4()),
            "iss": issuer,
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, client_id)),
            "typ": "Bearer",
            "azp": client_id,
            "scope": "profile email",
            "clientId": client_id,
            "subscriberId": THINGPARK_SUBSCRIBER_ID,
        }
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        token = f"{header}.{payload}.{_b64url(secrets.token_bytes(32))}"
        self._tokens[token] = now + self.ttl
        return token

    def valid(self, token: str) -> bool:
        """True while the token is known and unexpired."""
        exp = self._tokens.get(token)
        return exp is not None and exp > time.time()

    async def token_endpoint(self, request: Request) -> Response:
        """POST /users-auth/protocol/openid-connect/token (client_credentials)."""
        body = (await request.body()).decode("latin-1")
        ctype = request.headers.get("content-type", "")
        form = (
            {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
            if "application/x-www-form-urlencoded" in ctype
            else {}
        )
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = _basic_credentials(request.headers.get("authorization"))
        if basic is not None:
            client_id, client_secret = basic
        grant = form.get("grant_type")
        if not grant:
            return _keycloak_error(400, "invalid_request", "Missing form parameter: grant_type")
        if client_id != THINGPARK_CLIENT_ID or client_secret != THINGPARK_CLIENT_SECRET:
            return _keycloak_error(401, "invalid_client", "Invalid client credentials")
        if grant != "client_credentials":
            return _keycloak_error(400, "unsupported_grant_type", "Unsupported grant_type")
        issuer = f"{request.url.scheme}://{request.url.netloc}/users-auth"
        token = self.issue(client_id, issuer)
        return JSONResponse(
            {
                "access_token": token,
                "expires_in": self.ttl,
                "refresh_expires_in": 0,
                "token_type": "Bearer",
                "not-before-policy": 0,
                "scope": "profile email",
            },
            headers=_NO_STORE,
        )

    def check(self, request: Request) -> None:
        """Raise the vendor's 401 unless the request carries a valid bearer token."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ThingParkError(
                401,
                UNAUTHORIZED,
                "Authentication required: missing bearer token",
                {"WWW-Authenticate": 'Bearer realm="thingpark"'},
            )
        if not self.valid(token.strip()):
            raise ThingParkError(
                401,
                UNAUTHORIZED,
                "Invalid or expired access token",
                {"WWW-Authenticate": 'Bearer realm="thingpark", error="invalid_token"'},
            )


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 §2.3.1: the pair is form-urlencoded before Basic encoding.
    return unquote_plus(user), unquote_plus(password)
