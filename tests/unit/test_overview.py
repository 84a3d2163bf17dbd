"""The overview's figures and search over the capability interfaces, with platforms made here."""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import BaseModel

from tui.api.errors import ApiError
from tui.api.forms import FormSpec, KeySpec
from tui.api.models import Alarm, Connection, DeviceDetail, DeviceSummary
from tui.api.overview import (
    Count,
    connections_by_health,
    device_count,
    figures,
    find_devices,
    health_text,
    unacknowledged_alarms,
)
from tui.api.paging import Page
from tui.api.platform import Alarms, Connections, DeviceDirectory, Platform, lookup_fits
from tui.screens.overview import BACKOFF_MAX, backoff


class Bare(Platform):
    """A platform with no capability at all: it cannot tell any figure."""

    name = "bare"
    title = "Bare"

    async def aclose(self) -> None:
        return


class Directory(Bare, DeviceDirectory):
    """Devices `d0`…, `per_page` a page; `total` on the first page when the vendor counts."""

    DEVICE_KEY = KeySpec("device id", r"d\d+")

    def __init__(self, count: int, per_page: int = 10, *, counts: bool = True) -> None:
        self.devices = [DeviceSummary(key=f"d{i}", name=f"Meter {i}") for i in range(count)]
        self.per_page = per_page
        self.counts = counts
        self.asked: list[str] = []

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        if query is not None:
            self.asked.append(f"query {query}")
            return Page(items=[d for d in self.devices if d.name == query])
        start = int(cursor or 0)
        end = start + self.per_page
        more = end < len(self.devices)
        return Page(
            items=self.devices[start:end],
            cursor=str(end) if more else None,
            total=len(self.devices) if self.counts and start == 0 else None,
        )

    async def get_device(self, key: str) -> DeviceDetail:
        self.asked.append(f"get {key}")
        for device in self.devices:
            if device.key == key:
                return DeviceDetail(key=key, name=device.name, summary=device, sections=[], raw={})
        raise ApiError(self.name, "Device not found", status=404)

    async def delete_device(self, key: str) -> None:
        raise NotImplementedError


class NamedDirectory(Directory):
    SERVER_LOOKUP = "name"
    LOOKUPS = ("key", "name")


class CellularDirectory(NamedDirectory):
    """Devices that also carry an IMEI (`35…` + index) and an ICCID (`8932…` + index); every
    look-up waits `delay` seconds, to show that they are asked at once."""

    LOOKUPS = ("key", "name", "imei", "iccid")

    def __init__(self, count: int, delay: float = 0.0) -> None:
        super().__init__(count)
        self.delay = delay
        self.imeis = {f"35{i:013d}": f"d{i}" for i in range(count)}
        self.iccids = {f"8932{i:016d}": f"d{i}" for i in range(count)}

    async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
        await asyncio.sleep(self.delay)
        if by in ("imei", "iccid"):
            self.asked.append(f"{by} {text}")
            table = self.imeis if by == "imei" else self.iccids
            return [d for d in self.devices if d.key == table.get(text)]
        return await super().find_devices(text, by=by)


class Alarming(Bare, Alarms):
    """`count` alarms, every third one acknowledged, `per_page` a page."""

    def __init__(self, count: int, per_page: int = 10) -> None:
        self.alarms = [Alarm(key=f"a{i}", acknowledged=i % 3 == 0) for i in range(count)]
        self.per_page = per_page

    async def list_alarms(
        self, cursor: str | None = None, *, device_key: str | None = None
    ) -> Page[Alarm]:
        start = int(cursor or 0)
        end = start + self.per_page
        return Page(
            items=self.alarms[start:end], cursor=str(end) if end < len(self.alarms) else None
        )

    async def acknowledge_alarm(self, key: str) -> None:
        raise NotImplementedError


class Events(Alarming):
    ACKNOWLEDGES = False


class Connected(Bare, Connections):
    def __init__(self, healths: list[tuple[str | None, str | None]]) -> None:
        self.connections = [
            Connection(key=str(i), name=str(i), kind="x", health=h, state=s)
            for i, (h, s) in enumerate(healths)
        ]

    async def list_connections(self) -> list[Connection]:
        return self.connections

    def connection_forms(self) -> list[FormSpec]:
        return []

    async def create_connection(self, form: str, values: BaseModel) -> Connection:
        raise NotImplementedError


class Failing(Directory):
    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        raise ApiError(self.name, "Service unavailable", status=503)

    async def get_device(self, key: str) -> DeviceDetail:
        raise ApiError(self.name, "Service unavailable", status=503)


async def test_a_platform_without_a_capability_tells_nothing() -> None:
    known = await figures(Bare())
    assert (known.devices, known.unacknowledged, known.connections) == (None, None, None)
    assert health_text(known.connections) == "—"
    assert await find_devices(Bare(), "d1") == []


async def test_the_device_count_is_the_first_pages_total() -> None:
    assert await device_count(Directory(95)) == Count(95)
    # No total, but the whole list in one page: it counts itself.
    assert await device_count(Directory(7, counts=False)) == Count(7)
    # No total and more pages: at least the first page.
    count = await device_count(Directory(95, counts=False))
    assert count == Count(10, exact=False) and str(count) == "≥10"


async def test_unacknowledged_alarms_are_counted_over_the_pages_up_to_a_cap() -> None:
    assert await unacknowledged_alarms(Alarming(25)) == Count(16)  # 25 less a0, a3 … a24
    capped = await unacknowledged_alarms(Alarming(100), max_pages=2)
    assert capped == Count(13, exact=False)
    assert await unacknowledged_alarms(Alarming(20), max_pages=2) == Count(13)
    # Events nobody acknowledges: the platform cannot tell.
    assert await unacknowledged_alarms(Events(25)) is None


async def test_connections_by_health_or_else_state_most_first() -> None:
    counts = await connections_by_health(
        Connected([("ACTIVE", None), (None, "suspended"), ("ACTIVE", "x"), (None, None)])
    )
    assert counts == {"ACTIVE": 2, "suspended": 1, "unknown": 1}
    assert health_text(counts) == "2 ACTIVE, 1 suspended, 1 unknown"
    assert health_text({}) == "none"
    # narrow: the commonest state in three letters and how many are in the others
    assert health_text(counts, short=True) == "2 ACT +2"
    assert health_text({"active": 1_234}, short=True) == "1,234 act"
    assert health_text(None, short=True) == "—"


def test_counts_read_as_numbers() -> None:
    assert str(Count(62804)) == "62,804"


async def test_search_uses_the_key_where_there_is_no_server_lookup() -> None:
    platform = Directory(30)
    found = await find_devices(platform, " d12 ")
    assert [d.key for d in found] == ["d12"]
    assert platform.asked == ["get d12"]
    # Not a key of the platform's form: nothing is asked at all.
    assert await find_devices(platform, "Meter 12") == []
    assert platform.asked == ["get d12"]
    # A key it does not know (404) finds nothing, quietly.
    assert await find_devices(platform, "d99") == []


async def test_search_asks_the_server_lookup_and_the_key_once_each() -> None:
    platform = NamedDirectory(30)
    found = await find_devices(platform, "Meter 3")
    assert [d.key for d in found] == ["d3"] and platform.asked == ["query Meter 3"]
    platform.asked.clear()
    found = await find_devices(platform, "d4")
    assert [d.key for d in found] == ["d4"]
    assert sorted(platform.asked) == ["get d4", "query d4"]
    assert await find_devices(platform, "   ") == []


async def test_a_platform_without_a_lookup_is_not_asked_it_nor_walked() -> None:
    platform = NamedDirectory(30)
    # An IMEI: this platform looks up keys and names only, and its list is not walked.
    assert await find_devices(platform, "350000000000003") == []
    assert platform.asked == ["query 350000000000003"]


async def test_every_lookup_is_asked_at_once_and_merged_by_key() -> None:
    platform = CellularDirectory(30, delay=0.2)
    started = time.perf_counter()
    found = await find_devices(platform, "350000000000007")
    assert time.perf_counter() - started < 0.6  # four look-ups of 0.2 s, not one after another
    assert [d.key for d in found] == ["d7"]
    # Not a key, not an ICCID: only the name and the IMEI are asked.
    assert sorted(platform.asked) == ["imei 350000000000007", "query 350000000000007"]
    platform.asked.clear()
    assert [d.key for d in await find_devices(platform, "89320000000000000012")] == ["d12"]
    assert sorted(platform.asked) == ["iccid 89320000000000000012", "query 89320000000000000012"]


async def test_a_device_found_by_two_lookups_is_listed_once() -> None:
    platform = CellularDirectory(30)
    platform.devices[5] = DeviceSummary(key="d5", name="d5")  # its name is its key
    found = await find_devices(platform, "d5")
    assert [d.key for d in found] == ["d5"]
    assert sorted(platform.asked) == ["get d5", "query d5"]


def test_identifier_forms() -> None:
    assert lookup_fits("imei", "350000000000007") and not lookup_fits("imei", "35-0")
    assert lookup_fits("iccid", "8932000000000000001F") and not lookup_fits("iccid", "123")
    assert lookup_fits("name", "any text") and not lookup_fits("name", "")


async def test_a_failing_platform_raises_its_error() -> None:
    with pytest.raises(ApiError, match="503"):
        await find_devices(Failing(3), "d1")
    with pytest.raises(ApiError):
        await figures(Failing(3))


async def test_when_one_lookup_fails_the_others_stop_too() -> None:
    class HalfBroken(CellularDirectory):
        finished: list[str] = []

        async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
            if by == "name":
                raise ApiError(self.name, "Service unavailable", status=503)
            await asyncio.sleep(0.2)
            self.finished.append(by)
            return []

    with pytest.raises(ApiError, match="503"):
        await find_devices(HalfBroken(3), "350000000000001")  # name and IMEI asked
    await asyncio.sleep(0.3)
    assert HalfBroken.finished == []  # the IMEI look-up was cancelled, not left running


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [5.0, 10.0, 20.0, 40.0]
    assert backoff(30) == BACKOFF_MAX


def test_the_overview_service_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tui.api.overview\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
