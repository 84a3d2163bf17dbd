"""The fleet overview's figures and search: what one opened platform can tell through its
capabilities (device count, unacknowledged alarms, connections by health), and where a device
lives, asked of every platform with its own server-side look-up.

Written over the capability interfaces only: a platform without a capability cannot tell that
figure, and the figure is None (the overview shows "—").
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from tui.api.models import DeviceSummary
from tui.api.paging import walk
from tui.api.platform import Alarms, Connections, DeviceDirectory, Platform

#: pages of alarms counted at most per refresh; beyond them the count is a lower bound
ALARM_PAGES = 50


@dataclass(frozen=True)
class Count:
    """A count, exact or at least `value` (a list counted up to a cap)."""

    value: int
    exact: bool = True

    def __str__(self) -> str:
        return f"{self.value:,}" if self.exact else f"≥{self.value:,}"


@dataclass(frozen=True)
class Figures:
    """What one platform told of itself; None where it cannot tell."""

    devices: Count | None
    unacknowledged: Count | None
    #: connection health (or state) → how many, most first
    connections: dict[str, int] | None


async def device_count(platform: Platform) -> Count | None:
    """The device list's total from its first page; a list that fits one page counts itself."""
    if not isinstance(platform, DeviceDirectory):
        return None
    page = await platform.list_devices()
    if page.total is not None:
        return Count(page.total)
    if page.cursor is None:
        return Count(len(page.items))
    return Count(len(page.items), exact=False)


async def unacknowledged_alarms(platform: Platform, max_pages: int = ALARM_PAGES) -> Count | None:
    """Alarms nobody acknowledged, counted over the alarm pages (at most `max_pages`). None where
    the platform has no alarms or never acknowledges them (MyThings' triggered rules are events)."""
    if not isinstance(platform, Alarms) or not platform.ACKNOWLEDGES:
        return None
    count, pages, more = 0, 0, False
    async for page in walk(platform.list_alarms, max_pages=max_pages, platform=platform.name):
        count += sum(not alarm.acknowledged for alarm in page.items)
        pages += 1
        more = page.cursor is not None
    return Count(count, exact=not (more and pages >= max_pages))


async def connections_by_health(platform: Platform) -> dict[str, int] | None:
    """How many connections are in each health (or, where a platform gives none, each state)."""
    if not isinstance(platform, Connections):
        return None
    counts = Counter(c.health or c.state or "unknown" for c in await platform.list_connections())
    return dict(counts.most_common())


async def figures(platform: Platform) -> Figures:
    """Every figure of one platform, asked at once. Raises the first ApiError."""
    devices, alarms, connections = await asyncio.gather(
        device_count(platform), unacknowledged_alarms(platform), connections_by_health(platform)
    )
    return Figures(devices, alarms, connections)


def health_text(connections: dict[str, int] | None, short: bool = False) -> str:
    """`6 ACTIVE` or `252 active, 84 suspended`; "—" when the platform cannot tell. `short`, for
    a narrow column: the commonest state in three letters and how many are in the others
    (`252 act +84`)."""
    if connections is None:
        return "—"
    if not connections:
        return "none"
    if short:
        (first, n), *others = connections.items()
        rest = sum(count for _, count in others)
        return f"{n:,} {first[:3]}" + (f" +{rest:,}" if others else "")
    return ", ".join(f"{n:,} {health}" for health, n in connections.items())


async def find_devices(platform: Platform, text: str) -> list[DeviceSummary]:
    """The devices of `platform` that `text` names: every server-side look-up the platform has
    (`LOOKUPS`: its key, a name, a node id, an IMEI, an ICCID), asked at once, merged by device
    key in LOOKUPS order. A look-up the platform lacks is not asked (nor made up by walking
    the list); one whose form `text` does not fit is not sent. Raises the first ApiError."""
    if not isinstance(platform, DeviceDirectory):
        return []
    text = text.strip()
    if not text:
        return []
    lookups = [by for by in platform.LOOKUPS if platform.lookup_text(text, by) is not None]
    asked = [asyncio.ensure_future(platform.find_devices(text, by=by)) for by in lookups]
    try:
        answers = await asyncio.gather(*asked)
    finally:  # one failed (or the search was cancelled): the others stop too
        for task in asked:
            task.cancel()
    found: dict[str, DeviceSummary] = {}
    for devices in answers:
        for device in devices:
            found.setdefault(device.key, device)
    return list(found.values())
