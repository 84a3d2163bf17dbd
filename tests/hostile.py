"""Hostile loopback HTTP servers for tests: they answer what a test scripts, echo, redirect or hang.

`HostileServer` runs a threaded `http.server` on 127.0.0.1 (TLS optional) and hands every request
to the test's `handler`, which returns a `Reply` or `HANG` (accept the request, never answer).
`LoopThread` runs one asyncio loop in a thread, so that a module-scoped adapter can serve many
hypothesis examples from synchronous test functions.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Received:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Reply:
        return cls(
            status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers}
        )


#: What a handler returns to accept a request and never answer it.
HANG = object()

Handler = Callable[[Received], "Reply | object"]


def _not_scripted(request: Received) -> Reply:
    return Reply.json({"code": 404, "message": f"nothing scripted for {request.path}"}, 404)


class HostileServer:
    """A loopback server whose every answer comes from `handler`; `received` records requests."""

    def __init__(self, handler: Handler = _not_scripted, *, tls: ssl.SSLContext | None = None):
        self.handler = handler
        self.received: list[Received] = []
        self._release = threading.Event()
        self._tls = tls
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                owner.received.append(request)
                reply = owner.handler(request)
                if reply is HANG:
                    owner._release.wait()
                    self.close_connection = True
                    return
                assert isinstance(reply, Reply)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serving(handler: Handler = _not_scripted) -> Iterator[HostileServer]:
    """For a fixture: a started server, stopped afterwards."""
    with HostileServer(handler) as server:
        yield server


class LoopThread:
    """One asyncio loop in a daemon thread; `run(coro)` waits for the coroutine's result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()
