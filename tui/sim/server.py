"""Runs the simulator with uvicorn: in a daemon thread for tests and the console, or in the foreground.

Beside it, in a thread of its own, the EnOS MQTT broker (`tui/sim/enos/`): it starts when the
HTTP socket is bound (or, with `lazy_broker`, when `start_broker()` is first called: the console's
embedded simulator, whose demo profiles mostly never speak MQTT) and stops with the server."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

import uvicorn

from tui.sim.app import create_app
from tui.sim.config import SimConfig
from tui.sim.enos.data import demo_registry

if TYPE_CHECKING:
    from tui.sim.enos.broker import EnosBroker


class SimServer:
    """One simulator instance on one port; `start()`/`stop()`, a context manager, or `run()`."""

    def __init__(self, config: SimConfig | None = None, *, lazy_broker: bool = False) -> None:
        self.config = config or SimConfig()
        self.enos = demo_registry(self.config.seed, self.config.enos_max_devices)
        self.app = create_app(self.config, self.enos)
        self.broker: EnosBroker | None = None
        self._lazy_broker = lazy_broker
        self._broker_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    def bind(self) -> str:
        """Bind the listening socket and start the MQTT broker now (OSError if a port is taken);
        return the base URL.

        Optional: `start()` and `run()` bind when this was not called; calling it first lets a
        caller report a busy port and print the URL before serving.
        """
        if self._sock is None:
            self._sock = self._bind()
            host, port = self._sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            self._url = f"http://{shown}:{port}"
            if not self._lazy_broker:
                try:
                    self.start_broker()
                except (OSError, RuntimeError):
                    self._cleanup()
                    self._url = None
                    raise
        return self._url

    def start_broker(self) -> str:
        """Start the EnOS MQTT broker if it is not running (OSError if its port is taken);
        return its address."""
        with self._broker_lock:
            if self.broker is None:
                from tui.sim.enos.broker import EnosBroker  # (amqtt: a moment to import)

                broker = EnosBroker(
                    self.enos,
                    self.config.host,
                    self.config.mqtt_port,
                    silent=self.config.enos_silent,
                )
                broker.start()
                self.broker = broker
            return self.broker.address

    def _bind(self) -> socket.socket:
        # Binding ourselves (port 0 = a free port chosen by the OS) gives the URL before serving
        # and leaves no window in which another process could take the port.
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.config.host, self.config.port))
        except OSError:
            sock.close()
            raise
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock

    def _uvicorn(self) -> uvicorn.Server:
        cfg = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        return uvicorn.Server(cfg)

    @property
    def mqtt_address(self) -> str:
        """The EnOS broker's address, e.g. mqtt://127.0.0.1:1884 (known once it started)."""
        if self.broker is None:
            raise RuntimeError(
                "the EnOS broker is not started: call bind(), start() or start_broker()"
            )
        return self.broker.address

    @property
    def base_url(self) -> str:
        """The root URL clients use, e.g. http://127.0.0.1:54321 (still known after stop())."""
        if self._url is None:
            raise RuntimeError("the simulator is not bound yet: call bind(), start() or run()")
        return self._url

    def start(self, timeout: float = 10.0) -> str:
        """Serve in a daemon thread; returns the base URL once connections are being accepted."""
        if self._thread is not None:
            return self.base_url
        self.bind()
        assert self._sock is not None
        self._server = self._uvicorn()
        server, sock = self._server, self._sock
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="fleet-sim", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError("the simulator failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulator did not start in time")
            time.sleep(0.002)
        return self.base_url

    def stop(self) -> None:
        """Shut down cleanly and wait for the server thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._cleanup()

    def _cleanup(self) -> None:
        with self._broker_lock:
            if self.broker is not None:
                self.broker.stop()  # (its address stays known)
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        self._sock = None
        self._thread = None
        self._server = None

    def run(self) -> None:
        """Serve in the foreground until Ctrl-C / SIGINT / SIGTERM (uvicorn handles the signals)."""
        self.bind()
        assert self._sock is not None
        self._server = self._uvicorn()
        try:
            self._server.run(sockets=[self._sock])
        except KeyboardInterrupt:
            pass
        finally:
            self._cleanup()

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
