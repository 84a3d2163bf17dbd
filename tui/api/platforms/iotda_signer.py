"""Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256) as an httpx.Auth, and IAM token auth.

The algorithm follows the official SDK's `huaweicloudsdkcore.signer.signer.Signer` step for step
(canonical URI of unquoted-then-quoted segments with a trailing `/`, sorted `k=v` query pairs
quoted with only `~` safe, lowercase header names without `_`, hex SHA-256 of the body), so a
server that verifies the SDK's requests verifies ours.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import httpx

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
#: Headers the transport (or a proxy) may add, drop or rewrite after signing: never signed.
#: The SDK signs only what it put in header_params itself, which never includes these.
UNSIGNED = frozenset({"connection", "content-length", "accept-encoding", "transfer-encoding"})


def _quote(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment of the (unquoted) path quoted, with a trailing slash, as the SDK does."""
    url_path = "/".join(_quote(part) for part in unquote(path).split("/"))
    return url_path if url_path.endswith("/") else url_path + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted `k=v` pairs (by key, then value), both quoted with only `~` safe, joined by `&`."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(pairs))


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """Lowercased names, minus those with `_` (the SDK skips them) and transport headers."""
    return sorted({k.lower() for k in headers if "_" not in k and k.lower() not in UNSIGNED})


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed: list[str],
    body: bytes,
) -> str:
    lowered = {k.lower(): str(v).strip() for k, v in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in signed)
    payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_HASH
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers,
            ";".join(signed),
            payload_hash,
        ]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(
    access_key: str,
    secret_key: str,
    *,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> str:
    """The Authorization value for a request whose headers already hold X-Sdk-Date and Host."""
    sdk_date = next(v for k, v in headers.items() if k.lower() == "x-sdk-date")
    signed = signed_header_names(headers)
    canonical = canonical_request(method, path, query, headers, signed, body)
    sig = signature(secret_key, string_to_sign(canonical, sdk_date))
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed)}, Signature={sig}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AkSkAuth(httpx.Auth):
    """Signs every request with an access key and secret key.

    Sets `X-Sdk-Date` (now, UTC), `Host` (with the port when not the scheme's default, as httpx
    and the SDK both write it), `Content-Type: application/json` when absent (the SDK sends it on
    every IoTDA call) and `X-Project-Id` when given (the SDK's BasicCredentials adds it); then the
    query is rewritten in its canonical form so the server sees the string that was signed.
    """

    requires_request_body = True

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        project_id: str | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if not access_key or not secret_key:
            raise ValueError("AK/SK signing needs an access key and a secret key")
        self._ak = access_key
        self._sk = secret_key
        self._project_id = project_id
        self._clock = clock

    def sign(self, request: httpx.Request) -> None:
        """Add the signing headers and Authorization to `request` in place."""
        headers = request.headers
        # Re-signing (a retry) must not sign the previous Authorization.
        headers.pop("Authorization", None)
        headers["X-Sdk-Date"] = self._clock().strftime(DATE_FORMAT)
        if "host" not in headers:
            headers["Host"] = request.url.netloc.decode("ascii")
        headers.setdefault("Content-Type", "application/json")
        if self._project_id:
            headers.setdefault("X-Project-Id", self._project_id)
        pairs = list(request.url.params.multi_items())
        query = canonical_query(pairs)
        raw_path = request.url.raw_path.split(b"?", 1)[0] + (
            b"?" + query.encode() if query else b""
        )
        request.url = request.url.copy_with(raw_path=raw_path)
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        headers["Authorization"] = authorization(
            self._ak,
            self._sk,
            method=request.method,
            path=path,
            query=pairs,
            headers=dict(headers.items()),
            body=request.content,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request


class TokenAuth(httpx.Auth):
    """An IAM user token in `X-Auth-Token` (obtained elsewhere; it lasts 24 hours)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token auth needs a token")
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token
        yield request
