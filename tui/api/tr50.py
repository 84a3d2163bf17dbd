"""The TR50 command client (Telit IoT Portal / deviceWISE): commands in one `POST {base}/api`.

A request is a JSON object of correlation keys → `{"command", "params"}`; the answer has the same
keys, each `{"success": true, "params": {…}}` or `{"success": false, "errorCodes": [int…],
"errorMessages": ["…"]}`. `call()` sends one command, `batch()` several in one POST (where a
screen needs several answers at once).

Login is `api.authenticate`, with a user's `username` + `password` or an application's `appId` +
`appToken` + `thingKey`; it answers a `sessionId` that later requests carry as
`{"auth": {"sessionId": …}}` at the top of the body. The first call logs in; when the server
says the session is no longer good, the client logs in once again and sends the request once
more. The vendor docs do not list the code of an expired session: the client knows it by the
`auth` entry of the answer failing while a session id was sent, by a code of `SESSION_CODES`
(-90008, the simulator's choice in TR50's -90000s), or by a message that speaks of an invalid or
expired session (public TR50 clients match "Authentication session is invalid"). Mutating
commands are recorded for the audit log as `POST /api <command>`.

Every failure is one `ApiError` of the platform: a refused command carries its first error code
(`code="-90008"`), its messages and the HTTP status of the answer it came in (200: answered and
refused, never taken for a network failure); an answer that cannot be read (not JSON, a key
missing, a wrong shape) is `unexpected answer from POST /api: …`. The password, the application
token and the session id never reach a message, a log or a repr: the client factory's scrubber
masks them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import httpx
from pydantic import Field, ValidationError

from tui.api.bulk import current_target
from tui.api.errors import ApiError
from tui.api.http import AUDIT_MESSAGE_CHARS, CallRecord, ErrorBody, RetryPolicy, make_client
from tui.api.wire import WireModel

__all__ = [
    "API_PATH",
    "AUTH_KEY",
    "SESSION_CODES",
    "Command",
    "Tr50Client",
    "is_mutating",
    "parse_error",
]

_LOG = logging.getLogger("fleet")

API_PATH = "/api"
#: the correlation key of the login command, and of the session id in later requests
AUTH_KEY = "auth"
#: codes taken for "the session is not (or no longer) valid", besides the messages that say so
SESSION_CODES = frozenset({-90008})
_SESSION_WORDS = re.compile(r"session", re.IGNORECASE)
_SESSION_STATE = re.compile(r"invalid|expired|unknown|not found|timed out", re.IGNORECASE)
#: commands that change nothing (their names end so); every other one is recorded for the audit
_READ_SUFFIXES = (".list", ".find", ".search", ".get", ".current", ".history")

#: one command: its name and its params
Command = tuple[str, Mapping[str, Any] | None]


def is_mutating(command: str) -> bool:
    """Whether `command` changes something (it is recorded in the audit log)."""
    return command != "api.authenticate" and not command.endswith(_READ_SUFFIXES)


class _Reply(WireModel):
    """One key of an answer."""

    success: bool
    params: dict[str, Any] | None = None
    errorCodes: list[int] = Field(default_factory=list)
    errorMessages: list[str] = Field(default_factory=list)


def parse_error(body: Any) -> ErrorBody:
    """The first refusal a TR50 answer carries (for an HTTP error status with a TR50 body)."""
    if isinstance(body, dict):
        for entry in body.values():
            if isinstance(entry, dict) and entry.get("success") is False:
                codes = entry.get("errorCodes")
                messages = entry.get("errorMessages")
                code = codes[0] if isinstance(codes, list) and codes else None
                said = (
                    [m for m in messages if isinstance(m, str)]
                    if isinstance(messages, list)
                    else []
                )
                return ErrorBody(None if code is None else str(code), "; ".join(said) or None)
    return ErrorBody(None, None)


def _refusal(platform: str, command: str, reply: _Reply, status: int) -> ApiError:
    """The ApiError of a refused command; `status` is the HTTP status of the answer it came in
    (a 200: the server answered, and refused)."""
    code = str(reply.errorCodes[0]) if reply.errorCodes else None
    message = "; ".join(m.strip() for m in reply.errorMessages if m.strip())
    return ApiError(platform, message or f"{command} failed", status=status, code=code)


class _Answer(NamedTuple):
    """One request's answer: its HTTP status and the reply under each correlation key."""

    status: int
    replies: dict[str, _Reply]


def _is_session_error(reply: _Reply) -> bool:
    if any(code in SESSION_CODES for code in reply.errorCodes):
        return True
    return any(_SESSION_WORDS.search(m) and _SESSION_STATE.search(m) for m in reply.errorMessages)


class Tr50Client:
    """A TR50 account reached over the one HTTP client factory (`tui.api.http.make_client`).

    Either `username` + `password` (a user) or `app_id` + `app_token` + `thing_key` (an
    application login, a gateway's). `recorder`, when set, receives a CallRecord of every
    mutating command (made of what the scrubber lets through)."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        app_id: str | None = None,
        app_token: str | None = None,
        thing_key: str | None = None,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if username and password:
            self._login: dict[str, str] = {"username": username, "password": password}
        elif app_id and app_token:
            self._login = {"appId": app_id, "appToken": app_token, "thingKey": thing_key or ""}
        else:
            raise ValueError("TR50 needs a username and password, or an app id and app token")
        self.platform = platform
        self.username = username
        self.app_id = app_id
        self.api = make_client(
            platform,
            base_url.rstrip("/"),
            parse_error=parse_error,
            verify=verify,
            retry=retry,
            secrets=(password, app_token),
            username=username,
            transport=transport,
        )
        self._session: str | None = None
        self._lock = asyncio.Lock()
        self.recorder: Callable[[CallRecord], None] | None = None
        #: how many logins this client made (the first, and one per expired session)
        self.logins = 0

    def __repr__(self) -> str:
        who = f"username={self.username!r}" if self.username else f"app_id={self.app_id!r}"
        return f"Tr50Client({self.api.base_url!r}, {who})"

    @property
    def scrubber(self) -> Callable[[str], str]:
        return self.api.scrubber

    async def aclose(self) -> None:
        await self.api.aclose()

    # ------------------------------------------------------------ the envelope

    async def _post(self, body: dict[str, Any], keys: list[str]) -> _Answer:
        """Send one request; each of `keys` read as a reply (ApiError for an unreadable one)."""
        answer = await self.api.answer("POST", API_PATH, json=body)

        def read(raw: Any) -> dict[str, _Reply]:
            if not isinstance(raw, dict):
                raise ValueError("the body: expected an object")
            replies: dict[str, _Reply] = {}
            if AUTH_KEY not in keys and isinstance(raw.get(AUTH_KEY), dict):
                # Where the server answers the session too, only its failure matters.
                with contextlib.suppress(ValidationError):
                    replies[AUTH_KEY] = _Reply.model_validate(raw[AUTH_KEY])
            for key in keys:
                if key not in raw:
                    raise KeyError(key)
                reply = _Reply.model_validate(raw[key])
                if reply.success and reply.params is None and key == AUTH_KEY:
                    raise ValueError(f"{key}.params: missing")
                replies[key] = reply
            return replies

        return _Answer(answer.status, answer.read(read))

    async def _authenticate(self) -> str:
        """Log in (`api.authenticate`) and keep the session id; ApiError when refused."""
        body = {AUTH_KEY: {"command": "api.authenticate", "params": dict(self._login)}}
        answer = await self._post(body, [AUTH_KEY])
        reply = answer.replies[AUTH_KEY]
        if not reply.success:
            refused = _refusal(self.platform, "api.authenticate", reply, answer.status)
            raise self.api.scrubber.error(refused)
        session = (reply.params or {}).get("sessionId")
        if not isinstance(session, str) or not session:
            raise ApiError(
                self.platform, "unexpected answer from POST /api: auth.params.sessionId: missing"
            )
        self.api.scrubber.add(session)
        self._session = session
        self.logins += 1
        return session

    async def _session_id(self, stale: str | None = None) -> str:
        """The current session id; a new login when there is none or it is `stale`."""
        async with self._lock:
            if self._session is None or self._session == stale:
                return await self._authenticate()
            return self._session

    async def _send(self, commands: Mapping[str, Command]) -> _Answer:
        """The answer to `commands` (one POST), logged in; after an expired session, one new
        login and one retry."""
        for key in commands:
            if key == AUTH_KEY:
                raise ValueError(f"{AUTH_KEY!r} is the login's correlation key")
        session = await self._session_id()
        for attempt in (1, 2):
            body: dict[str, Any] = {AUTH_KEY: {"sessionId": session}}
            for key, (command, params) in commands.items():
                body[key] = {"command": command, "params": dict(params or {})}
            answer = await self._post_recorded(body, commands)
            if not self._expired(answer.replies) or attempt == 2:
                break
            session = await self._session_id(stale=session)
        return answer

    def _expired(self, replies: dict[str, _Reply]) -> bool:
        """Whether the server refused the session: its `auth` entry failed, or a command was
        refused for it."""
        auth = replies.get(AUTH_KEY)
        if auth is not None and not auth.success:
            return True
        return any(not r.success and _is_session_error(r) for r in replies.values())

    async def _post_recorded(
        self, body: dict[str, Any], commands: Mapping[str, Command]
    ) -> _Answer:
        """`_post`, with a CallRecord of each mutating command for the audit log."""
        sent = time.time()
        mutating = [k for k, (command, _) in commands.items() if is_mutating(command)]
        try:
            answer = await self._post(body, list(commands))
        except ApiError as error:
            for key in mutating:
                self._record(sent, commands[key][0], error.status, error.code, error.message)
            raise
        for key in mutating:
            command = commands[key][0]
            reply = answer.replies[key]
            if reply.success:
                self._record(sent, command, answer.status, None, None, ok=True)
            else:
                refused = _refusal(self.platform, command, reply, answer.status)
                self._record(sent, command, answer.status, refused.code, refused.message)
        return answer

    def _record(
        self,
        sent: float,
        command: str,
        status: int | None,
        code: str | None,
        message: str | None,
        *,
        ok: bool = False,
    ) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        text = None
        if message:
            text = " ".join(self.api.scrubber(message).split())
            if len(text) > AUDIT_MESSAGE_CHARS:
                text = text[: AUDIT_MESSAGE_CHARS - 1] + "…"
        try:
            recorder(
                CallRecord(
                    at=sent,
                    platform=self.platform,
                    method="POST",
                    path=f"{API_PATH} {command}",
                    target=current_target.get(),
                    ok=ok,
                    status=status,
                    code=code,
                    message=text,
                )
            )
        except Exception:  # a recorder that fails is never the call's failure
            _LOG.exception("the audit recorder failed")

    # ------------------------------------------------------------ the public calls

    async def call(self, command: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send one command; its `params` (an empty dict when it answers none). ApiError when
        refused (its first code and its messages) or unreadable."""
        answer = await self._send({"1": (command, params)})
        found = self._params(command, answer, "1")
        if isinstance(found, ApiError):
            raise found
        return found

    async def batch(self, commands: Mapping[str, Command]) -> dict[str, dict[str, Any] | ApiError]:
        """Send several commands in one POST; per correlation key, its `params` or the
        ApiError of its refusal. ApiError when the request as a whole fails."""
        answer = await self._send(commands)
        return {key: self._params(command, answer, key) for key, (command, _) in commands.items()}

    def _params(self, command: str, answer: _Answer, key: str) -> dict[str, Any] | ApiError:
        reply = answer.replies[key]
        if reply.success:
            return reply.params or {}
        return self.api.scrubber.error(_refusal(self.platform, command, reply, answer.status))
