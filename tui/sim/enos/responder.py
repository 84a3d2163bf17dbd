"""The answers to a gateway's requests: sub-device register, topo add/get/delete.

Each handler takes the gateway (productKey, deviceKey) from the request's topic and the decoded
request, and returns the reply body; `respond` maps a topic and payload to the `_reply` topic and
body (None: not a request this simulator answers). No MQTT here: the broker plugin publishes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tui.sim.enos.registry import (
    DeviceKeyExists,
    KeyGenerationFailed,
    Registry,
    RegistryFull,
)
from tui.sim.enos.signing import verify

#: At most this many sub-devices in one register or topo request.
MAX_PER_REQUEST = 1000

#: The vendor page's codes for a refused sub-device registration, with its messages.
DEVICE_KEY_EXISTED = (702, "DeviceKey existed")
GENERATE_KEY_FAILED = (714, "Generate deviceKey failed")
EXCEED_MAX_DEVICES = (739, "Exceed the product max device size")
#: EnOS's common return codes (its "Common Return Codes" page), for what the topic pages leave out.
PAYLOAD_FORMAT_ERROR = 1220
PAYLOAD_EMPTY = 1251
METHODS_NOT_CONSISTENT = 1260

_TIMEZONE = re.compile(r"^[+-](0\d|1[0-4]):[0-5]\d$")
_TOPIC = re.compile(
    r"^/sys/(?P<pk>[^/]+)/(?P<dk>[^/]+)/thing/(?P<what>device/register|topo/(add|get|delete))$"
)

Gateway = tuple[str, str]


class Invalid(Exception):
    """The request cannot be used; its message names the field (no secret ever)."""


def respond(registry: Registry, topic: str, payload: bytes) -> tuple[str, bytes] | None:
    """The reply (topic, body) to one publish, or None when the topic is no request of ours."""
    match = _TOPIC.match(topic)
    if match is None:
        return None
    gateway = (match["pk"], match["dk"])
    handler = _HANDLERS[match["what"]]
    request_id: Any = None
    method = "thing." + match["what"].replace("/", ".")
    try:
        if not payload.strip():
            raise _Refused(PAYLOAD_EMPTY, "Payload is empty")
        request = _decode(payload)
        request_id = request.get("id")
        if request.get("method", method) != method:
            raise _Refused(METHODS_NOT_CONSISTENT, f"Methods not consistent: expected {method}")
        reply = handler(registry, gateway, request.get("params"))
    except _Refused as exc:
        reply = _error(exc.code, exc.message)
    except Invalid as exc:
        reply = _error(PAYLOAD_FORMAT_ERROR, f"Payload format error: {exc}")
    body = {"id": request_id, **reply}
    return topic + "_reply", json.dumps(body, ensure_ascii=False).encode()


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _decode(payload: bytes) -> dict[str, Any]:
    try:
        request = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise _Refused(PAYLOAD_FORMAT_ERROR, "Payload format error: not JSON") from None
    if not isinstance(request, dict):
        raise _Refused(PAYLOAD_FORMAT_ERROR, "Payload format error: not a JSON object")
    return request


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "data": None}


def _items(params: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(params, list) or not params:
        raise Invalid(f"params must be a non-empty list of {what}")
    if len(params) > MAX_PER_REQUEST:
        raise Invalid(f"at most {MAX_PER_REQUEST} {what} per request, not {len(params)}")
    for index, item in enumerate(params):
        if not isinstance(item, dict):
            raise Invalid(f"params[{index}] is not an object")
    return params


def _string(item: dict[str, Any], name: str, index: int, *, required: bool = True) -> str:
    value = item.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise Invalid(f"params[{index}].{name} must be a non-empty string")
    return value


def _check_registration(registry: Registry, item: dict[str, Any], index: int) -> None:
    """The vendor page's rules for one sub-device of a register request."""
    timezone = _string(item, "timezone", index)
    if not _TIMEZONE.match(timezone):
        raise Invalid(f"params[{index}].timezone must be a UTC offset like +08:00")
    product_key = _string(item, "productKey", index)
    if not registry.has_product(product_key):
        raise Invalid(f"params[{index}].productKey is not a product of this organisation")
    _string(item, "deviceKey", index, required=False)
    _string(item, "deviceDesc", index, required=False)
    name = item.get("deviceName")
    i18n = name.get("i18nValue") if isinstance(name, dict) else None
    if not isinstance(name, dict) or not isinstance(i18n or {}, dict):
        raise Invalid(f"params[{index}].deviceName must be an object")
    if not (name.get("defaultValue") or (i18n or {}).get("en_US")):
        raise Invalid(f"params[{index}].deviceName needs defaultValue or i18nValue.en_US")
    if not isinstance(item.get("deviceAttributes") or {}, dict):
        raise Invalid(f"params[{index}].deviceAttributes must be an object")


def register(registry: Registry, gateway: Gateway, params: Any) -> dict[str, Any]:
    """thing.device.register: the whole request is checked first (a bad one registers nothing),
    then each sub-device is registered in order; a refused one is skipped and the reply carries
    the first refusal's code with a message naming every refused deviceKey, `data` the others."""
    items = _items(params, "sub-devices")
    for index, item in enumerate(items):
        _check_registration(registry, item, index)
    data: list[dict[str, str]] = []
    refused: list[tuple[tuple[int, str], str]] = []
    for item in items:
        product_key, device_key = item["productKey"], item.get("deviceKey") or None
        try:
            device = registry.register(
                product_key,
                device_key,
                name=item["deviceName"],
                timezone=item["timezone"],
                desc=item.get("deviceDesc") or "",
                attributes=item.get("deviceAttributes") or {},
            )
        except DeviceKeyExists:
            refused.append((DEVICE_KEY_EXISTED, f"{product_key}/{device_key}"))
            continue
        except RegistryFull:
            refused.append((EXCEED_MAX_DEVICES, f"{product_key}/{device_key or '(generated)'}"))
            continue
        except KeyGenerationFailed:
            refused.append((GENERATE_KEY_FAILED, f"{product_key}/(generated)"))
            continue
        data.append(
            {
                "assetId": device.asset_id,
                "deviceKey": device.device_key,
                "productKey": device.product_key,
                "deviceSecret": device.secret,
            }
        )
    if not refused:
        return {"code": 200, "message": "", "data": data}
    (code, message), _ = refused[0]
    which = ", ".join(f"{key} ({c})" for (c, _), key in refused)
    return {"code": code, "message": f"{message}: {which}", "data": data}


def topo_add(registry: Registry, gateway: Gateway, params: Any) -> dict[str, Any]:
    """thing.topo.add: every sub-device's sign is checked with its own secret before any is
    attached (all or none, like EnOS's topology APIs)."""
    items = _items(params, "sub-devices")
    children: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        product_key = _string(item, "productKey", index)
        device_key = _string(item, "deviceKey", index)
        secret = registry.secret(product_key, device_key)
        if secret is None:
            return _error(PAYLOAD_FORMAT_ERROR, f"Device not found: {product_key}/{device_key}")
        # EnOS's pages spell it signmethod, its SDK signMethod: both are read.
        method = item.get("signMethod") or item.get("signmethod") or ""
        signed = {
            "clientId": _string(item, "clientId", index),
            "deviceKey": device_key,
            "productKey": product_key,
            "timestamp": str(_string(item, "timestamp", index)),
        }
        if not verify(signed, secret, str(method), str(item.get("sign", ""))):
            return _error(PAYLOAD_FORMAT_ERROR, f"Invalid sign: {product_key}/{device_key}")
        children.append((product_key, device_key))
    for child in children:
        registry.attach(gateway, child)
    return {"code": 200, "message": "", "data": {}}


def topo_get(registry: Registry, gateway: Gateway, params: Any) -> dict[str, Any]:
    """thing.topo.get: the gateway's sub-devices (params are ignored, EnOS sends {})."""
    data = [{"productKey": pk, "deviceKey": dk} for pk, dk in registry.children(gateway)]
    return {"code": 200, "message": "", "data": data}


def topo_delete(registry: Registry, gateway: Gateway, params: Any) -> dict[str, Any]:
    """thing.topo.delete: detach each listed sub-device; one that is not attached is refused and
    nothing is detached."""
    items = _items(params, "sub-devices")
    children = [
        (_string(item, "productKey", index), _string(item, "deviceKey", index))
        for index, item in enumerate(items)
    ]
    attached = registry.children(gateway)
    for pk, dk in children:
        if (pk, dk) not in attached:
            return _error(PAYLOAD_FORMAT_ERROR, f"Topology not found: {pk}/{dk}")
    for child in children:
        registry.detach(gateway, child)
    return {"code": 200, "message": "", "data": {}}


_HANDLERS: dict[str, Callable[[Registry, Gateway, Any], dict[str, Any]]] = {
    "device/register": register,
    "topo/add": topo_add,
    "topo/get": topo_get,
    "topo/delete": topo_delete,
}
