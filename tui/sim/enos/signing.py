"""EnOS's device signature, and the check of a gateway's MQTT login made with it.

EnOS signs a set of string parameters the same way everywhere (gateway login, topo/add, sub-device
login): the parameters sorted by name, each written as name then value with no separator, the
device's secret appended, and the result hashed. The login's client id is
`{deviceKey}|securemode=2,signmethod=sha256,timestamp={ts}|`, its username `{deviceKey}&{productKey}`
and its password that hash of `clientId`, `deviceKey`, `productKey` and `timestamp`.

EnOS calls the method `sha256` on its pages and `hmacsha256` in its SDKs, for the same plain hash
(not an HMAC); older pages name `hmacsha1` and `hmacmd5` for topo/add. Every name maps to the plain
hash of its algorithm, and hex digests compare without regard to case (topo/add's pages upper-case
the sign). The SDKs send a millisecond timestamp that may carry a fraction (`1795314426051.4285`):
accepted as written, since the signature covers the string.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: Each accepted `signmethod`, lower-cased, and its hash.
_HASHES: dict[str, Callable[[bytes], Any]] = {
    "sha256": hashlib.sha256,
    "hmacsha256": hashlib.sha256,
    "sha1": hashlib.sha1,
    "hmacsha1": hashlib.sha1,
    "md5": hashlib.md5,
    "hmacmd5": hashlib.md5,
}

#: A login is refused when its timestamp is further than this from the broker's clock (a replayed
#: or garbage client id); a day, so that a skewed device clock still logs in.
MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000

_CLIENT_ID = re.compile(r"^(?P<dk>[^|]+)\|(?P<opts>[^|]*)\|$")
_TIMESTAMP = re.compile(r"^\d{1,16}(\.\d{1,10})?$")


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """The hex signature of `params` with `secret`; KeyError for an unknown `method`."""
    content = "".join(f"{name}{params[name]}" for name in sorted(params)) + secret
    return _HASHES[method.lower()](content.encode()).hexdigest()


def verify(params: Mapping[str, str], secret: str, method: str, signature: str) -> bool:
    """True when `signature` is `params` signed with `secret` by `method` (a known one)."""
    if method.lower() not in _HASHES:
        return False
    expected = sign(params, secret, method)
    return hmac.compare_digest(expected, signature.lower())


@dataclass(frozen=True)
class Login:
    """What a CONNECT claims: the device, and the signing parameters read from the client id."""

    product_key: str
    device_key: str
    method: str
    timestamp: str


def parse_login(client_id: str, username: str) -> Login | None:
    """The login a client id and username describe, or None when either is not EnOS's shape."""
    match = _CLIENT_ID.match(client_id or "")
    if match is None or (username or "").count("&") != 1:
        return None
    device_key, product_key = username.split("&")
    if not product_key or device_key != match["dk"]:
        return None
    options: dict[str, str] = {}
    for item in match["opts"].split(","):
        name, _, value = item.partition("=")
        options[name.strip()] = value.strip()
    method = options.get("signmethod", "")
    timestamp = options.get("timestamp", "")
    if options.get("securemode") != "2" or method.lower() not in _HASHES:
        return None
    if not _TIMESTAMP.match(timestamp):
        return None
    return Login(product_key, device_key, method, timestamp)


def check_login(login: Login, password: str, secret: str, now_ms: float) -> bool:
    """True when `password` is the login's signature with the device's `secret` and the
    timestamp is within MAX_CLOCK_SKEW_MS of `now_ms`."""
    if abs(float(login.timestamp) - now_ms) > MAX_CLOCK_SKEW_MS:
        return False
    params = {
        "clientId": login.device_key,
        "deviceKey": login.device_key,
        "productKey": login.product_key,
        "timestamp": login.timestamp,
    }
    return verify(params, secret, login.method, password or "")
