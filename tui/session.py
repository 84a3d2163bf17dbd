"""Opens a platform from a profile: resolves its secret and, for demo profiles, the embedded simulator.

Both can block (a keyring may hang up to its time-box, the simulator takes a moment to start),
so the console calls `open_platform` from a thread, never on the event loop. `ProfileOpening`
is such a thread started before the console exists: `fleet` opens the profile while Textual is
imported and starts, and the app adopts the opening instead of starting another.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.config import ProfileBase
from tui.secrets import SecretError, SecretResolver, discover_keyring

if TYPE_CHECKING:  # the adapters (and httpx, ssl) are imported by the opening, in its thread
    import asyncio
    import ssl

    from tui.api.platform import Platform


#: Python's own thread switch interval, put back by `end_startup`
_SWITCH_INTERVAL = sys.getswitchinterval()
#: while the console starts: a thread waiting for the GIL (the event loop back from a read, the
#: opening back from the keyring) gets it within 1 ms rather than 5 (the "convoy" effect)
STARTUP_SWITCH_INTERVAL = 0.001


def begin_startup() -> None:
    """Before the console's imports: no cyclic garbage collection (start-up makes objects that
    live as long as the process; collecting them in passing costs ~10 % of the imports) and a
    shorter thread switch interval, while the profile opens in a thread. `end_startup` undoes it."""
    gc.disable()
    sys.setswitchinterval(STARTUP_SWITCH_INTERVAL)


def end_startup() -> None:
    """The first profile opened (or failed to): collection and the switch interval as usual.
    Harmless when `begin_startup` never ran (tests make the app directly)."""
    sys.setswitchinterval(_SWITCH_INTERVAL)
    gc.enable()


class UnsupportedPlatform(Exception):
    """The profile's platform has no adapter in this version of fleet."""


class ProfileOpening:
    """One profile being opened (`open_platform`) in a daemon thread, started before anyone waits.

    `fleet` starts it right after reading the config, so that the secret look-up (keyring
    discovery included), the adapter's import and its client, and a demo profile's simulator
    overlap the console's own start; the app then adopts it (`FleetApp(opening=…)`). A daemon
    thread, like the app's own openings: a keyring that hangs never holds the exit up.
    """

    def __init__(
        self,
        profile: ProfileBase,
        resolver: SecretResolver | None = None,
        simulator: EmbeddedSimulator | None = None,
    ) -> None:
        self.profile = profile
        self.resolver = resolver or SecretResolver()
        self.simulator = simulator or EmbeddedSimulator()
        self._done = threading.Event()
        self._result: tuple[ProfileBase, Platform] | None = None
        self._error: BaseException | None = None
        #: called (in the opening's thread) once it is done; see `opened`
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, name=f"fleet-open-{profile.name}", daemon=True
        )

    def start(self) -> ProfileOpening:
        if not self.profile.simulator:  # (a demo profile's secrets are public: no keyring)
            discover_keyring()  # alongside the adapter's import, rather than after it
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._result = open_platform(self.profile, self.resolver, self.simulator)
            from tui.api.http import import_first_request_modules

            import_first_request_modules()
        except BaseException as exc:  # handed to whoever waits, as if it had called itself
            self._error = exc
        finally:
            with self._listeners_lock:
                self._done.set()
                listeners, self._listeners = self._listeners, []
            for listener in listeners:
                listener()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> tuple[ProfileBase, Platform]:
        """Wait for the opening: the resolved profile and its platform, or what `open_platform`
        raised. TimeoutError when `timeout` passes first."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"profile {self.profile.name} is still opening")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    async def opened(self) -> tuple[ProfileBase, Platform]:
        """Wait for the opening on the event loop, without a thread of the loop's own (an
        executor thread would hold the exit up for as long as a keyring hangs). A waiter that
        is cancelled leaves nobody to use the platform: it is closed as soon as it opens."""
        import asyncio  # (not before the opening has started: see `fleet`'s start-up)

        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[ProfileBase, Platform]] = loop.create_future()

        def settle() -> None:
            if future.cancelled():
                if self._result is not None:
                    task = loop.create_task(self._result[1].aclose())
                    _closing.add(task)  # (a task nobody holds may be collected before it ends)
                    task.add_done_callback(_closing.discard)
            elif self._error is not None:
                future.set_exception(self._error)
            else:
                assert self._result is not None
                future.set_result(self._result)

        def done() -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the app is gone
                loop.call_soon_threadsafe(settle)

        with self._listeners_lock:
            waiting = not self._done.is_set()
            if waiting:
                self._listeners.append(done)
        if not waiting:
            settle()
        return await future


#: closings of platforms whose opening finished after its waiter had gone
_closing: set[asyncio.Task[None]] = set()  # (asyncio is imported when needed)


class EmbeddedSimulator:
    """The simulator that demo profiles talk to: started on first use, on a free loopback port."""

    def __init__(self, **knobs: Any) -> None:
        """`knobs` are SimConfig fields (tests freeze the data clock or shrink the fleet)."""
        self._knobs = knobs
        self._server: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    def ensure(self) -> str:
        """Start the simulator if needed; return its base URL."""
        with self._lock:
            if self._server is None:
                from tui.sim import SimConfig, SimServer  # only demo sessions pay for importing it

                # The EnOS broker starts when a demo-enos profile first asks for it.
                server = SimServer(SimConfig(**{"port": 0, **self._knobs}), lazy_broker=True)
                server.start()
                self._server = server
            return self._server.base_url

    def mqtt_address(self) -> str:
        """Start the simulator if needed; return its EnOS broker's address, mqtt://127.0.0.1:{port}."""
        self.ensure()
        with self._lock:
            return self._server.start_broker()

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
                self._server = None


def tls_verification(profile: ProfileBase) -> bool | ssl.SSLContext:
    """How the profile's TLS certificates are checked: not at all (`insecure`, which wins), against
    its `ca_bundle`, or against the system's CAs. ValueError naming a ca_bundle that cannot be used."""
    if profile.insecure:
        return False
    if profile.ca_bundle_path is not None:
        from tui.api.http import ca_bundle_context

        return ca_bundle_context(profile.ca_bundle_path)
    return True


def _thingpark(profile: ProfileBase, resolver: SecretResolver) -> Platform:
    from tui.api.platforms.thingpark import ThingPark
    from tui.config import ThingParkProfile

    assert isinstance(profile, ThingParkProfile)
    verify = tls_verification(profile)  # a broken ca_bundle is told before any secret is asked for
    return ThingPark(
        profile.base_url,
        profile.client_id,
        resolver.get_secret(profile, "client_secret"),
        verify=verify,
    )


def _iotda(profile: ProfileBase, resolver: SecretResolver) -> Platform:
    from tui.api.platforms.iotda import Iotda
    from tui.config import IotdaProfile

    assert isinstance(profile, IotdaProfile)
    verify = tls_verification(profile)
    if profile.auth == "token":
        return Iotda(
            profile.base_url,
            profile.project_id,
            token=resolver.get_secret(profile, "token"),
            instance_id=profile.instance_id,
            verify=verify,
        )
    if not profile.access_key:
        raise SecretError("the IoTDA profile has no access key (AK)")
    return Iotda(
        profile.base_url,
        profile.project_id,
        access_key=profile.access_key,
        secret_key=resolver.get_secret(profile, "secret_key"),
        instance_id=profile.instance_id,
        verify=verify,
    )


def _mythings(profile: ProfileBase, resolver: SecretResolver) -> Platform:
    from tui.api.platforms.mythings import MyThings
    from tui.config import MyThingsProfile

    assert isinstance(profile, MyThingsProfile)
    verify = tls_verification(profile)
    if profile.auth == "token":
        credentials = {"token": resolver.get_secret(profile, "token")}
    elif profile.client_id:
        credentials = {"client_secret": resolver.get_secret(profile, "client_secret")}
    else:
        raise SecretError("the MyThings profile has no client_id")
    return MyThings(
        profile.base_url,
        profile.client_id,
        company_id=profile.company_id,
        verify=verify,
        **credentials,
    )


def _enos(profile: ProfileBase, resolver: SecretResolver) -> Platform:
    from tui.api.journal import journal_path
    from tui.api.platforms.enos import Enos
    from tui.config import EnosProfile

    assert isinstance(profile, EnosProfile)
    verify = tls_verification(profile)
    # The local sub-device registry lives beside the bulk journal ($FLEET_JOURNAL's folder). A
    # demo gateway's lives in memory: the simulator starts afresh with every session.
    registry = None if profile.simulator else journal_path().with_name("enos-registry.db")
    return Enos(
        profile.base_url,
        profile.product_key,
        profile.device_key,
        resolver.get_secret(profile, "device_secret"),
        verify=verify,
        registry=registry,
        broker_label="embedded simulator" if profile.simulator else None,
    )


def _telit(profile: ProfileBase, resolver: SecretResolver) -> Platform:
    from tui.api.platforms.telit import Telit
    from tui.config import TelitProfile

    assert isinstance(profile, TelitProfile)
    verify = tls_verification(profile)
    if profile.auth == "app":
        return Telit(
            profile.base_url,
            app_id=profile.app_id,
            app_token=resolver.get_secret(profile, "app_token"),
            thing_key=profile.thing_key,
            verify=verify,
        )
    return Telit(
        profile.base_url,
        username=profile.username,
        password=resolver.get_secret(profile, "password"),
        verify=verify,
    )


ADAPTERS: dict[str, Callable[[ProfileBase, SecretResolver], Platform]] = {
    "thingpark": _thingpark,
    "iotda": _iotda,
    "mythings": _mythings,
    "enos": _enos,
    "telit": _telit,
}


def resolve_base_url(profile: ProfileBase, simulator: EmbeddedSimulator) -> ProfileBase:
    """The profile with its base URL filled in: the embedded simulator's for a demo profile (its
    MQTT broker's address for EnOS, whose devices speak MQTT)."""
    if not profile.simulator:
        return profile
    if profile.platform == "enos":
        return profile.model_copy(update={"base_url": simulator.mqtt_address()})
    return profile.model_copy(update={"base_url": simulator.ensure()})


def open_platform(
    profile: ProfileBase, resolver: SecretResolver, simulator: EmbeddedSimulator
) -> tuple[ProfileBase, Platform]:
    """Build the adapter for a profile. Raises UnsupportedPlatform or tui.secrets.SecretError."""
    build = ADAPTERS.get(profile.platform)
    if build is None:
        raise UnsupportedPlatform(
            f"{profile.PLATFORM_LABEL or profile.platform} is not supported by this version of "
            "fleet yet"
        )
    profile = resolve_base_url(profile, simulator)
    return profile, build(profile, resolver)
