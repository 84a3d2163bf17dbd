"""Sub-device registration over loopback MQTT: 200, a generated deviceKey, 702, 739, 714 and
the request checks the vendor page asks for."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.sim.enos_gateway import Gateway, sub_device
from tui.sim import SimServer
from tui.sim.enos.registry import KeyGenerationFailed, Registry


def devices(sim: SimServer, product_key: str = "fleetSubPK1") -> dict[str, dict[str, Any]]:
    body = httpx.get(sim.base_url + "/_sim/enos").json()
    return {d["deviceKey"]: d for d in body["products"][product_key]["devices"]}


async def test_register_issues_an_asset_id_and_a_secret(enos: SimServer, gateway: Gateway) -> None:
    reply = await gateway.request(
        "device/register", [sub_device("meter-01"), sub_device("meter-02", "fleetSubPK2")]
    )
    assert reply["code"] == 200
    first, second = reply["data"]
    assert (first["productKey"], first["deviceKey"]) == ("fleetSubPK1", "meter-01")
    assert (second["productKey"], second["deviceKey"]) == ("fleetSubPK2", "meter-02")
    assert first["assetId"] and first["deviceSecret"] and first["assetId"] != second["assetId"]
    shown = devices(enos)["meter-01"]
    assert shown["assetId"] == first["assetId"]
    assert shown["deviceName"]["i18nValue"] == {"en_US": "Meter", "zh_CN": "电表"}
    assert shown["timezone"] == "+08:00"


async def test_a_missing_device_key_is_generated(enos: SimServer, gateway: Gateway) -> None:
    reply = await gateway.request("device/register", [sub_device(None), sub_device(None)])
    assert reply["code"] == 200
    keys = [d["deviceKey"] for d in reply["data"]]
    assert all(keys) and keys[0] != keys[1]
    assert set(keys) <= set(devices(enos))


async def test_an_existing_device_key_is_702_and_the_others_are_registered(
    enos: SimServer, gateway: Gateway
) -> None:
    reply = await gateway.request(
        "device/register", [sub_device("fleet-sub-01"), sub_device("meter-new")]
    )
    assert reply["code"] == 702
    assert "DeviceKey existed" in reply["message"] and "fleet-sub-01" in reply["message"]
    assert [d["deviceKey"] for d in reply["data"]] == ["meter-new"]
    again = await gateway.request("device/register", [sub_device("meter-new")])
    assert (again["code"], again["data"]) == (702, [])


async def test_past_the_products_maximum_is_739(make_sim: Callable[..., SimServer]) -> None:
    sim = make_sim(devices=0, alarms=0, enos_max_devices=20)  # the demo has 18 per product
    gateway = await Gateway.login(sim.mqtt_address)
    try:
        reply = await gateway.request(
            "device/register", [sub_device("m-19"), sub_device("m-20"), sub_device("m-21")]
        )
    finally:
        await gateway.close()
    assert reply["code"] == 739
    assert "Exceed the product max device size" in reply["message"]
    assert [d["deviceKey"] for d in reply["data"]] == ["m-19", "m-20"]
    assert "m-21" not in devices(sim)


def test_no_free_generated_key_is_714() -> None:
    registry = Registry(key_source=lambda rng: "always-the-same")
    registry.add_product("pk")
    name = {"defaultValue": "x"}
    registry.register("pk", None, name=name, timezone="+00:00")
    with pytest.raises(KeyGenerationFailed):
        registry.register("pk", None, name=name, timezone="+00:00")
    # and the reply code for it
    from tui.sim.enos.responder import respond

    request = {"id": "1", "method": "thing.device.register", "params": [sub_device(None, "pk")]}
    topic, body = respond(registry, "/sys/g/w/thing/device/register", json.dumps(request).encode())
    reply = json.loads(body)
    assert topic == "/sys/g/w/thing/device/register_reply"
    assert (reply["id"], reply["code"], reply["data"]) == ("1", 714, [])
    assert "Generate deviceKey failed" in reply["message"]


def test_generated_keys_are_distinct() -> None:
    registry = Registry(seed=3)
    registry.add_product("pk")
    keys = {
        registry.register("pk", None, name={"defaultValue": "x"}, timezone="+00:00").device_key
        for _ in range(50)
    }
    assert len(keys) == 50


BAD_ENTRIES = [
    pytest.param(sub_device("t-1", timezone="UTC+8"), "timezone", id="timezone-not-offset"),
    pytest.param(sub_device("t-2", timezone="+25:00"), "timezone", id="timezone-out-of-range"),
    pytest.param(sub_device("t-3", product_key="noSuchPK"), "productKey", id="unknown-product"),
    pytest.param(
        sub_device("t-4", deviceName={"i18nValue": {"zh_CN": "电表"}}),
        "deviceName",
        id="zh-only-name",
    ),
    pytest.param({"timezone": "+08:00", "productKey": "fleetSubPK1"}, "deviceName", id="no-name"),
]


@pytest.mark.parametrize(("entry", "field"), BAD_ENTRIES)
async def test_an_invalid_entry_refuses_the_whole_request(
    enos: SimServer, gateway: Gateway, entry: dict[str, Any], field: str
) -> None:
    reply = await gateway.request("device/register", [sub_device("fine-01"), entry])
    assert reply["code"] == 1220
    assert field in reply["message"] and "params[1]" in reply["message"]
    assert "fine-01" not in devices(enos)


async def test_an_english_name_alone_is_enough(gateway: Gateway) -> None:
    entry = sub_device("en-only", deviceName={"i18nValue": {"en_US": "Meter"}})
    assert (await gateway.request("device/register", [entry]))["code"] == 200


async def test_more_than_1000_per_request_is_refused(enos: SimServer, gateway: Gateway) -> None:
    entries = [sub_device(f"bulk-{n}") for n in range(1001)]
    reply = await gateway.request("device/register", entries)
    assert reply["code"] == 1220 and "1000" in reply["message"]
    assert "bulk-0" not in devices(enos)


async def test_exactly_1000_per_request_is_answered(enos: SimServer, gateway: Gateway) -> None:
    entries = [sub_device(f"bulk-{n}", product_key="fleetSubPK2") for n in range(982)]
    reply = await gateway.request("device/register", entries)
    assert reply["code"] == 200 and len(reply["data"]) == 982  # 18 demo + 982 = the maximum


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        pytest.param(b"{not json", 1220, id="malformed"),
        pytest.param(b"[1, 2]", 1220, id="not-an-object"),
        pytest.param(b"", 1251, id="empty"),
    ],
)
async def test_an_unreadable_payload_gets_the_common_code(
    gateway: Gateway, payload: bytes, code: int
) -> None:
    await gateway.send("device/register", payload)
    reply = await gateway.reply()
    assert reply["topic"] == gateway.prefix + "device/register_reply"
    assert (reply["code"], reply["id"]) == (code, None)


async def test_a_method_that_is_not_the_topics_is_1260(gateway: Gateway) -> None:
    reply = await gateway.request("device/register", [sub_device("m")], method="thing.topo.add")
    assert reply["code"] == 1260
