"""EnOS's device signing: the gateway's MQTT login, and the sign a sub-device carries to topo/add.

EnOS signs a set of parameters the same way everywhere (PLATFORMS.md, EnOS's device protocol):
the parameters sorted by name, each written as name then value with nothing between, then the
device's secret appended, and the whole hashed with SHA-256 (a plain hash, not an HMAC), in hex.
The gateway logs in with

- client id `{deviceKey}|securemode=2,signmethod=sha256,timestamp={ts}|`,
- username `{deviceKey}&{productKey}`,
- password `sign({clientId: dk, deviceKey: dk, productKey: pk, timestamp: ts}, deviceSecret)`.

EnOS's own SDKs write `signmethod=hmacsha256` for the same hash: `SIGN_METHODS` has both.
The secret goes into the password only; client id and username never carry it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["SIGN_METHODS", "MqttLogin", "gateway_login", "sign", "sub_device_sign", "timestamp_ms"]

SignMethod = Literal["sha256", "hmacsha256"]
#: the signmethod values of the client id; both name EnOS's plain SHA-256 of params + secret
SIGN_METHODS: tuple[SignMethod, ...] = ("sha256", "hmacsha256")


def sign(params: Mapping[str, str], secret: str) -> str:
    """hex(sha256(name1 value1 name2 value2 … secret)), the names in sorted order."""
    text = "".join(name + params[name] for name in sorted(params)) + secret
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def timestamp_ms() -> str:
    """Now, in milliseconds since the epoch, as EnOS's timestamps are written."""
    return str(int(time.time() * 1000))


def _identity(product_key: str, device_key: str, ts: str) -> dict[str, str]:
    """What EnOS signs of a device: its deviceKey as client id, its keys and the timestamp."""
    return {
        "clientId": device_key,
        "deviceKey": device_key,
        "productKey": product_key,
        "timestamp": ts,
    }


@dataclass(frozen=True)
class MqttLogin:
    """What the gateway's CONNECT carries. The password is a signature, not the secret, but it
    logs the gateway in until the timestamp is refused: it stays out of repr too."""

    client_id: str
    username: str
    password: str = field(repr=False)


def gateway_login(
    product_key: str,
    device_key: str,
    device_secret: str,
    *,
    timestamp: str | None = None,
    signmethod: SignMethod = "sha256",
) -> MqttLogin:
    """The gateway's signed CONNECT fields; `timestamp` (ms) defaults to now."""
    if signmethod not in SIGN_METHODS:
        raise ValueError(f"signmethod must be one of {', '.join(SIGN_METHODS)}")
    ts = timestamp if timestamp is not None else timestamp_ms()
    params = _identity(product_key, device_key, ts)
    return MqttLogin(
        client_id=f"{device_key}|securemode=2,signmethod={signmethod},timestamp={ts}|",
        username=f"{device_key}&{product_key}",
        password=sign(params, device_secret),
    )


def sub_device_sign(
    product_key: str, device_key: str, device_secret: str, *, timestamp: str | None = None
) -> dict[str, str]:
    """A sub-device's entry of a topo/add request: its keys, a client id (its deviceKey, as
    EnOS's SDK uses), the timestamp, `signMethod` and the sign made with ITS OWN secret."""
    ts = timestamp if timestamp is not None else timestamp_ms()
    params = _identity(product_key, device_key, ts)
    return {**params, "signMethod": "sha256", "sign": sign(params, device_secret)}
