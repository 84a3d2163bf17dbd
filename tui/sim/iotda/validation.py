"""Every field rule of IoTDA's product model (the vendor's "Create a Product" page) and of a device
(Huawei's AddDevice and UpdateDevice, as its SDK documents each field), checked in a fixed order.

The first rule broken is answered 400 IOTDA.000006 with `error_msg` =
`Invalid input data. <path> <reason>.`; <path> is the first space-free token after
"Invalid input data. " and names the field like `service_capabilities[0].properties[2].max_length`
(JSON keys joined by `.`, array indexes in `[]`, zero-based; a whole array is named by its key).

Order (the client's validators must break ties the same way): top-level fields in the page's table
order (product_id, name, device_type, protocol_type, data_format, service_capabilities,
manufacturer_name, industry, description, app_id); service_capabilities is checked as an array
(type, at most 500 items, at most 500 KB = 512,000 bytes of compact UTF-8 JSON) before its items in
index order. A service: service_id, service_type, properties, commands, events, description,
option. A property: property_name, data_type, required, enum_list, min, max, max_length, step,
unit, method, description, then the consistency rules. A command: command_name, paras,
responses; a response: response_name, paras; an event: event_type, paras; a parameter
(ServiceCommandPara): para_name, data_type, required, enum_list, min, max, max_length, step, unit,
description, then the consistency rules. Each array is checked (type, at most 500 items) before
its items.

Per string field, in order: a string ("must be a string"), present when mandatory ("is required";
null counts as absent), length in characters ("must be 1 to N characters" for mandatory fields,
product_id, app_id, min and max; "must be at most N characters" for the other optional ones),
allowed characters ("contains characters that are not allowed"), enumeration ("must be one of
A, B, ..."). Letters are any character `str.isalpha()` accepts (the Chinese pages allow Chinese),
digits are 0-9; spaces (U+0020) only where the page says so (descriptions). Character sets:
NAME = letters, digits and `_?'#().,&%@!-` (name, device_type, manufacturer_name, industry,
property_name, command_name, response_name, event_type, para_name); SERVICE = NAME plus `$`
(service_id, service_type); DESCRIPTION = letters, digits, space and `_?'#().,;&%@!-:$[]~/`;
ID = ASCII letters, digits, `_` and `-` (product_id, app_id). unit: at most 16 of any characters.
Uniqueness (checked at the duplicate, naming the later item's name field: "duplicates
service_capabilities[0].service_id"): service_id in a product; property_name, command_name and
event_type in a service; response_name in a command; para_name in its paras list.

Other types: required "must be a boolean"; max_length "must be an integer" (JSON integer, not a
boolean) then "must be between 0 and 2147483647"; step "must be a number" then "must not be
negative"; enum_list "must be an array", "must have at most 500 items", then each item
`enum_list[k]` "must be a non-empty string" and "duplicates enum_list[j]".
Consistency, after the item's own fields, in this order:
1. data_type int/long: min, max "must be an integer" (`-?[0-9]+`); decimal: "must be a number"
   (`-?[0-9]+(\\.[0-9]+)?`); other data types leave min/max as free text (the vendor's own example
   gives a string parameter min "1", max "100", step 0.1);
2. numeric data_type with both: max "must not be less than min";
3. numeric data_type: step for int/long "must be a whole number"; with min and max, step "must not
   exceed max - min";
4. data_type enum: enum_list "is required when data_type is enum" (absent, null or empty);
5. with max_length set: each enum_list[k] "is longer than max_length".
Unknown keys are ignored, as Huawei's JSON binding does; events are accepted though the page says
the platform does not use them yet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tui.sim.iotda.errors import invalid

MAX_ITEMS = 500
MAX_CONTENT_BYTES = 500 * 1024
INT32_MAX = 2_147_483_647

PROTOCOL_TYPES = (
    "MQTT", "CoAP", "HTTP", "HTTPS", "Modbus", "ONVIF", "OPC-UA", "OPC-DA", "TCP", "UDP", "Other",
)  # fmt: skip
DATA_FORMATS = ("json", "binary")
DATA_TYPES = (
    "int", "long", "decimal", "string", "DateTime", "jsonObject", "enum", "boolean", "string list",
)  # fmt: skip
NUMERIC_TYPES = ("int", "long", "decimal")
METHODS = ("RWE", "RW", "RE", "WE", "E", "W", "R")
OPTIONS = ("Master", "Mandatory", "Optional")

_NAME_SPECIALS = set("_?'#().,&%@!-")
_SERVICE_SPECIALS = _NAME_SPECIALS | {"$"}
_DESC_SPECIALS = set(" _?'#().,;&%@!-:$[]~/")
_ID_RE = re.compile(r"[A-Za-z0-9_-]*")
_INT_RE = re.compile(r"-?[0-9]+")
_DEC_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _charset(specials: set[str]) -> Callable[[str], bool]:
    def ok(text: str) -> bool:
        return all(c.isalpha() or c in "0123456789" or c in specials for c in text)

    return ok


NAME = _charset(_NAME_SPECIALS)
SERVICE = _charset(_SERVICE_SPECIALS)
DESCRIPTION = _charset(_DESC_SPECIALS)


def ID(text: str) -> bool:
    """ASCII letters, digits, `_` and `-`."""
    return _ID_RE.fullmatch(text) is not None


def ANY(text: str) -> bool:
    """Any characters."""
    return True


def _string(
    obj: dict[str, Any],
    key: str,
    path: str,
    *,
    mandatory: bool,
    max_len: int,
    chars: Callable[[str], bool] = ANY,
    min_len: int | None = None,
    choices: tuple[str, ...] | None = None,
) -> str | None:
    """Check one string field; returns its value (None when absent)."""
    where = f"{path}{key}"
    value = obj.get(key)
    if value is None:
        if mandatory:
            raise invalid(where, "is required")
        return None
    if not isinstance(value, str):
        raise invalid(where, "must be a string")
    low = (1 if mandatory else 0) if min_len is None else min_len
    if not low <= len(value) <= max_len:
        raise invalid(
            where,
            f"must be {low} to {max_len} characters"
            if low
            else f"must be at most {max_len} characters",
        )
    if not chars(value):
        raise invalid(where, "contains characters that are not allowed")
    if choices is not None and value not in choices:
        raise invalid(where, "must be one of " + ", ".join(choices))
    return value


def _array(obj: dict[str, Any], key: str, path: str, *, mandatory: bool = False) -> list[Any]:
    where = f"{path}{key}"
    value = obj.get(key)
    if value is None:
        if mandatory:
            raise invalid(where, "is required")
        return []
    if not isinstance(value, list):
        raise invalid(where, "must be an array")
    if len(value) > MAX_ITEMS:
        raise invalid(where, f"must have at most {MAX_ITEMS} items")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(where, "must be an object")
    return value


def _unique(seen: dict[str, str], name: str | None, where: str) -> None:
    if name is None:
        return
    if name in seen:
        raise invalid(where, f"duplicates {seen[name]}")
    seen[name] = where


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(obj: dict[str, Any], key: str, path: str) -> None:
    """An optional whole number from 0 to 2147483647 (a JSON integer, not a boolean)."""
    value = obj.get(key)
    if value is not None:
        if not _is_int(value):
            raise invalid(f"{path}{key}", "must be an integer")
        if not 0 <= value <= INT32_MAX:
            raise invalid(f"{path}{key}", f"must be between 0 and {INT32_MAX}")


def _typed(item: dict[str, Any], p: str, name_key: str, seen: dict[str, str]) -> None:
    """A property's or parameter's fields up to `unit` (shared by both), then its consistency."""
    _unique(seen, _string(item, name_key, p, mandatory=True, max_len=64 if name_key == "property_name" else 32, chars=NAME), f"{p}{name_key}")  # fmt: skip
    data_type = _string(item, "data_type", p, mandatory=True, max_len=16, choices=DATA_TYPES)
    if item.get("required") is not None and not isinstance(item["required"], bool):
        raise invalid(f"{p}required", "must be a boolean")
    enum_list = _array(item, "enum_list", p)
    enum_seen: dict[str, str] = {}
    for k, entry in enumerate(enum_list):
        where = f"{p}enum_list[{k}]"
        if not isinstance(entry, str) or not entry:
            raise invalid(where, "must be a non-empty string")
        _unique(enum_seen, entry, where)
    _string(item, "min", p, mandatory=False, min_len=1, max_len=16)
    _string(item, "max", p, mandatory=False, min_len=1, max_len=16)
    _count(item, "max_length", p)
    step = item.get("step")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int | float):
            raise invalid(f"{p}step", "must be a number")
        if step < 0:
            raise invalid(f"{p}step", "must not be negative")
    _string(item, "unit", p, mandatory=False, max_len=16)
    item["_data_type"] = data_type  # read back by _consistency; removed there


def _consistency(item: dict[str, Any], p: str) -> None:
    data_type = item.pop("_data_type")
    lo, hi, step = item.get("min"), item.get("max"), item.get("step")
    if data_type in NUMERIC_TYPES:
        pattern, reason = (_DEC_RE, "must be a number") if data_type == "decimal" else (_INT_RE, "must be an integer")  # fmt: skip
        for key, value in (("min", lo), ("max", hi)):
            if value is not None and pattern.fullmatch(value) is None:
                raise invalid(f"{p}{key}", reason)
        if lo is not None and hi is not None and float(hi) < float(lo):
            raise invalid(f"{p}max", "must not be less than min")
        if step is not None:
            if data_type != "decimal" and step != int(step):
                raise invalid(f"{p}step", "must be a whole number")
            if lo is not None and hi is not None and step > float(hi) - float(lo):
                raise invalid(f"{p}step", "must not exceed max - min")
    enum_list = item.get("enum_list") or []
    if data_type == "enum" and not enum_list:
        raise invalid(f"{p}enum_list", "is required when data_type is enum")
    max_length = item.get("max_length")
    if max_length is not None:
        for k, entry in enumerate(enum_list):
            if len(entry) > max_length:
                raise invalid(f"{p}enum_list[{k}]", "is longer than max_length")


def _paras(obj: dict[str, Any], p: str) -> None:
    seen: dict[str, str] = {}
    for k, raw in enumerate(_array(obj, "paras", p)):
        q = f"{p}paras[{k}]"
        para = _object(raw, q)
        _typed(para, q + ".", "para_name", seen)
        _string(para, "description", q + ".", mandatory=False, max_len=128, chars=DESCRIPTION)
        _consistency(para, q + ".")


def _service(svc: dict[str, Any], p: str, services_seen: dict[str, str]) -> None:
    sid = _string(svc, "service_id", p, mandatory=True, max_len=64, chars=SERVICE)
    _unique(services_seen, sid, f"{p}service_id")
    _string(svc, "service_type", p, mandatory=True, max_len=64, chars=SERVICE)
    seen: dict[str, str] = {}
    for k, raw in enumerate(_array(svc, "properties", p)):
        q = f"{p}properties[{k}]"
        prop = _object(raw, q)
        _typed(prop, q + ".", "property_name", seen)
        _string(prop, "method", q + ".", mandatory=True, max_len=3, choices=METHODS)
        _string(prop, "description", q + ".", mandatory=False, max_len=128, chars=DESCRIPTION)
        _consistency(prop, q + ".")
    seen = {}
    for k, raw in enumerate(_array(svc, "commands", p)):
        q = f"{p}commands[{k}]"
        cmd = _object(raw, q)
        name = _string(cmd, "command_name", q + ".", mandatory=True, max_len=64, chars=NAME)
        _unique(seen, name, f"{q}.command_name")
        _paras(cmd, q + ".")
        responses_seen: dict[str, str] = {}
        for j, raw_resp in enumerate(_array(cmd, "responses", q + ".")):
            r = f"{q}.responses[{j}]"
            resp = _object(raw_resp, r)
            rname = _string(resp, "response_name", r + ".", mandatory=True, max_len=128, chars=NAME)
            _unique(responses_seen, rname, f"{r}.response_name")
            _paras(resp, r + ".")
    seen = {}
    for k, raw in enumerate(_array(svc, "events", p)):
        q = f"{p}events[{k}]"
        event = _object(raw, q)
        etype = _string(event, "event_type", q + ".", mandatory=True, max_len=32, chars=NAME)
        _unique(seen, etype, f"{q}.event_type")
        _paras(event, q + ".")
    _string(svc, "description", p, mandatory=False, max_len=128, chars=DESCRIPTION)
    _string(svc, "option", p, mandatory=False, max_len=16, choices=OPTIONS)


def validate_product(body: Any, *, create: bool) -> None:
    """Raise the first rule `body` breaks (a create body, or an update body whose fields are all optional)."""
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    # Work on a copy: the checks leave scratch keys behind only on failure paths.
    body = json.loads(json.dumps(body))
    m = create
    if create:
        _string(body, "product_id", "", mandatory=False, min_len=1, max_len=36, chars=ID)
    _string(body, "name", "", mandatory=m, min_len=1, max_len=64, chars=NAME)
    _string(body, "device_type", "", mandatory=m, min_len=1, max_len=32, chars=NAME)
    _string(body, "protocol_type", "", mandatory=m, min_len=1, max_len=16, choices=PROTOCOL_TYPES)
    _string(body, "data_format", "", mandatory=m, min_len=1, max_len=16, choices=DATA_FORMATS)
    services = _array(body, "service_capabilities", "", mandatory=m)
    if body.get("service_capabilities") is not None and content_size(services) > MAX_CONTENT_BYTES:
        raise invalid("service_capabilities", "must not exceed 500 KB")
    seen: dict[str, str] = {}
    for k, raw in enumerate(services):
        p = f"service_capabilities[{k}]"
        _service(_object(raw, p), p + ".", seen)
    _string(body, "manufacturer_name", "", mandatory=False, max_len=32, chars=NAME)
    _string(body, "industry", "", mandatory=False, max_len=64, chars=NAME)
    _string(body, "description", "", mandatory=False, max_len=128, chars=DESCRIPTION)
    _string(body, "app_id", "", mandatory=False, min_len=1, max_len=36, chars=ID)


#: A device's description: the NAME characters and spaces. The SDK lists no space, but Huawei's
#: own AddDevice example ("watermeter device") has one, and the platform accepts its example.
DEVICE_DESCRIPTION = _charset(_NAME_SPECIALS | {" "})
AUTH_TYPES = ("SECRET", "CERTIFICATES")
MAX_EXTENSION_BYTES = 1024
_FINGERPRINT_RE = re.compile(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}")


def validate_device(body: Any) -> None:
    """Raise the first rule an AddDevice body breaks.

    Fields in the SDK's order: device_id (1-128, ID characters), node_id (required, 1-64, ID),
    device_name (at most 256, NAME), product_id (required, 1-36, ID), auth_info (an object:
    auth_type SECRET or CERTIFICATES; secret 8-32 ID characters, SECRET only; fingerprint 40 or
    64 hex digits, CERTIFICATES only; secure_access a boolean; timeout an integer from 0 to
    2147483647), description (at most 2048, DEVICE_DESCRIPTION), gateway_id (1-128, ID), app_id
    (1-36, ID), extension_info (an object of at most 1 KB as compact UTF-8 JSON), shadow (an
    array, checked but not kept: the simulator has no device shadow).
    """
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    _string(body, "device_id", "", mandatory=False, min_len=1, max_len=128, chars=ID)
    _string(body, "node_id", "", mandatory=True, max_len=64, chars=ID)
    _string(body, "device_name", "", mandatory=False, max_len=256, chars=NAME)
    _string(body, "product_id", "", mandatory=True, max_len=36, chars=ID)
    if body.get("auth_info") is not None:
        _auth_info(_object(body["auth_info"], "auth_info"))
    _string(body, "description", "", mandatory=False, max_len=2048, chars=DEVICE_DESCRIPTION)
    _string(body, "gateway_id", "", mandatory=False, min_len=1, max_len=128, chars=ID)
    _string(body, "app_id", "", mandatory=False, min_len=1, max_len=36, chars=ID)
    _extension_info(body)
    _array(body, "shadow", "")


def validate_device_update(body: Any) -> None:
    """Raise the first rule an UpdateDevice body breaks.

    Fields in the SDK's order (UpdateDevice): device_name (at most 256, NAME), description (at most
    2048, DEVICE_DESCRIPTION), extension_info (an object of at most 1 KB: the SDK states the limit
    for AddDevice only; the field is the same one), auth_info (an object, AuthInfoWithoutSecret:
    secure_access a boolean, then timeout an integer from 0 to 2147483647). Every field is
    optional; null is absent. Other keys (auth_type, secret, node_id, ...) are not updatable here
    and are ignored, as Huawei's JSON binding ignores unknown keys.
    """
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    _string(body, "device_name", "", mandatory=False, max_len=256, chars=NAME)
    _string(body, "description", "", mandatory=False, max_len=2048, chars=DEVICE_DESCRIPTION)
    _extension_info(body)
    if body.get("auth_info") is not None:
        _access(_object(body["auth_info"], "auth_info"), "auth_info.")


def _extension_info(body: dict[str, Any]) -> None:
    extension = body.get("extension_info")
    if extension is not None:
        _object(extension, "extension_info")
        if content_size(extension) > MAX_EXTENSION_BYTES:
            raise invalid("extension_info", "must not exceed 1 KB")


def _auth_info(auth: dict[str, Any]) -> None:
    p = "auth_info."
    auth_type = _string(auth, "auth_type", p, mandatory=False, max_len=16, choices=AUTH_TYPES)
    secret = _string(auth, "secret", p, mandatory=False, min_len=8, max_len=32, chars=ID)
    if secret is not None and auth_type == "CERTIFICATES":
        raise invalid(f"{p}secret", "applies to auth_type SECRET only")
    fingerprint = auth.get("fingerprint")
    if fingerprint is not None:
        if not isinstance(fingerprint, str) or not _FINGERPRINT_RE.fullmatch(fingerprint):
            raise invalid(f"{p}fingerprint", "must be 40 or 64 hexadecimal digits")
        if auth_type != "CERTIFICATES":
            raise invalid(f"{p}fingerprint", "applies to auth_type CERTIFICATES only")
    _access(auth, p)


def _access(auth: dict[str, Any], p: str) -> None:
    """secure_access and timeout, the auth_info fields AddDevice and UpdateDevice share."""
    if auth.get("secure_access") is not None and not isinstance(auth["secure_access"], bool):
        raise invalid(f"{p}secure_access", "must be a boolean")
    _count(auth, "timeout", p)


def content_size(value: Any) -> int:
    """Bytes of a value as compact UTF-8 JSON (what the 500 KB and 1 KB rules measure)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# -- normalised copies: what the platform stores and answers --------------------------------

_PARA_KEYS = ("para_name", "required", "data_type", "enum_list", "min", "max", "max_length", "step", "unit", "description")  # fmt: skip
_PROP_KEYS = ("property_name", "required", "data_type", "enum_list", "min", "max", "max_length", "step", "unit", "method", "description", "default_value")  # fmt: skip


def _norm_para(raw: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {key: raw.get(key) for key in keys}
    out["required"] = bool(raw.get("required") or False)
    return out


def _norm_paras(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return [_norm_para(p, _PARA_KEYS) for p in raw.get("paras") or []]


def normalise_services(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Valid capabilities with every key present (null when unset) and the documented defaults."""
    out = []
    for svc in services:
        out.append(
            {
                "service_id": svc["service_id"],
                "service_type": svc["service_type"],
                "properties": [_norm_para(p, _PROP_KEYS) for p in svc.get("properties") or []],
                "commands": [
                    {
                        "command_name": c["command_name"],
                        "paras": _norm_paras(c),
                        "responses": [
                            {"response_name": r["response_name"], "paras": _norm_paras(r)}
                            for r in c.get("responses") or []
                        ],
                    }
                    for c in svc.get("commands") or []
                ],
                "events": [
                    {"event_type": e["event_type"], "paras": _norm_paras(e)}
                    for e in svc.get("events") or []
                ],
                "description": svc.get("description"),
                # The page: "The default value is Optional."
                "option": svc.get("option") or "Optional",
            }
        )
    return out
