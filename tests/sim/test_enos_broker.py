"""The EnOS broker over loopback MQTT: login at CONNECT, the topic ACL, the silent knob,
`/_sim/enos`, and how the embedded simulator hands its address to a demo profile."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from amqtt.errors import ConnectError

from tests.sim.enos_gateway import REPLY_GUARD_S, Gateway, connect, credentials, sub_device
from tui.config import demo_profiles
from tui.session import EmbeddedSimulator, resolve_base_url
from tui.sim import SimServer
from tui.sim.enos.data import GATEWAY_DEVICE_KEY, GATEWAY_PRODUCT_KEY, GATEWAY_SECRET

#: CONNACK's "not authorized".
NOT_AUTHORIZED = 5
#: SUBACK's failure return code.
SUBSCRIBE_FAILED = 0x80


def state(sim: SimServer) -> dict[str, Any]:
    return httpx.get(sim.base_url + "/_sim/enos").json()


async def test_the_demo_gateway_logs_in_and_lists_its_36_sub_devices(enos: SimServer) -> None:
    gateway = await Gateway.login(enos.mqtt_address)
    try:
        reply = await gateway.request("topo/get", {})
    finally:
        await gateway.close()
    assert reply["code"] == 200
    keys = {(d["productKey"], d["deviceKey"]) for d in reply["data"]}
    assert len(keys) == 36
    assert ("fleetSubPK1", "fleet-sub-01") in keys and ("fleetSubPK2", "fleet-sub-36") in keys


@pytest.mark.parametrize(
    "login",
    [
        pytest.param(
            credentials(GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY, "not-the-secret"), id="bad-sign"
        ),
        pytest.param(credentials(GATEWAY_PRODUCT_KEY, "ghost-gw", GATEWAY_SECRET), id="unknown"),
        pytest.param(
            credentials(GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY, GATEWAY_SECRET, timestamp="1000"),
            id="stale",
        ),
        pytest.param(
            (
                "fleet-gw-01",
                f"{GATEWAY_DEVICE_KEY}&{GATEWAY_PRODUCT_KEY}",
                credentials(GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY, GATEWAY_SECRET)[2],
            ),
            id="garbage-client-id",
        ),
    ],
)
async def test_a_bad_login_is_refused_at_connect(
    enos: SimServer, login: tuple[str, str, str]
) -> None:
    with pytest.raises(ConnectError) as refused:
        client = await connect(enos.mqtt_address, *login)
        await client.disconnect()
    assert refused.value.return_code == NOT_AUTHORIZED


async def test_the_sdks_hmacsha256_with_a_fractional_timestamp_logs_in(enos: SimServer) -> None:
    import time

    ts = f"{time.time() * 1000:.4f}"
    login = credentials(
        GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY, GATEWAY_SECRET, timestamp=ts, method="hmacsha256"
    )
    client = await connect(enos.mqtt_address, *login)
    await client.disconnect()


async def _second_gateway(sim: SimServer, first: Gateway) -> Gateway:
    """Register a device in the gateway product and log in as it: a gateway of its own."""
    reply = await first.request(
        "device/register", [sub_device("fleet-gw-02", product_key=GATEWAY_PRODUCT_KEY)]
    )
    assert reply["code"] == 200
    secret = reply["data"][0]["deviceSecret"]
    return await Gateway.login(sim.mqtt_address, GATEWAY_PRODUCT_KEY, "fleet-gw-02", secret)


async def test_a_gateway_cannot_use_another_gateways_topics(enos: SimServer) -> None:
    first = await Gateway.login(enos.mqtt_address)
    second = await _second_gateway(enos, first)
    try:
        codes = await second.client.subscribe([(first.prefix + "#", 1), ("#", 1)])
        assert codes == [SUBSCRIBE_FAILED, SUBSCRIBE_FAILED]
        # The second gateway registers under the first one's topic: the broker drops it.
        request = {"id": "x", "version": "1.1", "params": [sub_device("intruder-01")]}
        await second.client.publish(
            first.prefix + "device/register", json.dumps(request).encode(), qos=1
        )
        # Its next own request is answered, so the forbidden one was handled before it.
        assert (await second.request("topo/get", {}))["code"] == 200
    finally:
        await second.close()
        await first.close()
    devices = state(enos)["products"]["fleetSubPK1"]["devices"]
    assert "intruder-01" not in {d["deviceKey"] for d in devices}


async def test_silent_acts_on_a_request_but_never_replies(
    make_sim: Callable[..., SimServer],
) -> None:
    sim = make_sim(devices=0, alarms=0, enos_silent=True)
    gateway = await Gateway.login(sim.mqtt_address)
    try:
        request = {"id": "q", "version": "1.1", "params": [sub_device("quiet-01")]}
        await gateway.send("device/register", json.dumps(request).encode())
        while "quiet-01" not in {
            d["deviceKey"] for d in state(sim)["products"]["fleetSubPK1"]["devices"]
        }:
            await asyncio.sleep(0.01)
        await gateway.send("marker", b"{}")
        seen = []
        while not seen or seen[-1] != gateway.prefix + "marker":
            message = await gateway.client.deliver_message(timeout_duration=REPLY_GUARD_S)
            assert message is not None
            seen.append(message.topic)
    finally:
        await gateway.close()
    assert not [topic for topic in seen if topic.endswith("_reply")]


def test_sim_enos_shows_the_registry_and_topology_without_secrets(enos: SimServer) -> None:
    response = httpx.get(enos.base_url + "/_sim/enos")
    assert response.status_code == 200
    body = response.json()
    assert set(body["products"]) == {"fleetGwPK", "fleetSubPK1", "fleetSubPK2"}
    assert body["products"]["fleetSubPK1"]["count"] == 18
    assert body["products"]["fleetSubPK1"]["maxDevices"] == 1000
    first = body["products"]["fleetSubPK1"]["devices"][0]
    assert first["deviceName"]["i18nValue"]["zh_CN"]
    assert first["timezone"].startswith(("+", "-"))
    [topology] = body["topology"]
    assert (topology["productKey"], topology["deviceKey"]) == ("fleetGwPK", "fleet-gw-01")
    assert len(topology["subDevices"]) == 36
    assert "ecret" not in response.text
    assert GATEWAY_SECRET not in response.text


def test_the_enos_demo_profile_gets_the_brokers_address() -> None:
    simulator = EmbeddedSimulator(devices=0, alarms=0)
    try:
        profile = resolve_base_url(demo_profiles()["demo-enos"], simulator)
        assert profile.base_url == simulator.mqtt_address()
        assert profile.base_url.startswith("mqtt://127.0.0.1:")
        assert resolve_base_url(demo_profiles()["demo-thingpark"], simulator).base_url == (
            simulator.ensure()
        )
    finally:
        simulator.stop()
    assert not simulator.running


def test_a_busy_mqtt_port_is_an_oserror_and_stopping_leaves_no_thread() -> None:
    import socket
    import threading

    from tui.sim import SimConfig

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = SimServer(SimConfig(devices=0, alarms=0, mqtt_port=busy.getsockname()[1]))
        with pytest.raises(OSError, match="in use"):
            server.bind()
    server = SimServer(SimConfig(devices=0, alarms=0))
    server.start()
    assert any(t.name == "fleet-sim-mqtt" for t in threading.enumerate())
    server.stop()
    assert not any(t.name == "fleet-sim-mqtt" for t in threading.enumerate())
