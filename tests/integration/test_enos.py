"""The EnOS adapter over real loopback MQTT against the simulator's embedded broker: the gateway's
login (good and bad), register 200 / 702 / 739, 1,500 sub-devices in two requests, attach and
topology, a reply that never comes, and a reconnect after the broker drops the connection."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tui.api.bulk import current_target
from tui.api.errors import ApiError
from tui.api.http import CallRecord
from tui.api.models import Created
from tui.api.platforms.enos import REGISTER_LIMIT, Enos
from tui.api.platforms.enos_forms import SubDeviceRegistration
from tui.sim.enos.broker import EnosBroker
from tui.sim.enos.data import (
    DEMO_SUB_DEVICES,
    GATEWAY_DEVICE_KEY,
    GATEWAY_PRODUCT_KEY,
    GATEWAY_SECRET,
    demo_registry,
)
from tui.sim.server import SimServer

SUB_PK1, SUB_PK2 = "fleetSubPK1", "fleetSubPK2"


def gateway(address: str, secret: str = GATEWAY_SECRET, **kwargs: Any) -> Enos:
    return Enos(address, GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY, secret, **kwargs)


def spec(product_key: str, device_key: str | None, **fields: Any) -> SubDeviceRegistration:
    return SubDeviceRegistration(
        product_key=product_key, device_key=device_key, name_default="n", **fields
    )


@pytest.fixture
def small_sim(make_sim: Callable[..., SimServer]) -> Callable[..., SimServer]:
    """A simulator with no LoRa fleet to build: EnOS's demo gateway only."""
    return lambda **knobs: make_sim(devices=0, alarms=0, **knobs)


@pytest.fixture
async def enos(small_sim: Callable[..., SimServer], tmp_path: Path) -> AsyncIterator[Enos]:
    platform = gateway(small_sim().mqtt_address, registry=tmp_path / "enos-registry.db")
    yield platform
    await platform.aclose()


async def test_the_gateway_logs_in_and_lists_the_demo_sub_devices(enos: Enos) -> None:
    page = await enos.list_devices()
    assert page.total == DEMO_SUB_DEVICES and not page.has_more
    assert {d.model for d in page.items} == {SUB_PK1, SUB_PK2}
    assert all(d.key == f"{d.model}/{d.eui}" for d in page.items)
    assert enos.session.connected
    detail = await enos.gateway_detail()
    fields = {f.label: f.value for s in detail.sections for f in s.fields}
    assert fields["sub-devices"] == str(DEMO_SUB_DEVICES)
    assert fields["connected"] == "yes" and fields["TLS"] == "off"
    # registered by the simulator, not by this console: the keys only, and it says so
    shown = await enos.get_device(page.items[0].key)
    assert "elsewhere" in str(shown.sections)


async def test_a_bad_secret_is_refused_at_connect(small_sim: Callable[..., SimServer]) -> None:
    platform = gateway(small_sim().mqtt_address, secret="not-the-gateway-secret")
    try:
        with pytest.raises(ApiError, match="bad credentials") as caught:
            await platform.topology()
        assert "not-the-gateway-secret" not in str(caught.value)
        assert "not-the-gateway-secret" not in repr(caught.value)
        assert not platform.session.connected
    finally:
        await platform.aclose()


async def test_register_attach_and_show_one_then_702_for_the_same_key(enos: Enos) -> None:
    records: list[CallRecord] = []
    enos.set_recorder(records.append)
    form = SubDeviceRegistration(
        product_key=SUB_PK1,
        device_key="pump-101",
        name_default="Pump 101",
        name_en_us="Pump 101",
        name_zh_cn="水泵 101",
        description="north well",
        timezone="+08:00",
        attributes="location=Shanghai\nfloor=2",
    )
    created = await enos.create_device("register", form)
    assert isinstance(created, Created) and created.key == f"{SUB_PK1}/pump-101"
    secret = created.secrets["deviceSecret"].get_secret_value()
    assert secret
    assert (SUB_PK1, "pump-101") in await enos.topology()  # attached at once

    shown = await enos.get_device(created.key)
    text = str(shown.model_dump())
    assert "水泵 101" in text and "+08:00" in text and "Shanghai" in text and "this console" in text
    assert secret not in text
    row = next(d for d in (await enos.list_devices()).items if d.key == created.key)
    assert row.name == "Pump 101" and row.connectivity == "+08:00" and row.connection

    with pytest.raises(ApiError) as caught:
        await enos.create_device("register", form)
    assert caught.value.code == "702" and caught.value.message == "DeviceKey existed"

    assert [(r.method, r.path.rsplit("/thing/", 1)[1], r.ok, r.code) for r in records] == [
        ("MQTT", "device/register", True, "200"),
        ("MQTT", "topo/add", True, "200"),
        ("MQTT", "device/register", False, "702"),
    ]
    assert all(secret not in str(r) and GATEWAY_SECRET not in str(r) for r in records)
    assert enos.scrub(f"echo {secret}") == "echo ***"


async def test_a_generated_device_key_and_the_audit_target(enos: Enos) -> None:
    records: list[CallRecord] = []
    enos.set_recorder(records.append)
    token = current_target.set("row-7")
    try:
        (result,) = await enos.register_sub_devices([spec(SUB_PK2, None, name_en_us="Meter")])
    finally:
        current_target.reset(token)
    assert result.ok and result.device_key and result.asset_id
    assert result.message == "registered and attached"
    assert {r.target for r in records} == {"row-7"}


async def test_past_the_product_maximum_739_per_sub_device(
    small_sim: Callable[..., SimServer],
) -> None:
    # 18 demo sub-devices per product: a maximum of 20 leaves room for two.
    platform = gateway(small_sim(enos_max_devices=20).mqtt_address)
    try:
        results = await platform.register_sub_devices([spec(SUB_PK1, f"cap-{n}") for n in range(4)])
    finally:
        await platform.aclose()
    assert [(r.ok, r.code) for r in results] == [
        (True, "200"),
        (True, "200"),
        (False, "739"),
        (False, "739"),
    ]
    assert results[2].message == "Exceed the product max device size"
    assert results[2].device_secret is None


async def test_1500_sub_devices_in_two_requests(
    small_sim: Callable[..., SimServer],
) -> None:
    platform = gateway(small_sim(enos_max_devices=5000).mqtt_address, reply_timeout=60)
    records: list[CallRecord] = []
    platform.set_recorder(records.append)
    try:
        specs = [spec(SUB_PK2, f"bulk-{n:04d}") for n in range(1500)]
        results = await platform.register_sub_devices(specs)
        assert len(results) == 1500 and all(r.ok for r in results)
        assert [r.device_key for r in results] == [s.device_key for s in specs]
        registers = [r for r in records if r.path.endswith("/device/register")]
        adds = [r for r in records if r.path.endswith("/topo/add")]
        assert len(registers) == 2 == len(adds)  # 1000 + 500 each
        assert REGISTER_LIMIT == 1000
        assert len(await platform.topology()) == DEMO_SUB_DEVICES + 1500
    finally:
        await platform.aclose()


async def test_detach_and_attach_again(enos: Enos) -> None:
    (result,) = await enos.register_sub_devices([spec(SUB_PK1, "roamer")])
    assert result.key is not None and result.device_secret is not None
    await enos.detach([result.key])
    assert (SUB_PK1, "roamer") not in await enos.topology()
    await enos.attach([(SUB_PK1, "roamer", result.device_secret)])
    assert (SUB_PK1, "roamer") in await enos.topology()
    with pytest.raises(ApiError) as caught:
        await enos.attach([(SUB_PK1, "roamer", "a-wrong-secret")])
    assert caught.value.code and "a-wrong-secret" not in str(caught.value)


async def test_a_reply_that_never_comes(small_sim: Callable[..., SimServer]) -> None:
    platform = gateway(small_sim(enos_silent=True).mqtt_address, reply_timeout=0.5)
    try:
        with pytest.raises(ApiError, match=r"EnOS did not answer thing\.topo\.get within 0\.5 s"):
            await platform.topology()
        assert platform.session.connected  # the connection itself is fine
        assert not platform.session._pending
    finally:
        await platform.aclose()


async def test_a_wait_can_be_cancelled(small_sim: Callable[..., SimServer]) -> None:
    platform = gateway(small_sim(enos_silent=True).mqtt_address, reply_timeout=30)
    try:
        await platform.session.connect()
        task = asyncio.create_task(platform.topology())
        while not platform.session._pending:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not platform.session._pending
    finally:
        await platform.aclose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_dropped_connection_fails_what_is_in_flight_then_reconnects() -> None:
    registry = demo_registry()
    port = _free_port()
    silent = EnosBroker(registry, port=port, silent=True)
    await asyncio.to_thread(silent.start)
    platform = gateway(f"mqtt://127.0.0.1:{port}", reply_timeout=30)
    answering = EnosBroker(registry, port=port)
    try:
        await platform.session.connect()
        waiting = asyncio.create_task(platform.topology())
        while not platform.session._pending:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(silent.stop)  # the broker goes away with the request in flight
        with pytest.raises(ApiError, match="dropped"):
            await waiting
        await asyncio.to_thread(answering.start)  # back on the same port
        assert len(await platform.topology()) == DEMO_SUB_DEVICES
        assert platform.session.connections == 2
    finally:
        await platform.aclose()
        await asyncio.to_thread(answering.stop)
        await asyncio.to_thread(silent.stop)


async def test_the_demo_profile_opens_from_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.config import demo_profiles
    from tui.secrets import SecretResolver
    from tui.session import EmbeddedSimulator, open_platform

    simulator = EmbeddedSimulator(devices=0, alarms=0)
    resolver = SecretResolver(keyring_timeout=0.2, environ={})
    try:
        # as the console does: opened in a thread worker, used on the event loop
        profile, platform = await asyncio.to_thread(
            open_platform, demo_profiles()["demo-enos"], resolver, simulator
        )
        assert isinstance(platform, Enos) and profile.base_url.startswith("mqtt://127.0.0.1:")
        async with platform:
            created = await platform.create_device("register", spec(SUB_PK1, "from-demo"))
            assert isinstance(created, Created)
            assert (await platform.get_device(created.key)).name == "n"
    finally:
        simulator.stop()


async def test_a_profile_keeps_its_registry_beside_the_journal(
    small_sim: Callable[..., SimServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.config import EnosProfile
    from tui.secrets import SecretResolver
    from tui.session import open_platform

    monkeypatch.setenv("FLEET_JOURNAL", str(tmp_path / "state" / "journal.db"))
    address = small_sim().mqtt_address
    profile = EnosProfile(
        name="gw",
        base_url=address,
        product_key=GATEWAY_PRODUCT_KEY,
        device_key=GATEWAY_DEVICE_KEY,
    )
    resolver = SecretResolver(
        keyring_timeout=0.2, environ={"FLEET_GW_DEVICE_SECRET": GATEWAY_SECRET}
    )
    _, platform = await asyncio.to_thread(open_platform, profile, resolver, None)  # type: ignore[arg-type]
    async with platform:
        assert isinstance(platform, Enos)
        await platform.register_sub_devices([spec(SUB_PK2, "kept", name_zh_cn="保留")])
    assert (tmp_path / "state" / "enos-registry.db").exists()
    # a new session on the same gateway still knows what this console registered
    _, again = await asyncio.to_thread(open_platform, profile, resolver, None)  # type: ignore[arg-type]
    async with again:
        assert isinstance(again, Enos)
        detail = await again.get_device(f"{SUB_PK2}/kept")
        assert "保留" in str(detail.sections) and "this console" in str(detail.sections)


async def test_no_log_line_carries_a_secret(enos: Enos, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    (result,) = await enos.register_sub_devices([spec(SUB_PK1, "quiet")])
    assert result.device_secret is not None
    secret = result.device_secret.get_secret_value()
    await enos.topology()
    assert secret not in caplog.text and GATEWAY_SECRET not in caplog.text


async def test_a_request_cuts_the_reconnection_backoff_short() -> None:
    port = _free_port()
    platform = gateway(f"mqtt://127.0.0.1:{port}", reply_timeout=5)
    platform.session._backoff = platform.session._backoff_cap = 600.0  # a wait nobody sits out
    broker = EnosBroker(demo_registry(), port=port)
    try:
        with pytest.raises(ApiError, match="cannot reach the broker"):
            await platform.topology()  # nothing listens yet: the session now backs off
        await asyncio.to_thread(broker.start)
        assert len(await platform.topology()) == DEMO_SUB_DEVICES
    finally:
        await platform.aclose()
        await asyncio.to_thread(broker.stop)
