"""One MQTT session for the service layer (the counterpart of `tui.api.http`'s client factory).

`MqttSession` keeps one connection to a broker and turns EnOS-style request/reply topics into
awaitable calls: `await session.request(topic, method, params)` publishes `{"id", "version",
"method", "params"}` with QoS 1 and answers the reply of the same `id` (a counter, as text) that
arrives on `topic + "_reply"`. Every failure comes out as an `ApiError`:

- no reply within the timeout: "EnOS did not answer thing.device.register within 10 s";
- a refused CONNECT: bad credentials (the text names the gateway, never the secret);
- a reply that cannot be read (not JSON, not an object, an `id` or `code` of the wrong type):
  an ApiError naming the topic, handed to every request waiting on that topic;
- the connection dropping: every request in flight fails at once; a background task
  reconnects with exponential backoff (capped), signing a fresh login each time.

The reply topics are subscribed before anything is published. Every wait is cancellable.
Nothing here logs a payload: a reply can carry a deviceSecret.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiomqtt
from aiomqtt.exceptions import MqttConnectError

from tui.api.enos_login import MqttLogin
from tui.api.errors import ApiError

__all__ = ["MqttSession", "Reply", "backoff", "parse_reply", "tls_context"]

_LOG = logging.getLogger("fleet")
# paho's own log names topics and sizes only; it still stays quiet below warnings.
_PAHO_LOG = logging.getLogger("fleet.mqtt")
_PAHO_LOG.setLevel(logging.WARNING)

#: CONNACK codes that refuse the login itself: 4/5 in MQTT 3.1.1, 134/135 as paho 2 reports them
_REFUSED_LOGIN = frozenset({4, 5, 134, 135})


@dataclass(frozen=True)
class Reply:
    """A reply as read off the wire: its `id`, `code` (EnOS's 200 or an error code), `message`
    and `data` (whatever the method answers; may hold deviceSecrets, so it never reaches a log)."""

    id: str
    code: int
    message: str | None
    data: Any

    def __repr__(self) -> str:
        return f"Reply(id={self.id!r}, code={self.code!r}, message={self.message!r})"


def parse_reply(platform: str, topic: str, payload: bytes | bytearray | str) -> Reply:
    """Read one reply, or raise the ApiError naming `topic` that says why it cannot be read."""

    def unreadable(why: str) -> ApiError:
        return ApiError(platform, f"unreadable reply on {topic}: {why}")

    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        raise unreadable("not JSON") from None
    if not isinstance(body, dict):
        raise unreadable("not a JSON object")
    ident = body.get("id")
    if not isinstance(ident, str) or not ident:
        raise unreadable("its id is not a string")
    code = body.get("code")
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool):
        raise unreadable("its code is not a number")
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise unreadable("its message is not text")
    return Reply(ident, code, message, body.get("data"))


def backoff(first: float, cap: float) -> Iterator[float]:
    """The waits between reconnection attempts: `first`, doubling each time, at most `cap`."""
    delay = first
    while True:
        yield min(delay, cap)
        delay = min(delay * 2, cap)


def tls_context(verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    """The TLS context of an `mqtts://` broker: the profile's own (CA bundle), the system's CAs,
    or, only when the profile says insecure, one that checks nothing."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class _Pending:
    reply_topic: str
    future: asyncio.Future[Reply]


class MqttSession:
    """One broker connection shared by every request of an adapter (see the module docstring).

    `login()` is called for every connection attempt (EnOS's login is signed with a timestamp).
    `reply_topics` are subscribed on every connection, before anything is published.
    """

    def __init__(
        self,
        platform: str,
        host: str,
        port: int,
        login: Callable[[], MqttLogin],
        reply_topics: Sequence[str],
        *,
        tls: bool = False,
        verify: bool | ssl.SSLContext = True,
        reply_timeout: float = 10.0,
        backoff: float = 0.5,
        backoff_cap: float = 30.0,
        keepalive: int = 60,
        vendor: str | None = None,
    ) -> None:
        """`vendor` names the platform in messages ("EnOS did not answer …"); `backoff` is the
        first wait before reconnecting, doubled each time up to `backoff_cap`."""
        self.platform = platform
        self.vendor = vendor or platform
        self.host = host
        self.port = port
        self.tls = tls
        self.reply_timeout = reply_timeout
        self._login = login
        self._reply_topics = tuple(reply_topics)
        self._verify = verify
        self._backoff = backoff
        self._backoff_cap = backoff_cap
        self._keepalive = keepalive
        self._ids = itertools.count(1)
        self._pending: dict[str, _Pending] = {}
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._attempt = asyncio.Event()  # set when a connection attempt ends, either way
        self._wake = asyncio.Event()  # cuts a backoff short: a request is waiting
        self._error: ApiError | None = None  # why the last attempt failed
        self._closed = False
        #: how many times a connection was made (tests and the gateway view read it)
        self.connections = 0

    @property
    def address(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    @property
    def connected(self) -> bool:
        return self._client is not None

    def __repr__(self) -> str:
        return f"MqttSession({self.address!r}, connected={self.connected})"

    # ------------------------------------------------------------ connection

    async def connect(self, timeout: float | None = None) -> None:
        """Connect now (the first request does it anyway): ApiError when the broker refuses the
        login or cannot be reached within `timeout` (the reply timeout by default)."""
        await self._ready(self.reply_timeout if timeout is None else timeout)

    async def _ready(self, timeout: float) -> aiomqtt.Client:
        """The connected client, waiting for the connection attempt under way (or a new one)."""
        if self._closed:
            raise ApiError(self.platform, "the MQTT session is closed")
        if self._client is not None:
            return self._client
        if self._task is None or self._task.done():
            self._error = None
            self._attempt.clear()
            self._task = asyncio.create_task(self._run(), name=f"{self.platform}-mqtt")
        self._wake.set()
        try:
            async with asyncio.timeout(timeout):
                while self._client is None:
                    self._attempt.clear()
                    await self._attempt.wait()
                    if self._client is None and self._error is not None:
                        raise self._error
        except TimeoutError:
            raise ApiError(
                self.platform,
                f"could not connect to the broker {self.address} within {timeout:g} s",
            ) from None
        return self._client

    def _new_client(self) -> aiomqtt.Client:
        login = self._login()
        return aiomqtt.Client(
            self.host,
            self.port,
            identifier=login.client_id,
            username=login.username,
            password=login.password,
            protocol=aiomqtt.ProtocolVersion.V311,
            clean_session=True,
            keepalive=self._keepalive,
            timeout=self.reply_timeout,
            logger=_PAHO_LOG,
            tls_context=tls_context(self._verify) if self.tls else None,
            tls_insecure=(self._verify is False) if self.tls else None,
        )

    def _refusal(self, exc: aiomqtt.MqttError | OSError) -> ApiError:
        rc = getattr(exc, "rc", None)
        value = getattr(rc, "value", rc)
        if isinstance(exc, MqttConnectError) and value in _REFUSED_LOGIN:
            return ApiError(
                self.platform,
                f"the broker {self.address} refused the gateway's login: bad credentials "
                "(productKey, deviceKey or deviceSecret)",
                code=str(value),
            )
        return ApiError(self.platform, f"cannot reach the broker {self.address}: {exc}")

    async def _run(self) -> None:
        """Connect, subscribe, read replies; on a drop, fail what is in flight and reconnect
        with exponential backoff. A refused login ends the task (the next request tries again)."""
        delays = backoff(self._backoff, self._backoff_cap)
        while not self._closed:
            try:
                async with self._new_client() as client:
                    for topic in self._reply_topics:
                        await client.subscribe(topic, qos=1)
                    self._client = client
                    self._error = None
                    self.connections += 1
                    delays = backoff(self._backoff, self._backoff_cap)
                    self._attempt.set()
                    async for message in client.messages:
                        self._dispatch(str(message.topic), message.payload)
            except (aiomqtt.MqttError, OSError) as exc:
                error = self._refusal(exc)
                dropped = self._client is not None
                self._client = None
                self._error = error
                self._fail_pending(
                    ApiError(self.platform, f"the connection to {self.address} dropped")
                    if dropped
                    else error
                )
                self._attempt.set()
                if error.code is not None:  # a refused login: retrying will not help
                    _LOG.warning("%s", error.summary)
                    return
            finally:
                self._client = None
            if self._closed:
                return
            delay = next(delays)
            _LOG.info("%s: reconnecting in %g s", self.address, delay)
            self._wake.clear()
            # A request that needs the connection cuts the wait short.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    def _fail_pending(self, error: ApiError, reply_topic: str | None = None) -> None:
        for pending in list(self._pending.values()):
            mine = reply_topic is None or pending.reply_topic == reply_topic
            if mine and not pending.future.done():
                pending.future.set_exception(error)

    def _dispatch(self, topic: str, payload: Any) -> None:
        """Hand a reply to the request of its id; an unreadable one fails every request waiting
        on its topic. Never raises: it runs in the reading loop."""
        if not isinstance(payload, bytes | bytearray | str):
            payload = b""
        try:
            reply = parse_reply(self.platform, topic, payload)
        except ApiError as error:
            _LOG.warning("%s", error.summary)
            self._fail_pending(error, topic)
            return
        pending = self._pending.get(reply.id)
        if pending is None or pending.reply_topic != topic:
            _LOG.debug("%s: reply %s on %s matches no request", self.platform, reply.id, topic)
            return
        if not pending.future.done():
            pending.future.set_result(reply)

    # ------------------------------------------------------------ requests

    async def request(
        self,
        topic: str,
        method: str,
        params: Any,
        *,
        version: str = "1.1",
        timeout: float | None = None,
    ) -> Reply:
        """Publish one request (QoS 1) and answer its reply, whatever its code (the caller maps
        codes). ApiError when not connected, when no reply comes within `timeout` (the
        session's reply timeout by default), or when the reply cannot be read."""
        wait = self.reply_timeout if timeout is None else timeout
        client = await self._ready(wait)
        ident = str(next(self._ids))
        body = {"id": ident, "version": version, "method": method, "params": params}
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[ident] = _Pending(topic + "_reply", future)
        try:
            try:
                await client.publish(topic, json.dumps(body, ensure_ascii=False), qos=1)
            except aiomqtt.MqttError as exc:
                raise ApiError(
                    self.platform, f"{method} could not be sent to {self.address}: {exc}"
                ) from None
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # Python 3.11's wait_for (in aiomqtt's publish) loses a cancel that lands as the
                # PUBACK comes: the wait for the reply must not outlive the caller's cancel.
                raise asyncio.CancelledError
            try:
                return await asyncio.wait_for(future, wait)
            except TimeoutError:
                raise ApiError(
                    self.platform, f"{self.vendor} did not answer {method} within {wait:g} s"
                ) from None
        finally:
            del self._pending[ident]
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: a failure nobody awaited is no warning

    async def aclose(self) -> None:
        """Disconnect and stop reconnecting; requests in flight fail."""
        self._closed = True
        self._fail_pending(ApiError(self.platform, "the MQTT session was closed"))
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await task
        self._client = None
