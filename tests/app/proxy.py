"""A hostile platform for app tests: a loopback proxy in front of the simulator that rewrites its
answers the way a broken or malicious server would.

The console talks real HTTP to the proxy; the proxy forwards to a real simulator (keeping the
`Host` header, so IoTDA's AK/SK signatures still verify) and then, by its `mode`:

- "names": every name, message and description in a JSON answer becomes `text`;
- "errors": every API call is refused with the vendor's error body carrying `text`;
- "hang": every API call is accepted and never answered;
- "garbage": every API call gets an HTML page or a JSON value of the wrong shape;
- "loop": device and alarm lists answer `more: true`, no rows and the same cursor every time;
- "echo": token requests are refused with the request's own body in the error (as some
  identity servers do), to see that no secret reaches the screen in any encoding;
- "pass": the simulator's answers, unchanged.
Token requests are forwarded unchanged in every mode except "hang" and "echo", so that the
console gets as far as the platform's API.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

#: JSON keys whose string values a hostile server controls
TEXT_KEYS = frozenset(
    {
        "name",
        "device_name",
        "message",
        "description",
        "commercialName",
        "manufacturer_name",
        "industry",
        "cause",
        "error_msg",
    }
)
TOKEN_PATHS = ("/users-auth/", "/token")


def rewrite(value: Any, text: str) -> Any:
    """`value` with every string under one of TEXT_KEYS replaced by `text`."""
    if isinstance(value, dict):
        return {
            k: text if k in TEXT_KEYS and isinstance(v, str) else rewrite(v, text)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [rewrite(v, text) for v in value]
    return value


class HostileProxy:
    """The proxy (see the module docstring); `mode` and `text` may change between requests."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode = "pass"
        self.text = ""
        self.requests: list[str] = []
        self._client: httpx.AsyncClient | None = None
        app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE"])]
        )
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> HostileProxy:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    async def _handle(self, request: Request) -> Response:
        path = request.url.path
        self.requests.append(f"{request.method} {path}")
        token = path.startswith(TOKEN_PATHS)
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if token and self.mode == "echo":
            body = (await request.body()).decode("utf-8", "replace")
            auth = request.headers.get("authorization", "")
            described = f"invalid client: {body} {auth}".strip()
            return JSONResponse(
                {"error": "invalid_client", "error_description": described}, status_code=401
            )
        if not token and self.mode == "errors":
            return self._refusal(path)
        if not token and self.mode == "garbage":
            if len(self.requests) % 2:
                return Response("<html><body>Bad gateway</body></html>", media_type="text/html")
            return JSONResponse({"briefs": "oops", "devices": None, "products": 7})
        if not token and self.mode == "loop" and request.method == "GET":
            return JSONResponse(
                {
                    "briefs": [],
                    "more": True,
                    "cursors": {"last": "c2FtZQ=="},
                    "devices": [],
                    "page": {"marker": "ffffffffffff000000000001", "count": 9},
                }
            )
        answer = await self._forward(request)
        if self.mode != "names" or "json" not in answer.headers.get("content-type", ""):
            return Response(
                answer.content,
                status_code=answer.status_code,
                headers={
                    k: v
                    for k, v in answer.headers.items()
                    if k.lower() in ("content-type", "location", "retry-after")
                },
            )
        body = rewrite(answer.json(), self.text)
        return JSONResponse(body, status_code=answer.status_code)

    def _refusal(self, path: str) -> Response:
        if path.startswith("/v5/"):
            body: dict[str, Any] = {"error_code": "IOTDA.000006", "error_msg": self.text}
        else:
            body = {"code": 40001, "message": self.text, "errorId": "x"}
        return JSONResponse(body, status_code=400)

    async def _forward(self, request: Request) -> httpx.Response:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.upstream, timeout=30)
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("content-length", "transfer-encoding", "connection")
        }
        return await self._client.request(
            request.method,
            request.url.path,
            params=list(request.query_params.multi_items()),
            content=await request.body(),
            headers=headers,
        )
