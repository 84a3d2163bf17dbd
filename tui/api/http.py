"""The one httpx client setup every HTTP adapter uses.

- `RetryTransport` retries with exponential backoff and jitter: connect failures (the request never
  left) and 429 (the server refused it unprocessed, `Retry-After` honoured) for any method;
  502/503/504 and read failures only for idempotent methods, never for a POST that may have gone
  through.
- `ClientCredentialsAuth` fetches a bearer token, refreshes it shortly before it expires, and once
  more when the server answers 401 anyway; its token requests carry the client's timeout.
- `ApiClient` turns every failure into one `ApiError` with the vendor's code and message, parsed by
  the adapter's `ErrorParser`; a body that is not JSON (or not UTF-8) still yields a clear
  message, and so does every transport failure. No redirect is followed: a 3xx is an error that
  names where the server pointed. `ApiClient.answer()` gives an `Answer` whose `read(parse)`
  turns an answer the adapter cannot read into `unexpected answer from GET /path: <what>`.
- `SameOriginTransport` sends nothing to another origin than the base URL's: credentials stay home.
- `Scrubber` masks the profile's secrets, and the tokens obtained at run time, in every spelling,
  in every ApiError the client raises.
- Two hooks for the bulk engine and the audit log: `ApiClient.on_throttle(listener)` hears of
  every 429 the transport meets (with its Retry-After), and `ApiClient.recorder` receives a
  `CallRecord` of every mutating call (any method but GET, HEAD and OPTIONS), made of what the
  scrubber let through.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import html
import importlib
import json
import logging
import math
import os
import random
import re
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote, quote_plus, unquote

import httpx

from tui.api.errors import ApiError
from tui.api.paging import request_sent, watching_sends
from tui.api.wire import reason

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Methods that change nothing: every other call is recorded in the audit log.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_LOG = logging.getLogger("fleet")


class ErrorBody(NamedTuple):
    """What a vendor's error body says: code, message and request id, each possibly absent."""

    code: str | None
    message: str | None
    request_id: str | None = None


#: An adapter's reading of its vendor's error JSON (`body` is the decoded JSON).
ErrorParser = Callable[[Any], ErrorBody]


def _no_vendor_body(_: Any) -> ErrorBody:
    return ErrorBody(None, None)


# ---------------------------------------------------------------- secrets out of messages

_HEX_ESCAPE = re.compile(r"(%)([0-9A-Fa-f]{2})|(\\u)([0-9A-Fa-f]{4})")
#: A bearer token nobody told us about, in an echoed header: masked whatever its value.
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def _hex_case(text: str, upper: bool) -> str:
    def recase(match: re.Match[str]) -> str:
        digits = match.group(2) or match.group(4)
        return (match.group(1) or match.group(3)) + (digits.upper() if upper else digits.lower())

    return _HEX_ESCAPE.sub(recase, text)


def _base64s(raw: bytes) -> set[str]:
    standard = base64.b64encode(raw).decode()
    url_safe = base64.urlsafe_b64encode(raw).decode()
    return {standard, standard.rstrip("="), url_safe, url_safe.rstrip("=")}


def secret_spellings(secret: str, username: str | None = None) -> set[str]:
    """Every spelling of `secret` a server may echo: literal, form- and percent-encoded (both hex
    cases, with and without `/` safe), JSON-escaped (ASCII or not, `\\/` or `/`), HTML-escaped,
    UTF-8 read as Latin-1, base64 of the secret and of `username:secret` (HTTP Basic)."""
    as_json = json.dumps(secret)[1:-1]
    spellings = {
        secret,
        quote_plus(secret),
        quote(secret, safe=""),
        quote(secret),
        as_json,
        as_json.replace("/", "\\/"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
    }
    # UTF-8 read as Latin-1, as a server that decodes headers the HTTP/1.1 way echoes it.
    spellings.add(secret.encode().decode("latin-1"))
    spellings |= {_hex_case(s, upper) for s in spellings for upper in (True, False)}
    spellings |= _base64s(secret.encode())
    if username is not None:
        spellings |= _base64s(f"{username}:{secret}".encode())
    return {s for s in spellings if s}


class Scrubber:
    """Masks a profile's secrets, and the tokens its auth obtains, in every spelling they travel.

    `make_client(secrets=…, username=…)` makes the one a client uses; every `ApiError` the client
    raises goes through it, and so does any text of the server's before it is cut to a snippet.
    """

    MASK = "***"

    def __init__(self, secrets: Iterable[str | None] = (), *, username: str | None = None) -> None:
        self.username = username
        self._spellings: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Mask `secret` too from now on (a token obtained at run time)."""
        if secret:
            self._spellings |= secret_spellings(secret, self.username)
            self._pattern = None

    def extended(self, secrets: Iterable[str | None]) -> Scrubber:
        """A copy that also masks `secrets` (the keys one request carries)."""
        copy = Scrubber(username=self.username)
        copy._spellings = set(self._spellings)
        for secret in secrets:
            copy.add(secret)
        return copy

    def __call__(self, text: str) -> str:
        if self._spellings:
            if self._pattern is None:
                # Longest first: at one position the longest spelling wins.
                ordered = sorted(self._spellings, key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, ordered)))
            text = self._pattern.sub(self.MASK, text)
        return _BEARER.sub(rf"\1{self.MASK}", text)

    def error(self, error: ApiError) -> ApiError:
        """`error` with every secret masked in its message, code and request id."""
        message, code, request_id = (
            None if text is None else self(text)
            for text in (error.message, error.code, error.request_id)
        )
        if (message, code, request_id) == (error.message, error.code, error.request_id):
            return error
        return ApiError(
            error.platform, message or "", status=error.status, code=code, request_id=request_id
        )


def error_from_response(
    platform: str,
    response: httpx.Response,
    parse: ErrorParser = _no_vendor_body,
    scrub: Scrubber | None = None,
) -> ApiError:
    """Build the ApiError for an HTTP error answer, from the vendor's body when it has one.

    `scrub` masks secrets the server echoes, before anything is parsed or cut short."""
    scrub = scrub or Scrubber()
    return scrub.error(_error_from_response(platform, response, parse, scrub))


def _error_from_response(
    platform: str, response: httpx.Response, parse: ErrorParser, scrub: Scrubber
) -> ApiError:
    status = response.status_code
    header_id = response.headers.get("x-request-id") or response.headers.get("x-correlation-id")
    text = scrub(response.text) if response.content else ""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if body is not None:
        try:
            code, message, request_id = parse(body)
        except Exception:  # a vendor body of an unexpected shape must not hide the real error
            code, message, request_id = None, None, None
        if message or code:
            return ApiError(
                platform,
                message or response.reason_phrase or "error",
                status=status,
                code=code,
                request_id=request_id or header_id,
            )
    snippet = _plain_snippet(text)
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    reason = response.reason_phrase or "error"
    message = f"{reason}: the server sent a non-JSON answer ({kind})"
    if snippet:
        message += f": {snippet}"
    return ApiError(platform, message, status=status, request_id=header_id)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(platform: str, response: httpx.Response, scrub: Scrubber | None = None) -> Any:
    """The decoded JSON of an answer, None when it has no body; an ApiError when it is not JSON.

    JSON is UTF-8 (RFC 8259), or the charset the answer declares. Python's extensions (NaN,
    Infinity) are refused, and so is nesting too deep to decode.
    """
    if not response.content:
        return None
    where = f"{response.request.method} {response.request.url.path}"
    encoding = response.charset_encoding or "utf-8"
    try:
        text = response.content.decode(encoding)
    except LookupError:
        encoding = "utf-8"
        text = response.content.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        raise ApiError(
            platform,
            f"the answer of {where} is not {encoding.upper()} text (bad byte at offset {exc.start})",
            status=response.status_code,
        ) from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise ApiError(
            platform,
            f"expected JSON from {where}, got {_plain_snippet((scrub or Scrubber())(text), 60)!r}",
            status=response.status_code,
        ) from None


def _failure(exc: Exception) -> str:
    """`Type: text` of an exception, on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def redirect_error(
    platform: str, response: httpx.Response, scrub: Scrubber | None = None
) -> ApiError:
    """A 3xx answer: the client follows no redirect, so it is an error that says where it went.

    An http→https move or an SSO login page would otherwise read as an empty success."""
    location = response.headers.get("location")
    if location:
        location = (scrub or Scrubber())(location)
    where = f"to {_plain_snippet(location)}" if location else "with no Location"
    return ApiError(
        platform,
        f"the server redirected {response.request.method} {response.request.url.path} {where}; "
        "check the profile's base_url",
        status=response.status_code,
    )


def answer_error(
    platform: str,
    response: httpx.Response,
    parse: ErrorParser = _no_vendor_body,
    scrub: Scrubber | None = None,
) -> ApiError | None:
    """The ApiError of an answer that is no success (a redirect or an HTTP error), else None."""
    if 300 <= response.status_code < 400:
        return redirect_error(platform, response, scrub)
    if response.status_code >= 400:
        return error_from_response(platform, response, parse, scrub)
    return None


def _plain_snippet(text: str, limit: int = 120) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 8.0
    #: Retry-After beyond this is not waited for: the 429 reaches the caller instead.
    max_retry_after: float = 30.0
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({502, 503, 504}))

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the attempt-th retry (0-based)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))


Sleep = Callable[[float], Awaitable[None]]
#: Hears of a 429: the seconds its Retry-After asks to wait, None when it says nothing usable.
ThrottleListener = Callable[[float | None], None]


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and retries what is safe to retry (see the module docstring).

    `on_throttle` hears of every 429, the last one too (the one the caller then gets)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        on_throttle: ThrottleListener | None = None,
    ) -> None:
        self._inner = inner
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._on_throttle = on_throttle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy = self._policy
        idempotent = request.method in IDEMPOTENT
        attempt = 0
        while True:
            last = attempt >= policy.attempts - 1
            try:
                response = await self._inner.handle_async_request(request)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
                # Nothing was sent: safe for every method.
                if last:
                    raise
                await self._sleep(policy.backoff(attempt))
                attempt += 1
                continue
            except (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError):
                # The request may have been processed: only an idempotent one is sent again.
                if last or not idempotent:
                    raise
                await self._sleep(policy.backoff(attempt))
                attempt += 1
                continue

            status = response.status_code
            if status == 429 and self._on_throttle is not None:
                self._on_throttle(parse_retry_after(response.headers.get("retry-after")))
            if last:
                return response
            if status == 429:
                wait = parse_retry_after(response.headers.get("retry-after"))
                if wait is not None and wait > policy.max_retry_after:
                    return response
                await response.aclose()
                await self._sleep(wait if wait is not None else policy.backoff(attempt))
            elif status in policy.retry_statuses and idempotent:
                await response.aclose()
                await self._sleep(policy.backoff(attempt))
            else:
                return response
            attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()


def token_lifetime(expires_in: Any) -> float | None:
    """Seconds a token lives from its `expires_in` (a number, or a string of one); None when it
    never expires (absent or 0). ValueError for anything else: a token of unknown life would be
    used until the server refuses it, or asked for again on every request."""
    if expires_in is None:
        return None
    lifetime = math.nan
    if not isinstance(expires_in, bool):
        with contextlib.suppress(TypeError, ValueError):
            lifetime = float(expires_in)
    if not math.isfinite(lifetime) or lifetime < 0:
        shown = _plain_snippet(json.dumps(expires_in, default=str), 40)
        raise ValueError(f"the token answer's expires_in is not a number of seconds: {shown}")
    return lifetime or None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: httpx.URL) -> str:
    """`scheme://host:port` of a URL, the port spelled out even when it is the default."""
    port = url.port or _DEFAULT_PORTS.get(url.scheme)
    return f"{url.scheme}://{url.host}:{port}"


class SameOriginTransport(httpx.AsyncBaseTransport):
    """Sends nothing to another origin (scheme, host, port) than the client's base URL.

    Every request of an `ApiClient` carries the profile's credentials (a bearer token, an AK/SK
    signature, an X-Auth-Token, a client secret in a token form): a `Location` or any absolute
    URL elsewhere is refused with an ApiError before a byte is sent.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, platform: str, base_url: httpx.URL):
        self._inner = inner
        self._platform = platform
        self._origin = origin(base_url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if origin(request.url) != self._origin:
            raise ApiError(
                self._platform,
                f"refused to send credentials to {_plain_snippet(origin(request.url))}: this "
                f"profile talks to {self._origin} only",
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class Token(NamedTuple):
    value: str
    refresh_at: float | None  # monotonic clock; None never expires


class ClientCredentialsAuth(httpx.Auth):
    """Bearer auth from an OAuth2 client-credentials grant, refreshed before expiry and on 401.

    `token_request` builds the vendor's token request (its URL, form and headers); `platform` and
    `parse_error` turn a refused token request into an `ApiError`.
    """

    requires_response_body = True

    def __init__(
        self,
        platform: str,
        token_request: Callable[[], httpx.Request],
        *,
        parse_error: ErrorParser = _no_vendor_body,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._platform = platform
        self._token_request = token_request
        self._parse_error = parse_error
        self._margin = refresh_margin
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many tokens were asked for: tests and the status bar read it
        #: masks secrets in the errors of token requests and learns every token obtained;
        #: `make_client` replaces it with its client's own
        self.scrubber = Scrubber()

    def _fresh(self) -> bool:
        t = self._token
        return t is not None and (t.refresh_at is None or self._clock() < t.refresh_at)

    def _stale(self, refused: Token | None) -> bool:
        """Whether to fetch a token: none fresh, or the one refused is still the current one
        (after a 401 nobody else refreshed it meanwhile)."""
        return self._token == refused if refused is not None else not self._fresh()

    async def _take(self, response: httpx.Response) -> None:
        """Keep the token of a token answer, or raise the ApiError that refused it."""
        # A custom async_auth_flow gets the answer unread (httpx reads it only for its own flow).
        await response.aread()
        self.fetches += 1
        error = answer_error(self._platform, response, self._parse_error, self.scrubber)
        if error is not None:
            raise error
        body = json_body(self._platform, response, self.scrubber)
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise ApiError(
                self._platform, "the token answer has no access_token", status=response.status_code
            )
        self.scrubber.add(value)
        try:
            lifetime = token_lifetime(body.get("expires_in"))
        except ValueError as exc:
            raise ApiError(self._platform, str(exc), status=response.status_code) from None
        refresh_at = None
        if lifetime is not None:
            # Refresh `margin` seconds early, but never earlier than half-way through a short token.
            refresh_at = self._clock() + lifetime - min(self._margin, lifetime / 2)
        self._token = Token(value, refresh_at)

    def _token_request_for(self, request: httpx.Request) -> httpx.Request:
        """The vendor's token request, with the timeout of the request it is made for: httpx
        times only the requests it builds itself, and an untimed one can hang for ever."""
        token_request = self._token_request()
        if "timeout" in request.extensions:
            token_request.extensions["timeout"] = request.extensions["timeout"]
        return token_request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        used: Token | None = None  # the token of the last try, refused with a 401
        for _ in range(2):
            if self._stale(used):
                async with self._lock:
                    if self._stale(used):
                        self._token = None
                        await self._take((yield self._token_request_for(request)))
            assert self._token is not None
            used = self._token
            request.headers["Authorization"] = f"Bearer {used.value}"
            response = yield request
            if response.status_code != 401:
                return


T = TypeVar("T")


async def _trace_sent(event: str, info: dict[str, Any]) -> None:
    """httpcore's trace of a request: tell the walk when its body is written."""
    if event.endswith("send_request_body.complete"):
        request_sent()


#: What reading an answer of an unexpected shape raises; each becomes one ApiError.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status, headers and decoded JSON body (None when empty)."""

    platform: str
    method: str
    path: str
    status: int
    headers: httpx.Headers
    body: Any
    scrub: Scrubber

    def read(self, parse: Callable[[Any], T]) -> T:
        """`parse(body)`; whatever parse cannot read (a ValidationError, a TypeError, …) comes
        out as the ApiError `unexpected answer from GET /path: <what was wrong>`."""
        try:
            return parse(self.body)
        except ApiError:
            raise
        except _UNREADABLE as exc:
            raise self.unexpected(reason(exc)) from None

    def unexpected(self, what: str) -> ApiError:
        return self.scrub.error(
            ApiError(
                self.platform,
                f"unexpected answer from {self.method} {self.path}: {what}",
                status=self.status,
            )
        )


class Throttles:
    """The listeners of one client's 429s; a listener that fails is logged, never the call's
    failure."""

    def __init__(self) -> None:
        self._listeners: list[ThrottleListener] = []

    def add(self, listener: ThrottleListener) -> None:
        self._listeners.append(listener)

    def __call__(self, retry_after: float | None) -> None:
        for listener in tuple(self._listeners):
            try:
                listener(retry_after)
            except Exception:
                _LOG.exception("a throttle listener failed")


#: The most of a vendor message the audit log keeps, on one line.
AUDIT_MESSAGE_CHARS = 300

#: Collections whose next path segment is the key of the thing a call acts upon.
_COLLECTIONS = frozenset({"devices", "deviceAlarms", "products", "connections", "appServers"})


def path_key(path: str) -> str | None:
    """The key a path names (the segment after its last collection, as in
    `…/devices/{key}/admins/downlink`), or None (a create posts to the collection itself)."""
    parts = [unquote(part) for part in path.split("/") if part]
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] in _COLLECTIONS:
            return parts[index + 1]
    return None


@dataclass(frozen=True)
class CallRecord:
    """One mutating call, as the audit log keeps it. Every text in it went through the client's
    scrubber (the profile's secrets, the tokens and the keys the request carried, in every
    spelling); `path` has no query string, `message` is one line of at most 300 characters."""

    at: float  # when it was sent, seconds since the epoch
    platform: str
    method: str
    path: str
    target: str | None
    ok: bool
    status: int | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None


#: Receives a CallRecord of every mutating call (it must not block: the call is waiting).
Recorder = Callable[[CallRecord], None]


def _one_line(text: str, limit: int = AUDIT_MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ApiClient:
    """An httpx.AsyncClient bound to one platform: every failure comes out as an `ApiError`,
    with every secret the client knows of masked by `scrubber`.

    `recorder`, when set, receives a `CallRecord` of every mutating call; `on_throttle(listener)`
    hears of every 429 (`make_client` wires its transport to `throttles`)."""

    def __init__(
        self,
        platform: str,
        client: httpx.AsyncClient,
        parse_error: ErrorParser,
        scrubber: Scrubber | None = None,
        throttles: Throttles | None = None,
    ) -> None:
        self.platform = platform
        self.http = client
        self._parse_error = parse_error
        self.scrubber = scrubber or Scrubber()
        self.throttles = throttles or Throttles()
        self.recorder: Recorder | None = None

    def on_throttle(self, listener: ThrottleListener) -> None:
        """Call `listener(retry_after)` on every 429 the platform answers (retried or not)."""
        self.throttles.add(listener)

    @property
    def base_url(self) -> str:
        return str(self.http.base_url)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        secrets: Iterable[str | None] = (),
    ) -> httpx.Response:
        """Send one request; `secrets` are keys it carries, masked like the profile's."""
        response, _ = await self._send(
            method, url, params=params, json=json, data=data, headers=headers, secrets=secrets
        )
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The decoded JSON answer (None for an empty body); ApiError when it is not JSON."""
        return (await self.answer(method, url, **kwargs)).body

    async def answer(self, method: str, url: str, **kwargs: Any) -> Answer:
        """The answer with its JSON decoded, to `read()` with the vendor's wire model."""
        response, scrub = await self._send(method, url, **kwargs)
        return Answer(
            self.platform,
            method,
            response.request.url.path,
            response.status_code,
            response.headers,
            json_body(self.platform, response, scrub),
            scrub,
        )

    async def _send(
        self, method: str, url: str, *, secrets: Iterable[str | None] = (), **kwargs: Any
    ) -> tuple[httpx.Response, Scrubber]:
        scrub = self.scrubber.extended(secrets) if secrets else self.scrubber
        recorder = self.recorder
        if recorder is None or method.upper() in SAFE_METHODS:
            return await self._exchange(method, url, scrub, **kwargs), scrub
        sent = time.time()
        try:
            response = await self._exchange(method, url, scrub, **kwargs)
        except ApiError as exc:
            self._record(recorder, sent, method, url, scrub, error=exc)
            raise
        except asyncio.CancelledError:
            cancelled = ApiError(self.platform, "cancelled before the platform answered")
            self._record(recorder, sent, method, url, scrub, error=cancelled)
            raise
        self._record(recorder, sent, method, url, scrub, response=response)
        return response, scrub

    def _record(
        self,
        recorder: Recorder,
        sent: float,
        method: str,
        url: str,
        scrub: Scrubber,
        *,
        response: httpx.Response | None = None,
        error: ApiError | None = None,
    ) -> None:
        """Hand the recorder what the audit log keeps of a call; a recorder that fails is
        logged, never the call's failure."""
        path = scrub(self._path(url))
        if error is not None:
            status, code, request_id = error.status, error.code, error.request_id
            message: str | None = error.message
        else:
            assert response is not None
            status, code, message = response.status_code, None, None
            request_id = response.headers.get("x-request-id") or response.headers.get(
                "x-correlation-id"
            )
        key = path_key(path)
        record = CallRecord(
            at=sent,
            platform=self.platform,
            method=method.upper(),
            path=path,
            target=None if key is None else _one_line(key, 200),
            ok=error is None,
            status=status,
            code=None if code is None else _one_line(scrub(code), 100),
            message=None if message is None else _one_line(scrub(message)),
            request_id=None if request_id is None else _one_line(scrub(request_id), 100),
        )
        try:
            recorder(record)
        except Exception:
            _LOG.exception("the audit recorder failed")

    def _path(self, url: str) -> str:
        """The path a request for `url` goes to, without its query string."""
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return _plain_snippet(url.split("?", 1)[0], 200)
        if not target.is_relative_url:
            return target.path
        base = self.http.base_url.path
        return base.rstrip("/") + "/" + target.path.lstrip("/")

    async def _exchange(
        self, method: str, url: str, scrub: Scrubber, **kwargs: Any
    ) -> httpx.Response:
        """Send one request: its answer, or the ApiError of its failure, scrubbed."""
        if watching_sends():
            # A walk's request sent ahead: the page in hand is converted once this is written.
            kwargs["extensions"] = {**kwargs.get("extensions", {}), "trace": _trace_sent}
        try:
            try:
                response = await self.http.request(method, url, **kwargs)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise self._no_answer(url, exc) from None
            error = answer_error(self.platform, response, self._parse_error, scrub)
            if error is not None:
                raise error
        except ApiError as exc:
            raise scrub.error(exc) from None
        return response

    def _no_answer(self, url: str, exc: Exception) -> ApiError:
        """The one-line ApiError of a request that brought no usable answer."""
        where = self._where()
        if isinstance(exc, httpx.InvalidURL):
            text = f"invalid URL {_plain_snippet(url)!r}: {exc}"
        elif isinstance(exc, httpx.TimeoutException):
            text = f"timed out talking to {where} ({type(exc).__name__})"
        elif isinstance(exc, httpx.TransportError):
            text = f"cannot reach {where} ({_failure(exc)})"
        elif isinstance(exc, httpx.DecodingError):
            text = f"could not decode the answer of {where} ({_failure(exc)})"
        else:
            text = f"HTTP failure talking to {where} ({_failure(exc)})"
        return ApiError(self.platform, text)

    def _where(self) -> str:
        url = self.http.base_url
        return f"{url.host}:{url.port}" if url.port else str(url.host)

    async def aclose(self) -> None:
        await self.http.aclose()


def ca_bundle_context(path: str | os.PathLike[str]) -> ssl.SSLContext:
    """A TLS context that trusts the CA certificates of a PEM file, for `make_client(verify=…)`.

    ValueError naming the file when it is missing, unreadable, or holds no certificate that loads.
    """
    where = f"ca_bundle {os.fspath(path)}"
    try:
        pem = Path(path).read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file") from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"{where}: not a PEM file of CA certificates (no BEGIN CERTIFICATE)")
    try:
        return ssl.create_default_context(cafile=os.fspath(path))
    except (ssl.SSLError, ValueError) as exc:
        raise ValueError(f"{where}: its certificates do not load ({_failure(exc)})") from None


def _no_tls_context() -> ssl.SSLContext:
    """A TLS context that verifies certificates and host names against no CA at all: every
    handshake fails. For clients of http:// origins, which must never speak TLS."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname, no CA


#: What an async client's first request imports (httpcore asks anyio for its event-loop backend
#: then): imported ahead, in the thread that opens a profile, they are not imported on the event
#: loop, where they held the first page up for 40-70 ms.
FIRST_REQUEST_MODULES = (
    "anyio._backends._asyncio",
    "anyio._core._sockets",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "concurrent.futures.thread",
)


def import_first_request_modules() -> None:
    """Import what a client's first request would import (see FIRST_REQUEST_MODULES); a module a
    later httpx or anyio no longer has is skipped."""
    for name in FIRST_REQUEST_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def make_client(
    platform: str,
    base_url: str,
    *,
    parse_error: ErrorParser = _no_vendor_body,
    auth: httpx.Auth | None = None,
    verify: bool | ssl.SSLContext = True,
    timeout: float = 20.0,
    retry: RetryPolicy | None = None,
    headers: dict[str, str] | None = None,
    secrets: Iterable[str | None] = (),
    username: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
) -> ApiClient:
    """The one place an httpx client is made. `transport` is for tests (httpx.MockTransport).

    `verify` checks TLS certificates against the system's CAs (True), a profile's own CAs (the
    `ca_bundle_context` of its ca_bundle), or not at all (False, an insecure profile).

    `secrets` are the profile's secrets (client secret, secret key, token) and `username` the id
    that goes with them in HTTP Basic: no error the client raises shows them, in any spelling,
    nor any token a `ClientCredentialsAuth` obtains.
    """
    scrubber = Scrubber(secrets, username=username)
    if isinstance(auth, ClientCredentialsAuth):
        auth.scrubber = scrubber
    throttles = Throttles()
    try:
        url = httpx.URL(base_url)
        if url.scheme == "http":
            # Loading the CAs costs 25-100 ms, and an http:// profile never speaks TLS: it sends
            # to its own origin only (SameOriginTransport; no redirect is followed). Should a
            # request ever reach TLS all the same, this context trusts no CA and fails closed.
            verify = _no_tls_context()
        inner = transport or httpx.AsyncHTTPTransport(
            verify=verify, limits=httpx.Limits(max_connections=20, max_keepalive_connections=10)
        )
        transport = SameOriginTransport(
            RetryTransport(inner, retry, sleep, on_throttle=throttles), platform, url
        )
        client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"Accept": "application/json", **(headers or {})},
            transport=transport,
            follow_redirects=False,
        )
    except httpx.InvalidURL as exc:
        invalid = ApiError(platform, f"invalid base URL {_plain_snippet(base_url)!r}: {exc}")
        raise scrubber.error(invalid) from None
    return ApiClient(platform, client, parse_error, scrubber, throttles)
