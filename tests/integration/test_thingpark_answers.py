"""Every ThingPark adapter method, served generated answers over loopback: a correct result or an
ApiError that says the answer could not be read, never another exception and never a silent blank."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.answers import ANSWERS, NOTHING, Rig, answers, refused, reply, text_of
from tests.hostile import Received, Reply
from tests.unit.test_thingpark_parsing import (
    ALARM_PAGE,
    APP_SERVERS,
    CELLULAR_SPEC,
    DEVICE,
    FIRST_DEVICE_PAGE,
    FLOW_SPEC,
    HTTPS_SPEC,
    LORAWAN_SPEC,
    MULTICAST_SPEC,
    TRAFFIC_BUCKET,
)
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.models import DeviceUpdate, Downlink
from tui.api.platforms.thingpark import DX, OSS, TOKEN_PATH, ThingPark

DEVICES = f"{OSS}/subscriptions/mine/devices"
EUI = "70B3D5E756000999"
DEVICE_PATH = f"{DEVICES}/e{EUI}"
LOCATION = f"{OSS}/subscriptions/32/devices/2227"
MODELS = f"{OSS}/subscriptions/mine/deviceProfiles"
PLANS = f"{OSS}/subscriptions/mine/networkSubscriptions"
CONTEXTS = f"{OSS}/subscriptions/mine/cellularNetworkContexts"
APP_SERVERS_PATH = f"{OSS}/subscriptions/mine/appServers"
CONNECTIONS = f"{DX}/connections"

MODEL_PAGE = {
    "briefs": [
        {
            "commercialName": "LoRaMote EU fw4 - class A",
            "vendor": {"name": "Semtech", "commercialName": "Semtech", "ID": "semtech"},
            "connectivity": "LORAWAN",
            "ID": "SMTC/LoRaMoteA.1_EU",
        }
    ],
    "more": False,
}
PLAN_PAGE = {
    "briefs": [
        {
            "commercialName": "Cellular CP",
            "ID": "acme-cs/cellular-cp",
            "supplier": {"ID": "acme-cs", "commercialName": "ACME Connectivity Supplier"},
            "used": 23,
            "granted": 100,
        }
    ],
    "more": False,
}
CONTEXT_PAGE = {"briefs": [{"ID": "1AF3B", "name": "My cellular", "mode": "MIXED"}], "more": False}
DX_CONNECTIONS = [
    {"id": "1114", "connectorId": "actility-mqtt-iot", "name": "My MQTT", "state": "OPENED"}
]
TRAFFIC = {"now": 1691574920713, "briefs": [TRAFFIC_BUCKET]}
CREATED_APP_SERVER = {"name": "My Basic HTTPS connection", "ID": "TWA_199983788.568.AS"}
CREATED_FLOW = {"id": "1114", "connectorId": "actility-mqtt-iot", "state": "OPENED"}


def _token(request: Received) -> Reply | None:
    if request.path == TOKEN_PATH:
        return Reply.json({"access_token": "tok", "expires_in": 3600})
    return None


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig[ThingPark]]:
    made = Rig(
        lambda url: ThingPark(url, "sub-1/c", "s3cret", retry=RetryPolicy(attempts=1)), _token
    )
    yield made
    made.close()


# ---------------------------------------------------------------- what a correct result is


def _key_of(brief: dict[str, Any], *names: str) -> str:
    return next((text_of(brief[n]) for n in names if text_of(brief.get(n))), "")


def _check_page(page: Any, body: Any, key_names: tuple[str, ...]) -> None:
    """A page the adapter accepted holds exactly what the answer said."""
    assert isinstance(body, dict) and isinstance(body["briefs"], list)
    assert [row.key for row in page.items] == [_key_of(b, *key_names) for b in body["briefs"]]
    more = body["more"]
    assert more is True or more is False
    assert page.cursor == (body["cursors"]["last"] if more else None)
    count = body.get("count")
    valid = isinstance(count, int) and not isinstance(count, bool) and count >= 0
    assert page.total == (count if valid else None)


def _resource_or(body: Any, fallback: dict[str, Any]) -> dict[str, Any]:
    """The device an answer holds, or the one read back when it holds none."""
    return body if isinstance(body, dict) and text_of(body.get("EUI")) else fallback


# ---------------------------------------------------------------- devices


@ANSWERS
@given(body=answers(FIRST_DEVICE_PAGE))
def test_list_devices(rig: Rig[ThingPark], body: Any) -> None:
    result = rig.answer(lambda tp: tp.list_devices(), {("GET", DEVICES): body})
    if not refused(result, "GET", DEVICES, body, FIRST_DEVICE_PAGE):
        _check_page(result, body, ("EUI",))


@ANSWERS
@given(body=answers(DEVICE))
def test_get_device(rig: Rig[ThingPark], body: Any) -> None:
    result = rig.answer(lambda tp: tp.get_device(EUI), {("GET", DEVICE_PATH): body})
    if not refused(result, "GET", DEVICE_PATH, body, DEVICE):
        assert result.raw == body
        assert result.key == (text_of(body.get("EUI")) or EUI)


@ANSWERS
@given(body=answers({**DEVICE, "name": "Renamed"}))
def test_update_device(rig: Rig[ThingPark], body: Any) -> None:
    routes = {("PUT", DEVICE_PATH): body, ("GET", DEVICE_PATH): DEVICE}
    result = rig.answer(lambda tp: tp.update_device(EUI, DeviceUpdate(name="Renamed")), routes)
    if not refused(result, "PUT", DEVICE_PATH, body, {**DEVICE, "name": "Renamed"}):
        assert result.raw == _resource_or(body, DEVICE)


@ANSWERS
@given(body=answers(None))
def test_delete_device_reads_nothing(rig: Rig[ThingPark], body: Any) -> None:
    assert rig.answer(lambda tp: tp.delete_device(EUI), {("DELETE", DEVICE_PATH): body}) is None


@ANSWERS
@given(body=answers(DEVICE))
def test_create_lorawan_device(rig: Rig[ThingPark], body: Any) -> None:
    routes = {("POST", DEVICES): body, ("GET", DEVICE_PATH): DEVICE}
    result = rig.answer(lambda tp: tp.create_lorawan_device(LORAWAN_SPEC), routes, status=201)
    if not refused(result, "POST", DEVICES, body, DEVICE):
        assert result.raw == _resource_or(body, DEVICE)


@ANSWERS
@given(body=answers({**DEVICE, "EUI": "F03D290000000001"}))
def test_create_cellular_device(rig: Rig[ThingPark], body: Any) -> None:
    created = reply(body, 201)
    located = Reply(201, created.body, {**created.headers, "Location": LOCATION})
    routes = {("POST", DEVICES): located, ("GET", LOCATION): DEVICE}
    result = rig.answer(lambda tp: tp.create_cellular_device(CELLULAR_SPEC), routes)
    if not refused(result, "POST", DEVICES, body, {**DEVICE, "EUI": "F03D290000000001"}):
        assert result.raw == _resource_or(body, DEVICE)


@ANSWERS
@given(body=answers(MODEL_PAGE))
def test_device_models(rig: Rig[ThingPark], body: Any) -> None:
    result = rig.answer(lambda tp: tp.device_models("LORAWAN"), {("GET", MODELS): body})
    if not refused(result, "GET", MODELS, body, MODEL_PAGE):
        assert [m.key for m in result] == [_key_of(b, "ID") for b in body["briefs"]]


@ANSWERS
@given(body=answers(PLAN_PAGE))
def test_connectivity_plans(rig: Rig[ThingPark], body: Any) -> None:
    result = rig.answer(lambda tp: tp.connectivity_plans("CELLULAR"), {("GET", PLANS): body})
    if not refused(result, "GET", PLANS, body, PLAN_PAGE):
        assert [p.key for p in result] == [_key_of(b, "ID") for b in body["briefs"]]
        for plan, brief in zip(result, body["briefs"], strict=True):
            used = brief.get("used")
            good = isinstance(used, int) and not isinstance(used, bool) and used >= 0
            assert plan.used == (used if good else None)


@ANSWERS
@given(body=answers(CONTEXT_PAGE))
def test_network_contexts(rig: Rig[ThingPark], body: Any) -> None:
    result = rig.answer(lambda tp: tp.network_contexts(), {("GET", CONTEXTS): body})
    if not refused(result, "GET", CONTEXTS, body, CONTEXT_PAGE):
        assert [c.key for c in result] == [_key_of(b, "ID") for b in body["briefs"]]


# ---------------------------------------------------------------- traffic, alarms


@ANSWERS
@given(body=answers(TRAFFIC))
def test_traffic(rig: Rig[ThingPark], body: Any) -> None:
    path = f"{DEVICE_PATH}/frames/aggregated"
    result = rig.answer(
        lambda tp: tp.traffic(EUI, duration="P7D", step="P1D", timezone="UTC"),
        {("GET", path): body},
    )
    if not refused(result, "GET", path, body, TRAFFIC):
        assert len(result) == len(body["briefs"])
        assert [b.start for b in result] == sorted(b.start for b in result)


@ANSWERS
@given(body=answers(ALARM_PAGE))
def test_list_alarms(rig: Rig[ThingPark], body: Any) -> None:
    path = f"{DEVICES}/alarms"
    result = rig.answer(lambda tp: tp.list_alarms(), {("GET", path): body})
    if not refused(result, "GET", path, body, ALARM_PAGE):
        _check_page(result, body, ("alarmUid", "ID"))


@ANSWERS
@given(body=answers(None))
def test_acknowledge_alarm_reads_nothing(rig: Rig[ThingPark], body: Any) -> None:
    path = f"{DX}/deviceAlarms/5b1f81e7a1ae4234a037be11/acks"
    result = rig.answer(
        lambda tp: tp.acknowledge_alarm("5b1f81e7a1ae4234a037be11"), {("POST", path): body}
    )
    assert result is None


# ---------------------------------------------------------------- connections, downlink, multicast


@ANSWERS
@given(which=st.sampled_from(["oss", "dx"]), data=st.data())
def test_list_connections(rig: Rig[ThingPark], which: str, data: st.DataObject) -> None:
    oss, dx = APP_SERVERS, DX_CONNECTIONS
    if which == "oss":
        oss = data.draw(answers(APP_SERVERS))
    else:
        dx = data.draw(answers(DX_CONNECTIONS))
    routes = {("GET", APP_SERVERS_PATH): oss, ("GET", CONNECTIONS): dx}
    result = rig.answer(lambda tp: tp.list_connections(), routes)
    path, body, valid = (
        (APP_SERVERS_PATH, oss, APP_SERVERS)
        if which == "oss"
        else (CONNECTIONS, dx, DX_CONNECTIONS)
    )
    if not refused(result, "GET", path, body, valid):
        flows = dx if isinstance(dx, list) else next(v for v in dx.values() if isinstance(v, list))
        assert [c.kind for c in result] == ["app-server"] * len(oss["briefs"]) + ["iot-flow"] * len(
            flows
        )


@ANSWERS
@given(body=answers(CREATED_APP_SERVER))
def test_create_basic_https_connection(rig: Rig[ThingPark], body: Any) -> None:
    route = ("POST", APP_SERVERS_PATH)
    result = rig.answer(lambda tp: tp.create_basic_https_connection(HTTPS_SPEC), {route: body}, 201)
    if not refused(result, *route, body, CREATED_APP_SERVER):
        assert result.kind == "app-server"
        assert result.key == (text_of(body.get("ID")) if isinstance(body, dict) else "")


@ANSWERS
@given(body=answers(CREATED_FLOW))
def test_create_iot_flow_connection(rig: Rig[ThingPark], body: Any) -> None:
    created = reply(body, 201)
    located = Reply(201, created.body, {**created.headers, "Location": "/connections/1114"})
    result = rig.answer(
        lambda tp: tp.create_iot_flow_connection(FLOW_SPEC), {("POST", CONNECTIONS): located}
    )
    if not refused(result, "POST", CONNECTIONS, body, CREATED_FLOW):
        said = text_of(body.get("id")) if isinstance(body, dict) else ""
        assert result.key == (said or "1114") and result.kind == "iot-flow"


@ANSWERS
@given(body=answers(None))
def test_send_downlink_reads_nothing(rig: Rig[ThingPark], body: Any) -> None:
    path = f"{DEVICE_PATH}/admins/downlink"
    downlink = Downlink(payload_hex="01AB", fport=2)
    assert rig.answer(lambda tp: tp.send_downlink(EUI, downlink), {("POST", path): body}) is None


@ANSWERS
@given(body=answers({"name": "My multicast group", "EUI": EUI}))
def test_create_multicast_group(rig: Rig[ThingPark], body: Any) -> None:
    valid = {"name": "My multicast group", "EUI": EUI}
    result = rig.answer(
        lambda tp: tp.create_multicast_group(MULTICAST_SPEC), {("POST", DEVICES): body}, 201
    )
    if not refused(result, "POST", DEVICES, body, valid):
        said = text_of(body.get("EUI")) if isinstance(body, dict) else ""
        assert result == (said or MULTICAST_SPEC.eui)


def test_a_body_that_says_nothing_is_read_back_orrefused(rig: Rig[ThingPark]) -> None:
    # No body at all: a listing cannot be empty by omission, a created device is read back.
    listing = rig.answer(lambda tp: tp.list_devices(), {("GET", DEVICES): NOTHING})
    assert isinstance(listing, ApiError) and "the body: expected an object" in listing.message
    routes = {("POST", DEVICES): NOTHING, ("GET", DEVICE_PATH): DEVICE}
    created = rig.answer(lambda tp: tp.create_lorawan_device(LORAWAN_SPEC), routes, 201)
    assert not isinstance(created, ApiError) and created.raw == DEVICE


# ---------------------------------------------------------------- blank keys


BLANK = st.text(alphabet=" \t\r\n", max_size=3)


@ANSWERS
@given(key=BLANK, method=st.sampled_from(["get", "delete", "update", "traffic", "downlink", "ack"]))
def test_a_blank_key_is_refused_before_anything_is_sent(
    rig: Rig[ThingPark], key: str, method: str
) -> None:
    calls = {
        "get": lambda tp: tp.get_device(key),
        "delete": lambda tp: tp.delete_device(key),
        "update": lambda tp: tp.update_device(key, DeviceUpdate(name="x")),
        "traffic": lambda tp: tp.traffic(key, duration="P1D", step="PT1H", timezone="UTC"),
        "downlink": lambda tp: tp.send_downlink(key, Downlink(payload_hex="01", fport=2)),
        "ack": lambda tp: tp.acknowledge_alarm(key),
    }
    result = rig.answer(calls[method], {})
    assert isinstance(result, ApiError) and "blank key" in result.message
    assert rig.server.received == []


def test_a_blank_eui_in_a_listing_stays_listable(rig: Rig[ThingPark]) -> None:
    page = {"briefs": [{"EUI": "", "name": "nameless"}, {"name": "no EUI"}], "more": False}
    result = rig.answer(lambda tp: tp.list_devices(), {("GET", DEVICES): page})
    assert not isinstance(result, ApiError)
    assert [(d.key, d.name) for d in result.items] == [("", "nameless"), ("", "no EUI")]


def test_a_catalogue_page_that_says_more_is_walked_until_it_stops_progressing(
    rig: Rig[ThingPark],
) -> None:
    # The rig answers every page alike: the second page repeats the first one's cursor.
    page = {**MODEL_PAGE, "more": True, "cursors": {"last": "c1"}}
    result = rig.answer(lambda tp: tp.device_models("LORAWAN"), {("GET", MODELS): page})
    assert isinstance(result, ApiError) and "repeated cursor 'c1' after 2 pages" in result.message
    assert [r.target.split("?", 1)[1] for r in rig.server.received if r.path == MODELS] == [
        "sort=ID%2Casc&connectivity=LORAWAN",
        "sort=ID%2Casc&connectivity=LORAWAN&pageAfter=c1",
    ]
