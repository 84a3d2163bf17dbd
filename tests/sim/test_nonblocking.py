"""A request that scans a ten-million-device fleet never holds up the others (ordering, not timing)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.sim.test_iotda_sim import BASE, sign
from tests.sim.test_thingpark_sim import OSS, get_token
from tui.sim import SimServer
from tui.sim.iotda.catalog import THERMOMETER_ID
from tui.sim.iotda.data import Project
from tui.sim.thingpark.data import Fleet

TEN_MILLION = 10_000_000


def signal_when_called(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> threading.Event:
    """An event set as soon as `cls.name` is called (by the simulator's thread)."""
    called = threading.Event()
    original = getattr(cls, name)

    def spy(self: Any, *args: Any) -> Any:
        called.set()
        return original(self, *args)

    monkeypatch.setattr(cls, name, spy)
    return called


async def finishing_order(
    scan: Callable[[], Any], plain: Callable[[], Any], scanning: threading.Event
) -> list[str]:
    """Start `scan`, wait until the simulator is scanning, then run `plain` to its end: the order
    in which the two requests finished by then. The scan is then abandoned."""
    finished: list[str] = []

    async def run(label: str, request: Callable[[], Any]) -> None:
        response = await request()
        assert response.status_code == 200, response.text
        finished.append(label)

    scanner = asyncio.create_task(run("scan", scan))
    assert await asyncio.to_thread(scanning.wait, 120)
    await run("plain", plain)
    scanner.cancel()  # closes its connection: the simulator drops the scan at its next slice
    return finished


async def test_a_name_filter_over_ten_million_devices_does_not_hold_up_a_plain_list(
    make_sim: Callable[..., SimServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    scanning = signal_when_called(monkeypatch, Fleet, "name_of")
    server = make_sim(devices=TEN_MILLION, alarms=0)
    with httpx.Client(base_url=server.base_url) as bare:
        auth = {"Authorization": f"Bearer {get_token(bare)}"}
    async with (
        httpx.AsyncClient(base_url=server.base_url, headers=auth, timeout=None) as one,
        httpx.AsyncClient(base_url=server.base_url, headers=auth, timeout=None) as other,
    ):
        order = await finishing_order(
            lambda: one.get(f"{OSS}/devices", params={"sort": "EUI,asc", "name": "no-such-name"}),
            lambda: other.get(f"{OSS}/devices", params={"sort": "EUI,asc"}),
            scanning,
        )
    assert order == ["plain"]


async def test_a_product_count_over_ten_million_devices_does_not_hold_up_a_plain_list(
    make_sim: Callable[..., SimServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    scanning = signal_when_called(monkeypatch, Project, "product_counts")
    server = make_sim(devices=TEN_MILLION, alarms=0)

    def signed_get(client: httpx.AsyncClient, query: str) -> Any:
        url = f"{server.base_url}{BASE}/devices?{query}"
        return client.get(url, headers=sign("GET", url))

    async with httpx.AsyncClient(timeout=None) as one, httpx.AsyncClient(timeout=None) as other:
        order = await finishing_order(
            lambda: signed_get(one, f"limit=1&product_id={THERMOMETER_ID}"),
            lambda: signed_get(other, "limit=1"),
            scanning,
        )
    assert order == ["plain"]
