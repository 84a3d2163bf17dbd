"""The Telit forms: the identifier rules (with their messages at the field), keys, tags, and the
TR50 params each form sends."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tui.api.platforms.telit_forms import (
    ApplicationCreate,
    ThingCreate,
    ThingDefinitionCreate,
    ThingFromConnection,
    identifier_problem,
)

#: valid identifiers (ICCID and IMEI with their Luhn check digits)
GOOD = {
    "iccid": ["89314404000132906802", "8931440400013290687"],
    "imei": ["490154203237518", "356938035643809"],
    "imsi": ["20404123456789", "204041234567890"],
    "meid": ["A0000000002329", "a10000009296f2"],
    "esn": ["8000EF12", "deadbeef"],
}
BAD = {
    "iccid": [
        ("89314404000132906803", "check digit"),
        ("893144040001329068", "19 or 20 digits"),
        ("893144040001329068021", "19 or 20 digits"),
        ("8931440400013290680A", "19 or 20 digits"),
    ],
    "imei": [
        ("490154203237519", "check digit"),
        ("49015420323751", "15 digits"),
        ("49015420323751X", "15 digits"),
    ],
    "imsi": [("2040412345678", "14 or 15 digits"), ("2040412345678901", "14 or 15 digits")],
    "meid": [("A000000000232", "14 hexadecimal"), ("G0000000002329", "14 hexadecimal")],
    "esn": [("8000EF1", "8 hexadecimal"), ("8000EF12Z", "8 hexadecimal")],
}


def thing(**values: Any) -> ThingCreate:
    base: dict[str, Any] = {"definition": "pump", "name": "Pump 42", "key": "pump-42"}
    return ThingCreate(**{**base, **values})


@pytest.mark.parametrize(("kind", "value"), [(k, v) for k, vs in GOOD.items() for v in vs])
def test_a_valid_identifier_of_each_kind_is_taken(kind: str, value: str) -> None:
    assert identifier_problem(kind, value) is None
    made = thing(identifier_kind=kind, identifier=value)
    assert made.params()[kind] == value


@pytest.mark.parametrize(
    ("kind", "value", "said"), [(k, v, s) for k, vs in BAD.items() for v, s in vs]
)
def test_an_invalid_identifier_is_refused_at_the_field(kind: str, value: str, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        thing(identifier_kind=kind, identifier=value)
    (error,) = caught.value.errors()
    assert error["msg"].startswith("Value error, identifier: ")
    assert said in error["msg"]


def test_the_identifier_is_exactly_one_and_goes_under_its_kind() -> None:
    params = thing(identifier_kind="imei", identifier="4901 5420 3237 518", tags=["a", " a", ""])
    assert params.params() == {
        "name": "Pump 42",
        "key": "pump-42",
        "defKey": "pump",
        "imei": "490154203237518",
        "tags": ["a"],
    }


def test_an_unknown_identifier_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        thing(identifier_kind="msisdn", identifier="32470000000")
    assert identifier_problem("msisdn", "1") is not None


@pytest.mark.parametrize("key", ["", "has space", "-leading", "x" * 129, "é"])
def test_a_thing_key_out_of_the_pattern_is_refused(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        thing(key=key, identifier="490154203237518")
    assert caught.value.errors()[0]["loc"] == ("key",)


def test_a_thing_needs_a_definition_and_a_name() -> None:
    with pytest.raises(ValidationError) as caught:
        thing(definition="", name=" ", identifier="490154203237518")
    assert {e["loc"] for e in caught.value.errors()} == {("definition",), ("name",)}


def test_a_thing_definition_takes_key_name_lines() -> None:
    spec = ThingDefinitionCreate(
        key="water-pump",
        name="Water pump",
        attributes="serial: Serial number\n\nfirmware",
        properties="temp: Temperature",
        alarms="",
    )
    assert spec.params() == {
        "key": "water-pump",
        "name": "Water pump",
        "attributes": {"serial": {"name": "Serial number"}, "firmware": {"name": "firmware"}},
        "properties": {"temp": {"name": "Temperature"}},
    }


@pytest.mark.parametrize(
    ("field", "text", "said"),
    [
        ("attributes", "bad key: x", "line 1"),
        ("properties", "temp: A\ntemp: B", "there twice"),
    ],
)
def test_a_bad_definition_line_is_refused_with_its_number(field: str, text: str, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ThingDefinitionCreate(key="d", name="D", **{field: text})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and said in error["msg"]


def test_an_application_is_bound_to_a_definition_with_its_tags() -> None:
    spec = ApplicationCreate(name="Gateways", definition="gw", auto_reg_tags=["x", "x", "y "])
    assert spec.params() == {
        "name": "Gateways",
        "autoRegThingDefKey": "gw",
        "autoRegTags": ["x", "y"],
    }
    with pytest.raises(ValidationError):
        ApplicationCreate(name="Gateways", definition="")


def test_a_thing_from_a_connection_checks_its_key_and_tags() -> None:
    spec = ThingFromConnection(definition="sim", name="SIM", key="sim-1", tags=["a", "a"])
    assert spec.tags == ["a"]
    with pytest.raises(ValidationError):
        ThingFromConnection(definition="sim", name="SIM", key="bad key")
