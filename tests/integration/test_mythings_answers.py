"""Every MyThings adapter method that reads an answer, served generated answers over loopback: a
correct result or an ApiError that says the answer could not be read, never another exception
and never a silent blank."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.answers import ANSWERS, Rig, answers, refused, text_of
from tests.hostile import Received, Reply
from tests.unit.test_mythings_adapter import BASE_STATION, THING, THING_ID, TRIGGERED, page
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.models import BaseStationLocation
from tui.api.platforms.mythings import API, TOKEN_PATH, MyThings
from tui.api.platforms.mythings_forms import (
    MyThingsDownlink,
    StreamDefinitionCreate,
    ThingOtaaCreate,
)

THING_PATH = f"{API}/things/{THING_ID}"
DECODED = page(
    [{"container": {"name": "Temperature"}, "data": [{"value": "23.79", "ts": 1487187830340}]}],
    0,
    2,
)
NETWORK = page([{"time": 1487187830340, "type": "UPLINK", "fport": "2", "payload_hex": "00"}], 0, 1)
LOCATIONS = page([{"date": 1487187830340, "data": [{"latitude": 50.8, "longitude": 4.3}]}], 0, 1)
COUNTS = [{"count": 7, "startTime": "2024-03-02T00:00:00Z", "endTime": "2024-03-03T00:00:00Z"}]
PLANS = [
    {
        "companyName": "Proximus Demo",
        "subscriberId": "100000136",
        "connectivityPlans": [
            {"id": "pxs/96", "name": "96 up", "connectivitytype": "LORA", "assignedthings": 3}
        ],
    }
]
TYPES = [{"name": "Temperature", "vendor": "NKE", "version": 1, "vendorReference": "T1"}]
STREAMS = [{"id": 5, "name": "CLOE", "type": "DECODED", "active": True, "url": "https://x"}]
ADDRESSES = {"amount": 1, "companyId": 987, "devAddresses": ["07FFF001"]}
TEMPLATES = [{"name": "Every hour", "uid": "uid-1"}]
CONTAINERS = {"thingType": "T", "containers": [{"container": "0x0402", "name": "Temperature"}]}
VALUES = [{"container": "Temperature", "timestamp": 1487187830340, "value": "23.79"}]
RULES = {"body": [{"name": "Too hot", "operator": ">", "threshold": 30}], "statusCodeValue": 200}
STATUS_MESSAGE = {"status": "OK", "message": "provisioned"}
DOWNLINK = {"code": "200", "message": "Downlink queued"}


def _token(request: Received) -> Reply | None:
    if request.path == TOKEN_PATH:
        return Reply.json({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})
    return None


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig[MyThings]]:
    made = Rig(
        lambda url: MyThings(
            url, "fleet-demo", "s3cret", company_id=987, retry=RetryPolicy(attempts=1)
        ),
        _token,
    )
    yield made
    made.close()


def _rows(body: Any) -> list[Any]:
    if isinstance(body, dict):
        return body["content"]
    return body


# ---------------------------------------------------------------- things


@ANSWERS
@given(body=answers([THING]))
def test_list_devices(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/things"
    result = rig.answer(lambda mt: mt.list_devices(), {("GET", path): body})
    if not refused(result, "GET", path, body, [THING]):
        assert [row.key for row in result.items] == [
            text_of(t["thingIdentifier"]) for t in _rows(body)
        ]


@ANSWERS
@given(body=answers(page([THING], 0, 2)))
def test_list_devices_paged(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/things"
    valid = page([THING], 0, 2)
    result = rig.answer(lambda mt: mt.list_devices(), {("GET", path): body})
    if not refused(result, "GET", path, body, valid):
        assert len(result.items) == len(_rows(body))
        assert result.cursor is None or result.cursor.isdigit()


@ANSWERS
@given(body=answers(THING))
def test_get_device(rig: Rig[MyThings], body: Any) -> None:
    result = rig.answer(lambda mt: mt.get_device(THING_ID), {("GET", THING_PATH): body})
    if not refused(result, "GET", THING_PATH, body, THING):
        assert result.raw == body
        assert result.key == (text_of(body.get("thingIdentifier")) or THING_ID)


@ANSWERS
@given(body=answers(THING))
def test_create_thing(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/things"
    spec = ThingOtaaCreate(
        thing_identifier=THING_ID,
        thing_type_id="10",
        application_eui="1234123412341234",
        application_key="12" * 16,
    )
    result = rig.answer(lambda mt: mt.create_thing(spec), {("POST", path): body})
    if not refused(result, "POST", path, body, THING):
        assert result.key


@ANSWERS
@given(body=answers(THING))
def test_set_tags(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/tags"
    result = rig.answer(lambda mt: mt.set_tags(THING_ID, ["a"]), {("PUT", path): body})
    if not refused(result, "PUT", path, body, THING):
        assert all(isinstance(tag, str) for tag in result)


@ANSWERS
@given(body=answers(STATUS_MESSAGE))
def test_provision(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/provision"
    result = rig.answer(lambda mt: mt.provision_device(THING_ID), {("POST", path): body})
    if not refused(result, "POST", path, body, STATUS_MESSAGE):
        assert isinstance(result, str) and result


@ANSWERS
@given(body=answers(CONTAINERS))
def test_thing_type(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/type"
    result = rig.answer(lambda mt: mt.thing_type(THING_ID), {("GET", path): body})
    refused(result, "GET", path, body, CONTAINERS)


@ANSWERS
@given(body=answers(VALUES))
def test_container_values(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/type/Temperature/values"
    call = rig.answer(
        lambda mt: mt.container_values(THING_ID, "Temperature"), {("GET", path): body}
    )
    if not refused(call, "GET", path, body, VALUES):
        assert len(call) == len(_rows(body))


# ---------------------------------------------------------------- logs and counts


@pytest.mark.parametrize(
    ("kind", "where", "valid"),
    [("decoded", "logs/decoded", DECODED), ("network", "logs/network", NETWORK),
     ("locations", "locations", LOCATIONS)],
)  # fmt: skip
@ANSWERS
@given(data=st.data())
def test_device_log(
    rig: Rig[MyThings], kind: str, where: str, valid: Any, data: st.DataObject
) -> None:
    body = data.draw(answers(valid))
    path = f"{THING_PATH}/{where}"
    result = rig.answer(lambda mt: mt.device_log(THING_ID, kind), {("GET", path): body})
    if not refused(result, "GET", path, body, valid):
        assert len(result.items) == len(_rows(body))
        assert result.cursor is None or result.cursor.isdigit()


@ANSWERS
@given(body=answers(page([{"value": 1}], 0, 3)))
def test_device_log_shapes(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/logs/decoded"
    valid = page([{"value": 1}], 0, 3)
    result = rig.answer(lambda mt: mt.device_log(THING_ID, "decoded"), {("GET", path): body})
    if not refused(result, "GET", path, body, valid) and body == valid:
        assert result.cursor == "1" and result.total == 5


@ANSWERS
@given(body=answers(COUNTS))
def test_traffic(rig: Rig[MyThings], body: Any) -> None:
    path = f"{THING_PATH}/logs/network/count"
    result = rig.answer(
        lambda mt: mt.traffic(THING_ID, duration="P7D", step="P1D", timezone="UTC"),
        {("GET", path): body},
    )
    if not refused(result, "GET", path, body, COUNTS):
        assert len(result) == len(_rows(body)) and all(b.up >= 0 for b in result)


# ---------------------------------------------------------------- catalogues


@ANSWERS
@given(body=answers(PLANS))
def test_connectivity_plans(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/connectivityplans"
    result = rig.answer(lambda mt: mt.connectivity_plans(), {("GET", path): body})
    refused(result, "GET", path, body, PLANS)


@ANSWERS
@given(body=answers(TYPES))
def test_thing_types(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/thingtypes"
    result = rig.answer(lambda mt: mt.device_models(), {("GET", path): body})
    if not refused(result, "GET", path, body, TYPES):
        assert len(result) == len(_rows(body))


@ANSWERS
@given(body=answers([{"name": "NKE"}]))
def test_vendors(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/vendors"
    result = rig.answer(lambda mt: mt.vendors(), {("GET", path): body})
    refused(result, "GET", path, body, [{"name": "NKE"}])


@ANSWERS
@given(body=answers([{"container": "0x0402", "name": "Temperature"}]))
def test_container_definitions(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/containerdefinitions"
    result = rig.answer(lambda mt: mt.container_definitions(), {("GET", path): body})
    refused(result, "GET", path, body, [{"container": "0x0402", "name": "Temperature"}])


@ANSWERS
@given(body=answers(ADDRESSES))
def test_device_addresses(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/deviceaddress"
    result = rig.answer(lambda mt: mt.device_addresses(), {("GET", path): body})
    if not refused(result, "GET", path, body, ADDRESSES):
        assert result == body.get("devAddresses", [])


@ANSWERS
@given(body=answers(TEMPLATES))
def test_configuration_templates(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/configurationtemplates"
    result = rig.answer(lambda mt: mt.configuration_templates(), {("GET", path): body})
    refused(result, "GET", path, body, TEMPLATES)


# ---------------------------------------------------------------- base stations


@ANSWERS
@given(body=answers([BASE_STATION]))
def test_list_base_stations(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/basestations"
    result = rig.answer(lambda mt: mt.list_base_stations(), {("GET", path): body})
    if not refused(result, "GET", path, body, [BASE_STATION]):
        assert [s.key for s in result] == [text_of(s.get("basestationId")) for s in _rows(body)]


@ANSWERS
@given(body=answers(BASE_STATION))
def test_set_base_station_location(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/basestations/FF0107A5"
    where = BaseStationLocation(latitude="50", longitude="2")
    result = rig.answer(
        lambda mt: mt.set_base_station_location("FF0107A5", where), {("PUT", path): body}
    )
    refused(result, "PUT", path, body, BASE_STATION)


# ---------------------------------------------------------------- streams, rules, downlinks


@ANSWERS
@given(body=answers(STREAMS))
def test_list_connections(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/streamdefinitions"
    result = rig.answer(lambda mt: mt.list_connections(), {("GET", path): body})
    if not refused(result, "GET", path, body, STREAMS):
        assert len(result) == len(_rows(body))


@ANSWERS
@given(body=answers(TRIGGERED))
def test_list_alarms(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/businessrulestriggered"
    result = rig.answer(lambda mt: mt.list_alarms(), {("GET", path): body})
    if not refused(result, "GET", path, body, TRIGGERED):
        assert len(result.items) == len(_rows(body)) and result.cursor is None


@ANSWERS
@given(body=answers(RULES))
def test_business_rules(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/businessrules"
    result = rig.answer(lambda mt: mt.business_rules(), {("GET", path): body})
    refused(result, "GET", path, body, RULES)


@ANSWERS
@given(body=answers(DOWNLINK))
def test_send_downlink(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/downlink"
    downlink = MyThingsDownlink(payload="00", fport=1)
    result = rig.answer(lambda mt: mt.send_downlink(THING_ID, downlink), {("POST", path): body})
    if isinstance(result, ApiError) and isinstance(body, dict) and body.get("errors"):
        # A 200 whose DownlinkResponse lists errors: the vendor's refusal, not unreadable.
        assert result.status == 200
        return
    if not refused(result, "POST", path, body, DOWNLINK):
        assert isinstance(result, str)


@ANSWERS
@given(body=answers("UP"))
def test_status(rig: Rig[MyThings], body: Any) -> None:
    path = f"{API}/status"
    result = rig.answer(lambda mt: mt.status(), {("GET", path): body})
    assert not isinstance(result, ApiError), result  # any 200 says something to show
    assert result.up is (True if body == "UP" else result.up)
    assert result.text.isprintable() and len(result.text) <= 80


# ---------------------------------------------------------------- the other reads, one table

STREAM = {"id": "7", "name": "MyStream", "type": "DECODED", "active": "false", "url": "https://x"}
_OTHERS: list[tuple[str, Any, str, str, Any]] = [
    ("get_base_station", lambda mt: mt.get_base_station("FF0107A5"), "GET",
     f"{API}/basestations/FF0107A5", BASE_STATION),
    ("reserve", lambda mt: mt.reserve_device_addresses(1), "GET",
     f"{API}/deviceaddress/reserve", ADDRESSES),
    ("assign", lambda mt: mt.assign_device_addresses(["07FFF001"]), "PUT",
     f"{API}/deviceaddress/assign", ADDRESSES),
    ("get_stream", lambda mt: mt.get_stream_definition("7"), "GET",
     f"{API}/streamdefinitions/7", STREAM),
    ("update_stream", lambda mt: mt.activate_stream_definition("7"), "PUT",
     f"{API}/streamdefinitions/7", STREAM),
    ("create_stream", lambda mt: mt.create_stream_definition(
        StreamDefinitionCreate(name="MyStream", url="https://x")), "POST",
     f"{API}/streamdefinitions", STREAM),
    ("rule", lambda mt: mt.triggered_rules("12"), "GET",
     f"{API}/businessrulestriggered/12", TRIGGERED),
    ("update_thing", lambda mt: mt.update_thing(THING_ID, {"thingName": "x"}), "PUT",
     THING_PATH, THING),
    ("deprovision", lambda mt: mt.deprovision_device(THING_ID), "DELETE",
     f"{THING_PATH}/deprovision", STATUS_MESSAGE),
    ("delete_container", lambda mt: mt.delete_container(THING_ID, "temperature"), "DELETE",
     f"{THING_PATH}/temperature", STATUS_MESSAGE),
    ("decoded_count", lambda mt: mt.log_counts(THING_ID, "decoded", "DAILY"), "GET",
     f"{THING_PATH}/logs/decoded/count", COUNTS),
    ("template", lambda mt: mt.send_configuration_template("uid-1", [THING_ID]), "POST",
     f"{API}/downlink/template/uid-1", DOWNLINK),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "method", "path", "valid"),
    [case[1:] for case in _OTHERS],
    ids=[case[0] for case in _OTHERS],
)
@ANSWERS
@given(data=st.data())
def test_other_reads(
    rig: Rig[MyThings], call: Any, method: str, path: str, valid: Any, data: st.DataObject
) -> None:
    body = data.draw(answers(valid))
    result = rig.answer(call, {(method, path): body})
    if isinstance(result, ApiError) and isinstance(body, dict) and body.get("errors"):
        assert result.status == 200  # a DownlinkResponse listing errors: the vendor's refusal
        return
    refused(result, method, path, body, valid)
