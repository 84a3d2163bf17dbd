"""The EnOS register form: each rule with its message, and the vendor sample's request body."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from tui.api.forms import field_of
from tui.api.platforms.enos_forms import (
    RegisterResult,
    SubDeviceRegistration,
    parse_attributes,
    parse_utc_offset,
)


def _error(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        SubDeviceRegistration.model_validate(values)
    return str(caught.value)


def test_the_fields_in_form_order_with_their_titles() -> None:
    fields = SubDeviceRegistration.model_fields
    assert list(fields) == [
        "product_key",
        "device_key",
        "name_default",
        "name_en_us",
        "name_zh_cn",
        "description",
        "timezone",
        "attributes",
    ]
    assert [fields[n].title for n in ("name_default", "name_en_us", "name_zh_cn")] == [
        "Name (default)",
        "Name (en_US)",
        "Name (zh_CN)",
    ]
    assert fields["product_key"].is_required()
    assert not fields["device_key"].is_required()
    assert field_of(SubDeviceRegistration, "attributes")["multiline"] is True
    assert fields["timezone"].default == "+00:00"


def test_the_vendor_sample_body() -> None:
    # The first sub-device of the vendor page's sample request, field for field.
    sample = json.loads(
        """{"timezone":"+08:00","deviceKey":"sample_dev_01","productKey":"subDeviceProductKey1",
        "deviceAttributes":{"location":"Shanghai","name":"dev_01"},
        "deviceName":{"defaultValue":"sample_dev_01","i18nValue":{"en_US":"eng_dev_01","zh_CN":"dev_01"}},
        "deviceDesc":"dev desc"}"""
    )
    spec = SubDeviceRegistration(
        product_key="subDeviceProductKey1",
        device_key="sample_dev_01",
        name_default="sample_dev_01",
        name_en_us="eng_dev_01",
        name_zh_cn="dev_01",
        description="dev desc",
        timezone="+08:00",
        attributes="location=Shanghai\nname=dev_01",
    )
    assert spec.params() == sample
    assert list(spec.params()) == list(sample)  # the sample's order too


def test_optional_parts_are_left_out() -> None:
    spec = SubDeviceRegistration(product_key="pk", name_en_us="Pump 1", name_zh_cn="泵 1")
    assert spec.params() == {
        "timezone": "+00:00",
        "productKey": "pk",
        "deviceName": {"i18nValue": {"en_US": "Pump 1", "zh_CN": "泵 1"}},
    }


def test_a_name_is_required_and_the_message_names_the_default_field() -> None:
    message = _error(product_key="pk", name_zh_cn="泵")
    assert "name_default: give a default or an en_US name" in message
    assert SubDeviceRegistration(product_key="pk", name_default="x").name_default == "x"
    assert "name_default: " in _error(product_key="pk", name_default="  ", name_en_us="")


def test_product_key_is_required_and_checked() -> None:
    assert "product_key" in _error(name_default="x")
    assert "product_key" in _error(product_key="a/b", name_default="x")


@pytest.mark.parametrize("key", ["has space", "a/b", "x" * 65, "é"])
def test_device_key_rules(key: str) -> None:
    assert "device_key" in _error(product_key="pk", device_key=key, name_default="x")


def test_a_blank_device_key_lets_enos_generate_one() -> None:
    spec = SubDeviceRegistration(product_key="pk", device_key=" ", name_default="x")
    assert spec.device_key is None
    assert "deviceKey" not in spec.params()


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("+08:00", "+08:00"),
        ("+8:00", "+08:00"),
        ("-12:00", "-12:00"),
        ("+14:00", "+14:00"),
        ("+05:45", "+05:45"),
        ("-00:00", "+00:00"),
    ],
)
def test_timezones(typed: str, written: str) -> None:
    assert parse_utc_offset(typed) == written
    assert (
        SubDeviceRegistration(product_key="p", name_default="x", timezone=typed).timezone == written
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("+14:01", "between -12:00 and +14:00"),
        ("-12:30", "between -12:00 and +14:00"),
        ("08:00", "a UTC offset such as +08:00"),
        ("Asia/Shanghai", "a UTC offset such as +08:00"),
        ("+08:75", "minutes are 00 to 59"),
    ],
)
def test_timezone_errors(typed: str, message: str) -> None:
    assert message in _error(product_key="p", name_default="x", timezone=typed)


def test_a_blank_timezone_is_utc() -> None:
    assert (
        SubDeviceRegistration(product_key="p", name_default="x", timezone="").timezone == "+00:00"
    )


def test_attributes_one_per_line() -> None:
    assert parse_attributes("a=1\n\n b = two words \nc=x=y") == {
        "a": "1",
        "b": "two words",
        "c": "x=y",
    }
    assert parse_attributes(None) == {}
    assert parse_attributes("site=Shanghai; floor=3") == {"site": "Shanghai", "floor": "3"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("a=1\nnot a pair", "attributes line 2: write key=value"),
        ("=1", "attributes item 1: write key=value"),
        ("a=1;room", "attributes item 2: write key=value"),
        ("a=1\n\na=2", "attributes line 3: 'a' is already set"),
    ],
)
def test_attribute_errors_name_the_line(typed: str, message: str) -> None:
    assert message in _error(product_key="p", name_default="x", attributes=typed)


def test_a_result_never_shows_its_secret() -> None:
    result = RegisterResult(
        product_key="pk",
        device_key="dk",
        ok=True,
        code="200",
        message="registered",
        asset_id="a1",
        device_secret="the-sub-device-secret",
    )
    assert "the-sub-device-secret" not in repr(result)
    assert "the-sub-device-secret" not in str(result)
    assert result.key == "pk/dk"
