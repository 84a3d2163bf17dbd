"""Thing definitions and things over TR50: list (paging, sort, tags, keys, showCount), find,
create, update, delete, each good and bad, and the operation counters."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.sim.conftest import Tr50
from tui.sim import SimServer
from tui.sim.telit.data import Things, thing_defs
from tui.sim.telit.errors import DUPLICATE, IN_USE, NOT_FOUND, PARAM_INVALID, PARAM_MISSING

MakeSim = Callable[..., SimServer]
VALID_IMEI = "490154203237518"


def test_thing_definitions_list_and_find(tr50: Tr50) -> None:
    listed = tr50.ok("thing_def.list", showCount=True, limit=5)
    assert listed["count"] == 12
    assert len(listed["result"]) == 5
    found = tr50.ok("thing_def.find", key="tracker")
    assert set(found) >= {"id", "key", "name", "version", "attributes", "properties", "alarms", "methods"}  # fmt: skip
    assert found["properties"]["battery"]["unit"] == "%"
    assert "geofence" in found["alarms"] and "locate" in found["methods"]
    assert tr50.ok("thing_def.find", id=found["id"])["key"] == "tracker"
    assert tr50.call("thing_def.find", key="nope")["errorCodes"] == [NOT_FOUND]
    assert tr50.call("thing_def.find")["errorCodes"] == [PARAM_MISSING]


def test_a_thing_definition_is_created_updated_and_deleted(tr50: Tr50) -> None:
    created = tr50.ok(
        "thing_def.create",
        key="beacon",
        name="BLE beacon",
        attributes={"vendor": {"name": "Vendor"}},
        properties={"rssi": {"name": "RSSI", "unit": "dBm"}},
        alarms={"lost": {"name": "Lost", "states": [{"name": "ok"}, {"name": "lost"}]}},
        methods={"blink": {"name": "Blink"}},
    )
    assert len(created["id"]) == 24
    again = tr50.call("thing_def.create", key="beacon", name="Again")
    assert again["errorCodes"] == [DUPLICATE]
    assert tr50.call("thing_def.create", key="has space", name="x")["errorCodes"] == [PARAM_INVALID]  # fmt: skip
    assert tr50.call("thing_def.create", key="noname")["errorCodes"] == [PARAM_MISSING]
    bad = tr50.call("thing_def.create", key="bad", name="Bad", properties={"p": 3})
    assert bad["errorCodes"] == [PARAM_INVALID]
    assert tr50.call("thing_def.update", key="beacon", name="Beacon", version=2) == {"success": True}  # fmt: skip
    found = tr50.ok("thing_def.find", key="beacon")
    assert (found["name"], found["version"]) == ("Beacon", 2)
    assert found["methods"]["blink"]["name"] == "Blink"
    assert tr50.ok("thing_def.list", showCount=True)["count"] == 13
    assert tr50.call("thing_def.delete", key="beacon") == {"success": True}
    assert tr50.call("thing_def.find", key="beacon")["errorCodes"] == [NOT_FOUND]


def test_a_thing_definition_in_use_cannot_be_deleted(tr50: Tr50) -> None:
    assert tr50.call("thing_def.delete", key="meter")["errorCodes"] == [IN_USE]
    assert tr50.call("thing_def.delete", key="nope")["errorCodes"] == [NOT_FOUND]


def test_thing_list_pages_with_offset_limit_and_show_count(tr50: Tr50) -> None:
    first = tr50.ok("thing.list", offset=0, limit=2000, showCount=True)
    second = tr50.ok("thing.list", offset=2000, limit=2000, showCount=True)
    assert first["count"] == second["count"] == 3000
    assert len(first["result"]) == 2000 and len(second["result"]) == 1000
    keys = [t["key"] for t in first["result"] + second["result"]]
    assert len(set(keys)) == 3000
    plain = tr50.ok("thing.list", offset=10, limit=3)
    assert "count" not in plain
    assert [t["key"] for t in plain["result"]] == keys[10:13]
    assert tr50.ok("thing.list", offset=5000)["result"] == []


@pytest.mark.parametrize(
    "params",
    [{"limit": 2001}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}, {"showCount": "yes"}],
)
def test_thing_list_refuses_bad_paging(tr50: Tr50, params: dict[str, object]) -> None:
    assert tr50.call("thing.list", **params)["errorCodes"] == [PARAM_INVALID]


def test_thing_list_sorts_and_filters_by_tags_and_keys(tr50: Tr50) -> None:
    by_name = tr50.ok("thing.list", sort="+name", limit=50)["result"]
    names = [t["name"] for t in by_name]
    assert names == sorted(names)
    desc = tr50.ok("thing.list", sort="-name", limit=5)["result"]
    assert desc[0]["name"] >= desc[-1]["name"]
    critical = tr50.ok("thing.list", tags=["critical", "ghent"], limit=2000, showCount=True)
    assert 0 < critical["count"] < 3000
    assert all({"critical", "ghent"} <= set(t["tags"]) for t in critical["result"])
    keys = [t["key"] for t in tr50.ok("thing.list", limit=3)["result"]]
    picked = tr50.ok("thing.list", keys=[keys[2], "nope", keys[0]], showCount=True)
    assert picked["count"] == 2
    assert {t["key"] for t in picked["result"]} == {keys[0], keys[2]}


def test_a_thing_is_created_found_updated_and_deleted(tr50: Tr50, telit_sim: SimServer) -> None:
    created = tr50.ok(
        "thing.create",
        key="door-lab-1",
        name="Lab door",
        defKey="door",
        desc="the lab's door",
        imei=VALID_IMEI,
        tags=["lab"],
        attrs={"site": "lab"},
    )
    thing_id = created["id"]
    found = tr50.ok("thing.find", id=thing_id)
    assert found["key"] == "door-lab-1" and found["defKey"] == "door"
    assert found["imei"] == VALID_IMEI and found["tags"] == ["lab"]
    assert found["attrs"]["site"]["value"] == "lab"
    listed = tr50.ok("thing.list", keys=["door-lab-1"])["result"]
    assert listed[0]["id"] == thing_id
    assert tr50.ok("thing.list", showCount=True)["count"] == 3001
    assert tr50.call("thing.update", key="door-lab-1", name="Lab door 2", tags=["lab", "x"]) == {"success": True}  # fmt: skip
    found = tr50.ok("thing.find", key="door-lab-1")
    assert (found["name"], found["tags"]) == ("Lab door 2", ["lab", "x"])
    assert tr50.call("thing.delete", key="door-lab-1") == {"success": True}
    assert tr50.call("thing.find", key="door-lab-1")["errorCodes"] == [NOT_FOUND]
    ops = httpx.get(telit_sim.base_url + "/_sim/ops").json()["telit"]
    assert ops["door-lab-1"] == {"create": 1, "update": 1, "delete": 1}


def test_thing_create_refusals(tr50: Tr50) -> None:
    base = {"key": "t-1", "name": "T", "defKey": "door"}
    taken = tr50.ok("thing.list", limit=1)["result"][0]["key"]
    assert tr50.call("thing.create", **{**base, "key": taken})["errorCodes"] == [DUPLICATE]
    assert tr50.call("thing.create", key="t-1", name="T")["errorCodes"] == [PARAM_MISSING]
    assert tr50.call("thing.create", **{**base, "defKey": "nope"})["errorCodes"] == [NOT_FOUND]
    assert tr50.call("thing.create", **{**base, "name": ""})["errorCodes"] == [PARAM_MISSING]
    assert tr50.call("thing.create", **{**base, "key": "a/b"})["errorCodes"] == [PARAM_INVALID]
    assert tr50.call("thing.create", **{**base, "tags": "x"})["errorCodes"] == [PARAM_INVALID]
    assert tr50.call("thing.create", **{**base, "imei": "490154203237519"})["errorCodes"] == [PARAM_INVALID]  # fmt: skip
    assert tr50.call("thing.find", key="t-1")["errorCodes"] == [NOT_FOUND]


def test_generated_things_are_found_changed_and_deleted(tr50: Tr50) -> None:
    thing = tr50.ok("thing.list", offset=7, limit=1)["result"][0]
    assert tr50.ok("thing.find", key=thing["key"]) == thing
    assert tr50.call("thing.update", id=thing["id"], desc="moved") == {"success": True}
    assert tr50.ok("thing.find", key=thing["key"])["desc"] == "moved"
    assert tr50.call("thing.delete", id=thing["id"]) == {"success": True}
    assert tr50.call("thing.find", id=thing["id"])["errorCodes"] == [NOT_FOUND]
    assert tr50.call("thing.update", key=thing["key"], desc="x")["errorCodes"] == [NOT_FOUND]
    assert tr50.ok("thing.list", showCount=True)["count"] == 2999


def test_devices_scales_the_things(make_sim: MakeSim) -> None:
    client = Tr50(make_sim(devices=25, alarms=0).base_url)
    assert client.login()["success"]
    assert client.ok("thing.list", showCount=True)["count"] == 25


@pytest.mark.parametrize("deleted", [set(), {0, 3, 9}])
def test_an_unfiltered_page_is_the_same_slice_of_the_whole_list(deleted: set[int]) -> None:
    things = Things(1, 12, thing_defs(1))
    things.deleted = set(deleted)
    for k in range(3):
        things.store({"_index": None, "id": f"c{k}", "key": f"c-{k}"})
    every = [t["key"] for t in things]
    assert len(every) == len(things) == 15 - len(deleted)
    for offset in range(18):
        for limit in (1, 2, 5, 20):
            page = [t["key"] for t in things.window(offset, limit)]
            assert page == every[offset : offset + limit]


def test_paging_after_deletes_and_creates_skips_and_repeats_nothing(tr50: Tr50) -> None:
    tr50.ok("thing.delete", key=tr50.ok("thing.list", offset=4, limit=1)["result"][0]["key"])
    tr50.ok("thing.create", key="late-1", name="Late", defKey="door")
    keys: list[str] = []
    for offset in range(0, 3000, 700):
        keys += [t["key"] for t in tr50.ok("thing.list", offset=offset, limit=700)["result"]]
    assert len(keys) == len(set(keys)) == 3000
    assert keys[-1] == "late-1"
