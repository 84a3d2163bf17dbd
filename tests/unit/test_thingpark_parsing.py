"""Unit tests of the ThingPark adapter: parsing of the vendor page's bodies and the requests it builds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.models import (
    BasicHttpsConnectionCreate,
    CellularDeviceCreate,
    DeviceUpdate,
    Downlink,
    IotFlowMqttConnectionCreate,
    LoRaWanDeviceCreate,
    MulticastGroupCreate,
)
from tui.api.paging import walk
from tui.api.platforms.thingpark import (
    ThingPark,
    alarm_from_brief,
    connection_from_app_server,
    connectivity_plan_from_brief,
    device_detail_from_resource,
    device_model_from_brief,
    device_summary_from_brief,
    network_context_from_brief,
    page_from_briefs,
    parse_error,
    traffic_bucket_from_brief,
)

BASE = "https://tp.example.com"
SECRET = "s3cr3t-client-secret"
DEVICES = "/thingpark/wireless/rest/subscriptions/mine/devices"

# ---------------------------------------------------------------- vendor-page bodies

FIRST_DEVICE_PAGE = {
    "briefs": [
        {
            "name": "My device 1",
            "model": {
                "commercialName": "LoRaMote EU fw4 - class A",
                "logo": "/thingpark/wireless/rest/resources/files/logo/deviceProfile/42",
            },
            "connectivity": "LORAWAN",
            "activation": "OTAA",
            "EUI": "70B3D5E756000999",
            "href": "/thingpark/wireless/rest/subscriptions/32/devices/2227",
        }
    ],
    "more": True,
    "now": 1556209037421,
    "count": 62804,
    "cursors": {"last": "eyJFVUkiOiI3MEIzRDVFNzU2MTAwOTk5In0="},
}

NEXT_DEVICE_PAGE = {
    "briefs": [
        {
            "name": "My device 101",
            "model": {"commercialName": "LoRaMote EU fw4 - class A"},
            "connectivity": "LORAWAN",
            "activation": "OTAA",
            "EUI": "70B3D5E756111999",
            "href": "/thingpark/wireless/rest/subscriptions/32/devices/3054",
        }
    ],
    "more": False,
    "now": 1556209037421,
    "count": None,
    "cursors": {"last": "eyJFVUkiOiI3MEIzRDVFNzU2MjAwOTk5In0="},
}

DEVICE = {
    "now": 1556274131027,
    "occContext": {"version": 0, "lastUpdate": 1546598395000, "who": "John Doe"},
    "name": "My device",
    "connectivity": "LORAWAN",
    "activation": "OTAA",
    "appEUI": "65FC7B3530A44FB9",
    "EUI": "70B3D5E756000999",
    "appKey": "7374757A3FDD092947CE2DE9321C6040",
    "nwKey": "7374757A3FDD092947CE2DE9321C6041",
    "appKeys": '<AppSKeys><AppSKey Port="*">8D67B0D6359D11ACFC45AD4BB9CE2D4F</AppSKey></AppSKeys>',
    "appServers": [{"ID": "TWA_199982747.1972.AS", "name": "my MQTT application"}],
    "networkSubscription": {"nwGeolocalization": False, "prAllowed": False},
    "healthState": "ACTIVE",
    "lastUpTimestamp": 1556274000000,
    "somethingNew": {"nested": 1},
}

TRAFFIC_BUCKET = {
    "timestamp": 1691532000000,
    "instantPerMean": 0.021186423,
    "meanPerMean": 0.058798883,
    "rssiMean": -60.898304,
    "snrMean": 0.3411017,
    "espMean": -62.225357,
    "mf": {"count": 0, "size": 0, "sizeUp": 0, "sizeDown": 0, "duration": 0},
    "up": {
        "count": 58,
        "size": 530,
        "countOnTime": 58,
        "sizeOnTime": 530,
        "countLate": 0,
        "sizeLate": 0,
        "countLost": 8,
        "subTypes": [],
    },
    "dw": {
        "count": 60,
        "size": 0,
        "countSent": 59,
        "sizeSent": 0,
        "countFailed": 1,
        "sizeFailed": 0,
        "subTypes": [],
    },
}

ALARM_PAGE = {
    "briefs": [
        {
            "ID": 4,
            "alarmUid": "5b1f81e7a1ae4234a037be11",
            "device": {"name": "My device 1", "EUI": "70B3D5E756000999"},
            "href": "/thingpark/wireless/rest/subscriptions/32/devices/2227/alarms/5b1f81e7a1ae4234a037be11",
        }
    ],
    "more": True,
    "count": 2390,
    "cursors": {"last": "eyJhbGFybVVpZCI6IjViMWY4MWU3YTFhZTQyMzRhMDM3Y2QzNyJ9"},
}

APP_SERVERS = {
    "briefs": [
        {
            "ID": "TWA_199982747.1972.AS",
            "baseStationCount": 5,
            "deviceCount": 22,
            "href": "/thingpark/wireless/rest/subscriptions/32/appServers/1972",
            "multicastGroupCount": 0,
            "name": "my MQTT application",
            "state": "ACTIVE",
            "healthState": "ACTIVE",
            "notification": {"baseStationAlarms": True, "deviceAlarms": True},
            "type": "KAFKA",
            "validationState": "VALIDATED",
        }
    ],
    "more": False,
}

LORAWAN_SPEC = LoRaWanDeviceCreate(
    name="My device",
    eui="70B3D5E756000999",
    app_key="7374757A3FDD092947CE2DE9321C6040",
    model_key="SMTC/LoRaMoteA.1_EU",
    connection_keys=["TWA_199982747.1972.AS"],
)

CELLULAR_SPEC = CellularDeviceCreate(
    name="My device",
    model_key="CUSTOM/LTE_Dongle",
    plan_key="acme-cs/cellular-cp",
    network_context_key="1AF3B",
    connection_keys=["TWA_199982747.1972.AS"],
    sim_id="89208013535718672291",
    imei="123456789012347",
)

MULTICAST_SPEC = MulticastGroupCreate(
    name="My multicast group",
    eui="70B3D5E756000999",
    dev_addr="785D25E2",
    nwk_skey="7374757A3FDD092947CE2DE9321C6040",
    app_skey="8D67B0D6359D11ACFC45AD4BB9CE2D4F",
    device_class="C",
    downlink_data_rate=15,
    downlink_frequency_mhz=869.525,
    base_station_tags=["tag1"],
    connection_keys=["TWA_199982747.1972.AS"],
)

HTTPS_SPEC = BasicHttpsConnectionCreate(
    name="My Basic HTTPS connection",
    url="https://www.example.com/myApp",
    as_key="C72C6F867B150B1210ACDA5F3CDFB449",
)

FLOW_SPEC = IotFlowMqttConnectionCreate(
    name="My MQTT connection",
    host="myhostname.com:8883",
    uplink_topic="mqtt/things/{DevEUI}/uplink",
    downlink_topic="mqtt/things/{DevEUI}/downlink",
    username="mycompany",
    password="bar",
)


# ---------------------------------------------------------------- pure parsing


def test_device_page_first_and_next() -> None:
    briefs, cursor, total = page_from_briefs(FIRST_DEVICE_PAGE)
    assert cursor == "eyJFVUkiOiI3MEIzRDVFNzU2MTAwOTk5In0="
    assert total == 62804
    row = device_summary_from_brief(briefs[0])
    assert row.key == row.eui == "70B3D5E756000999"
    assert row.name == "My device 1"
    assert row.model == "LoRaMote EU fw4 - class A"
    assert (row.connectivity, row.activation) == ("LORAWAN", "OTAA")

    # the last page still carries cursors.last; `more: false` is what ends the walk
    _, cursor, total = page_from_briefs(NEXT_DEVICE_PAGE)
    assert cursor is None
    assert total is None


def test_device_detail_sections_cover_every_field_and_mask_keys() -> None:
    detail = device_detail_from_resource(DEVICE)
    assert detail.key == "70B3D5E756000999"
    assert detail.raw == DEVICE
    titles = [s.title for s in detail.sections]
    assert titles == ["Identity", "Radio & SIM", "Network", "Connections", "Timestamps", "Other"]
    fields = {f.label: f for s in detail.sections for f in s.fields}
    for name in ("appKey", "nwKey", "appKeys"):
        assert fields[name].secret, name
    assert not fields["name"].secret
    assert fields["appServers[0].ID"].value == "TWA_199982747.1972.AS"
    assert fields["occContext.lastUpdate"].value == "2019-01-04 10:39:55 UTC"
    assert fields["occContext.version"].value == "0"  # a counter, not a timestamp
    assert fields["somethingNew.nested"].value == "1"
    # every top-level field appears in exactly one section
    tops = [s.title for s in detail.sections for f in s.fields if f.label.split(".")[0] == "now"]
    assert tops == ["Timestamps"]
    roots = {f.label.split(".")[0].split("[")[0] for s in detail.sections for f in s.fields}
    assert roots == set(DEVICE)
    assert detail.summary.last_activity == datetime.fromtimestamp(1556274000, tz=UTC)


def test_traffic_bucket() -> None:
    bucket = traffic_bucket_from_brief(TRAFFIC_BUCKET)
    assert bucket.start == datetime(2023, 8, 8, 22, 0, tzinfo=UTC)
    assert (bucket.up, bucket.up_lost, bucket.down, bucket.down_failed) == (58, 8, 60, 1)
    assert bucket.rssi_mean == pytest.approx(-60.898304)
    assert bucket.snr_mean == pytest.approx(0.3411017)
    assert bucket.esp_mean == pytest.approx(-62.225357)


def test_alarm_brief() -> None:
    alarm = alarm_from_brief(ALARM_PAGE["briefs"][0])
    assert alarm.key == "5b1f81e7a1ae4234a037be11"
    assert alarm.device_key == "70B3D5E756000999"
    assert alarm.device_name == "My device 1"
    assert alarm.type == "alarm 4"
    assert alarm.severity == "INDETERMINATE"
    assert not alarm.acknowledged
    rich = alarm_from_brief(
        {
            "alarmUid": "x1",
            "severity": "major",
            "state": "ACTIVE",
            "ackState": "ACKED",
            "creationTimestamp": 1691532000000,
        }
    )
    assert rich.severity == "MAJOR"
    assert rich.acknowledged
    assert rich.occurred_at == datetime(2023, 8, 8, 22, 0, tzinfo=UTC)
    assert rich.raised_at == rich.occurred_at
    repeated = alarm_from_brief(
        {"alarmUid": "x2", "creationDate": 1691532000000, "lastOccurrenceDate": 1691535600000}
    )
    assert repeated.raised_at == datetime(2023, 8, 8, 22, 0, tzinfo=UTC)
    assert repeated.occurred_at == datetime(2023, 8, 8, 23, 0, tzinfo=UTC)


def test_lookups() -> None:
    model = device_model_from_brief(
        {
            "commercialName": "LTE Dongle",
            "vendor": {"name": "Generic", "commercialName": "Generic", "ID": "generic"},
            "connectivity": "CELLULAR",
            "ID": "CUSTOM/LTE_Dongle",
        }
    )
    assert (model.key, model.name, model.vendor, model.connectivity) == (
        "CUSTOM/LTE_Dongle",
        "LTE Dongle",
        "Generic",
        "CELLULAR",
    )
    plan = connectivity_plan_from_brief(
        {
            "commercialName": "Cellular CP",
            "ID": "acme-cs/cellular-cp",
            "supplier": {"ID": "acme-cs", "commercialName": "ACME Connectivity Supplier"},
            "used": 23,
            "granted": 100,
        }
    )
    assert (plan.key, plan.supplier, plan.used, plan.granted) == (
        "acme-cs/cellular-cp",
        "ACME Connectivity Supplier",
        23,
        100,
    )
    ctx = network_context_from_brief({"ID": "1AF3B", "name": "My cellular", "mode": "MIXED"})
    assert (ctx.key, ctx.mode) == ("1AF3B", "MIXED")
    conn = connection_from_app_server(APP_SERVERS["briefs"][0])
    assert (conn.key, conn.kind, conn.type, conn.health, conn.device_count) == (
        "TWA_199982747.1972.AS",
        "app-server",
        "KAFKA",
        "ACTIVE",
        22,
    )


def test_parse_error_both_shapes() -> None:
    assert parse_error({"code": 40401, "message": "Device not found", "errorId": "abc"}) == (
        "40401",
        "Device not found",
        "abc",
    )
    assert parse_error(
        {"error": "unauthorized_client", "error_description": "Invalid client secret"}
    ) == ("unauthorized_client", "Invalid client secret", None)
    assert parse_error(["odd"]) == (None, None, None)


# ---------------------------------------------------------------- requests over MockTransport

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport backend that answers the token request and records the others."""

    def __init__(self, routes: dict[tuple[str, str], Any] | None = None) -> None:
        self.routes = routes or {}
        self.requests: list[httpx.Request] = []
        self.token_forms: list[dict[str, list[str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users-auth/protocol/openid-connect/token":
            self.token_forms.append(parse_qs(request.content.decode()))
            return httpx.Response(
                200, json={"access_token": "tok-1", "expires_in": 3600, "token_type": "Bearer"}
            )
        self.requests.append(request)
        assert request.headers["authorization"] == "Bearer tok-1"
        answer = self.routes.get((request.method, request.url.path))
        if callable(answer):
            return answer(request)
        if answer is None:
            return httpx.Response(204)
        return httpx.Response(200, json=answer)


def _platform(recorder: Handler, **kwargs: Any) -> ThingPark:
    return ThingPark(
        BASE,
        "sub-199983788/fleet-demo",
        SECRET,
        transport=httpx.MockTransport(recorder),
        retry=RetryPolicy(attempts=2, base_delay=0.0),
        **kwargs,
    )


def _body(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def test_token_form_and_device_pages() -> None:
    def devices(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json=NEXT_DEVICE_PAGE if "pageAfter" in request.url.params else FIRST_DEVICE_PAGE,
        )

    rec = Recorder({("GET", DEVICES): devices})
    async with _platform(rec) as tp:
        pages = [p async for p in walk(tp.list_devices)]
    assert rec.token_forms == [
        {
            "grant_type": ["client_credentials"],
            "client_id": ["sub-199983788/fleet-demo"],
            "client_secret": [SECRET],
        }
    ]
    first, second = rec.requests
    assert first.url.query == b"sort=EUI%2Casc"
    assert second.url.query == (b"sort=EUI%2Casc&pageAfter=eyJFVUkiOiI3MEIzRDVFNzU2MTAwOTk5In0%3D")
    assert [p.total for p in pages] == [62804, None]
    assert [i.key for p in pages for i in p.items] == ["70B3D5E756000999", "70B3D5E756111999"]


async def test_get_device_address_and_traffic_query() -> None:
    traffic = {"now": 1, "briefs": [TRAFFIC_BUCKET, {**TRAFFIC_BUCKET, "timestamp": 1691445600000}]}
    rec = Recorder(
        {
            ("GET", f"{DEVICES}/e70B3D5E756000999"): DEVICE,
            ("GET", f"{DEVICES}/e70B3D5E756000999/frames/aggregated"): traffic,
        }
    )
    async with _platform(rec) as tp:
        detail = await tp.get_device("70b3d5e756000999")
        buckets = await tp.traffic(
            "70B3D5E756000999", duration="P7D", step="P1D", timezone="Europe/Paris"
        )
    assert detail.name == "My device"
    assert rec.requests[1].url.params == httpx.QueryParams(
        {"duration": "P7D", "step": "P1D", "timezone": "Europe/Paris"}
    )
    assert [b.start for b in buckets] == sorted(b.start for b in buckets)


async def test_create_lorawan_body_exactly_as_the_page() -> None:
    created = {"now": 1556274131027, "name": "My device", "EUI": "70B3D5E756000999"}
    rec = Recorder({("POST", DEVICES): lambda r: httpx.Response(201, json=created)})
    async with _platform(rec) as tp:
        detail = await tp.create_lorawan_device(LORAWAN_SPEC)
    request = rec.requests[0]
    assert request.url.query == b"networkSubscriptionsHandlingMode=BASIC"
    assert _body(request) == {
        "connectivity": "LORAWAN",
        "activation": "OTAA",
        "EUI": "70B3D5E756000999",
        "model": {"ID": "SMTC/LoRaMoteA.1_EU"},
        "networkSubscription": {"nwGeolocalization": False, "prAllowed": False},
        "appServers": [{"ID": "TWA_199982747.1972.AS"}],
        "name": "My device",
        "appKey": "7374757A3FDD092947CE2DE9321C6040",
    }
    assert detail.key == "70B3D5E756000999"


async def test_create_cellular_body_exactly_as_the_page() -> None:
    created = {"name": "My device", "EUI": "F03D290000000001", "enforcedIMEI": "123456789012347"}
    rec = Recorder({("POST", DEVICES): lambda r: httpx.Response(201, json=created)})
    async with _platform(rec) as tp:
        detail = await tp.create_cellular_device(CELLULAR_SPEC)
    request = rec.requests[0]
    assert request.url.query == b""
    assert _body(request) == {
        "connectivity": "CELLULAR",
        "enforcedIMEI": "123456789012347",
        "model": {"ID": "CUSTOM/LTE_Dongle"},
        "networkSubscription": {"ID": "acme-cs/cellular-cp"},
        "networkContext": {"ID": "1AF3B"},
        "appServers": [{"ID": "TWA_199982747.1972.AS"}],
        "name": "My device",
        "sim": {"ID": "89208013535718672291"},
    }
    assert detail.key == "F03D290000000001"


async def test_multicast_and_connection_bodies() -> None:
    rec = Recorder(
        {
            ("POST", DEVICES): lambda r: httpx.Response(201, json={"name": "My multicast group"}),
            ("POST", "/thingpark/wireless/rest/subscriptions/mine/appServers"): lambda r: (
                httpx.Response(
                    201, json={"name": "My Basic HTTPS connection", "ID": "TWA_199983788.568.AS"}
                )
            ),
            ("POST", "/thingpark/dx/core/latest/api/connections"): lambda r: httpx.Response(
                201,
                headers={"Location": "/connections/1114"},
                json={"id": "1114", "connectorId": "actility-mqtt-iot", "state": "OPENED"},
            ),
        }
    )
    async with _platform(rec) as tp:
        eui = await tp.create_multicast_group(MULTICAST_SPEC)
        https = await tp.create_basic_https_connection(HTTPS_SPEC)
        flow = await tp.create_iot_flow_connection(FLOW_SPEC)
    multicast, app_server, connection = rec.requests
    assert eui == "70B3D5E756000999"
    assert multicast.url.query == b"networkSubscriptionsHandlingMode=BASIC"
    assert _body(multicast) == {
        "name": "My multicast group",
        "EUI": "70B3D5E756000999",
        "nwAddress": "785D25E2",
        "nwKey": "7374757A3FDD092947CE2DE9321C6040",
        "appKeys": '<AppSKeys><AppSKey Port="*">8D67B0D6359D11ACFC45AD4BB9CE2D4F</AppSKey></AppSKeys>',
        "class": "C",
        "downlinkDataRate": 15,
        "downlinkFrequency": 869.525,
        "bss": {"tags": [{"name": "tag1", "namespace": "OPERATOR"}]},
        "appServers": [{"ID": "TWA_199982747.1972.AS"}],
    }
    assert _body(app_server) == {
        "contentType": "jsontyped",
        "destinations": [
            {"addresses": ["https://www.example.com/myApp"], "ports": "*", "strategy": "SEQUENTIAL"}
        ],
        "downlinkSecurity": {
            "downlinkAsKey": "C72C6F867B150B1210ACDA5F3CDFB449",
            "maxTimestampDeviation": 10,
            "status": "DOWNLINK_AS_KEY",
        },
        "name": "My Basic HTTPS connection",
    }
    assert (https.key, https.kind) == ("TWA_199983788.568.AS", "app-server")
    assert _body(connection) == {
        "connectorId": "actility-mqtt-iot",
        "name": "My MQTT connection",
        "configuration": {
            "uplinkTopicPattern": "mqtt/things/{DevEUI}/uplink",
            "downlinkTopicPattern": "mqtt/things/{DevEUI}/downlink",
            "hostName": "myhostname.com:8883",
            "protocol": "SSL",
            "username": "mycompany",
            "password": "bar",
        },
    }
    assert (flow.key, flow.kind, flow.state, flow.name) == (
        "1114",
        "iot-flow",
        "OPENED",
        "My MQTT connection",
    )


async def test_downlink_update_delete_alarms_and_connections() -> None:
    eui_path = f"{DEVICES}/e70B3D5E756000999"
    rec = Recorder(
        {
            ("PUT", eui_path): {**DEVICE, "name": "Renamed"},
            (
                "GET",
                "/thingpark/wireless/rest/subscriptions/mine/devices/alarms",
            ): ALARM_PAGE,
            ("GET", "/thingpark/wireless/rest/subscriptions/mine/appServers"): APP_SERVERS,
            ("GET", "/thingpark/dx/core/latest/api/connections"): [
                {"id": "1114", "connectorId": "actility-mqtt-iot", "name": "M", "state": "OPENED"}
            ],
        }
    )
    async with _platform(rec) as tp:
        await tp.send_downlink(
            "70B3D5E756000999", Downlink(payload_hex="0a ff", fport=2, confirmed=True)
        )
        updated = await tp.update_device(
            "70B3D5E756000999", DeviceUpdate(name="Renamed", connection_keys=["A", "B"])
        )
        await tp.delete_device("70B3D5E756000999")
        alarms = await tp.list_alarms()
        await tp.list_alarms("CUR", device_key="70B3D5E756000999")
        await tp.acknowledge_alarm("5b1f81e7a1ae4234a037be11")
        connections = await tp.list_connections()
    downlink, put, delete, alarms_first, alarms_device, ack, *_ = rec.requests
    assert downlink.method == "POST"
    assert downlink.url.path == f"{eui_path}/admins/downlink"
    assert downlink.url.query == b"payload=0AFF&fPort=2&confirmed=true&flushDownlinkQueue=false"
    assert _body(put) == {"name": "Renamed", "appServers": [{"ID": "A"}, {"ID": "B"}]}
    assert updated.name == "Renamed"
    assert delete.method == "DELETE"
    assert delete.url.path == eui_path
    assert alarms_first.url.query == b"sort=alarmUid%2Cdesc"
    assert alarms.total == 2390
    assert alarms.cursor == ALARM_PAGE["cursors"]["last"]
    assert alarms_device.url.path.endswith("/subscriptions/mine/devices/alarms")
    assert alarms_device.url.query == (
        b"sort=alarmUid%2Cdesc&deviceEUI=70B3D5E756000999&pageAfter=CUR"
    )
    assert ack.method == "POST"
    assert (
        ack.url.path == "/thingpark/dx/core/latest/api/deviceAlarms/5b1f81e7a1ae4234a037be11/acks"
    )
    assert [(c.key, c.kind) for c in connections] == [
        ("TWA_199982747.1972.AS", "app-server"),
        ("1114", "iot-flow"),
    ]


async def test_vendor_error_and_secret_never_leaks() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        # a hostile server that echoes what it was sent
        return httpx.Response(
            400, json={"code": 400, "message": f"bad key {LORAWAN_SPEC.app_key}", "errorId": "e1"}
        )

    rec = Recorder({("POST", DEVICES): refuse})
    tp = _platform(rec)
    with pytest.raises(ApiError) as info:
        await tp.create_lorawan_device(LORAWAN_SPEC)
    await tp.aclose()
    assert (info.value.status, info.value.code, info.value.request_id) == (400, "400", "e1")
    assert LORAWAN_SPEC.app_key not in str(info.value)
    assert SECRET not in repr(tp)

    def keycloak(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"error": "unauthorized_client", "error_description": f"no such secret {SECRET}"},
        )

    tp = _platform(keycloak)
    with pytest.raises(ApiError) as info:
        await tp.list_devices()
    await tp.aclose()
    assert info.value.status == 401
    assert info.value.code == "unauthorized_client"
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


# ---------------------------------------------------------------- answers it cannot read


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"briefs": "oops", "more": False}, "briefs: expected a list"),
        ({"more": False}, "briefs: missing"),
        ({"briefs": []}, "more: missing"),
        ([], "the body: expected an object"),
        (None, "the body: expected an object"),
        ({"briefs": [{"EUI": 70}], "more": False}, "briefs.0.EUI: expected a string"),
        ({"briefs": [], "more": True}, "more is true but cursors.last is missing"),
        ({"briefs": [{"model": 3}], "more": False}, "briefs.0.model: expected an object"),
    ],
)
async def test_a_device_page_it_cannot_read_is_an_api_error(body: Any, reason: str) -> None:
    rec = Recorder({("GET", DEVICES): lambda r: httpx.Response(200, json=body)})
    async with _platform(rec) as tp:
        with pytest.raises(ApiError) as err:
            await tp.list_devices()
    assert err.value.message == f"unexpected answer from GET {DEVICES}: {reason}"
    assert err.value.status == 200


async def test_an_empty_fleet_is_only_an_answer_that_says_so() -> None:
    rec = Recorder({("GET", DEVICES): {"briefs": [], "more": False, "count": 0}})
    async with _platform(rec) as tp:
        page = await tp.list_devices()
    assert (page.items, page.cursor, page.total) == ([], None, 0)


@pytest.mark.parametrize("count", [-1, 2.5, "62804", True, None])
def test_a_count_that_is_no_total_is_unknown(count: Any) -> None:
    _, _, total = page_from_briefs({**FIRST_DEVICE_PAGE, "count": count})
    assert total is None


# ---------------------------------------------------------------- catalogues read every page

CATALOGUES = [
    ("device_models", ("LORAWAN",), "/thingpark/wireless/rest/subscriptions/mine/deviceProfiles"),
    (
        "connectivity_plans",
        ("CELLULAR",),
        "/thingpark/wireless/rest/subscriptions/mine/networkSubscriptions",
    ),
    ("network_contexts", (), "/thingpark/wireless/rest/subscriptions/mine/cellularNetworkContexts"),
    ("list_connections", (), "/thingpark/wireless/rest/subscriptions/mine/appServers"),
]


def paging(briefs: list[dict[str, Any]], size: int, seen: list[httpx.QueryParams]):
    """A handler that pages `briefs` by `size` the vendor's way: sort, pageAfter, more, cursors."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        after = request.url.params.get("pageAfter")
        start = 0 if after is None else int(after.removeprefix("after-")) + 1
        chunk = briefs[start : start + size]
        more = start + size < len(briefs)
        cursor = f"after-{start + len(chunk) - 1}"
        body = {"briefs": chunk, "more": more, "cursors": {"last": cursor}}
        return httpx.Response(200, json={**body, "count": len(briefs)} if after is None else body)

    return answer


@pytest.mark.parametrize(("method", "args", "path"), CATALOGUES, ids=[c[0] for c in CATALOGUES])
async def test_catalogue_lookups_read_every_page(
    method: str, args: tuple[str, ...], path: str
) -> None:
    briefs = [{"ID": f"id-{n:02d}", "name": f"entry {n}"} for n in range(7)]
    seen: list[httpx.QueryParams] = []
    rec = Recorder(
        {
            ("GET", path): paging(briefs, 3, seen),
            ("GET", "/thingpark/dx/core/latest/api/connections"): [],
        }
    )
    async with _platform(rec) as tp:
        found = await getattr(tp, method)(*args)
    assert [item.key for item in found] == [b["ID"] for b in briefs]
    assert [p.get("pageAfter") for p in seen] == [None, "after-2", "after-5"]
    assert all(p.get("sort") == "ID,asc" for p in seen)
    if args:
        assert all(p.get("connectivity") == args[0] for p in seen)


async def test_a_catalogue_that_repeats_its_cursor_is_an_api_error() -> None:
    path = "/thingpark/wireless/rest/subscriptions/mine/deviceProfiles"
    stuck = {"briefs": [{"ID": "m"}], "more": True, "cursors": {"last": "same"}}
    rec = Recorder({("GET", path): stuck})
    async with _platform(rec) as tp:
        with pytest.raises(ApiError, match="repeated cursor 'same' after 2 pages"):
            await tp.device_models("LORAWAN")
    assert len(rec.requests) == 2
