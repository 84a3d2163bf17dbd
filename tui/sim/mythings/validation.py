"""The bean-validation rules of MyThings' request models, with the vendor's own messages.

Where the vendor page gives a constraint's message, it is used word for word (its typo included:
`NetworksKey must be 32 characters`); `thingIdentifier`'s message on the page is the unresolved
template `{javax.validation.constraints.NotNull.message}`, which Hibernate Validator resolves to
`may not be null`, so that is what the simulator answers. Every broken constraint of a body is
reported at once (as bean validation does), in the order of the page's model tables; the 400's
body is described in errors.py.

Choices where the vendor page is silent (the messages follow the vendor's own pattern):
- JSON types follow Jackson's coercions: an int32 field takes a number or a numeric string
  (`"fPort": "9"`, as the page's example sends it), a boolean takes true/false or "true"/"false";
  anything else is 400 `JSON parse error: <field> must be <a type>`;
- `deviceAddress` of a LORA.ABP create may not be null (`DeviceAddress may not be null`);
  keys and device addresses must also be hexadecimal (`ApplicationKey must be hexadecimal`),
  as the LoRa network refuses anything else;
- `motionIndicator` must be one of the page's four values: `MotionIndicator can only be of type
  'Near static', 'Walking speed', 'Vehicle speed' or 'Random'`;
- downlink: `DevEUI may not be null`, `FPort may not be null`, `FPort must be between 1 and 255`,
  `Payload may not be null`, `Payload must be hexadecimal with an even number of characters`,
  `Payload must be at most 50 bytes`, `Encrypted must be 0 or 1`, `Ack must be 0 or 1`;
- on update (`ThingUpdateRequest`) every field is optional; `keysLoRaABP.networkSessionKey` may be
  left out (the page's own "remove applicationSessionKeys" example leaves it out).
"""

from __future__ import annotations

import re
from typing import Any

from tui.sim.mythings.catalog import MOTION_INDICATORS
from tui.sim.mythings.errors import bad_request

Violations = list[tuple[str, str]]

HEX = re.compile(r"[0-9A-Fa-f]*")
CONNECTIVITY_TYPES = ("LORA.ABP", "LORA.OTAA", "ETHERNET")


def as_int(body: dict[str, Any], key: str, path: str = "") -> int | None:
    """An int32 field (a JSON number or a numeric string), None when absent or null."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise bad_request(f"JSON parse error: {path}{key} must be an integer", path + key)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,10}\s*", value):
        return int(value)
    raise bad_request(f"JSON parse error: {path}{key} must be an integer", path + key)


def as_bool(body: dict[str, Any], key: str, path: str = "") -> bool | None:
    value = body.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad_request(f"JSON parse error: {path}{key} must be a boolean", path + key)


def as_str(body: dict[str, Any], key: str, path: str = "") -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad_request(f"JSON parse error: {path}{key} must be a string", path + key)
    return str(value)


def as_tags(body: dict[str, Any], key: str = "tags") -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise bad_request(f"JSON parse error: {key} must be an array of strings", key)
    return value


def as_object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"JSON parse error: {key} must be an object", key)
    return value


def sized(
    v: Violations, value: str | None, field: str, name: str, size: int, null_ok: bool
) -> None:
    """`<Name> may not be null`, `<Name> must be <size> characters`."""
    if value is None:
        if not null_ok:
            v.append((field, f"{name} may not be null"))
    elif len(value) != size:
        v.append((field, f"{name} must be {size} characters"))


def check_hex(value: str | None, field: str, name: str) -> None:
    if value is not None and not HEX.fullmatch(value):
        raise bad_request(f"{name} must be hexadecimal", field)


def otaa_keys(v: Violations, keys: dict[str, Any] | None, path: str) -> dict[str, str]:
    """ThingKeysLoRaOTAA: applicationEUI then applicationKey."""
    keys = keys or {}
    eui = as_str(keys, "applicationEUI", path)
    key = as_str(keys, "applicationKey", path)
    sized(v, eui, path + "applicationEUI", "ApplicationEUI", 16, False)
    sized(v, key, path + "applicationKey", "ApplicationKey", 32, False)
    return {"applicationEUI": eui or "", "applicationKey": key or ""}


def abp_keys(
    v: Violations, keys: dict[str, Any] | None, path: str, *, update: bool
) -> dict[str, Any]:
    """ThingKeysLoRaABP: applicationSessionkeys then networkSessionKey. On update, an empty item
    (`[{}]`) clears the application session keys and a missing networkSessionKey is kept."""
    keys = keys or {}
    raw = keys.get("applicationSessionkeys")
    session: list[dict[str, str]] | None = None
    if raw is not None:
        if not isinstance(raw, list):
            raise bad_request(f"JSON parse error: {path}applicationSessionkeys must be an array")
        session = []
        for n, item in enumerate(raw):
            if not isinstance(item, dict):
                raise bad_request(f"JSON parse error: {path}applicationSessionkeys[{n}] must be an object")  # fmt: skip
            where = f"{path}applicationSessionkeys[{n}]."
            key = as_str(item, "applicationSessionKey", where)
            port = as_str(item, "port", where)
            if key is None and port is None:
                continue  # the page's way of removing them: [{}]
            sized(v, key, where + "applicationSessionKey", "ApplicationSessionKey", 32, True)
            if port is not None and not (port.isdigit() and 1 <= int(port) <= 255):
                v.append((where + "port", "Port must be between 1 and 255"))
            session.append({"applicationSessionKey": key or "", "port": port or "1"})
    nwk = as_str(keys, "networkSessionKey", path)
    if nwk is None and not update:
        v.append((path + "networkSessionKey", "NetworkSessionKey may not be null"))
    elif nwk is not None and len(nwk) != 32:
        v.append((path + "networkSessionKey", "NetworksKey must be 32 characters"))
    return {"applicationSessionkeys": session, "networkSessionKey": nwk}


def check_key_hex(otaa: dict[str, Any] | None, abp: dict[str, Any] | None, path: str) -> None:
    if otaa is not None:
        check_hex(otaa["applicationEUI"], path + "applicationEUI", "ApplicationEUI")
        check_hex(otaa["applicationKey"], path + "applicationKey", "ApplicationKey")
    if abp is not None:
        for n, item in enumerate(abp["applicationSessionkeys"] or []):
            check_hex(
                item["applicationSessionKey"],
                f"{path}applicationSessionkeys[{n}].applicationSessionKey",
                "ApplicationSessionKey",
            )
        check_hex(abp["networkSessionKey"], path + "networkSessionKey", "NetworkSessionKey")


def motion(v: Violations, value: str | None) -> None:
    if value is not None and value not in MOTION_INDICATORS:
        v.append(
            (
                "motionIndicator",
                "MotionIndicator can only be of type 'Near static', 'Walking speed', "
                "'Vehicle speed' or 'Random'",
            )
        )


def connectivity(v: Violations, value: str | None) -> None:
    """The page's three messages for connectivityType: @NotNull, @NotBlank and the enumeration."""
    if value is None:
        v.append(("connectivityType", "ConnectivityType may not be null"))
    if value is None or not value.strip():
        v.append(("connectivityType", "ConnectivityType may not be blank"))
    if value is not None and value not in CONNECTIVITY_TYPES:
        v.append(
            (
                "connectivityType",
                "ConnectivityType can only be of type 'LORA.ABP', 'LORA.OTAA' or 'ETHERNET'",
            )
        )


def downlink(body: dict[str, Any]) -> tuple[Violations, dict[str, Any]]:
    """DownlinkRequest: devEUI, fPort, payload, encrypted, ack."""
    v: Violations = []
    dev_eui = as_str(body, "devEUI")
    if dev_eui is None:
        v.append(("devEUI", "DevEUI may not be null"))
    raw_port = body.get("fPort")
    port: int | None = None
    if raw_port is None:
        v.append(("fPort", "FPort may not be null"))
    else:
        text = str(raw_port).strip() if not isinstance(raw_port, bool) else ""
        port = int(text) if text.isdigit() else None
        if port is None or not 1 <= port <= 255:
            v.append(("fPort", "FPort must be between 1 and 255"))
    payload = as_str(body, "payload")
    if payload is None or payload == "":
        v.append(("payload", "Payload may not be null"))
    elif not HEX.fullmatch(payload) or len(payload) % 2:
        v.append(("payload", "Payload must be hexadecimal with an even number of characters"))
    elif len(payload) > 100:
        v.append(("payload", "Payload must be at most 50 bytes"))
    flags = {}
    for key, name in (("encrypted", "Encrypted"), ("ack", "Ack")):
        raw = body.get(key)
        flag = None if raw is None else str(raw).strip()
        if flag is not None and flag not in ("0", "1"):
            v.append((key, f"{name} must be 0 or 1"))
        flags[key] = int(flag) if flag in ("0", "1") else 0
    return v, {"devEUI": dev_eui, "fPort": port, "payload": payload, **flags}
