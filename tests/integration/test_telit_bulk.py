"""Telit's bulk actions over real loopback HTTP against the simulator: delete things (sent twice:
done), tag things, and create things from CSV rows checked by the New thing form's model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tui.api.actions import CreateDevices, DeleteDevices, TagDevices, make_action
from tui.api.bulk import Target, plan
from tui.api.errors import ApiError
from tui.api.platforms.telit import Telit
from tui.api.platforms.telit_forms import ThingCreate
from tui.api.table_files import parse_rows
from tui.sim.credentials import TELIT_PASSWORD, TELIT_USERNAME
from tui.sim.server import SimServer


@pytest.fixture
async def own(make_sim: Callable[..., SimServer]) -> AsyncIterator[Telit]:
    server = make_sim(devices=30, alarms=0)
    async with Telit(server.base_url, username=TELIT_USERNAME, password=TELIT_PASSWORD) as telit:
        yield telit  # type: ignore[misc]


async def test_the_bulk_actions_are_offered(own: Telit) -> None:
    assert isinstance(make_action(own, "delete", {}), DeleteDevices)
    assert isinstance(make_action(own, "tag", {"tags": ["x"]}), TagDevices)
    assert isinstance(make_action(own, "create:thing", {}), CreateDevices)


async def test_delete_things_is_idempotent(own: Telit) -> None:
    key = (await own.list_devices()).items[0].key
    action = DeleteDevices(own)
    assert await action.apply(Target(key)) == key
    assert await action.apply(Target(key)) == key  # gone already: done, not an error
    with pytest.raises(ApiError):
        await own.get_device(key)


async def test_tag_things_with_the_same_tags(own: Telit) -> None:
    keys = [t.key for t in (await own.list_devices()).items[:2]]
    action = make_action(own, "tag", {"tags": ["bulk-a", "bulk-b"]})
    assert plan(action, [Target(k, k) for k in keys]).count == 2
    for key in keys:
        await action.apply(Target(key))
        await action.apply(Target(key))  # the whole list again: harmless
    for key in keys:
        assert (await own.get_device(key)).summary.connection == "bulk-a, bulk-b"


CSV = """definition,name,key,identifier_kind,identifier,tags
gateway,Row 2,csv-row-2,imei,490154203237518,csv;bulk
gateway,Row 3,csv-row-3,iccid,89314404000132906802,
gateway,Row 4,csv-row-4,imei,490154203237519,
"""


async def test_create_things_from_csv_rows_then_look_them_up(own: Telit) -> None:
    refused = parse_rows(CSV, ThingCreate)
    assert [(e.line, e.column) for e in refused.errors] == [(4, "identifier")]
    assert "check digit" in refused.errors[0].message
    rows = parse_rows(CSV.rsplit("gateway,Row 4", 1)[0], ThingCreate)
    assert not rows.errors and len(rows.targets) == 2
    action = make_action(own, "create:thing", {})
    made = plan(action, list(rows.targets))
    assert len(made.targets) == 2 and not made.refused
    for target in made.targets:
        assert not await action.exists(target)
        assert await action.apply(target) == target.values["key"]
        assert await action.exists(target)
    assert (await own.get_device("csv-row-2")).summary.connection == "csv, bulk"
    assert (await own.get_device("csv-row-3")).summary.eui == "ICCID 89314404000132906802"
