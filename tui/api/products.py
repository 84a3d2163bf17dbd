"""Huawei IoTDA product models (the vendor's JSON, field for field), their validators and a diff.

The models mirror the vendor page "Create a Product" (v5): `Product(...).model_dump(by_alias=True,
exclude_none=True)` is the vendor's create/update body, and the read-only fields the server adds
(`create_time`, `app_name`) never go back to it. The models are lenient on purpose so that whatever
the server returns can be loaded and edited; the vendor's rules live in the `validate_*` functions,
which take plain dicts (what a form holds while the user types) and return `FieldError`s whose
paths look like `service_capabilities[0].properties[2].max_length`, relative to the node given.

Where the vendor page is silent the choice is what Huawei most plausibly does, said in a comment.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

__all__ = [
    "DATA_FORMATS",
    "DATA_TYPES",
    "MAX_CONTENT_BYTES",
    "MAX_ITEMS",
    "METHODS",
    "NUMERIC_TYPES",
    "OPTIONS",
    "PROTOCOL_TYPES",
    "Change",
    "FieldError",
    "Product",
    "ProductSummary",
    "ServiceCapability",
    "ServiceCommand",
    "ServiceCommandPara",
    "ServiceCommandResponse",
    "ServiceEvent",
    "ServiceProperty",
    "diff_products",
    "errors_for",
    "validate_command",
    "validate_event",
    "validate_para",
    "validate_product",
    "validate_product_header",
    "validate_property",
    "validate_response",
    "validate_service",
]

# ---------------------------------------------------------------- the vendor's enumerations

PROTOCOL_TYPES: tuple[str, ...] = (
    "MQTT",
    "CoAP",
    "HTTP",
    "HTTPS",
    "Modbus",
    "ONVIF",
    "OPC-UA",
    "OPC-DA",
    "TCP",
    # The page prints this one as `""UDP**` (a markup slip); the value is plainly UDP.
    "UDP",
    "Other",
)
DATA_FORMATS: tuple[str, ...] = ("json", "binary")
OPTIONS: tuple[str, ...] = ("Master", "Mandatory", "Optional")
METHODS: tuple[str, ...] = ("RWE", "RW", "RE", "WE", "E", "W", "R")
DATA_TYPES: tuple[str, ...] = (
    "int",
    "long",
    "decimal",
    "string",
    "DateTime",
    "jsonObject",
    "enum",
    "boolean",
    "string list",
)
#: Types whose min/max/step are numbers.
NUMERIC_TYPES: frozenset[str] = frozenset({"int", "long", "decimal"})
INTEGER_TYPES: frozenset[str] = frozenset({"int", "long"})
#: "The array length cannot exceed 500": the page says it of services, properties, commands and
#: events; Huawei applies one limit to every array of the model, so paras, responses and
#: enum_list get it too.
MAX_ITEMS = 500
#: "the content size cannot exceed 500 KB", measured as compact UTF-8 JSON of service_capabilities.
MAX_CONTENT_BYTES = 500 * 1024

# ---------------------------------------------------------------- character sets of the page

# "letters" are what str.isalpha() accepts: the English page says "letters", the Chinese page
# allows Chinese characters as well, and Huawei serves both from one platform. Digits are 0-9.
_NAME_SPECIALS = "_?'#().,&%@!-"  # product name, device_type, manufacturer, industry, node names
_SERVICE_SPECIALS = _NAME_SPECIALS + "$"  # service_id, service_type
_DESC_SPECIALS = "_?'#().,;&%@!-:$[]~/ "  # descriptions: also spaces (the page lists ! twice)


class _Charset(NamedTuple):
    specials: str
    ascii_only: bool
    text: str

    def allows(self, value: str) -> bool:
        if self.ascii_only:
            return all(c.isascii() and (c.isalnum() or c in self.specials) for c in value)
        return all(c.isalpha() or c in "0123456789" or c in self.specials for c in value)


_NAME = _Charset(_NAME_SPECIALS, False, "letters, digits and _?'#().,&%@!-")
_SERVICE = _Charset(_SERVICE_SPECIALS, False, "letters, digits and _?'#().,&%@!-$")
_DESC = _Charset(_DESC_SPECIALS, False, "letters, digits, spaces and _?'#().,;&%@!-:$[]~/")
# product_id and app_id are ASCII: they go into URLs and the page's wording is "letters, digits".
_ID = _Charset("_-", True, "ASCII letters, digits, _ and -")
#: the same sets for a device's fields (Huawei's AddDevice uses the product page's sets; its own
#: example description, "watermeter device", has a space)
NAME_CHARS = _NAME
ID_CHARS = _ID
DEVICE_DESCRIPTION_CHARS = _Charset(
    _NAME_SPECIALS + " ", False, "letters, digits, spaces and _?'#().,&%@!-"
)

# ---------------------------------------------------------------- models


def _number_as_text(value: Any) -> Any:
    # min/max are strings in the vendor's JSON; tolerate a server or file that sends numbers.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


_Text = Annotated[str | None, BeforeValidator(_number_as_text)]


class _Node(BaseModel):
    # Unknown keys the server adds are ignored rather than refused, so a newer server still loads.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def body(self) -> dict[str, Any]:
        """The vendor's JSON of this node (what is sent)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class ServiceCommandPara(_Node):
    """A parameter of a command, of a command response or of an event (Table 9)."""

    para_name: str
    data_type: str
    required: bool | None = None
    enum_list: list[str] | None = None
    min: _Text = None
    max: _Text = None
    max_length: int | None = None
    step: float | None = None
    unit: str | None = None
    description: str | None = None


class ServiceProperty(_Node):
    """A property of a service (Table 5)."""

    property_name: str
    data_type: str
    required: bool | None = None
    enum_list: list[str] | None = None
    min: _Text = None
    max: _Text = None
    max_length: int | None = None
    step: float | None = None
    unit: str | None = None
    method: str
    description: str | None = None
    #: "Object" on the page, any JSON value in its example usage; written to the shadow's desired.
    default_value: Any = None


class ServiceCommandResponse(_Node):
    """A response of a command (Table 7)."""

    response_name: str
    paras: list[ServiceCommandPara] | None = None


class ServiceCommand(_Node):
    """A command of a service (Table 6)."""

    command_name: str
    paras: list[ServiceCommandPara] | None = None
    responses: list[ServiceCommandResponse] | None = None


class ServiceEvent(_Node):
    """An event of a service (Table 8); the page says events cannot be customised yet."""

    event_type: str
    paras: list[ServiceCommandPara] | None = None


class ServiceCapability(_Node):
    """A service of a product (Table 4)."""

    service_id: str
    service_type: str
    properties: list[ServiceProperty] | None = None
    commands: list[ServiceCommand] | None = None
    events: list[ServiceEvent] | None = None
    description: str | None = None
    option: str | None = None


class Product(_Node):
    """A product (Table 3 for the body, Table 10 for the answer)."""

    product_id: str | None = None
    name: str
    device_type: str
    protocol_type: str
    data_format: str = "json"
    service_capabilities: list[ServiceCapability] = Field(default_factory=list)
    manufacturer_name: str | None = None
    industry: str | None = None
    description: str | None = None
    app_id: str | None = None
    # Read-only: the server sets them; excluded from dumps so they are never sent back.
    app_name: str | None = Field(default=None, exclude=True)
    create_time: str | None = Field(default=None, exclude=True)


class ProductSummary(BaseModel):
    """One row of the product list."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    name: str
    device_type: str | None = None
    protocol_type: str | None = None
    data_format: str | None = None
    industry: str | None = None
    manufacturer_name: str | None = None
    app_id: str | None = None
    create_time: str | None = None
    #: how many services the product defines; None when the list rows do not say (the vendor's
    #: list answer carries no service_capabilities)
    services: int | None = None


# ---------------------------------------------------------------- validation


class FieldError(NamedTuple):
    """One broken rule: the field's path (relative to the node validated) and what is wrong."""

    path: str
    message: str


def errors_for(errors: Iterable[FieldError], path: str) -> list[FieldError]:
    """The errors at `path` exactly: what a form shows under one field."""
    return [e for e in errors if e.path == path]


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _prefixed(prefix: str, errors: Iterable[FieldError]) -> list[FieldError]:
    return [FieldError(_join(prefix, e.path), e.message) for e in errors]


class _Checker:
    """Collects errors for one node dict."""

    def __init__(self, node: Any) -> None:
        self.node: Mapping[str, Any] = node if isinstance(node, Mapping) else {}
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def text(
        self,
        key: str,
        *,
        required: bool = False,
        max_len: int,
        min_len: int = 0,
        charset: _Charset | None = None,
    ) -> str | None:
        value = self.node.get(key)
        if value is None:
            if required:
                self.add(key, "is required")
            return None
        if not isinstance(value, str):
            self.add(key, "must be a string")
            return None
        if required:
            min_len = max(min_len, 1)
        if len(value) < min_len:
            self.add(key, f"must be {min_len} to {max_len} characters")
            return None
        if len(value) > max_len:
            self.add(key, f"must be at most {max_len} characters")
            return None
        if charset is not None and not charset.allows(value):
            self.add(key, f"may contain only {charset.text}")
            return None
        return value

    def choice(self, key: str, options: Sequence[str], *, required: bool = False) -> str | None:
        value = self.node.get(key)
        if value is None:
            if required:
                self.add(key, "is required")
            return None
        if not isinstance(value, str) or value not in options:
            self.add(key, "must be one of " + ", ".join(options))
            return None
        return value

    def boolean(self, key: str) -> None:
        value = self.node.get(key)
        if value is not None and not isinstance(value, bool):
            self.add(key, "must be true or false")

    def array(self, key: str) -> list[Any] | None:
        value = self.node.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(key, "must be a list")
            return None
        if len(value) > MAX_ITEMS:
            self.add(key, f"may hold at most {MAX_ITEMS} items")
        return value

    def children(
        self, key: str, validate: Callable[[Any], list[FieldError]], unique: str | None
    ) -> None:
        items = self.array(key)
        if items is None:
            return
        seen: set[str] = set()
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                self.add(where, "must be an object")
                continue
            self.errors.extend(_prefixed(where, validate(item)))
            name = item.get(unique) if unique else None
            if isinstance(name, str) and name:
                if name in seen:
                    self.add(f"{where}.{unique}", f"{name!r} is already used in this list")
                seen.add(name)


_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _value_rules(c: _Checker, *, is_property: bool) -> None:
    """The rules shared by properties and parameters: data_type and what depends on it.

    The page states only the types and the 1-16 characters of min/max; the consistency rules
    are what Huawei's console enforces, kept to what cannot be valid otherwise: the page's own
    example puts min/max/step/max_length on a string parameter and max_length on a decimal, so
    none of them is refused for a type; they are checked where they mean something.
    """
    data_type = c.choice("data_type", DATA_TYPES, required=True)
    c.boolean("required")

    enum_list = c.array("enum_list") or []
    seen: dict[str, int] = {}
    for k, entry in enumerate(enum_list):
        where = f"enum_list[{k}]"
        if not isinstance(entry, str) or not entry:
            c.add(where, "must be a non-empty string")
        elif entry in seen:
            c.add(where, f"duplicates enum_list[{seen[entry]}]")
        else:
            seen[entry] = k
    if data_type == "enum" and not enum_list:
        c.add("enum_list", "is required when data_type is enum")

    # min/max: strings of 1-16 characters; numbers (whole for int and long, plain decimals with
    # no exponent for decimal) when the type is numeric, free text otherwise.
    low = c.text("min", max_len=16, min_len=1)
    high = c.text("max", max_len=16, min_len=1)
    numeric = data_type in NUMERIC_TYPES
    if numeric:
        pattern = _INTEGER_TEXT if data_type in INTEGER_TYPES else _DECIMAL_TEXT
        reason = "must be an integer" if data_type in INTEGER_TYPES else "must be a number"
        if low is not None and not pattern.fullmatch(low):
            c.add("min", reason)
            low = None
        if high is not None and not pattern.fullmatch(high):
            c.add("max", reason)
            high = None
        if low is not None and high is not None and float(high) < float(low):
            c.add("max", "must not be less than min")

    max_length = c.node.get("max_length")
    if max_length is not None:
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            c.add("max_length", "must be an integer")
        elif not 0 <= max_length <= 2_147_483_647:
            c.add("max_length", "must be between 0 and 2147483647")
        else:
            # Where there are enumerated values, max_length bounds them.
            for k, entry in enumerate(enum_list):
                if isinstance(entry, str) and len(entry) > max_length:
                    c.add(f"enum_list[{k}]", "is longer than max_length")

    step = c.node.get("step")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step):
            c.add("step", "must be a number")
        elif step < 0:
            # 0 is allowed: Huawei answers step 0 for "no step".
            c.add("step", "must not be negative")
        elif numeric and data_type in INTEGER_TYPES and step != int(step):
            c.add("step", f"must be a whole number for {data_type}")
        elif numeric and low is not None and high is not None and step > float(high) - float(low):
            c.add("step", "must not exceed max - min")

    c.text("unit", max_len=16)
    if is_property:
        c.choice("method", METHODS, required=True)
    c.text("description", max_len=128, charset=_DESC)
    if is_property and c.node.get("default_value") is not None:
        try:
            json.dumps(c.node["default_value"], allow_nan=False)
        except (TypeError, ValueError):
            c.add("default_value", "must be a JSON value")


def validate_para(node: Any) -> list[FieldError]:
    """A command, response or event parameter (Table 9)."""
    c = _Checker(node)
    c.text("para_name", required=True, max_len=32, charset=_NAME)
    _value_rules(c, is_property=False)
    return c.errors


def validate_property(node: Any) -> list[FieldError]:
    """A service property (Table 5)."""
    c = _Checker(node)
    # The page warns that `.` and `$` break the device shadow but still allows `.`; so do we.
    c.text("property_name", required=True, max_len=64, charset=_NAME)
    _value_rules(c, is_property=True)
    return c.errors


def validate_response(node: Any) -> list[FieldError]:
    """A command response (Table 7)."""
    c = _Checker(node)
    c.text("response_name", required=True, max_len=128, charset=_NAME)
    c.children("paras", validate_para, "para_name")
    return c.errors


def validate_command(node: Any) -> list[FieldError]:
    """A command with its parameters and responses (Table 6)."""
    c = _Checker(node)
    c.text("command_name", required=True, max_len=64, charset=_NAME)
    c.children("paras", validate_para, "para_name")
    # The page does not say response names are unique; two responses of one name could not be
    # told apart, so they are refused like every other name list.
    c.children("responses", validate_response, "response_name")
    return c.errors


def validate_event(node: Any) -> list[FieldError]:
    """An event (Table 8)."""
    c = _Checker(node)
    c.text("event_type", required=True, max_len=32, charset=_NAME)
    c.children("paras", validate_para, "para_name")
    return c.errors


def validate_service(node: Any) -> list[FieldError]:
    """A service with everything in it (Table 4); names unique within the service."""
    c = _Checker(node)
    c.text("service_id", required=True, max_len=64, charset=_SERVICE)
    c.text("service_type", required=True, max_len=64, charset=_SERVICE)
    c.children("properties", validate_property, "property_name")
    c.children("commands", validate_command, "command_name")
    c.children("events", validate_event, "event_type")
    c.text("description", max_len=128, charset=_DESC)
    c.choice("option", OPTIONS)
    return c.errors


def validate_product_header(node: Any) -> list[FieldError]:
    """The product's own fields (Table 3) without looking inside its services."""
    c = _Checker(node)
    c.text("product_id", max_len=36, min_len=1, charset=_ID)
    c.text("name", required=True, max_len=64, charset=_NAME)
    c.text("device_type", required=True, max_len=32, charset=_NAME)
    c.choice("protocol_type", PROTOCOL_TYPES, required=True)
    c.choice("data_format", DATA_FORMATS, required=True)
    c.text("manufacturer_name", max_len=32, charset=_NAME)
    c.text("industry", max_len=64, charset=_NAME)
    c.text("description", max_len=128, charset=_DESC)
    c.text("app_id", max_len=36, min_len=1, charset=_ID)
    services = c.node.get("service_capabilities")
    if services is None:
        c.add("service_capabilities", "is required")
    elif not isinstance(services, list):
        c.add("service_capabilities", "must be a list")
    else:
        if len(services) > MAX_ITEMS:
            c.add("service_capabilities", f"may hold at most {MAX_ITEMS} items")
        try:
            size = len(json.dumps(services, separators=(",", ":"), ensure_ascii=False).encode())
        except (TypeError, ValueError):
            size = 0  # a non-JSON value is reported at its own field
        if size > MAX_CONTENT_BYTES:
            c.add("service_capabilities", "content must not exceed 500 KB")
    return c.errors


def validate_product(node: Any) -> list[FieldError]:
    """A whole product: header, every service, service_id unique in the product."""
    if isinstance(node, BaseModel):
        node = node.model_dump(by_alias=True, exclude_none=True)
    c = _Checker(node)
    c.errors.extend(validate_product_header(node))
    services = c.node.get("service_capabilities")
    if isinstance(services, list):
        seen: set[str] = set()
        for i, service in enumerate(services):
            where = f"service_capabilities[{i}]"
            if not isinstance(service, Mapping):
                c.add(where, "must be an object")
                continue
            c.errors.extend(_prefixed(where, validate_service(service)))
            sid = service.get("service_id")
            if isinstance(sid, str) and sid:
                if sid in seen:
                    c.add(f"{where}.service_id", f"{sid!r} is already used in this product")
                seen.add(sid)
    return c.errors


# ---------------------------------------------------------------- diff


class Change(NamedTuple):
    """One difference between two products.

    `path` names items by their key, not their index, so that a reorder is not "everything
    changed": `service_capabilities[temperature].properties[level].max`. A reorder is reported
    as kind "changed" at `<item path>.position` with the old and new index.
    """

    kind: Literal["added", "removed", "changed"]
    path: str
    old: Any
    new: Any


#: The key that identifies an item in each list of the model.
_KEYS: dict[str, str] = {
    "service_capabilities": "service_id",
    "properties": "property_name",
    "commands": "command_name",
    "events": "event_type",
    "paras": "para_name",
    "responses": "response_name",
}
#: What the server fills in when a field is left out, so that absent and default compare equal.
_DEFAULTS: dict[str, Any] = {"required": False, "option": "Optional", "data_format": "json"}
#: Server-set fields: not the user's change.
_READ_ONLY = frozenset({"create_time", "app_name"})
#: Fields the server fills in when the body leaves them out (a product_id is allocated, the default
#: resource space is used); left out on one side they are not a change.
_SERVER_FILLED = frozenset({"product_id", "app_id"})


def _norm(key: str, value: Any) -> Any:
    if value is None:
        value = _DEFAULTS.get(key)
    if value == [] and key not in _DEFAULTS:
        return None
    return value


def _keyed(items: Sequence[Any], key: str) -> list[tuple[tuple[str, int], Any]]:
    # (name, occurrence) so that duplicate names (an invalid product) still pair up in order.
    counts: dict[str, int] = {}
    out: list[tuple[tuple[str, int], Any]] = []
    for i, item in enumerate(items):
        name = item.get(key) if isinstance(item, Mapping) else None
        name = str(name) if name is not None else f"#{i}"
        n = counts.get(name, 0)
        counts[name] = n + 1
        out.append(((name, n), item))
    return out


def _label(ident: tuple[str, int]) -> str:
    name, n = ident
    return name if n == 0 else f"{name}#{n + 1}"


def _stable(sequence: list[int]) -> set[int]:
    """Positions (into `sequence`) of a longest increasing subsequence: the items that did not move."""
    tails: list[int] = []
    tails_at: list[int] = []
    parent: list[int] = [-1] * len(sequence)
    for i, v in enumerate(sequence):
        j = bisect.bisect_left(tails, v)
        if j == len(tails):
            tails.append(v)
            tails_at.append(i)
        else:
            tails[j] = v
            tails_at[j] = i
        parent[i] = tails_at[j - 1] if j > 0 else -1
    keep: set[int] = set()
    k = tails_at[-1] if tails_at else -1
    while k != -1:
        keep.add(k)
        k = parent[k]
    return keep


def _diff_list(path: str, field: str, old: Sequence[Any], new: Sequence[Any]) -> list[Change]:
    key = _KEYS[field]
    old_items = _keyed(old, key)
    new_items = _keyed(new, key)
    old_map = dict(old_items)
    old_index = {ident: i for i, (ident, _) in enumerate(old_items)}
    new_keys = {ident for ident, _ in new_items}
    changes: list[Change] = []
    for ident, item in old_items:
        if ident not in new_keys:
            changes.append(Change("removed", f"{path}[{_label(ident)}]", item, None))
    common = [(ident, i) for i, (ident, _) in enumerate(new_items) if ident in old_map]
    keep = _stable([old_index[ident] for ident, _ in common])
    moved = {ident for n, (ident, _) in enumerate(common) if n not in keep}
    for i, (ident, item) in enumerate(new_items):
        where = f"{path}[{_label(ident)}]"
        if ident not in old_map:
            changes.append(Change("added", where, None, item))
            continue
        if ident in moved:
            changes.append(Change("changed", f"{where}.position", old_index[ident], i))
        changes.extend(_diff_node(where, old_map[ident], item))
    return changes


def _diff_node(path: str, old: Any, new: Any) -> list[Change]:
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return [] if old == new else [Change("changed", path, old, new)]
    changes: list[Change] = []
    keys = list(old) + [k for k in new if k not in old]
    for key in keys:
        if key in _READ_ONLY:
            continue
        a, b = _norm(key, old.get(key)), _norm(key, new.get(key))
        if not path and key in _SERVER_FILLED and (a is None or b is None):
            continue
        where = _join(path, key)
        if key in _KEYS and isinstance(a, list | None) and isinstance(b, list | None):
            changes.extend(_diff_list(where, key, a or [], b or []))
        elif a != b:
            changes.append(Change("changed", where, a, b))
    return changes


def diff_products(old: Any, new: Any) -> list[Change]:
    """What changes from `old` to `new` (dicts or Products): items matched by their names."""
    if isinstance(old, BaseModel):
        old = old.model_dump(by_alias=True, exclude_none=True)
    if isinstance(new, BaseModel):
        new = new.model_dump(by_alias=True, exclude_none=True)
    return _diff_node("", old, new)


def read_product_file(path: str) -> Product:
    """Read a product from a JSON file (the vendor's create body), checked by IoTDA's rules;
    ValueError says what is wrong. The console's import and `fleet products import` both read
    with it."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {file}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{file.name} is not JSON: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file.name} is not JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{file.name} holds a JSON {type(data).__name__}, not a product object")
    try:
        product = Product.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(step) for step in first.get("loc", ())) or "product"
        raise ValueError(f"{file.name}: {where}: {first.get('msg')}") from exc
    errors = validate_product(data)
    if errors:
        # Refused at once: an import the vendor would refuse is better named here than on save.
        first_error = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValueError(f"{file.name}: {first_error.path}: {first_error.message}{more}")
    return product
