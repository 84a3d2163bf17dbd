"""Opens a platform from a profile: resolves its secret and, for demo profiles, the embedded simulator.

Both can block (a keyring may hang up to its time-box, the simulator takes a moment to start),
so the console calls `open_platform` from a thread worker, never on the event loop.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from typing import Any

from tui.api.platform import Platform
from tui.config import ProfileBase
from tui.secrets import SecretError, SecretResolver


class UnsupportedPlatform(Exception):
    """The profile's platform has no adapter in this version of fleet."""


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

                server = SimServer(SimConfig(**{"port": 0, **self._knobs}))
                server.start()
                self._server = server
            return self._server.base_url

    def mqtt_address(self) -> str:
        """Start the simulator if needed; return its EnOS broker's address, mqtt://127.0.0.1:{port}."""
        self.ensure()
        with self._lock:
            return self._server.mqtt_address

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
