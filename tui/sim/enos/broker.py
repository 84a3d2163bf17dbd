"""The EnOS MQTT broker: amqtt in a thread of its own, with three plugins.

- `EnosAuth` verifies the login at CONNECT (signing.py): an unknown device, a client id that is
  not EnOS's shape or too far from the clock, or a bad signature gets CONNACK "not authorized".
- `EnosAcl` lets a device publish and subscribe only under its own `/sys/{pk}/{dk}/` and
  `/ext/session/{pk}/{dk}/` (a refused SUBSCRIBE gets the 0x80 return code; a refused PUBLISH is
  acknowledged and dropped, as MQTT 3.1.1 brokers do).
- `EnosResponder` answers the requests that passed the ACL (responder.py) on their `_reply` topic,
  QoS 1; with `silent` it still acts on them but never answers (a reply lost on its way back, so
  that a client's retry meets what the first request did, e.g. 702).

amqtt logs every broadcast payload at DEBUG, deviceSecrets included, so its loggers are held at
WARNING whatever the root level is; its traceback of a failed start is dropped too, since
`EnosBroker.start()` raises that failure to its caller (`fleet sim` names the busy port).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action, BaseContext, BrokerConfig, ListenerConfig
from amqtt.plugins.base import BaseAuthPlugin, BasePlugin, BaseTopicPlugin
from amqtt.session import ApplicationMessage, Session

from tui.sim.enos.registry import Registry
from tui.sim.enos.responder import respond
from tui.sim.enos.signing import check_login, parse_login


def _not_startup_failure(record: logging.LogRecord) -> bool:
    return record.getMessage() != "Broker startup failed"


logging.getLogger("amqtt").setLevel(logging.WARNING)
logging.getLogger("amqtt.broker").addFilter(_not_startup_failure)
logging.getLogger("transitions").setLevel(logging.WARNING)


@dataclass
class _Shared:
    """Each plugin's config: the registry (and the silent knob) it works on."""

    registry: Any = None
    silent: bool = False


class EnosAuth(BaseAuthPlugin):
    """Accepts a CONNECT whose password is the EnOS signature of its client id with the device's secret."""

    Config = _Shared

    async def authenticate(self, *, session: Session) -> bool | None:
        registry: Registry = self.config.registry
        login = parse_login(session.client_id or "", session.username or "")
        if login is None:
            return False
        secret = registry.secret(login.product_key, login.device_key)
        if secret is None:
            return False
        return check_login(login, session.password or "", secret, time.time() * 1000)


class EnosAcl(BaseTopicPlugin):
    """A device's topics are its own: `/sys/{pk}/{dk}/…` and `/ext/session/{pk}/{dk}/…`."""

    Config = _Shared

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool | None:
        if session is None:
            return True  # the broker's own messages (replies)
        if not topic or (session.username or "").count("&") != 1:
            return False
        device_key, product_key = (session.username or "").split("&")
        own = (f"/sys/{product_key}/{device_key}/", f"/ext/session/{product_key}/{device_key}/")
        return topic.startswith(own)


class EnosResponder(BasePlugin[BaseContext]):
    """Answers each request a device published (after the ACL let it through)."""

    Config = _Shared

    async def on_broker_message_broadcast(
        self, *, client_id: str, message: ApplicationMessage
    ) -> None:
        reply = respond(self.config.registry, message.topic, bytes(message.data or b""))
        if reply is not None and not self.config.silent:
            topic, body = reply
            await self.context.broadcast_message(topic, body, qos=1)  # type: ignore[attr-defined]


class EnosBroker:
    """The broker on (host, port), serving in a daemon thread: `start()` → address, `stop()`."""

    def __init__(
        self, registry: Registry, host: str = "127.0.0.1", port: int = 0, silent: bool = False
    ) -> None:
        """`port` 0 picks a free port."""
        self.registry = registry
        self._host, self._port, self._silent = host, port, silent
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._bound: int | None = None

    @property
    def port(self) -> int:
        if self._bound is None:
            raise RuntimeError("the MQTT broker is not started")
        return self._bound

    @property
    def address(self) -> str:
        """mqtt://host:port, the address clients use (still known after stop())."""
        shown = f"[{self._host}]" if ":" in self._host else self._host
        return f"mqtt://{shown}:{self.port}"

    def start(self, timeout: float = 10.0) -> str:
        """Serve in a daemon thread; returns the address once the port accepts connections.

        OSError when the port cannot be bound."""
        if self._thread is not None:
            return self.address
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="fleet-sim-mqtt", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("the MQTT broker did not start in time")
        if self._error is not None:
            error, self._error = self._error, None
            self.stop()
            raise OSError(getattr(error, "errno", None), _reason(error)) from error
        return self.address

    def stop(self) -> None:
        """Shut the broker down (closing every session) and wait for its thread."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._loop = None
        self._stop = None

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        shared = {"registry": self.registry, "silent": self._silent}
        config = BrokerConfig(
            listeners={"default": ListenerConfig(bind=f"{self._host}:{self._port}")},
            plugins={
                f"{__name__}.EnosAuth": shared,
                f"{__name__}.EnosAcl": shared,
                f"{__name__}.EnosResponder": shared,
            },
        )
        broker = Broker(config)
        try:
            await broker.start()
        except Exception as exc:  # reported to start()'s caller
            self._error = exc.__cause__ or exc
            self._ready.set()
            return
        server = broker._servers["default"].instance  # amqtt exposes no bound port
        self._bound = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await broker.shutdown()


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)
