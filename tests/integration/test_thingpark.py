"""The ThingPark adapter over real HTTP against the embedded simulator, faults included."""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

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
from tui.api.platforms.thingpark import ThingPark
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


class Counting(httpx.AsyncBaseTransport):
    """A real HTTP transport that records (method, path, status) of every request sent."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.calls: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self.calls.append((request.method, request.url.path, response.status_code))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def api_calls(self, method: str | None = None) -> list[tuple[str, str, int]]:
        return [
            c
            for c in self.calls
            if not c[1].endswith("/openid-connect/token") and (method is None or c[0] == method)
        ]


def connect(base_url: str, **kwargs: Any) -> ThingPark:
    secret = kwargs.pop("client_secret", THINGPARK_CLIENT_SECRET)
    return ThingPark(base_url, THINGPARK_CLIENT_ID, secret, **kwargs)


def fresh_eui() -> str:
    # An EUI under a prefix the generated fleet is unlikely to use, random so reruns never clash.
    return "F1EE7" + secrets.token_hex(6).upper()[:11]


@pytest.fixture
async def tp(sim: Any) -> AsyncIterator[ThingPark]:
    async with connect(sim.base_url) as platform:
        yield platform  # type: ignore[misc]


@pytest.fixture
async def small(make_sim: Any) -> AsyncIterator[ThingPark]:
    """A small fleet of its own, for tests that change things."""
    server = make_sim(devices=300, alarms=250, page_size=50)
    async with connect(server.base_url) as platform:
        yield platform  # type: ignore[misc]


async def _first_app_server(tp: ThingPark) -> str:
    connections = await tp.list_connections()
    app_servers = [c.key for c in connections if c.kind == "app-server"]
    assert app_servers, "the simulator has no application server to attach devices to"
    return app_servers[0]


# ---------------------------------------------------------------- devices


@pytest.mark.slow
async def test_walk_the_whole_fleet_once_in_eui_order(tp: ThingPark) -> None:
    keys: list[str] = []
    totals: list[int | None] = []
    async for page in walk(tp.list_devices):
        keys.extend(d.key for d in page.items)
        totals.append(page.total)
    assert totals[0] == 62804
    assert all(t is None for t in totals[1:])  # `count` comes with the first page only
    assert len(keys) == 62804
    assert len(set(keys)) == len(keys)
    assert keys == sorted(keys)


async def test_device_detail_of_a_listed_device(tp: ThingPark) -> None:
    page = await tp.list_devices()
    row = page.items[0]
    detail = await tp.get_device(row.key)
    assert detail.key == row.key
    assert detail.raw["EUI"] == row.key
    assert detail.sections[0].title == "Identity"
    labels = {f.label.split(".")[0].split("[")[0] for s in detail.sections for f in s.fields}
    assert labels == set(detail.raw)
    for field in (f for s in detail.sections for f in s.fields):
        if field.label in {"appKey", "nwKey", "appKeys"}:
            assert field.secret


async def test_lorawan_device_create_read_update_delete(small: ThingPark) -> None:
    tp = small
    models = await tp.device_models("LORAWAN")
    assert models and all(m.key for m in models)
    server = await _first_app_server(tp)
    eui = fresh_eui()
    spec = LoRaWanDeviceCreate(
        name="itest lorawan",
        eui=eui,
        app_key=secrets.token_hex(16).upper(),
        model_key=models[0].key,
        connection_keys=[server],
    )
    created = await tp.create_lorawan_device(spec)
    assert created.key == eui
    read = await tp.get_device(eui)
    assert read.name == "itest lorawan"
    assert read.raw.get("connectivity") == "LORAWAN"
    secret_fields = [f for s in read.sections for f in s.fields if f.label == "appKey"]
    assert all(f.secret for f in secret_fields)

    updated = await tp.update_device(eui, DeviceUpdate(name="itest renamed"))
    assert updated.name == "itest renamed"
    assert (await tp.get_device(eui)).name == "itest renamed"

    await tp.delete_device(eui)
    with pytest.raises(ApiError) as info:
        await tp.get_device(eui)
    assert info.value.status == 404


async def test_cellular_device_create_read_update_delete(small: ThingPark) -> None:
    tp = small
    models = await tp.device_models("CELLULAR")
    plans = await tp.connectivity_plans("CELLULAR")
    contexts = await tp.network_contexts()
    assert models and plans and contexts
    server = await _first_app_server(tp)
    sim_id = "8920801" + "".join(str(secrets.randbelow(10)) for _ in range(13))
    spec = CellularDeviceCreate(
        name="itest cellular",
        model_key=models[0].key,
        plan_key=plans[0].key,
        network_context_key=contexts[0].key,
        connection_keys=[server],
        sim_id=sim_id,
        imei="123456789012347",
    )
    created = await tp.create_cellular_device(spec)
    assert created.key  # the platform assigned the EUI
    assert created.raw.get("connectivity", "CELLULAR") == "CELLULAR"
    read = await tp.get_device(created.key)
    assert read.raw["sim"]["ID"] == sim_id
    updated = await tp.update_device(created.key, DeviceUpdate(name="itest cellular 2"))
    assert updated.name == "itest cellular 2"
    await tp.delete_device(created.key)
    with pytest.raises(ApiError) as info:
        await tp.get_device(created.key)
    assert info.value.status == 404


async def test_validation_errors_carry_the_vendor_code_and_message(small: ThingPark) -> None:
    tp = small
    models = await tp.device_models("LORAWAN")
    server = await _first_app_server(tp)
    good = {
        "name": "itest invalid",
        "eui": fresh_eui(),
        "app_key": secrets.token_hex(16).upper(),
        "model_key": models[0].key,
        "connection_keys": [server],
        "app_eui": None,
    }

    # Built without validation, to see the platform refuse what the form would have caught.
    bad_key = LoRaWanDeviceCreate.model_construct(**{**good, "app_key": "XYZ"})
    with pytest.raises(ApiError) as info:
        await tp.create_lorawan_device(bad_key)
    assert info.value.status == 400
    assert info.value.code and info.value.message

    unknown_model = LoRaWanDeviceCreate(**{**good, "model_key": "NOPE/NoSuchModel"})
    with pytest.raises(ApiError) as info:
        await tp.create_lorawan_device(unknown_model)
    assert info.value.status in {400, 404}
    assert info.value.code and info.value.message

    existing = (await tp.list_devices()).items[0].key
    duplicate = LoRaWanDeviceCreate(**{**good, "eui": existing})
    with pytest.raises(ApiError) as info:
        await tp.create_lorawan_device(duplicate)
    assert info.value.status in {400, 409}
    assert info.value.code and info.value.message


# ---------------------------------------------------------------- traffic


async def test_traffic_history(tp: ThingPark) -> None:
    eui = (await tp.list_devices()).items[0].key
    week = await tp.traffic(eui, duration="P7D", step="P1D", timezone="Europe/Paris")
    assert 7 <= len(week) <= 8
    assert [b.start for b in week] == sorted(b.start for b in week)
    assert all(b.start.tzinfo is not None for b in week)
    assert all(b.up >= 0 and b.down >= 0 and b.up_lost >= 0 for b in week)
    day = await tp.traffic(eui, duration="P1D", step="PT1H", timezone="UTC")
    assert 24 <= len(day) <= 25
    assert [b.start for b in day] == sorted(b.start for b in day)


# ---------------------------------------------------------------- alarms


async def test_alarm_paging_and_acknowledgement(small: ThingPark) -> None:
    tp = small
    keys: list[str] = []
    first_total: int | None = None
    async for page in walk(tp.list_alarms):
        if first_total is None:
            first_total = page.total
        keys.extend(a.key for a in page.items)
    assert first_total == 250
    assert len(keys) == 250 == len(set(keys))
    assert keys == sorted(keys, reverse=True)  # sort=alarmUid,desc: newest first

    page = await tp.list_alarms()
    target = next(a for a in page.items if not a.acknowledged)
    await tp.acknowledge_alarm(target.key)
    again = {a.key: a for a in (await tp.list_alarms()).items}
    assert again[target.key].acknowledged

    if target.device_key:
        mine = await tp.list_alarms(device_key=target.device_key)
        assert mine.items
        assert {a.device_key for a in mine.items} == {target.device_key}


# ---------------------------------------------------------------- connections, multicast, downlink


async def test_connections_list_and_create_both_kinds(small: ThingPark) -> None:
    tp = small
    before = await tp.list_connections()
    https = await tp.create_basic_https_connection(
        BasicHttpsConnectionCreate(
            name="itest https",
            url="https://www.example.com/myApp",
            as_key=secrets.token_hex(16).upper(),
        )
    )
    assert https.kind == "app-server"
    assert https.key
    flow = await tp.create_iot_flow_connection(
        IotFlowMqttConnectionCreate(
            name="itest mqtt",
            host="broker.example.com:8883",
            uplink_topic="mqtt/things/{DevEUI}/uplink",
            downlink_topic="mqtt/things/{DevEUI}/downlink",
            username="mycompany",
            password="bar",
        )
    )
    assert flow.kind == "iot-flow"
    assert flow.key
    assert flow.state == "OPENED"
    after = await tp.list_connections()
    keys = {(c.kind, c.key) for c in after}
    assert ("app-server", https.key) in keys
    assert ("iot-flow", flow.key) in keys
    assert len(after) >= len(before) + 2


async def test_multicast_group(small: ThingPark) -> None:
    tp = small
    server = await _first_app_server(tp)
    eui = fresh_eui()
    key = await tp.create_multicast_group(
        MulticastGroupCreate(
            name="itest multicast",
            eui=eui,
            dev_addr=secrets.token_hex(4).upper(),
            nwk_skey=secrets.token_hex(16).upper(),
            app_skey=secrets.token_hex(16).upper(),
            device_class="C",
            downlink_data_rate=5,
            downlink_frequency_mhz=869.525,
            base_station_tags=["tag1"],
            connection_keys=[server],
        )
    )
    assert key == eui
    group = await tp.get_device(eui)
    assert group.name == "itest multicast"


async def test_downlink(small: ThingPark) -> None:
    tp = small
    eui = (await tp.list_devices()).items[0].key
    await tp.send_downlink(eui, Downlink(payload_hex="01AB", fport=2, confirmed=True))
    with pytest.raises(ApiError) as info:
        await tp.send_downlink("00000000DEADBEEF", Downlink(payload_hex="01", fport=2))
    assert info.value.status == 404


# ---------------------------------------------------------------- faults


async def test_server_errors_after_get_retries(make_sim: Any) -> None:
    server = make_sim(fail_rate=1.0, devices=100)
    counting = Counting()
    async with connect(server.base_url, transport=counting, retry=FAST) as tp:
        with pytest.raises(ApiError) as info:
            await tp.list_devices()
    assert info.value.status in {500, 503}
    assert info.value.code and info.value.message
    gets = counting.api_calls("GET")
    # A 503 is retried up to the policy's attempts; a 500 is not (the server may be broken).
    assert 1 <= len(gets) <= FAST.attempts
    if len(gets) > 1:
        assert all(status == 503 for _, _, status in gets[:-1])


async def test_post_is_not_retried_after_a_server_error(make_sim: Any) -> None:
    server = make_sim(fail_rate=1.0, devices=100)
    counting = Counting()
    statuses: list[int | None] = []
    async with connect(server.base_url, transport=counting, retry=FAST) as tp:
        # The simulator answers 500 or 503 at random; try until a 500 came back.
        for _ in range(30):
            sent = len(counting.api_calls("POST"))
            with pytest.raises(ApiError) as info:
                await tp.send_downlink("70B3D5E756000999", Downlink(payload_hex="01", fport=2))
            statuses.append(info.value.status)
            if info.value.status is not None and info.value.status < 500:
                pytest.fail(f"the token or the call failed early: {info.value}")
            assert len(counting.api_calls("POST")) == sent + 1  # never sent twice
            if info.value.status == 500:
                break
    assert 500 in statuses


async def test_rate_limit_is_waited_out(make_sim: Any) -> None:
    server = make_sim(rate_limit=5, devices=100)
    counting = Counting()
    async with connect(server.base_url, transport=counting) as tp:
        for _ in range(20):
            page = await tp.list_devices()
            assert page.items
    assert any(status == 429 for _, _, status in counting.calls), "no 429 seen; rate limit idle"


async def test_rate_limit_with_a_long_retry_after_reaches_the_caller(make_sim: Any) -> None:
    server = make_sim(rate_limit=1, devices=100)
    # Waiting longer than max_retry_after is not done: the 429 reaches the caller.
    policy = RetryPolicy(attempts=3, base_delay=0.01, max_retry_after=0.0)
    async with connect(server.base_url, retry=policy) as tp:
        with pytest.raises(ApiError) as info:
            for _ in range(30):
                await tp.list_devices()
    assert info.value.status == 429


async def test_expired_token_is_refreshed(make_sim: Any) -> None:
    server = make_sim(token_ttl=2, devices=100)
    async with connect(server.base_url) as tp:
        await tp.list_devices()
        first = tp.auth.fetches
        await asyncio.sleep(2.5)
        await tp.list_devices()
        assert tp.auth.fetches > first


async def test_token_rejected_by_the_server_is_refreshed_on_401(
    make_sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_sim(token_ttl=2, devices=100)
    async with connect(server.base_url) as tp:
        # No early refresh: the token is used until the server itself refuses it with a 401.
        monkeypatch.setattr(tp.auth, "_margin", 0.0)
        monkeypatch.setattr(tp.auth, "_clock", lambda: 0.0)
        await tp.list_devices()
        assert tp.auth.fetches == 1
        await asyncio.sleep(2.5)
        await tp.list_devices()
        assert tp.auth.fetches == 2


async def test_wrong_secret_is_a_401_without_the_secret(sim: Any) -> None:
    wrong = "not-the-secret-" + secrets.token_hex(8)
    async with connect(sim.base_url, client_secret=wrong) as tp:
        with pytest.raises(ApiError) as info:
            await tp.list_devices()
        assert wrong not in repr(tp)
    assert info.value.status == 401
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value)
    assert THINGPARK_CLIENT_SECRET not in str(info.value)


async def test_dead_port_is_a_network_error_quickly() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    async with connect(f"http://127.0.0.1:{port}", retry=FAST) as tp:
        with pytest.raises(ApiError) as info:
            await tp.list_devices()
    assert info.value.status is None
    assert info.value.is_network
    assert time.monotonic() - started < 5
    assert THINGPARK_CLIENT_SECRET not in str(info.value)


async def test_the_catalogues_are_read_to_their_last_page(make_sim: Any) -> None:
    """The simulator pages its catalogues as the vendor does; the adapter reads every page, so
    three to a page gives what one page of a thousand gives."""
    many = make_sim(devices=10, alarms=0, page_size=1000)
    few = make_sim(devices=10, alarms=0, page_size=3)
    async with connect(many.base_url) as whole, connect(few.base_url) as paged:
        for connectivity in ("LORAWAN", "CELLULAR"):
            models = await paged.device_models(connectivity)
            assert models == await whole.device_models(connectivity)
            assert len(models) > 3
            assert await paged.connectivity_plans(connectivity) == await whole.connectivity_plans(
                connectivity
            )
        assert await paged.network_contexts() == await whole.network_contexts()
        connections = await paged.list_connections()
        assert connections == await whole.list_connections()
        assert len({c.key for c in connections}) == len(connections)  # twins listed once
        choices = await paged._app_server_choices()  # the IoT Flow twins too: devices use them
        assert len(choices) == len(await whole._app_server_choices()) == len(connections) > 3
