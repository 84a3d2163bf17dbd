"""The simulator's operation counters (/_sim/ops): each effective change counted once, per target
and operation; errors and no-op repeats not at all; reset; no auth and no fault on the way."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.sim.test_iotda_sim import TRACKER_ID, call, thermometer_body
from tests.sim.test_thingpark_sim import (
    AS_ID,
    DX,
    OSS,
    MakeSim,
    assert_vendor_error,
    authed,
    cellular_body,
    lorawan_body,
)
from tui.sim import SimConfig, SimServer, faults
from tui.sim.app import create_app
from tui.sim.config import MIN_RATE_LIMIT
from tui.sim.ops import SimOps
from tui.sim.slices import SLICE


def ops(sim: SimServer) -> dict[str, Any]:
    """The counters, read with no credentials at all."""
    got = httpx.get(sim.base_url + "/_sim/ops")
    assert got.status_code == 200, got.text
    return got.json()


def reset(sim: SimServer) -> None:
    got = httpx.post(sim.base_url + "/_sim/ops/reset")
    assert got.status_code == 204 and got.content == b""


def test_a_fresh_simulator_has_counted_nothing(make_sim: MakeSim) -> None:
    sim = make_sim(devices=10, alarms=0)
    fresh = httpx.get(sim.base_url + "/_sim/ops")
    assert fresh.headers["content-type"] == "application/json"
    assert fresh.json() == {"thingpark": {}, "iotda": {}, "mythings": {}, "telit": {}}
    reset(sim)
    assert ops(sim) == {"thingpark": {}, "iotda": {}, "mythings": {}, "telit": {}}


def test_no_fault_knob_reaches_the_counters(make_sim: MakeSim) -> None:
    # Every API request fails and the bucket holds one request a minute: the counters still answer.
    sim = make_sim(devices=10, alarms=0, fail_rate=1.0, rate_limit=MIN_RATE_LIMIT)
    for _ in range(5):
        assert ops(sim) == {"thingpark": {}, "iotda": {}, "mythings": {}, "telit": {}}
        reset(sim)
    refused = call(sim, "GET", "/products")
    assert refused.status_code in (429, 500, 503)  # while the platform itself is faulty


async def test_added_latency_never_reaches_the_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fault layer's sleeps are recorded instead of slept: no clock is read by this test.
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(faults, "asyncio", SimpleNamespace(sleep=sleep))
    app = create_app(SimConfig(devices=10, alarms=0, latency_ms=60_000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        assert (await client.get("/_sim/ops")).status_code == 200
        assert (await client.post("/_sim/ops/reset")).status_code == 204
        assert slept == []
        assert (await client.get("/v5/iot/any/products")).status_code == 401
        assert slept == [60.0]


async def test_many_targets_are_answered_slice_by_slice() -> None:
    ops = SimOps(("thingpark", "iotda"))
    many = ops.counter("iotda")
    for n in range(2 * SLICE + 7):
        many.count(f"device-{n}", "create")
        if n % 3 == 0:
            many.count(f"device-{n}", "delete")
    ops.counter("thingpark").count('say "hi"', "ack")
    transport = httpx.ASGITransport(app=Starlette(routes=ops.routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        got = (await client.get("/_sim/ops")).json()
    assert got["thingpark"] == {'say "hi"': {"ack": 1}}
    assert len(got["iotda"]) == 2 * SLICE + 7
    assert got["iotda"]["device-0"] == {"create": 1, "delete": 1}
    assert got["iotda"][f"device-{2 * SLICE + 6}"] == {"create": 1}
    assert sum(sum(counts.values()) for counts in got["iotda"].values()) == 2 * SLICE + 7 + 669


def test_thingpark_devices_count_effective_changes_once(make_sim: MakeSim) -> None:
    sim = make_sim(devices=1000, alarms=0)
    eui = "70B3D5E756000999"
    path = f"{OSS}/devices/e{eui}"
    with authed(sim) as client:
        assert client.post(f"{OSS}/devices", json=lorawan_body(eui)).status_code == 201
        assert_vendor_error(client.post(f"{OSS}/devices", json=lorawan_body(eui)), 409)
        assert_vendor_error(client.post(f"{OSS}/devices", json=lorawan_body("70B3")), 400)
        cellular = client.post(f"{OSS}/devices", json=cellular_body())
        assert cellular.status_code == 201, cellular.text
        group = {
            "name": "My multicast group",
            "EUI": "70B3D5E756000AAA",
            "nwAddress": "785D25E2",
            "nwKey": "7374757A3FDD092947CE2DE9321C6040",
            "appKeys": '<AppSKeys><AppSKey Port="*">8D67B0D6359D11ACFC45AD4BB9CE2D4F</AppSKey></AppSKeys>',
            "class": "C",
            "appServers": [{"ID": AS_ID}],
        }
        assert client.post(f"{OSS}/devices", json=group).status_code == 201

        renamed = client.put(path, json={"name": "Renamed"})
        assert renamed.status_code == 200 and renamed.json()["occContext"]["version"] == 1
        same = client.put(path, json={"name": "Renamed", "appServers": [{"ID": AS_ID}]})
        assert same.status_code == 200 and same.json()["occContext"]["version"] == 1
        assert client.put(path, json={}).json()["occContext"]["version"] == 1
        assert_vendor_error(client.put(path, json={"name": "x", "occContext": {"version": 0}}), 409)
        assert_vendor_error(client.put(path, json={"name": ""}), 400)
        assert_vendor_error(client.put(path, json={"EUI": "70B3D5E756000998"}), 400)
        # A new (write-only) key is a change; the same key again is not.
        key = {"appKey": "00112233445566778899AABBCCDDEEFF"}
        assert client.put(path, json=key).json()["occContext"]["version"] == 2
        assert client.put(path, json=key).json()["occContext"]["version"] == 2

        for _ in range(3):
            queued = client.post(f"{path}/admins/downlink", params={"payload": "0A0B", "fPort": 2})
            assert queued.status_code == 200, queued.text
        bad = client.post(f"{path}/admins/downlink", params={"payload": "0A0", "fPort": 2})
        assert_vendor_error(bad, 400)
        cellular_path = f"{OSS}/devices/e{cellular.json()['EUI']}"
        refused = client.post(
            f"{cellular_path}/admins/downlink", params={"payload": "0A", "fPort": 2}
        )
        assert_vendor_error(refused, 400)

        assert client.delete(path).status_code == 204
        assert_vendor_error(client.delete(path), 404)
        assert_vendor_error(client.put(path, json={"name": "Gone"}), 404)
        assert_vendor_error(client.post(f"{path}/admins/downlink?payload=00&fPort=1"), 404)
        # Reads count nothing.
        client.get(f"{OSS}/devices")
        client.get(cellular_path)

    assert ops(sim) == {
        "thingpark": {
            eui: {"create": 1, "update": 2, "downlink": 3, "delete": 1},
            cellular.json()["EUI"]: {"create": 1},
            "70B3D5E756000AAA": {"create": 1},
        },
        "iotda": {},
        "mythings": {},
        "telit": {},
    }


def test_a_generated_thingpark_device_counts_under_its_eui(make_sim: MakeSim) -> None:
    sim = make_sim(devices=50, alarms=0)
    with authed(sim) as client:
        device = client.get(f"{OSS}/devices", params={"pageSize": 1}).json()["briefs"][0]
        eui, path = device["EUI"], f"{OSS}/devices/{device['ref']}"  # addressed by its ref
        unchanged = client.put(path, json={"name": device["name"]})
        assert unchanged.status_code == 200 and unchanged.json()["occContext"]["version"] == 0
        assert client.put(path, json={"name": "Renamed"}).json()["occContext"]["version"] == 1
        assert client.delete(f"{OSS}/devices/e{eui.lower()}").status_code == 204
    assert ops(sim)["thingpark"] == {eui: {"update": 1, "delete": 1}}


def test_alarm_acks_and_connections_count_once(make_sim: MakeSim) -> None:
    sim = make_sim(devices=2000, alarms=50)
    with authed(sim) as client:
        alarms = client.get(f"{OSS}/devices/alarms", params={"pageSize": 1000}).json()["briefs"]
        open_one = next(a for a in alarms if not a["acked"])
        acked_one = next(a for a in alarms if a["acked"])
        uid = open_one["alarmUid"]
        first = client.post(f"{DX}/deviceAlarms/{uid.upper()}/acks", json={})
        assert first.status_code == 201
        again = client.post(f"{DX}/deviceAlarms/{uid}/acks")
        assert again.status_code == 200 and again.json() == first.json()
        assert client.post(f"{DX}/deviceAlarms/{acked_one['alarmUid']}/acks").status_code == 200
        assert_vendor_error(client.post(f"{DX}/deviceAlarms/{'0' * 24}/acks"), 404)

        body = {
            "connectorId": "actility-mqtt-iot",
            "name": "My MQTT connection",
            "configuration": {"hostName": "broker.example.com:8883", "uplinkTopicPattern": "up"},
        }
        created = client.post(f"{DX}/connections", json=body)
        assert created.status_code == 201, created.text
        assert_vendor_error(
            client.post(f"{DX}/connections", json={**body, "connectorId": "x"}), 400
        )
    assert ops(sim)["thingpark"] == {uid: {"ack": 1}, created.json()["id"]: {"create": 1}}


def test_iotda_devices_and_products_count_effective_changes_once(make_sim: MakeSim) -> None:
    sim = make_sim(devices=100)
    product = call(sim, "POST", "/products", body=thermometer_body(name="Counted"))
    assert product.status_code == 201, product.text
    product_id = product.json()["product_id"]
    assert call(sim, "POST", "/products", body=thermometer_body(name="Counted")).status_code == 409
    assert call(sim, "POST", "/products", body=thermometer_body(name="bad;name")).status_code == 400
    changed = call(sim, "PUT", f"/products/{product_id}", body={"description": "changed"})
    assert changed.status_code == 200
    again = {"description": "changed", "name": "Counted"}
    same = call(sim, "PUT", f"/products/{product_id}", body=again)
    assert same.status_code == 200 and same.json()["description"] == "changed"
    services = product.json()["service_capabilities"]
    resent = call(sim, "PUT", f"/products/{product_id}", body={"service_capabilities": services})
    assert resent.status_code == 200

    body = {"node_id": "counted-1", "product_id": product_id}
    device = call(sim, "POST", "/devices", body=body)
    assert device.status_code == 201, device.text
    device_id = device.json()["device_id"]
    assert call(sim, "POST", "/devices", body=body).status_code == 400  # IOTDA.014031
    assert call(sim, "POST", "/devices", body=body, sk="wrong").status_code == 401
    update = {"device_name": "Counted_device", "auth_info": {"timeout": 60}}
    assert call(sim, "PUT", f"/devices/{device_id}", body=update).status_code == 200
    assert call(sim, "PUT", f"/devices/{device_id}", body=update).status_code == 200
    assert call(sim, "PUT", f"/devices/{device_id}", body={}).status_code == 200
    assert call(sim, "PUT", f"/devices/{device_id}", body={"device_name": "x;"}).status_code == 400
    assert call(sim, "DELETE", f"/products/{product_id}").status_code == 409  # still used
    assert call(sim, "DELETE", f"/devices/{device_id}").status_code == 204
    assert call(sim, "DELETE", f"/devices/{device_id}").status_code == 404
    assert call(sim, "PUT", f"/devices/{device_id}", body=update).status_code == 404
    assert call(sim, "DELETE", f"/products/{product_id}").status_code == 204
    assert call(sim, "DELETE", f"/products/{product_id}").status_code == 404

    generated = call(sim, "GET", "/devices", {"limit": 1, "product_id": TRACKER_ID}).json()
    victim = generated["devices"][0]["device_id"]
    assert call(sim, "PUT", f"/devices/{victim}", body={"description": "moved"}).status_code == 200
    assert call(sim, "DELETE", f"/devices/{victim}").status_code == 204
    call(sim, "GET", "/devices")
    call(sim, "GET", "/products")

    assert ops(sim) == {
        "thingpark": {},
        "iotda": {
            product_id: {"create": 1, "update": 1, "delete": 1},
            device_id: {"create": 1, "update": 1, "delete": 1},
            victim: {"update": 1, "delete": 1},
        },
        "mythings": {},
        "telit": {},
    }


def test_reset_zeroes_every_counter(make_sim: MakeSim) -> None:
    sim = make_sim(devices=20, alarms=0)
    with authed(sim) as client:
        assert (
            client.post(f"{OSS}/devices", json=lorawan_body("70B3D5E756000999")).status_code == 201
        )
    node = {"node_id": "reset-1", "product_id": TRACKER_ID}
    assert call(sim, "POST", "/devices", body=node).status_code == 201
    assert ops(sim) != {"thingpark": {}, "iotda": {}, "mythings": {}, "telit": {}}
    reset(sim)
    assert ops(sim) == {"thingpark": {}, "iotda": {}, "mythings": {}, "telit": {}}
    # Counting starts again from zero, and the fleet itself is untouched by a reset.
    assert call(sim, "DELETE", f"/devices/{TRACKER_ID}_reset-1").status_code == 204
    assert ops(sim) == {
        "thingpark": {},
        "iotda": {f"{TRACKER_ID}_reset-1": {"delete": 1}},
        "mythings": {},
        "telit": {},
    }
