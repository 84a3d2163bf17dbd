"""The ThingPark simulator over real HTTP on loopback, with plain httpx (never the adapters)."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tui.sim import SimConfig, SimServer
from tui.sim.credentials import (
    THINGPARK_CLIENT_ID,
    THINGPARK_CLIENT_SECRET,
    THINGPARK_SUBSCRIBER_ID,
    banner,
)

TOKEN = "/users-auth/protocol/openid-connect/token"
OSS = "/thingpark/wireless/rest/subscriptions/mine"
DX = "/thingpark/dx/core/latest/api"
AS_ID = f"TWA_{THINGPARK_SUBSCRIBER_ID}.1972.AS"
CREDS = {
    "grant_type": "client_credentials",
    "client_id": THINGPARK_CLIENT_ID,
    "client_secret": THINGPARK_CLIENT_SECRET,
}

MakeSim = Callable[..., SimServer]


def get_token(client: httpx.Client) -> str:
    response = client.post(TOKEN, data=CREDS)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def authed(server: SimServer) -> httpx.Client:
    with httpx.Client(base_url=server.base_url) as bare:
        token = get_token(bare)
    return httpx.Client(
        base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture(scope="module")
def api(sim: SimServer) -> Iterator[httpx.Client]:
    with authed(sim) as client:
        yield client


def assert_vendor_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "errorId"}
    assert isinstance(body["code"], int | str)
    assert body["message"]
    assert len(body["errorId"]) == 36
    return body


def cursor(key: str, value: str) -> str:
    return base64.b64encode(json.dumps({key: value}, separators=(",", ":")).encode()).decode()


def lorawan_body(eui: str, **changes: Any) -> dict[str, Any]:
    body = {
        "connectivity": "LORAWAN",
        "activation": "OTAA",
        "EUI": eui,
        "model": {"ID": "SMTC/LoRaMoteA.1_EU"},
        "networkSubscription": {"nwGeolocalization": False, "prAllowed": False},
        "appServers": [{"ID": AS_ID}],
        "name": "My device",
        "appKey": "7374757A3FDD092947CE2DE9321C6040",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def cellular_body(**changes: Any) -> dict[str, Any]:
    body = {
        "connectivity": "CELLULAR",
        "enforcedIMEI": "123456789012347",
        "model": {"ID": "CUSTOM/LTE_Dongle"},
        "networkSubscription": {"ID": "acme-cs/cellular-cp"},
        "networkContext": {"ID": "1AF3B"},
        "appServers": [{"ID": AS_ID}],
        "name": "My device",
        "sim": {"ID": "89208013535718672291"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# -- token ----------------------------------------------------------------------------------------


def test_token_is_issued_like_keycloak(sim: SimServer) -> None:
    with httpx.Client(base_url=sim.base_url) as client:
        body = client.post(TOKEN, data=CREDS).json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["access_token"].count(".") == 2
        basic = client.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            auth=(THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET),
        )
        assert basic.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**CREDS, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**CREDS, "client_id": "sub-1/other"}, 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
        ({**CREDS, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({k: v for k, v in CREDS.items() if k != "grant_type"}, 400, "invalid_request"),
    ],
)
def test_token_refusals(sim: SimServer, form: dict[str, str], status: int, error: str) -> None:
    response = httpx.post(sim.base_url + TOKEN, data=form)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_api_needs_a_valid_bearer(sim: SimServer) -> None:
    with httpx.Client(base_url=sim.base_url) as client:
        missing = client.get(f"{OSS}/devices")
        assert_vendor_error(missing, 401)
        assert missing.headers["www-authenticate"].startswith("Bearer")
        bogus = client.get(f"{OSS}/devices", headers={"Authorization": "Bearer nope"})
        assert_vendor_error(bogus, 401)
        dx = client.get(f"{DX}/connections")
        assert_vendor_error(dx, 401)


def test_expired_token_is_refused(make_sim: MakeSim) -> None:
    server = make_sim(token_ttl=1, devices=10, alarms=0)
    with authed(server) as client:
        assert client.get(f"{OSS}/devices").status_code == 200
        time.sleep(1.2)
        assert_vendor_error(client.get(f"{OSS}/devices"), 401)


def test_other_subscription_is_forbidden(api: httpx.Client) -> None:
    assert_vendor_error(api.get("/thingpark/wireless/rest/subscriptions/32/devices"), 403)
    own = api.get(f"/thingpark/wireless/rest/subscriptions/{THINGPARK_SUBSCRIBER_ID}/devices")
    assert own.status_code == 200


# -- device paging --------------------------------------------------------------------------------


def test_first_page_has_count_and_later_pages_do_not(api: httpx.Client) -> None:
    first = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()
    assert first["count"] == 62804
    assert first["more"] is True
    assert len(first["briefs"]) == 100
    assert isinstance(first["now"], int)
    last = first["briefs"][-1]["EUI"]
    assert json.loads(base64.b64decode(first["cursors"]["last"])) == {"EUI": last}
    brief = first["briefs"][0]
    assert {"name", "model", "connectivity", "EUI", "href", "healthState"} <= set(brief)
    assert {"ID", "commercialName", "logo"} <= set(brief["model"])
    second = api.get(
        f"{OSS}/devices", params={"sort": "EUI,asc", "pageAfter": first["cursors"]["last"]}
    ).json()
    assert second["count"] is None
    assert second["briefs"][0]["EUI"] > last


def test_page_prefix_is_strictly_increasing(api: httpx.Client) -> None:
    seen: list[str] = []
    page_after = None
    for _ in range(30):
        params = {"sort": "EUI,asc", "pageSize": "500"}
        if page_after:
            params["pageAfter"] = page_after
        page = api.get(f"{OSS}/devices", params=params).json()
        seen += [b["EUI"] for b in page["briefs"]]
        page_after = page["cursors"]["last"]
    assert len(seen) == 15000
    assert all(a < b for a, b in itertools.pairwise(seen))


@pytest.mark.slow
def test_walk_all_devices(api: httpx.Client) -> None:
    seen = 0
    last = ""
    connectivities: set[str] = set()
    page_after = None
    while True:
        params = {"sort": "EUI,asc"}
        if page_after:
            params["pageAfter"] = page_after
        page = api.get(f"{OSS}/devices", params=params).json()
        for brief in page["briefs"]:
            assert brief["EUI"] > last
            last = brief["EUI"]
            connectivities.add(brief["connectivity"])
        seen += len(page["briefs"])
        if not page["more"]:
            break
        page_after = page["cursors"]["last"]
    assert seen == 62804
    assert connectivities == {"LORAWAN", "CELLULAR"}


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "EUI,asc", "pageAfter": "garbage!"},
        {"sort": "EUI,asc", "pageAfter": base64.b64encode(b"not json").decode()},
        {"sort": "EUI,asc", "pageAfter": cursor("alarmUid", "5b1f81e7a1ae4234a037be11")},
        {"sort": "EUI,asc", "pageAfter": cursor("EUI", "XYZ")},
        {"pageAfter": cursor("EUI", "70B3D5E756000999")},
        {"sort": "name,asc"},
        {"pageSize": "0"},
    ],
)
def test_bad_paging_parameters(api: httpx.Client, params: dict[str, str]) -> None:
    assert_vendor_error(api.get(f"{OSS}/devices", params=params), 400)


def test_cursor_between_euis_and_filters(api: httpx.Client) -> None:
    # A cursor naming an EUI no device has still pages from the next one up.
    page = api.get(
        f"{OSS}/devices", params={"sort": "EUI,asc", "pageAfter": cursor("EUI", "70B3D5E756000999")}
    ).json()
    assert page["briefs"][0]["EUI"] > "70B3D5E756000999"
    named = api.get(f"{OSS}/devices", params={"sort": "EUI,asc", "name": "lyon"}).json()
    assert 0 < named["count"] < 62804
    assert all("lyon" in b["name"].lower() for b in named["briefs"])
    cell = api.get(f"{OSS}/devices", params={"sort": "EUI,asc", "connectivity": "CELLULAR"}).json()
    assert cell["briefs"][0]["EUI"].startswith("F03D29")
    assert all("activation" not in b for b in cell["briefs"])


def test_same_seed_same_fleet(make_sim: MakeSim, api: httpx.Client) -> None:
    other = make_sim()
    with authed(other) as client:
        mine = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][:5]
        theirs = client.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][:5]
    assert [b["EUI"] for b in mine] == [b["EUI"] for b in theirs]
    assert [b["name"] for b in mine] == [b["name"] for b in theirs]


# -- device CRUD ----------------------------------------------------------------------------------


def test_create_get_update_delete_lorawan(make_sim: MakeSim) -> None:
    server = make_sim(devices=1000, alarms=0)
    with authed(server) as client:
        created = client.post(
            f"{OSS}/devices",
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json=lorawan_body("70B3D5E756000999"),
        )
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        assert location.startswith(
            f"/thingpark/wireless/rest/subscriptions/{THINGPARK_SUBSCRIBER_ID}/devices/"
        )
        device = created.json()
        assert device["EUI"] == "70B3D5E756000999"
        assert device["occContext"]["version"] == 0
        assert "appKey" not in device
        assert client.get(f"{OSS}/devices").json()["count"] == 1001
        # Both addressings work: e{EUI} and the href.
        assert client.get(f"{OSS}/devices/e70B3D5E756000999").json()["name"] == "My device"
        assert client.get(location).json()["EUI"] == "70B3D5E756000999"
        updated = client.put(
            f"{OSS}/devices/e70B3D5E756000999",
            json={
                "name": "Renamed",
                "appServers": [{"ID": f"TWA_{THINGPARK_SUBSCRIBER_ID}.1973.AS"}],
            },
        )
        assert updated.status_code == 200
        assert updated.json()["name"] == "Renamed"
        assert updated.json()["occContext"]["version"] == 1
        stale = client.put(
            f"{OSS}/devices/e70B3D5E756000999", json={"name": "x", "occContext": {"version": 0}}
        )
        assert_vendor_error(stale, 409)
        # The created device shows up in EUI order while paging.
        page = client.get(
            f"{OSS}/devices",
            params={"sort": "EUI,asc", "pageAfter": cursor("EUI", "70B3D5E756000998")},
        ).json()
        assert page["briefs"][0]["EUI"] == "70B3D5E756000999"
        assert page["briefs"][0]["name"] == "Renamed"
        assert client.delete(f"{OSS}/devices/e70B3D5E756000999").status_code == 204
        assert_vendor_error(client.get(f"{OSS}/devices/e70B3D5E756000999"), 404)
        assert_vendor_error(client.delete(f"{OSS}/devices/e70B3D5E756000999"), 404)
        assert client.get(f"{OSS}/devices").json()["count"] == 1000


def test_update_and_delete_generated_device(make_sim: MakeSim) -> None:
    server = make_sim(devices=500, alarms=0)
    with authed(server) as client:
        briefs = client.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"]
        eui = briefs[10]["EUI"]
        assert client.put(f"{OSS}/devices/e{eui}", json={"name": "Edited"}).status_code == 200
        assert client.delete(f"{OSS}/devices/e{briefs[11]['EUI']}").status_code == 204
        page = client.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()
        assert page["count"] == 499
        euis = [b["EUI"] for b in page["briefs"]]
        assert briefs[11]["EUI"] not in euis
        assert page["briefs"][10]["name"] == "Edited"
        assert_vendor_error(client.put(f"{OSS}/devices/e{eui}", json={"EUI": "0" * 16}), 400)
        assert_vendor_error(client.put(f"{OSS}/devices/e{eui}", json={"name": ""}), 400)


def test_create_cellular_and_multicast(make_sim: MakeSim) -> None:
    server = make_sim(devices=100, alarms=0)
    with authed(server) as client:
        cell = client.post(f"{OSS}/devices", json=cellular_body())
        assert cell.status_code == 201, cell.text
        body = cell.json()
        assert body["EUI"].startswith("F03D29")
        assert body["sim"] == {"ID": "89208013535718672291", "type": "SINGLE_IMSI"}
        assert body["enforcedIMEI"] == "123456789012347"
        assert "activation" not in body
        again = client.post(f"{OSS}/devices", json=cellular_body()).json()
        assert again["EUI"] > body["EUI"]
        multicast = client.post(
            f"{OSS}/devices",
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json={
                "name": "My multicast group",
                "EUI": "70B3D5E756000999",
                "nwAddress": "785D25E2",
                "nwKey": "7374757A3FDD092947CE2DE9321C6040",
                "appKeys": '<AppSKeys><AppSKey Port="*">8D67B0D6359D11ACFC45AD4BB9CE2D4F</AppSKey></AppSKeys>',
                "class": "C",
                "downlinkDataRate": 15,
                "downlinkFrequency": 869.525,
                "bss": {"tags": [{"name": "tag1", "namespace": "OPERATOR"}]},
                "appServers": [{"ID": AS_ID}],
            },
        )
        assert multicast.status_code == 201, multicast.text
        assert multicast.json()["communicationType"] == "MULTICAST"
        assert "nwKey" not in multicast.json()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (lorawan_body("70B3D5E75600099"), 400),  # 15 hex
        (lorawan_body("70B3D5E75600099G"), 400),
        (lorawan_body(None), 400),
        (lorawan_body("70B3D5E756000998", appKey="7374757A3FDD092947CE2DE9321C604"), 400),
        (lorawan_body("70B3D5E756000998", appKey=None), 400),
        (lorawan_body("70B3D5E756000998", model=None), 400),
        (lorawan_body("70B3D5E756000998", model={"ID": "NOPE/Nope"}), 400),
        (lorawan_body("70B3D5E756000998", model={"ID": "CUSTOM/LTE_Dongle"}), 400),
        (lorawan_body("70B3D5E756000998", appServers=None), 400),
        (lorawan_body("70B3D5E756000998", appServers=[{"ID": "TWA_1.1.AS"}]), 400),
        (lorawan_body("70B3D5E756000998", name=None), 400),
        (lorawan_body("70B3D5E756000998", activation="MAGIC"), 400),
        (lorawan_body("70B3D5E756000998", connectivity="WIFI"), 400),
        (cellular_body(networkSubscription={"ID": "nope"}), 400),
        (cellular_body(networkContext={"ID": "nope"}), 400),
        (cellular_body(networkContext=None), 400),
        (cellular_body(sim={"ID": "123"}), 400),
        (cellular_body(enforcedIMEI="123456789012345"), 400),  # bad Luhn digit
        (cellular_body(EUI="F03D290000000001"), 400),
        (cellular_body(model={"ID": "SMTC/LoRaMoteA.1_EU"}), 400),
    ],
)
def test_create_validation(api: httpx.Client, body: dict[str, Any], status: int) -> None:
    assert_vendor_error(api.post(f"{OSS}/devices", json=body), status)


def test_create_rejects_duplicates_and_bad_json(api: httpx.Client) -> None:
    existing = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][0]["EUI"]
    assert_vendor_error(api.post(f"{OSS}/devices", json=lorawan_body(existing)), 409)
    bad = api.post(
        f"{OSS}/devices", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_vendor_error(bad, 400)
    assert_vendor_error(api.post(f"{OSS}/devices", json=[1, 2]), 400)


def test_unknown_device_and_path(api: httpx.Client) -> None:
    assert_vendor_error(api.get(f"{OSS}/devices/e0000000000000001"), 404)
    assert_vendor_error(api.get(f"{OSS}/devices/eNOTHEX"), 404)
    assert_vendor_error(api.get(f"{OSS}/nothing-here"), 404)


# -- traffic --------------------------------------------------------------------------------------


def test_traffic_daily_in_paris(api: httpx.Client) -> None:
    eui = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][0]["EUI"]
    params = {"duration": "P7D", "step": "P1D", "timezone": "Europe/Paris"}
    body = api.get(f"{OSS}/devices/e{eui}/frames/aggregated", params=params).json()
    assert isinstance(body["now"], int)
    briefs = body["briefs"]
    assert len(briefs) == 7
    stamps = [b["timestamp"] for b in briefs]
    assert stamps == sorted(stamps)
    assert stamps[-1] <= body["now"]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    for stamp in stamps:
        local = datetime.fromtimestamp(stamp / 1000, ZoneInfo("Europe/Paris"))
        assert (local.hour, local.minute) == (0, 0)
    bucket = briefs[0]
    assert set(bucket["up"]) == {
        "count", "size", "countOnTime", "sizeOnTime", "countLate", "sizeLate", "countLost", "subTypes",
    }  # fmt: skip
    assert set(bucket["dw"]) == {
        "count", "size", "countSent", "sizeSent", "countFailed", "sizeFailed", "subTypes",
    }  # fmt: skip
    assert set(bucket["mf"]) == {"count", "size", "sizeUp", "sizeDown", "duration"}
    assert {"instantPerMean", "meanPerMean", "rssiMean", "snrMean", "espMean"} <= set(bucket)
    assert sum(b["up"]["count"] for b in briefs) > 0
    # Deterministic: the same question gives the same counters.
    again = api.get(f"{OSS}/devices/e{eui}/frames/aggregated", params=params).json()["briefs"]
    assert [b["up"]["count"] for b in again[:-1]] == [b["up"]["count"] for b in briefs[:-1]]


@pytest.mark.parametrize(
    ("duration", "step", "buckets"),
    [("PT6H", "PT1H", 6), ("P1D", "PT6H", 4), ("P90D", "P1D", 90), ("P2D", "PT1H", 48)],
)
def test_traffic_steps(api: httpx.Client, duration: str, step: str, buckets: int) -> None:
    eui = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][3]["EUI"]
    params = {"duration": duration, "step": step, "timezone": "UTC"}
    briefs = api.get(f"{OSS}/devices/e{eui}/frames/aggregated", params=params).json()["briefs"]
    assert len(briefs) == buckets


@pytest.mark.parametrize(
    "params",
    [
        {"duration": "7 days", "step": "P1D"},
        {"duration": "P7D", "step": "PT7H"},
        {"duration": "P91D", "step": "P1D"},
        {"duration": "P1M", "step": "P1D"},
        {"duration": "PT1H", "step": "P1D"},
        {"duration": "P7D", "step": "P1D", "timezone": "Mars/Olympus"},
    ],
)
def test_traffic_validation(api: httpx.Client, params: dict[str, str]) -> None:
    eui = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][0]["EUI"]
    assert_vendor_error(api.get(f"{OSS}/devices/e{eui}/frames/aggregated", params=params), 400)


# -- downlink -------------------------------------------------------------------------------------


def test_downlink(api: httpx.Client) -> None:
    eui = api.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()["briefs"][0]["EUI"]
    url = f"{OSS}/devices/e{eui}/admins/downlink"
    ok = api.post(
        url,
        params={
            "payload": "0102ab",
            "fPort": 2,
            "confirmed": "true",
            "flushDownlinkQueue": "false",
        },
    )
    assert 200 <= ok.status_code < 300
    for params in (
        {"payload": "012", "fPort": 2},
        {"payload": "zz", "fPort": 2},
        {"payload": "01", "fPort": 0},
        {"payload": "01", "fPort": 224},
        {"payload": "01"},
        {"fPort": 2},
        {"payload": "01", "fPort": 2, "confirmed": "maybe"},
    ):
        assert_vendor_error(api.post(url, params=params), 400)
    assert_vendor_error(
        api.post(
            f"{OSS}/devices/e0000000000000001/admins/downlink", params={"payload": "01", "fPort": 1}
        ),
        404,
    )


# -- alarms ---------------------------------------------------------------------------------------


def test_alarm_paging_both_ways(api: httpx.Client) -> None:
    uids: list[str] = []
    page_after = None
    while True:
        params = {"sort": "alarmUid,asc"}
        if page_after:
            params["pageAfter"] = page_after
        page = api.get(f"{OSS}/devices/alarms", params=params).json()
        assert page["count"] == (2390 if page_after is None else None)
        uids += [b["alarmUid"] for b in page["briefs"]]
        if not page["more"]:
            break
        page_after = page["cursors"]["last"]
        assert json.loads(base64.b64decode(page_after)) == {"alarmUid": uids[-1]}
    assert len(uids) == 2390
    assert uids == sorted(uids) and len(set(uids)) == 2390
    assert all(len(u) == 24 and int(u, 16) >= 0 for u in uids)
    newest = api.get(f"{OSS}/devices/alarms", params={"sort": "alarmUid,desc"}).json()
    assert newest["briefs"][0]["alarmUid"] == uids[-1]
    nxt = api.get(
        f"{OSS}/devices/alarms",
        params={"sort": "alarmUid,desc", "pageAfter": newest["cursors"]["last"]},
    ).json()
    assert nxt["briefs"][0]["alarmUid"] == uids[-101]
    brief = newest["briefs"][0]
    assert {"ID", "alarmUid", "device", "href", "severity", "acked"} <= set(brief)
    assert set(brief["device"]) == {"name", "EUI"}
    assert_vendor_error(
        api.get(f"{OSS}/devices/alarms", params={"sort": "alarmUid,asc", "pageAfter": "xx"}), 400
    )


def test_a_put_that_changes_nothing_keeps_the_version(make_sim: MakeSim) -> None:
    server = make_sim(devices=50, alarms=0)
    with authed(server) as client:
        created = client.post(f"{OSS}/devices", json=lorawan_body("70B3D5E756000999"))
        assert created.status_code == 201, created.text
        path = f"{OSS}/devices/e70B3D5E756000999"

        def version(body: dict[str, Any]) -> int:
            answer = client.put(path, json=body)
            assert answer.status_code == 200, answer.text
            return answer.json()["occContext"]["version"]

        assert version({"name": "My device", "appServers": [{"ID": AS_ID}]}) == 0
        assert version({"occContext": {"version": 0}}) == 0
        assert version({"name": "Renamed"}) == 1
        last = client.get(path).json()["occContext"]
        assert version({"name": "Renamed"}) == 1
        assert client.get(path).json()["occContext"] == last
        # The appKey is never shown, yet the platform keeps it: a new one is a change.
        assert version({"appKey": "7374757A3FDD092947CE2DE9321C6040"}) == 1
        assert version({"appKey": "00112233445566778899AABBCCDDEEFF"}) == 2
        assert version({"appKey": "00112233445566778899aabbccddeeff"}) == 2
        assert "appKey" not in client.get(path).json() and "_appKey" not in client.get(path).text
        # A generated device too.
        brief = client.get(f"{OSS}/devices", params={"pageSize": 1}).json()["briefs"][0]
        generated = client.put(f"{OSS}/devices/{brief['ref']}", json={"name": brief["name"]})
        assert generated.json()["occContext"] == client.get(f"{OSS}/devices/{brief['ref']}").json()["occContext"]  # fmt: skip
        assert generated.json()["occContext"]["version"] == 0


def test_alarm_filter_by_device(api: httpx.Client) -> None:
    first = api.get(f"{OSS}/devices/alarms").json()["briefs"][0]
    eui = first["device"]["EUI"]
    mine = api.get(f"{OSS}/devices/alarms", params={"deviceEUI": eui}).json()
    assert mine["count"] >= 1
    assert {b["device"]["EUI"] for b in mine["briefs"]} == {eui}


def test_alarm_ack(make_sim: MakeSim) -> None:
    server = make_sim(devices=2000, alarms=50)
    with authed(server) as client:
        page = client.get(f"{OSS}/devices/alarms", params={"acked": "false"}).json()
        alarm = page["briefs"][0]
        assert alarm["acked"] is False
        ack = client.post(f"{DX}/deviceAlarms/{alarm['alarmUid']}/acks", json={})
        assert ack.status_code == 201
        after = client.get(f"{OSS}/devices/alarms", params={"deviceEUI": alarm["device"]["EUI"]})
        acked = next(b for b in after.json()["briefs"] if b["alarmUid"] == alarm["alarmUid"])
        assert acked["acked"] is True
        assert acked["ackUser"] == THINGPARK_CLIENT_ID
        # A second ack creates nothing: 200 with the first ack, its user and date kept.
        again = client.post(f"{DX}/deviceAlarms/{alarm['alarmUid']}/acks")
        assert again.status_code == 200 and again.json() == ack.json()
        assert again.json()["ackDate"] == acked["ackDate"]
        assert_vendor_error(client.post(f"{DX}/deviceAlarms/{'0' * 24}/acks"), 404)


# -- app servers, catalogues and DX connections ---------------------------------------------------


def test_app_servers(api: httpx.Client) -> None:
    listing = api.get(f"{OSS}/appServers").json()
    assert listing["more"] is False
    assert any(b["ID"] == AS_ID for b in listing["briefs"])
    assert sum(b["deviceCount"] for b in listing["briefs"]) == 62804
    body = {
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
    created = api.post(f"{OSS}/appServers", json=body)
    assert created.status_code == 201, created.text
    server = created.json()
    assert server["ID"].startswith(f"TWA_{THINGPARK_SUBSCRIBER_ID}.") and server["ID"].endswith(
        ".AS"
    )
    assert server["name"] == "My Basic HTTPS connection"
    assert {"version", "lastUpdate", "who"} <= set(server["occContext"])
    assert created.headers["location"].startswith(
        f"/thingpark/wireless/rest/subscriptions/{THINGPARK_SUBSCRIBER_ID}/appServers/"
    )
    assert "downlinkAsKey" not in server["downlinkSecurity"]
    ids = [b["ID"] for b in api.get(f"{OSS}/appServers").json()["briefs"]]
    assert server["ID"] in ids
    bad_url = {**body, "destinations": [{"addresses": ["ftp:/nowhere"]}]}
    bad_key = {**body, "downlinkSecurity": {**body["downlinkSecurity"], "downlinkAsKey": "C72C"}}
    no_name = {k: v for k, v in body.items() if k != "name"}
    for bad in (bad_url, bad_key, no_name, {**body, "destinations": []}):
        assert_vendor_error(api.post(f"{OSS}/appServers", json=bad), 400)


def walk(api: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    """Every page of a cursor-paged list, checking the cursor scheme on the way."""
    pages: list[dict[str, Any]] = []
    page_after = None
    while True:
        query = {"sort": "ID,asc", **params}
        if page_after:
            query["pageAfter"] = page_after
        page = api.get(f"{OSS}/{path}", params=query).json()
        assert (page["count"] is None) == bool(pages)  # count on the first page only
        if page["briefs"]:
            last = page["briefs"][-1]["ID"]
            assert json.loads(base64.b64decode(page["cursors"]["last"])) == {"ID": last}
        pages.append(page)
        if not page["more"]:
            return pages
        page_after = page["cursors"]["last"]


def test_device_profiles_page_through_a_long_catalogue(api: httpx.Client) -> None:
    pages = walk(api, "deviceProfiles")
    profiles = [b for page in pages for b in page["briefs"]]
    ids = [b["ID"] for b in profiles]
    assert pages[0]["count"] == len(ids) == 500 and len(pages) == 5
    assert [len(page["briefs"]) for page in pages] == [100] * 5
    assert ids == sorted(ids) and len(set(ids)) == 500
    assert {"SMTC/LoRaMoteA.1_EU", "MCHP/RN2483A.1_EU", "CUSTOM/LTE_Dongle"} <= set(ids)
    assert "SMTC/LoRaMoteA.1_EU" not in {b["ID"] for b in pages[0]["briefs"]}  # not on page 1
    assert len({b["vendor"]["ID"] for b in profiles}) >= 10
    assert {b["connectivity"] for b in profiles} == {"LORAWAN", "CELLULAR"}
    assert all(not k.startswith("_") for b in profiles for k in b)
    for brief in profiles:
        if brief["connectivity"] == "LORAWAN":
            assert brief["typeMAC"] == "LoRaMAC" and brief["defaultIsmBands"]

    cellular = walk(api, "deviceProfiles", connectivity="CELLULAR")
    cell_ids = [b["ID"] for page in cellular for b in page["briefs"]]
    assert len(cellular) == 2 and cellular[0]["count"] == len(cell_ids) > 100
    assert {b["connectivity"] for page in cellular for b in page["briefs"]} == {"CELLULAR"}
    assert "CUSTOM/LTE_Dongle" in cell_ids
    lora = api.get(f"{OSS}/deviceProfiles", params={"connectivity": "LORAWAN"}).json()
    assert lora["more"] is True and lora["count"] == 500 - len(cell_ids)
    assert {b["connectivity"] for b in lora["briefs"]} == {"LORAWAN"}
    assert len(api.get(f"{OSS}/deviceProfiles", params={"pageSize": "7"}).json()["briefs"]) == 7


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "name,asc"},
        {"pageAfter": cursor("ID", "SMTC/LoRaMoteA.1_EU")},
        {"sort": "ID,asc", "pageAfter": "garbage!"},
        {"sort": "ID,asc", "pageAfter": cursor("EUI", "70B3D5E756000999")},
        {"pageSize": "0"},
        {"pageSize": "1001"},
        {"connectivity": "WIFI"},
    ],
)
def test_bad_catalogue_paging(api: httpx.Client, params: dict[str, str]) -> None:
    assert_vendor_error(api.get(f"{OSS}/deviceProfiles", params=params), 400)


def test_short_catalogues_page_too(api: httpx.Client) -> None:
    plans = walk(api, "networkSubscriptions", pageSize="2")
    assert [len(p["briefs"]) for p in plans] == [2, 1] and plans[0]["count"] == 3
    cell = api.get(f"{OSS}/networkSubscriptions", params={"connectivity": "CELLULAR"}).json()
    assert [b["ID"] for b in cell["briefs"]] == ["acme-cs/cellular-cp"]
    assert cell["more"] is False and cell["count"] == 1
    contexts = walk(api, "cellularNetworkContexts", pageSize="1")
    assert [b["ID"] for p in contexts for b in p["briefs"]] == ["1AF3B", "2C81D"]
    servers = walk(api, "appServers", pageSize="2")
    ids = [b["ID"] for p in servers for b in p["briefs"]]
    assert ids == sorted(ids) and AS_ID in ids and len(servers) > 2
    whole = api.get(f"{OSS}/appServers").json()
    assert whole["more"] is False and [b["ID"] for b in whole["briefs"]] == ids


def test_the_catalogue_is_drawn_from_the_seed(make_sim: MakeSim, api: httpx.Client) -> None:
    mine = [b["ID"] for page in walk(api, "deviceProfiles") for b in page["briefs"]]
    with authed(make_sim(devices=10, alarms=0)) as same_seed:
        assert [
            b["ID"] for page in walk(same_seed, "deviceProfiles") for b in page["briefs"]
        ] == mine
    with authed(make_sim(seed=2, devices=10, alarms=0)) as other_seed:
        theirs = [b["ID"] for page in walk(other_seed, "deviceProfiles") for b in page["briefs"]]
    assert len(theirs) == 500 and theirs != mine
    assert {"SMTC/LoRaMoteA.1_EU", "CUSTOM/LTE_Dongle"} <= set(theirs)


def test_a_model_from_a_later_page_makes_a_device(make_sim: MakeSim) -> None:
    with authed(make_sim(devices=10, alarms=0)) as client:
        pages = walk(client, "deviceProfiles", connectivity="LORAWAN")
        model = pages[-1]["briefs"][-1]["ID"]
        created = client.post(
            f"{OSS}/devices", json=lorawan_body("70B3D5E756000999", model={"ID": model})
        )
        assert created.status_code == 201, created.text
        assert created.json()["model"]["ID"] == model


def test_dx_connections(api: httpx.Client) -> None:
    body = {
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
    created = api.post(f"{DX}/connections", json=body)
    assert created.status_code == 201, created.text
    conn = created.json()
    assert created.headers["location"] == f"/connections/{conn['id']}"
    assert conn["state"] == "OPENED"
    assert {"id", "connectorId", "name", "state", "configuration"} <= set(conn)
    assert "password" not in conn["configuration"]
    assert conn["id"] in {c["id"] for c in api.get(f"{DX}/connections").json()}
    assert api.get(f"{DX}/connections/{conn['id']}").json()["name"] == "My MQTT connection"
    config = body["configuration"]
    for bad in (
        {**body, "connectorId": "nope"},
        {**body, "name": ""},
        {**body, "configuration": {**config, "hostName": "bad host:99999"}},
        {**body, "configuration": {**config, "protocol": "CARRIER_PIGEON"}},
        {**body, "configuration": {k: v for k, v in config.items() if k != "uplinkTopicPattern"}},
    ):
        assert_vendor_error(api.post(f"{DX}/connections", json=bad), 400)


def oss_twins(client: httpx.Client) -> dict[str, dict[str, Any]]:
    """OSS application servers standing for IoT Flow connections, by DX connection id."""
    servers = [b for page in walk(client, "appServers") for b in page["briefs"]]
    return {s["tpxIotFlow"]["connectionId"]: s for s in servers if "tpxIotFlow" in s}


def test_every_iot_flow_connection_has_its_oss_app_server(make_sim: MakeSim) -> None:
    with authed(make_sim(devices=100, alarms=0)) as client:
        demo = client.get(f"{DX}/connections").json()
        twins = oss_twins(client)
        assert set(twins) == {c["id"] for c in demo} == {"1101", "1102"}
        for conn in demo:
            assert twins[conn["id"]]["name"] == conn["name"]
            assert twins[conn["id"]]["type"] == "TPX_IOT_FLOW"

        body = {
            "connectorId": "actility-mqtt-iot",
            "name": "Flow with a twin",
            "configuration": {"uplinkTopicPattern": "t/{DevEUI}/up", "hostName": "broker:8883"},
        }
        conn = client.post(f"{DX}/connections", json=body).json()
        twin = oss_twins(client)[conn["id"]]
        assert twin["tpxIotFlow"] == {"connectionId": conn["id"]}
        assert twin["name"] == "Flow with a twin" and twin["ID"].startswith("TWA_")
        assert twin["deviceCount"] == 0 and not any(k.startswith("_") for k in twin)
        assert client.get(twin["href"]).json()["ID"] == twin["ID"]
        # A device can use it: its OSS ID is what devices refer to.
        device = client.post(
            f"{OSS}/devices", json=lorawan_body("70B3D5E756000999", appServers=[{"ID": twin["ID"]}])
        )
        assert device.status_code == 201, device.text
        assert client.get(twin["href"]).json()["deviceCount"] == 1

        assert client.delete(f"{DX}/connections/{conn['id']}").status_code == 204
        assert conn["id"] not in oss_twins(client)
        assert_vendor_error(client.get(twin["href"]), 404)
        assert set(oss_twins(client)) == {"1101", "1102"}
        assert client.delete(f"{DX}/connections/1102").status_code == 204
        assert set(oss_twins(client)) == {"1101"}


# -- faults ---------------------------------------------------------------------------------------


def test_latency(make_sim: MakeSim) -> None:
    server = make_sim(devices=10, alarms=0, latency_ms=150)
    with authed(server) as client:
        start = time.monotonic()
        client.get(f"{OSS}/deviceProfiles")
        assert time.monotonic() - start >= 0.14


def test_fail_rate_gives_vendor_5xx(make_sim: MakeSim) -> None:
    server = make_sim(devices=10, alarms=0, fail_rate=1.0)
    with authed(server) as client:  # the token endpoint is not failed
        statuses = set()
        for _ in range(20):
            body = assert_vendor_error(
                response := client.get(f"{OSS}/devices"), response.status_code
            )
            assert response.status_code in (500, 503)
            assert isinstance(body["code"], int)
            statuses.add(response.status_code)
        assert statuses == {500, 503}


def test_rate_limit_gives_429_with_retry_after(make_sim: MakeSim) -> None:
    server = make_sim(devices=10, alarms=0, rate_limit=2)
    with authed(server) as client:
        responses = [client.get(f"{OSS}/deviceProfiles") for _ in range(6)]
        limited = [r for r in responses if r.status_code == 429]
        assert limited
        assert_vendor_error(limited[0], 429)
        assert int(limited[0].headers["retry-after"]) >= 1


# -- scale, server and hygiene --------------------------------------------------------------------


def test_million_device_sim_starts_fast_and_serves_its_last_page(make_sim: MakeSim) -> None:
    start = time.monotonic()
    server = make_sim(devices=1_000_000)
    assert time.monotonic() - start < 5  # loose: it is meant to be well under a second
    with authed(server) as client:
        first = client.get(f"{OSS}/devices", params={"sort": "EUI,asc"}).json()
        assert first["count"] == 1_000_000
        # The cellular block ends the fleet: F03D29 + sequential numbers.
        last_eui = f"F03D29{200000:010X}"
        before = f"F03D29{199950:010X}"
        page = client.get(
            f"{OSS}/devices", params={"sort": "EUI,asc", "pageAfter": cursor("EUI", before)}
        ).json()
        assert page["more"] is False
        assert len(page["briefs"]) == 50
        assert page["briefs"][-1]["EUI"] == last_eui


def test_server_lifecycle_and_banner() -> None:
    with SimServer(SimConfig(devices=5, alarms=0)) as server:
        url = server.base_url
        assert url.startswith("http://127.0.0.1:")
        assert httpx.post(url + TOKEN, data=CREDS).status_code == 200
        text = banner(url)
        assert url in text and THINGPARK_CLIENT_ID in text and THINGPARK_CLIENT_SECRET in text
        counters = next(line for line in text.splitlines() if "operation counters" in line)
        assert counters.split()[-1] == url + "/_sim/ops"
        assert httpx.get(counters.split()[-1]).json() == {
            "thingpark": {},
            "iotda": {},
            "mythings": {},
            "telit": {},
        }
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + TOKEN, data=CREDS)


def test_importing_the_sim_does_not_import_textual() -> None:
    code = (
        "import sys, tui.sim, tui.sim.app, tui.sim.server, tui.sim.thingpark\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_frozen_data_clock_gives_the_same_answers_every_day(make_sim) -> None:
    frozen = 1_795_000_000_000
    bodies = []
    for _ in range(2):
        server = make_sim(devices=50, alarms=20, frozen_at_ms=frozen)
        with httpx.Client(base_url=server.base_url) as client:
            token = client.post(
                "/users-auth/protocol/openid-connect/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "sub-199983788/fleet-demo",
                    "client_secret": "thingpark-demo-secret",
                },
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            page = client.get(
                "/thingpark/wireless/rest/subscriptions/mine/devices",
                params={"sort": "EUI,asc"},
                headers=auth,
            ).json()
            alarms = client.get(
                "/thingpark/wireless/rest/subscriptions/mine/devices/alarms", headers=auth
            ).json()
        assert page["now"] == frozen
        bodies.append((page["briefs"], alarms["briefs"]))
    assert bodies[0] == bodies[1]
