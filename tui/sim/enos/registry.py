"""The EnOS organisation the simulator keeps: products, devices, gateways and their topology.

Thread-safe (one lock): the broker's thread registers and attaches, the HTTP thread reads
`/_sim/enos`. Everything issued (generated deviceKeys, assetIds, deviceSecrets) comes from one
seeded random source, so that a run is repeatable.
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A product's maximum device count when none is configured (EnOS's default quota).
DEFAULT_MAX_DEVICES = 1000
#: Tries at a fresh generated deviceKey before answering 714.
KEY_ATTEMPTS = 8

_ALNUM = string.ascii_letters + string.digits


@dataclass
class Device:
    """One registered device. `secret` never leaves through `public()` nor repr."""

    product_key: str
    device_key: str
    asset_id: str
    secret: str = field(repr=False)
    name: dict[str, Any] = field(default_factory=dict)
    timezone: str = "+00:00"
    desc: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The device as `/_sim/enos` shows it: everything but the secret."""
        return {
            "productKey": self.product_key,
            "deviceKey": self.device_key,
            "assetId": self.asset_id,
            "deviceName": self.name,
            "timezone": self.timezone,
            "deviceDesc": self.desc,
            "deviceAttributes": self.attributes,
        }


class RegistryFull(Exception):
    """The product already holds its maximum device count (739)."""


class DeviceKeyExists(Exception):
    """The deviceKey is already registered under the product (702)."""


class KeyGenerationFailed(Exception):
    """No free deviceKey could be generated (714)."""


class Registry:
    """Products with their device quota, the devices registered under them, and gateways' children."""

    def __init__(
        self,
        seed: int = 1,
        max_devices: int = DEFAULT_MAX_DEVICES,
        key_source: Callable[[random.Random], str] | None = None,
    ) -> None:
        """`key_source` makes a candidate deviceKey (tests pass one that collides, for 714)."""
        self._lock = threading.Lock()
        self._rng = random.Random(f"enos-{seed}")
        self._max_devices = max_devices
        self._key_source = key_source or _random_key
        self._products: dict[str, int] = {}
        self._devices: dict[tuple[str, str], Device] = {}
        self._counts: dict[str, int] = {}
        self._topology: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def add_product(self, product_key: str, max_devices: int | None = None) -> None:
        with self._lock:
            self._products[product_key] = max_devices or self._max_devices

    def has_product(self, product_key: str) -> bool:
        with self._lock:
            return product_key in self._products

    def add_device(self, device: Device) -> None:
        """Put a device in place as is (the demo's gateway and fleet)."""
        with self._lock:
            self._put(device)

    def _put(self, device: Device) -> None:
        key = (device.product_key, device.device_key)
        if key not in self._devices:
            self._counts[device.product_key] = self._counts.get(device.product_key, 0) + 1
        self._devices[key] = device

    def device(self, product_key: str, device_key: str) -> Device | None:
        with self._lock:
            return self._devices.get((product_key, device_key))

    def secret(self, product_key: str, device_key: str) -> str | None:
        """The device's secret, for checking a signature; None for an unknown device."""
        found = self.device(product_key, device_key)
        return None if found is None else found.secret

    def register(
        self,
        product_key: str,
        device_key: str | None,
        *,
        name: dict[str, Any],
        timezone: str,
        desc: str = "",
        attributes: dict[str, Any] | None = None,
    ) -> Device:
        """Register one device; raises DeviceKeyExists, RegistryFull or KeyGenerationFailed."""
        with self._lock:
            count = self._counts.get(product_key, 0)
            if device_key and (product_key, device_key) in self._devices:
                raise DeviceKeyExists(device_key)
            if count >= self._products.get(product_key, self._max_devices):
                raise RegistryFull(product_key)
            if not device_key:
                device_key = self._fresh_key(product_key)
            device = Device(
                product_key=product_key,
                device_key=device_key,
                asset_id=self._issue(8),
                secret=self._issue(20),
                name=name,
                timezone=timezone,
                desc=desc,
                attributes=attributes or {},
            )
            self._put(device)
            return device

    def _fresh_key(self, product_key: str) -> str:
        for _ in range(KEY_ATTEMPTS):
            candidate = self._key_source(self._rng)
            if (product_key, candidate) not in self._devices:
                return candidate
        raise KeyGenerationFailed(product_key)

    def _issue(self, length: int) -> str:
        return "".join(self._rng.choice(_ALNUM) for _ in range(length))

    def attach(self, gateway: tuple[str, str], child: tuple[str, str]) -> None:
        """Make `child` a sub-device of `gateway` (again: no change)."""
        with self._lock:
            children = self._topology.setdefault(gateway, [])
            if child not in children:
                children.append(child)

    def detach(self, gateway: tuple[str, str], child: tuple[str, str]) -> bool:
        """Remove `child` from the gateway's sub-devices; False when it was not one."""
        with self._lock:
            children = self._topology.get(gateway, [])
            if child not in children:
                return False
            children.remove(child)
            return True

    def children(self, gateway: tuple[str, str]) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._topology.get(gateway, []))

    def snapshot(self) -> dict[str, Any]:
        """What `/_sim/enos` answers: devices per product and each gateway's sub-devices, no secrets."""
        with self._lock:
            products: dict[str, Any] = {}
            for pk, limit in self._products.items():
                devices = [d.public() for (p, _), d in self._devices.items() if p == pk]
                products[pk] = {"maxDevices": limit, "count": len(devices), "devices": devices}
            topology = [
                {
                    "productKey": gw[0],
                    "deviceKey": gw[1],
                    "subDevices": [{"productKey": pk, "deviceKey": dk} for pk, dk in children],
                }
                for gw, children in self._topology.items()
            ]
            return {"products": products, "topology": topology}


def _random_key(rng: random.Random) -> str:
    """A generated deviceKey, ten letters and digits (EnOS generates an opaque short string)."""
    return "".join(rng.choice(_ALNUM) for _ in range(10))
