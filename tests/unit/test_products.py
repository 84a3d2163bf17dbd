"""The IoTDA product model: vendor-valid products pass, each broken rule is named at its field, and the diff."""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.products import (
    DATA_FORMATS,
    DATA_TYPES,
    METHODS,
    OPTIONS,
    PROTOCOL_TYPES,
    Change,
    Product,
    diff_products,
    errors_for,
    validate_command,
    validate_event,
    validate_para,
    validate_product,
    validate_product_header,
    validate_property,
    validate_service,
)

# ---------------------------------------------------------------- strategies of valid nodes

NAME_CHARS = string.ascii_letters + string.digits + "_?'#().,&%@!-" + "温度"
SERVICE_CHARS = NAME_CHARS + "$"
DESC_CHARS = string.ascii_letters + string.digits + " _?'#().,;&%@!-:$[]~/"
ID_CHARS = string.ascii_letters + string.digits + "_-"


def text(chars: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=chars, min_size=lo, max_size=hi)


def names(hi: int) -> st.SearchStrategy[str]:
    # Mostly short, sometimes exactly at the limit.
    return st.one_of(text(NAME_CHARS, 1, min(hi, 12)), text(NAME_CHARS, hi, hi))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def typed_fields(draw: st.DrawFn) -> dict[str, Any]:
    """data_type and the fields that must agree with it."""
    data_type = draw(st.sampled_from(DATA_TYPES))
    out: dict[str, Any] = {"data_type": data_type, "required": draw(optional(st.booleans()))}
    enum_list = draw(st.lists(text(NAME_CHARS, 1, 8), min_size=1, max_size=4, unique=True))
    if data_type == "enum" or draw(st.booleans()):
        out["enum_list"] = enum_list
    if data_type in ("int", "long", "decimal"):
        lo = draw(st.integers(-1000, 1000))
        hi = lo + draw(st.integers(0, 1000))
        if data_type == "decimal":
            out["min"], out["max"] = f"{lo}.5", f"{hi}.5"
        else:
            out["min"], out["max"] = str(lo), str(hi)
        if hi > lo and draw(st.booleans()):
            out["step"] = float(draw(st.integers(1, hi - lo)))
    else:
        out["min"] = draw(optional(text(string.printable.strip(), 1, 16)))
        out["max"] = draw(optional(text(string.printable.strip(), 1, 16)))
        out["step"] = draw(optional(st.floats(0, 100)))
    if draw(st.booleans()):
        longest = max((len(v) for v in out.get("enum_list") or []), default=0)
        out["max_length"] = draw(st.integers(longest, 10_000))
    out["unit"] = draw(optional(st.text(max_size=16)))
    out["description"] = draw(optional(text(DESC_CHARS, 0, 128)))
    return _drop_none(out)


@st.composite
def paras(draw: st.DrawFn) -> dict[str, Any]:
    return {"para_name": draw(names(32)), **draw(typed_fields())}


@st.composite
def properties(draw: st.DrawFn) -> dict[str, Any]:
    out = {"property_name": draw(names(64)), **draw(typed_fields())}
    out["method"] = draw(st.sampled_from(METHODS))
    default = draw(optional(st.one_of(st.integers(), text(NAME_CHARS, 0, 5), st.just({"a": 1}))))
    if default is not None:
        out["default_value"] = default
    return out


def unique_by(key: str, items: st.SearchStrategy[dict[str, Any]], hi: int) -> Any:
    return st.lists(items, max_size=hi, unique_by=lambda d: d[key])


@st.composite
def responses(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"response_name": draw(names(128))}
    ps = draw(unique_by("para_name", paras(), 2))
    if ps:
        out["paras"] = ps
    return out


@st.composite
def commands(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"command_name": draw(names(64))}
    ps = draw(unique_by("para_name", paras(), 2))
    rs = draw(unique_by("response_name", responses(), 2))
    if ps:
        out["paras"] = ps
    if rs:
        out["responses"] = rs
    return out


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"event_type": draw(names(32))}
    ps = draw(unique_by("para_name", paras(), 2))
    if ps:
        out["paras"] = ps
    return out


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service_id": draw(text(SERVICE_CHARS, 1, 12)),
        "service_type": draw(text(SERVICE_CHARS, 1, 64)),
        "properties": draw(unique_by("property_name", properties(), 3)),
        "commands": draw(unique_by("command_name", commands(), 2)),
        "description": draw(optional(text(DESC_CHARS, 0, 40))),
        "option": draw(optional(st.sampled_from(OPTIONS))),
    }
    if draw(st.booleans()):
        out["events"] = draw(unique_by("event_type", events(), 1))
    return _drop_none(out)


@st.composite
def products(draw: st.DrawFn, *, with_ids: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": draw(names(64)),
        "device_type": draw(names(32)),
        "protocol_type": draw(st.sampled_from(PROTOCOL_TYPES)),
        "data_format": draw(st.sampled_from(DATA_FORMATS)),
        "service_capabilities": draw(unique_by("service_id", services(), 2)),
        "manufacturer_name": draw(optional(text(NAME_CHARS, 0, 32))),
        "industry": draw(optional(text(NAME_CHARS, 0, 64))),
        "description": draw(optional(text(DESC_CHARS, 0, 128))),
    }
    if with_ids:
        out["product_id"] = draw(optional(text(ID_CHARS, 1, 36)))
        out["app_id"] = draw(optional(text(ID_CHARS, 1, 36)))
    return _drop_none(out)


# ---------------------------------------------------------------- mutations: one broken rule each

Mutation = Callable[[dict[str, Any]], str]
"""Breaks one rule of a node in place; returns the field path (relative to the node) to be named."""


def _set(key: str, value: Any) -> Mutation:
    def apply(node: dict[str, Any]) -> str:
        node[key] = value
        return key

    return apply


def _drop(key: str) -> Mutation:
    def apply(node: dict[str, Any]) -> str:
        node.pop(key, None)
        return key

    return apply


def _typed_mutations(name_key: str, name_max: int) -> list[Mutation]:
    def enum_without_values(node: dict[str, Any]) -> str:
        node["data_type"] = "enum"
        node.pop("enum_list", None)
        return "enum_list"

    def max_below_min(node: dict[str, Any]) -> str:
        node.update(data_type="int", min="10", max="9")
        node.pop("step", None)
        return "max"

    def not_integer(node: dict[str, Any]) -> str:
        node.update(data_type="long", min="1.5")
        node.pop("max", None)
        node.pop("step", None)
        return "min"

    def not_decimal(node: dict[str, Any]) -> str:
        node.update(data_type="decimal", max="1e3")
        node.pop("min", None)
        node.pop("step", None)
        return "max"

    def fractional_step(node: dict[str, Any]) -> str:
        node.update(data_type="int", min="0", max="10", step=0.5)
        return "step"

    def step_too_big(node: dict[str, Any]) -> str:
        node.update(data_type="decimal", min="0", max="1", step=2.0)
        return "step"

    def enum_longer_than_max_length(node: dict[str, Any]) -> str:
        node.update(data_type="enum", enum_list=["abcdef"], max_length=3)
        return "enum_list[0]"

    def duplicate_enum(node: dict[str, Any]) -> str:
        node.update(data_type="enum", enum_list=["a", "a"])
        node.pop("max_length", None)
        return "enum_list[1]"

    def empty_enum_value(node: dict[str, Any]) -> str:
        node.update(enum_list=[""])
        return "enum_list[0]"

    return [
        _drop(name_key),
        _set(name_key, ""),
        _set(name_key, "a b"),
        _set(name_key, "x" * (name_max + 1)),
        _set(name_key, 7),
        _drop("data_type"),
        _set("data_type", "float"),
        _set("required", "yes"),
        _set("enum_list", "a"),
        _set("min", ""),
        _set("max", "1" * 17),
        _set("max_length", -1),
        _set("max_length", 2.5),
        _set("max_length", True),
        _set("step", -1),
        _set("step", "1"),
        _set("unit", "u" * 17),
        _set("description", "d" * 129),
        _set("description", "no <tags>"),
        enum_without_values,
        max_below_min,
        not_integer,
        not_decimal,
        fractional_step,
        step_too_big,
        enum_longer_than_max_length,
        duplicate_enum,
        empty_enum_value,
    ]


PARA_MUTATIONS = _typed_mutations("para_name", 32)
PROPERTY_MUTATIONS = [
    *_typed_mutations("property_name", 64),
    _drop("method"),
    _set("method", "RX"),
]


def _duplicate(list_key: str, name_key: str) -> Mutation:
    def apply(node: dict[str, Any]) -> str:
        items = node.get(list_key) or []
        if not items:
            return ""
        node[list_key] = [*items, copy.deepcopy(items[0])]
        return f"{list_key}[{len(items)}].{name_key}"

    return apply


def _too_many(list_key: str, item: dict[str, Any] | str) -> Mutation:
    def apply(node: dict[str, Any]) -> str:
        node[list_key] = [item] * 501
        return list_key

    return apply


SERVICE_MUTATIONS: list[Mutation] = [
    _drop("service_id"),
    _set("service_id", "id with space"),
    _set("service_id", "s" * 65),
    _drop("service_type"),
    _set("service_type", "t/t"),
    _set("option", "Maybe"),
    _set("description", "é" * 129),
    _set("properties", {}),
    _duplicate("properties", "property_name"),
    _duplicate("commands", "command_name"),
]
PRODUCT_MUTATIONS: list[Mutation] = [
    _drop("name"),
    _set("name", "a b"),
    _set("name", "n" * 65),
    _drop("device_type"),
    _set("device_type", "d" * 33),
    _drop("protocol_type"),
    _set("protocol_type", "mqtt"),
    _drop("data_format"),
    _set("data_format", "xml"),
    _drop("service_capabilities"),
    _set("service_capabilities", "x"),
    _set("manufacturer_name", "m" * 33),
    _set("manufacturer_name", "A B"),
    _set("industry", "i" * 65),
    _set("description", "d" * 129),
    _set("description", "semi;colon is fine but <not>"),
    _set("product_id", "has.dot"),
    _set("product_id", ""),
    _set("product_id", "p" * 37),
    _set("app_id", "é"),
    _duplicate("service_capabilities", "service_id"),
    _too_many("service_capabilities", "x"),
]


# ---------------------------------------------------------------- tests: valid inputs


#: The request body of the vendor page's example ("Thermometer"), verbatim.
VENDOR_EXAMPLE: dict[str, Any] = {
    "product_id": "5ba24f5ebbe8f56f5a14f605",
    "name": "Thermometer.",
    "device_type": "Thermometer.",
    "protocol_type": "MQTT",
    "data_format": "json",
    "service_capabilities": [
        {
            "service_id": "Temperature.",
            "service_type": "temperature",
            "properties": [
                {
                    "property_name": "temperature",
                    "data_type": "decimal",
                    "required": True,
                    "enum_list": None,
                    "min": "1",
                    "max": "100",
                    "max_length": 100,
                    "step": 0.1,
                    "unit": "centigrade",
                    "method": "RW",
                    "description": "force",
                    "default_value": {"color": "red", "size": 1},
                }
            ],
            "commands": [
                {
                    "command_name": "reboot",
                    "paras": [
                        {
                            "para_name": "force",
                            "data_type": "string",
                            "required": False,
                            "enum_list": None,
                            "min": "1",
                            "max": "100",
                            "max_length": 100,
                            "step": 0.1,
                            "unit": "km/h",
                            "description": "force",
                        }
                    ],
                    "responses": [
                        {
                            "response_name": "ACK",
                            "paras": [
                                {
                                    "para_name": "force",
                                    "data_type": "string",
                                    "required": False,
                                    "enum_list": None,
                                    "min": "1",
                                    "max": "100",
                                    "max_length": 100,
                                    "step": 0.1,
                                    "unit": "km/h",
                                    "description": "force",
                                }
                            ],
                        }
                    ],
                }
            ],
            "description": "temperature",
            "option": "Mandatory",
        }
    ],
    "manufacturer_name": "ABC",
    "industry": "smartCity",
    "description": "this is a thermometer produced by Huawei",
    "app_id": "jeQDJQZltU8iKgFFoW060F5SGZka",
}


def _doc_example() -> dict[str, Any]:
    return copy.deepcopy(VENDOR_EXAMPLE)


def test_the_vendor_example_is_valid() -> None:
    example = _doc_example()
    assert validate_product(example) == []
    product = Product.model_validate(example)
    body = product.model_dump(by_alias=True, exclude_none=True)
    assert validate_product(body) == []
    assert diff_products(example, body) == []


def test_read_only_fields_are_not_sent() -> None:
    product = Product.model_validate(
        {**_doc_example(), "create_time": "20190303T081011Z", "app_name": "testAPP01"}
    )
    assert product.create_time == "20190303T081011Z"
    assert "create_time" not in product.body()
    assert "app_name" not in product.body()


@settings(max_examples=60, deadline=None)
@given(products())
def test_valid_products_pass_and_round_trip(product: dict[str, Any]) -> None:
    assert validate_product(product) == []
    body = Product.model_validate(product).body()
    assert validate_product(body) == []
    assert diff_products(product, body) == []


@settings(max_examples=100, deadline=None)
@given(properties(), paras(), commands(), events(), services())
def test_node_validators_accept_valid_nodes(
    prop: dict[str, Any],
    para: dict[str, Any],
    command: dict[str, Any],
    event: dict[str, Any],
    service: dict[str, Any],
) -> None:
    assert validate_property(prop) == []
    assert validate_para(para) == []
    assert validate_command(command) == []
    assert validate_event(event) == []
    assert validate_service(service) == []


# ---------------------------------------------------------------- tests: each rule, at its field


@settings(max_examples=100, deadline=None)
@given(properties(), st.sampled_from(PROPERTY_MUTATIONS))
def test_a_broken_property_is_named(prop: dict[str, Any], mutate: Mutation) -> None:
    field = mutate(prop)
    assert field in {e.path for e in validate_property(prop)}


@settings(max_examples=100, deadline=None)
@given(paras(), st.sampled_from(PARA_MUTATIONS))
def test_a_broken_para_is_named(para: dict[str, Any], mutate: Mutation) -> None:
    field = mutate(para)
    assert field in {e.path for e in validate_para(para)}


@settings(max_examples=60, deadline=None)
@given(services(), st.sampled_from(SERVICE_MUTATIONS))
def test_a_broken_service_is_named(service: dict[str, Any], mutate: Mutation) -> None:
    field = mutate(service)
    if field:
        assert field in {e.path for e in validate_service(service)}


@settings(max_examples=60, deadline=None)
@given(products(), st.sampled_from(PRODUCT_MUTATIONS))
def test_a_broken_header_is_named(product: dict[str, Any], mutate: Mutation) -> None:
    field = mutate(product)
    if field:
        assert field in {e.path for e in validate_product(product)}


@settings(max_examples=100, deadline=None)
@given(products(with_ids=False), st.data())
def test_nested_errors_carry_the_full_path(product: dict[str, Any], data: st.DataObject) -> None:
    """A rule broken deep inside a product is named by its path from the product."""
    service = {"service_id": "s", "service_type": "t", "properties": [], "commands": []}
    product["service_capabilities"] = [*product["service_capabilities"], service]
    k = len(product["service_capabilities"]) - 1
    where = data.draw(st.sampled_from(["property", "para", "response_para", "event_para"]))
    if where == "property":
        node = data.draw(properties())
        service["properties"] = [node]
        prefix = f"service_capabilities[{k}].properties[0]."
        mutate = data.draw(st.sampled_from(PROPERTY_MUTATIONS))
    else:
        node = data.draw(paras())
        mutate = data.draw(st.sampled_from(PARA_MUTATIONS))
        if where == "para":
            service["commands"] = [{"command_name": "c", "paras": [node]}]
            prefix = f"service_capabilities[{k}].commands[0].paras[0]."
        elif where == "response_para":
            service["commands"] = [
                {"command_name": "c", "responses": [{"response_name": "r", "paras": [node]}]}
            ]
            prefix = f"service_capabilities[{k}].commands[0].responses[0].paras[0]."
        else:
            service["events"] = [{"event_type": "e", "paras": [node]}]
            prefix = f"service_capabilities[{k}].events[0].paras[0]."
    field = mutate(node)
    assert prefix + field in {e.path for e in validate_product(product)}


def test_uniqueness_within_each_list() -> None:
    para = {"para_name": "p", "data_type": "int"}
    command = {
        "command_name": "c",
        "paras": [para, para],
        "responses": [{"response_name": "r"}, {"response_name": "r"}],
    }
    paths = {e.path for e in validate_command(command)}
    assert paths == {"paras[1].para_name", "responses[1].response_name"}
    event = {"event_type": "e", "paras": [para, dict(para, para_name="q"), para]}
    assert [e.path for e in validate_event(event)] == ["paras[2].para_name"]
    service = {
        "service_id": "s",
        "service_type": "t",
        "events": [{"event_type": "e"}, {"event_type": "e"}],
    }
    assert [e.path for e in validate_service(service)] == ["events[1].event_type"]


def test_array_and_content_limits() -> None:
    prop = {"property_name": "p", "data_type": "int", "method": "R"}
    service = {"service_id": "s", "service_type": "t", "properties": [prop] * 501}
    assert "properties" in {e.path for e in validate_service(service)}
    big = [
        {
            "service_id": f"s{i}",
            "service_type": "t",
            "description": "d" * 128,
            "properties": [
                dict(prop, property_name=f"p{j}", description="x" * 128) for j in range(20)
            ],
        }
        for i in range(150)
    ]
    header = {
        "name": "n",
        "device_type": "d",
        "protocol_type": "MQTT",
        "data_format": "json",
        "service_capabilities": big,
    }
    assert len(json.dumps(big, separators=(",", ":"))) > 500 * 1024
    assert errors_for(validate_product_header(header), "service_capabilities")
    header["service_capabilities"] = big[:10]
    assert validate_product_header(header) == []


def test_default_value_must_be_json() -> None:
    prop = {"property_name": "p", "data_type": "int", "method": "R", "default_value": object()}
    assert [e.path for e in validate_property(prop)] == ["default_value"]
    prop["default_value"] = float("nan")
    assert [e.path for e in validate_property(prop)] == ["default_value"]


def test_non_objects_are_named() -> None:
    errors = validate_product(
        {
            "name": "n",
            "device_type": "d",
            "protocol_type": "MQTT",
            "data_format": "json",
            "service_capabilities": [1],
        }
    )
    assert [e.path for e in errors] == ["service_capabilities[0]"]
    assert validate_property("nope")  # not a dict: every mandatory field is missing


# ---------------------------------------------------------------- diff


def _product_with(props: list[str]) -> dict[str, Any]:
    return {
        "name": "n",
        "device_type": "d",
        "protocol_type": "MQTT",
        "data_format": "json",
        "service_capabilities": [
            {
                "service_id": "s",
                "service_type": "t",
                "properties": [
                    {"property_name": p, "data_type": "int", "method": "R"} for p in props
                ],
            }
        ],
    }


def test_diff_added_removed_changed() -> None:
    old = _product_with(["a", "b", "c"])
    new = _product_with(["a", "c", "d"])
    new["service_capabilities"][0]["properties"][0]["method"] = "RW"
    new["name"] = "m"
    changes = diff_products(old, new)
    assert Change("changed", "name", "n", "m") in changes
    assert Change("changed", "service_capabilities[s].properties[a].method", "R", "RW") in changes
    kinds = {(c.kind, c.path) for c in changes}
    assert ("removed", "service_capabilities[s].properties[b]") in kinds
    assert ("added", "service_capabilities[s].properties[d]") in kinds
    assert len(changes) == 4


def test_diff_reorder_is_a_position_change_only() -> None:
    old = _product_with(["a", "b", "c", "d"])
    new = _product_with(["d", "a", "b", "c"])
    assert diff_products(old, new) == [
        Change("changed", "service_capabilities[s].properties[d].position", 3, 0)
    ]


def test_diff_ignores_defaults_and_read_only_fields() -> None:
    old = _product_with(["a"])
    new = copy.deepcopy(old)
    new["create_time"] = "20190303T081011Z"
    new["service_capabilities"][0]["option"] = "Optional"
    new["service_capabilities"][0]["commands"] = []
    new["service_capabilities"][0]["properties"][0]["required"] = False
    assert diff_products(old, new) == []


@settings(max_examples=60, deadline=None)
@given(products(), st.randoms(use_true_random=False))
def test_diff_of_a_shuffle_has_only_position_changes(product: dict[str, Any], rnd: Any) -> None:
    shuffled = copy.deepcopy(product)
    for service in shuffled["service_capabilities"]:
        rnd.shuffle(service.get("properties") or [])
    rnd.shuffle(shuffled["service_capabilities"])
    changes = diff_products(product, shuffled)
    assert all(c.kind == "changed" and c.path.endswith(".position") for c in changes)
    assert diff_products(product, product) == []


@pytest.mark.parametrize("field", ["create_time", "app_name"])
def test_model_keeps_read_only_fields_for_display(field: str) -> None:
    product = Product.model_validate({**_doc_example(), field: "x"})
    assert getattr(product, field) == "x"
