"""MyThings' forms: every field rule with the vendor's message, and the bodies the vendor's
examples show, field for field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from tui.api.actions import input_error
from tui.api.platforms.mythings_forms import (
    AbpKeysChange,
    ConfigurationTemplateCommand,
    DescriptionChange,
    LocationChange,
    MyThingsDownlink,
    OtaaKeysChange,
    PublicChange,
    StreamDefinitionCreate,
    StreamDefinitionEdit,
    StreamDefinitionUpdate,
    TagsReplace,
    ThingAbpCreate,
    ThingEthernetCreate,
    ThingNameChange,
    ThingOtaaCreate,
    parse_headers,
    template_text,
)

NWK = "44341234123412344444123412341241"
APPS = "11111234123412341234123412341243"
APP_KEY = "12341234123412341234123412341234"

ABP = {
    "thing_identifier": "1234ABCDABCD3333",
    "thing_name": "testmythingname",
    "description": "mythingsdescription",
    "is_public": False,
    "thing_type_id": "33",
    "latitude": "50.5",
    "longitude": "4.1",
    "location_fn1": "mythingsfn1",
    "location_fn2": "mythingsfn1",
    "connectivity_plan": "pxs-iot-cs/96-up-transactions-0-down",
    "device_address": "ABCD12AA",
    "network_session_key": NWK,
    "application_session_keys": f"1:{APPS}",
    "tags": ["tag1", "tag2", "taggedyTagTag"],
    "motion_indicator": "Vehicle speed",
}
OTAA = {
    "thing_identifier": "ABCDAB22ABCDABC2",
    "thing_name": "mythingname",
    "thing_type_id": "10",
    "connectivity_plan": "pxs-iot-cs/288-up-transactions-24-down",
    "application_key": APP_KEY,
    "application_eui": "1234123412341234",
    "motion_indicator": "Random",
}
ETHERNET = {
    "thing_identifier": "ABCDAB22ABCDABC2",
    "thing_type_id": "24",
    "serial_number": "1234123412341234",
}


def refused(model: type[BaseModel], values: dict[str, Any]) -> tuple[str, str] | None:
    return input_error(model, values)


# ---------------------------------------------------------------- create bodies


def test_abp_body_is_the_vendors_example() -> None:
    body = ThingAbpCreate.model_validate(ABP).body(77)
    assert body == {
        "connectivityType": "LORA.ABP",
        "thingIdentifier": "1234ABCDABCD3333",
        "companyId": 77,
        "thingName": "testmythingname",
        "description": "mythingsdescription",
        "isPublic": False,
        "thingTypeId": 33,
        "latitude": "50.5",
        "longitude": "4.1",
        "locationFN1": "mythingsfn1",
        "locationFN2": "mythingsfn1",
        "tags": ["tag1", "tag2", "taggedyTagTag"],
        "connectivityPlan": "pxs-iot-cs/96-up-transactions-0-down",
        "deviceAddress": "ABCD12AA",
        "keys": {
            "applicationSessionkeys": [{"applicationSessionKey": APPS, "port": "1"}],
            "networkSessionKey": NWK,
        },
        "motionIndicator": "Vehicle speed",
    }


def test_otaa_body_is_the_vendors_example() -> None:
    body = ThingOtaaCreate.model_validate(OTAA).body(162)
    assert body["connectivityType"] == "LORA.OTAA"
    assert body["companyId"] == 162 and body["thingTypeId"] == 10
    assert body["keys"] == {"applicationKey": APP_KEY, "applicationEUI": "1234123412341234"}
    assert body["motionIndicator"] == "Random"
    assert "deviceAddress" not in body
    assert ThingOtaaCreate.model_validate(OTAA).secrets == (APP_KEY,)


def test_ethernet_body_has_its_serial_number_and_no_lora_fields() -> None:
    body = ThingEthernetCreate.model_validate(ETHERNET).body(376)
    assert body["connectivityType"] == "ETHERNET" and body["serialNumber"] == "1234123412341234"
    assert not {"keys", "connectivityPlan", "motionIndicator"} & set(body)
    assert refused(ThingEthernetCreate, {**ETHERNET, "serial_number": ""})[0] == "serial_number"
    named = ThingEthernetCreate.model_validate({**ETHERNET, "thing_identifier": "eth-env:01"})
    assert named.thing_identifier == "eth-env:01"  # kept as typed: no DevEUI rule
    assert refused(ThingEthernetCreate, {**ETHERNET, "thing_identifier": "a/b"}) == (
        "thing_identifier",
        "thing identifier is 1-64 letters, digits, -, _, : or .",
    )


def test_blank_optional_fields_are_left_out() -> None:
    body = ThingOtaaCreate.model_validate(
        {k: v for k, v in OTAA.items() if k not in ("thing_name", "motion_indicator")}
    ).body(1)
    assert "thingName" not in body and "motionIndicator" not in body and "tags" not in body


# ---------------------------------------------------------------- field rules


@pytest.mark.parametrize(
    ("model", "row", "field", "message"),
    [
        (ThingOtaaCreate, {**OTAA, "application_key": "1234"}, "application_key",
         "ApplicationKey must be 32 characters"),
        (ThingOtaaCreate, {**OTAA, "application_key": ""}, "application_key",
         "ApplicationKey may not be null"),
        (ThingOtaaCreate, {**OTAA, "application_key": "Z" * 32}, "application_key",
         "ApplicationKey must be hexadecimal"),
        (ThingOtaaCreate, {**OTAA, "application_eui": "12341234"}, "application_eui",
         "ApplicationEUI must be 16 characters"),
        (ThingOtaaCreate, {k: v for k, v in OTAA.items() if k != "application_eui"},
         "application_eui", "ApplicationEUI may not be null"),
        (ThingOtaaCreate, {**OTAA, "thing_type_id": ""}, "thing_type_id",
         "ThingTypeId may not be null"),
        (ThingOtaaCreate, {**OTAA, "thing_type_id": "ten"}, "thing_type_id",
         "ThingTypeId is a number"),
        (ThingOtaaCreate, {**OTAA, "thing_identifier": "ABCD"}, "thing_identifier",
         "thing identifier must be 16 hexadecimal characters (the DevEUI)"),
        (ThingOtaaCreate, {**OTAA, "motion_indicator": "Running"}, "motion_indicator",
         "motion indicator is one of: Near static, Walking speed, Vehicle speed, Random"),
        (ThingOtaaCreate, {**OTAA, "latitude": "91"}, "latitude",
         "latitude is between -90 and 90"),
        (ThingOtaaCreate, {**OTAA, "longitude": "east"}, "longitude",
         "longitude is a number of degrees"),
        (ThingAbpCreate, {**ABP, "device_address": "ABCD12"}, "device_address",
         "DeviceAddress must be 8 characters"),
        (ThingAbpCreate, {**ABP, "device_address": ""}, "device_address",
         "DeviceAddress must be 8 characters"),
        (ThingAbpCreate, {**ABP, "network_session_key": NWK[:-1]}, "network_session_key",
         "NetworksKey must be 32 characters"),
        (ThingAbpCreate, {**ABP, "network_session_key": ""}, "network_session_key",
         "NetworkSessionKey may not be null"),
        (ThingAbpCreate, {**ABP, "application_session_keys": "1:1234"},
         "application_session_keys", "ApplicationSessionKey must be 32 characters"),
        (ThingAbpCreate, {**ABP, "application_session_keys": APPS},
         "application_session_keys", "give each AppSKey as port:key, e.g. 1:2B7E1516…"),
        (ThingAbpCreate, {**ABP, "application_session_keys": f"256:{APPS}"},
         "application_session_keys", "port '256': a port is 1-255 (or *)"),
        (ThingAbpCreate, {**ABP, "application_session_keys": f"1:{APPS}, 1:{NWK}"},
         "application_session_keys", "port 1: one AppSKey per port"),
    ],
)  # fmt: skip
def test_each_rule_names_its_field_with_the_vendors_words(
    model: type[BaseModel], row: dict[str, Any], field: str, message: str
) -> None:
    assert refused(model, row) == (field, message)


def test_session_keys_per_port_are_normalised() -> None:
    spec = ThingAbpCreate.model_validate(
        {**ABP, "application_session_keys": f" 1:{APPS.lower()} , 2={NWK}, *:{APPS}"}
    )
    assert spec.application_session_keys == f"1:{APPS},2:{NWK},*:{APPS}"
    assert spec.body(1)["keys"]["applicationSessionkeys"] == [
        {"applicationSessionKey": APPS, "port": "1"},
        {"applicationSessionKey": NWK, "port": "2"},
        {"applicationSessionKey": APPS, "port": "*"},
    ]
    assert set(spec.secrets) == {NWK, APPS}


def test_tags_are_trimmed_and_deduplicated() -> None:
    spec = ThingOtaaCreate.model_validate({**OTAA, "tags": [" a", "b ", "a", ""]})
    assert spec.tags == ["a", "b"]


# ---------------------------------------------------------------- edit forms


def test_update_bodies_are_the_vendors() -> None:
    assert ThingNameChange(thing_name="updatedThingName").body() == {
        "thingName": "updatedThingName"
    }
    assert DescriptionChange(description="d").body() == {"description": "d"}
    assert PublicChange(is_public=True).body() == {"isPublic": True}
    location = LocationChange(latitude="2", longitude="50", location_fn1="updateFn1")
    assert location.body() == {"latitude": "2", "longitude": "50", "locationFN1": "updateFn1"}
    otaa = OtaaKeysChange(application_key="5555" + APP_KEY[4:], application_eui="4444123412344444")
    assert otaa.body() == {
        "keysLoRaOTAA": {
            "applicationKey": "5555" + APP_KEY[4:],
            "applicationEUI": "4444123412344444",
        }
    }
    abp = AbpKeysChange(network_session_key=NWK, application_session_keys=f"1:{APPS}")
    assert abp.body()["keysLoRaABP"]["applicationSessionkeys"] == [
        {"applicationSessionKey": APPS, "port": "1"}
    ]


def test_tags_replace_body() -> None:
    assert TagsReplace(tags=[" a", "b", "a"]).body() == {"tags": ["a", "b"]}
    assert TagsReplace().body() == {"tags": []}  # blank removes them all


def test_abp_keys_without_app_session_keys_remove_them_as_the_vendor_does() -> None:
    body = AbpKeysChange(network_session_key=NWK).body()
    assert body["keysLoRaABP"]["applicationSessionkeys"] == [{}]


def test_edit_rules() -> None:
    assert refused(ThingNameChange, {"thing_name": ""})[0] == "thing_name"
    assert refused(OtaaKeysChange, {"application_eui": "1" * 16, "application_key": "1"}) == (
        "application_key",
        "ApplicationKey must be 32 characters",
    )


# ---------------------------------------------------------------- downlink


def test_downlink_body_is_typed_as_the_vendor_says() -> None:
    downlink = MyThingsDownlink(payload="04fd20d9", fport=9, ack=True)
    assert downlink.body("9999888877776666") == {
        "devEUI": "9999888877776666",
        "fPort": "9",
        "payload": "04FD20D9",
        "encrypted": 0,
        "ack": 1,
    }


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"payload": "0A1", "fport": 2}, "payload", "payload must have an even number of hex digits"),
        ({"payload": "XY", "fport": 2}, "payload", "payload must be hexadecimal"),
        ({"payload": "", "fport": 2}, "payload", "payload must be hexadecimal"),
        ({"payload": "00" * 51, "fport": 2}, "payload", "payload must be at most 50 bytes"),
        ({"payload": "00", "fport": 0}, "fport", "fPort must be between 1 and 255"),
        ({"payload": "00", "fport": 256}, "fport", "fPort must be between 1 and 255"),
    ],
)  # fmt: skip
def test_downlink_rules(row: dict[str, Any], field: str, message: str) -> None:
    assert refused(MyThingsDownlink, row) == (field, message)


def test_downlink_limits_are_inclusive() -> None:
    assert refused(MyThingsDownlink, {"payload": "00" * 50, "fport": 255}) is None
    assert refused(MyThingsDownlink, {"payload": "00", "fport": 1}) is None
    assert refused(ConfigurationTemplateCommand, {"template": ""})[0] == "template"


# ---------------------------------------------------------------- stream definitions


def test_stream_body_is_the_vendors_example() -> None:
    template = '{"value": "%value%"}'
    spec = StreamDefinitionCreate(
        name="MyStream", url="https://my.streaming.url", template=template, active=False
    )
    assert spec.body(987) == {
        "active": False,
        "autoLink": True,
        "companyId": 987,
        "contentType": "JSON",
        "basicAuth": False,
        "mutualAuth": False,
        "name": "MyStream",
        "template": template,
        "type": "DECODED",
        "url": "https://my.streaming.url",
    }


def test_stream_rules() -> None:
    good = {"name": "s", "url": "http://h:8080/in"}
    assert refused(StreamDefinitionCreate, good) is None
    assert refused(StreamDefinitionCreate, {**good, "url": "ftp://h"})[0] == "url"
    assert refused(StreamDefinitionCreate, {**good, "type": "RAW"}) == (
        "type",
        "type is one of NETWORK, DECODED, LBS",
    )
    assert refused(StreamDefinitionCreate, {**good, "content_type": "CSV"})[0] == "content_type"
    assert refused(StreamDefinitionCreate, {**good, "password": "p"}) == (
        "username",
        "required with a password",
    )
    login = StreamDefinitionCreate(**good, username="admin", password="admin")
    assert login.body(1)["basicAuth"] is True and login.body(1)["userName"] == "admin"


def test_stream_update_body_is_the_vendors_example() -> None:
    change = StreamDefinitionUpdate(
        active=True,
        headers={"Content-Type": "application/json"},
        username="admin",
        password="admin",
    )
    assert change.body() == {
        "active": True,
        "headers": [{"key": "Content-Type", "value": "application/json"}],
        "password": "admin",
        "userName": "admin",
    }
    assert StreamDefinitionUpdate(active=False).body() == {"active": False}


# ---------------------------------------------------------------- the shared inputs it uses


def test_base_station_location_and_tags_rules() -> None:
    from tui.api.models import BaseStationLocation, TagsChange

    assert refused(BaseStationLocation, {"latitude": " 50 ", "longitude": "2"}) is None
    assert BaseStationLocation(latitude=" 50 ", longitude="2").latitude == "50"
    assert refused(BaseStationLocation, {"latitude": "-91", "longitude": "2"}) == (
        "latitude",
        "latitude is between -90 and 90",
    )
    assert refused(BaseStationLocation, {"latitude": "1", "longitude": "nan"}) == (
        "longitude",
        "longitude is between -180 and 180",
    )
    assert TagsChange(tags=[" a ", "a", "b"]).tags == ["a", "b"]
    assert refused(TagsChange, {"tags": []})[0] == "tags"


def test_a_template_is_typed_with_plain_quotes_and_sent_escaped_once() -> None:
    typed = '{"thing": "%thingidentifier%", "value": "%value%"}'
    assert template_text(typed) == typed
    pasted = typed.replace('"', '\\"')  # as the vendor's page writes it
    assert template_text(pasted) == typed
    mixed = '{"note": "say \\"hi\\""}'  # an escaped quote inside a JSON string stays
    assert template_text(mixed) == mixed
    assert template_text("  ") is None
    body = StreamDefinitionCreate(name="s", url="https://h/p", template=pasted).body(987)
    assert json.dumps(body["template"]) == json.dumps(typed)
    assert '\\"thing\\"' in json.dumps(body)  # the backslash the vendor asks for, once


def test_headers_are_typed_one_per_line() -> None:
    assert parse_headers("Content-Type: application/json\n\n X-Key :a:b ") == {
        "Content-Type": "application/json",
        "X-Key": "a:b",
    }
    for bad, line in (("no colon", 1), ("A: 1\nbad name: 2", 2), ("X: a\x1bb", 1)):
        with pytest.raises(ValueError, match=f"line {line}: "):
            parse_headers(bad)
    edit = StreamDefinitionEdit(active=True, headers="X-A: 1", username="u")
    assert edit.update().body() == {
        "active": True,
        "headers": [{"key": "X-A", "value": "1"}],
        "userName": "u",
    }
    assert StreamDefinitionEdit().update().body() == {"active": False, "headers": []}
    assert input_error(StreamDefinitionEdit, {"headers": "oops"}) is not None
