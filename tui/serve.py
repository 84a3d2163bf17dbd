"""`fleet serve`: the console in a browser, through textual-serve. Every browser tab that connects
runs the console itself (`python -m tui`, with the same profile and --readonly) in a process of
its own, with the user's environment, so the browser gets exactly what the terminal gets."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import shlex
import signal
import socket
import sys
from asyncio.subprocess import Process
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
log = logging.getLogger("fleet.serve")
QUIT_TIMEOUT = 10.0  # seconds a tab's console has to quit once asked, before it is killed


class ServeError(Exception):
    """A one-line reason why the console cannot be served (port taken, host refused)."""


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (a name is trusted only if it is localhost)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() in LOOPBACK_NAMES


def console_command(profile: str | None, *, readonly: bool) -> str:
    """The shell command each browser session runs: only the profile's name and --readonly, never
    a secret (a session resolves its secrets from keyring, environment or secret_command)."""
    words = [sys.executable, "-m", "tui"]
    if profile is not None:
        words += ["--profile", profile]
    if readonly:
        words.append("--readonly")
    return shlex.join(words)


def base_url(host: str, port: int) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def claim_port(host: str, port: int) -> int:
    """The port to serve on, checked free now so that a taken one is a clear error before the
    server starts (0 picks a free one). Binds as aiohttp does (SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {host} is in use (try --port)") from None
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        return int(probe.getsockname()[1])


class Session(AppService):
    """One browser tab's console. Unlike textual-serve's own, it reaps its process once the
    console quits (or kills it if it will not), so that nothing outlives the server's loop, and
    runs it in a session of its own: a Ctrl-C in the terminal stops the server, which then
    stops every console cleanly, rather than interrupting them all mid-frame."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            await self._reap()

    async def _reap(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()


class FleetServer(Server):
    """textual-serve's server with fleet's start-up line instead of its banner, its access log
    silenced, and every tab's console stopped (and reaped) before the server's loop closes."""

    def __init__(self, command: str, **options: Any) -> None:
        super().__init__(command, **options)
        self.sessions: set[Session] = set()
        #: the only origin whose pages may open a console (the URL the browser is given)
        parts = urlsplit(self.public_url)
        self.origin = f"{parts.scheme}://{parts.netloc}".lower()

    def allows(self, origin: str) -> bool:
        """Whether a page of `origin` may open a console: the URL the browser was given, or a
        page on this machine's loopback (another port too: an SSH tunnel's local end)."""
        origin = origin.rstrip("/").lower()
        if origin == self.origin:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and is_loopback(parts.hostname or "")

    def initialize_logging(self) -> None:
        # Its access log would print every static file; warnings and errors still show.
        logging.basicConfig(level=logging.WARNING, format="fleet serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """Not textual-serve's banner: fleet's line comes once the socket listens (`serve`)."""

    def serve(self, debug: bool = False) -> None:
        """textual-serve's `serve`, but the line that says where to point the browser is
        printed once the socket listens (aiohttp's `print`, after the site started), not
        before (`on_startup`): a browser or a script that reads it may connect at once."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.add_signal_handler(signal.SIGINT, self.request_exit)
        loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_: print(
                f"fleet serve: open {self.public_url} in a browser (Ctrl-C stops)", flush=True
            ),
        )

    async def on_shutdown(self, app: web.Application) -> None:
        # The sites are closed already; the tabs' handlers are still running.
        await asyncio.gather(*(session.stop() for session in list(self.sessions)))

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with a Session of ours (its own builds an AppService), and
        only for the page's own origin: a browser lets any web page open a WebSocket to
        loopback, and a console on this socket acts with the user's credentials. Browsers always
        send Origin with a WebSocket; a client that sends none is no web page."""
        origin = request.headers.get("Origin")
        if origin is not None and not self.allows(origin):
            log.warning("refused a WebSocket from another origin (%s)", origin[:200])
            raise web.HTTPForbidden(text="fleet serve: this console answers its own page only")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        session = Session(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.sessions.add(session)
        try:
            await session.start(width, height)
            await self._process_messages(websocket, session)
        finally:
            await asyncio.shield(session.stop())
            self.sessions.discard(session)
        return websocket


def serve(
    host: str,
    port: int,
    profile: str | None,
    *,
    readonly: bool = False,
    public_url: str | None = None,
) -> int:
    """Serve the console until Ctrl-C (or SIGTERM): 0 once stopped. Raises ServeError."""
    port = claim_port(host, port)
    url = public_url or base_url(host, port)
    server = FleetServer(
        console_command(profile, readonly=readonly),
        host=host.strip("[]"),
        port=port,
        title=f"fleet · {profile}" if profile else "fleet",
        public_url=url,
    )
    try:
        server.serve()
    except OSError as exc:  # lost the port between the check and the start
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:  # before the server's own Ctrl-C handling is in place
        return 130
    print("fleet serve: stopped", flush=True)
    return 0
