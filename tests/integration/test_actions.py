"""The bulk actions over real HTTP against the simulator: each capability's action, its plan
checks, and the input validated by the form's own model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tui.api.actions import (
    AcknowledgeAlarms,
    CreateDevices,
    DeleteDevices,
    DeprovisionDevices,
    EditDevices,
    ProvisionDevices,
    SendCommand,
    SendTemplate,
    TagDevices,
    input_error,
    make_action,
)
from tui.api.bulk import CannotTell, Target, plan
from tui.api.errors import ApiError
from tui.api.models import LoRaWanDeviceCreate
from tui.api.platforms.mythings import MyThings
from tui.api.platforms.thingpark import ThingPark
from tui.sim.credentials import (
    MYTHINGS_CLIENT_ID,
    MYTHINGS_CLIENT_SECRET,
    MYTHINGS_COMPANY_ID,
    THINGPARK_CLIENT_ID,
    THINGPARK_CLIENT_SECRET,
)


@pytest.fixture
async def tp(make_sim: Any) -> AsyncIterator[ThingPark]:
    server = make_sim(devices=60, alarms=40)
    async with ThingPark(server.base_url, THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET) as tp:
        yield tp


async def _row(tp: ThingPark, connection: str | None = None) -> dict[str, Any]:
    model = (await tp.device_models("LORAWAN"))[0].key
    server = connection or (await tp._app_server_choices())[0].value
    return {"model_key": model, "connection_keys": [server], "app_key": "00" * 16}


async def test_each_action_is_rebuilt_from_its_id_and_params(tp: ThingPark) -> None:
    assert isinstance(make_action(tp, "delete", {}), DeleteDevices)
    assert isinstance(make_action(tp, "ack", {}), AcknowledgeAlarms)
    assert isinstance(make_action(tp, "edit:name", {}), EditDevices)
    assert isinstance(make_action(tp, "create:lorawan", {}), CreateDevices)
    command = make_action(tp, "command:downlink", {"payload_hex": "01", "fport": 2})
    assert isinstance(command, SendCommand) and command.params == {"payload_hex": "01", "fport": 2}
    with pytest.raises(ValueError):
        make_action(tp, "create:nothing", {})


async def test_delete_is_idempotent(tp: ThingPark) -> None:
    key = (await tp.list_devices()).items[0].key
    action = DeleteDevices(tp)
    assert await action.apply(Target(key)) == key
    assert await action.apply(Target(key)) == key  # gone already: done, not an error
    with pytest.raises(ApiError):
        await tp.get_device(key)


async def test_a_cellular_device_takes_no_downlink_and_a_bad_payload_is_refused(
    tp: ThingPark,
) -> None:
    action = make_action(tp, "command:downlink", {"payload_hex": "0A1B", "fport": 2})
    lora = Target("70B3D5E75E000001", facts={"connectivity": "LORAWAN"})
    cell = Target("70B3D5E75E000002", facts={"connectivity": "CELLULAR"})
    made = plan(action, [lora, cell, lora])
    assert made.targets == (lora,)
    assert made.refused == ((cell, "a CELLULAR device takes no downlink"),)
    bad = make_action(tp, "command:downlink", {"payload_hex": "0A1", "fport": 2})
    assert "even number" in (bad.cannot(lora) or "")


async def test_create_from_rows_then_look_it_up(tp: ThingPark) -> None:
    action = make_action(tp, "create:lorawan", {})
    row = {**(await _row(tp)), "name": "row 2", "eui": "70b3d5e75e00aa01"}
    target = Target("", "row 2", row)
    assert action.cannot(target) is None
    assert not await action.exists(target)
    assert await action.apply(target) == "70B3D5E75E00AA01"
    assert await action.exists(target)
    assert "eui" in (action.cannot(Target("", "bad", {**row, "eui": "12"})) or "")
    cellular = make_action(tp, "create:cellular", {})
    sim_row = {
        **row,
        "plan_key": "p",
        "network_context_key": "n",
        "sim_id": "8933150319000000017",
    }
    with pytest.raises(CannotTell):  # the platform assigns a cellular device's EUI
        await cellular.exists(Target("", "x", sim_row))


async def test_edit_a_field_of_each_device(tp: ThingPark) -> None:
    keys = [d.key for d in (await tp.list_devices()).items[:3]]
    action = make_action(tp, "edit:name", {})
    for n, key in enumerate(keys):
        await action.apply(Target(key, values={"name": f"renamed {n}"}))
    assert [(await tp.get_device(k)).name for k in keys] == ["renamed 0", "renamed 1", "renamed 2"]
    assert "name" in (action.cannot(Target(keys[0], values={"name": ""})) or "")


async def test_acknowledge_alarms(tp: ThingPark) -> None:
    alarms = [a for a in (await tp.list_alarms()).items if not a.acknowledged][:2]
    action = AcknowledgeAlarms(tp)
    for alarm in alarms:
        await action.apply(Target(alarm.key))
    assert action.cannot(Target("x", facts={"acknowledged": "1"})) == "acknowledged already"


def test_input_error_names_the_field_and_the_rule() -> None:
    row = {"name": "x", "eui": "zz", "app_key": "00" * 16, "model_key": "m", "connection_keys": []}
    assert input_error(LoRaWanDeviceCreate, row) == (
        "eui",
        "DevEUI must be 16 hexadecimal characters",
    )


async def test_iotda_renames_and_describes_each_device_through_update_device(
    make_sim: Any,
) -> None:
    from tests.integration.test_iotda import connect

    server = make_sim(devices=30)
    async with connect(server) as iotda:
        keys = [d.key for d in (await iotda.list_devices()).items[:3]]
        rename = make_action(iotda, "edit:name", {})
        targets = [Target(k, k, {"name": f"Meter-{i}"}) for i, k in enumerate(keys)]
        made = plan(rename, targets)
        assert made.count == 3 and not made.refused
        for target in targets:
            await rename.apply(target)
            await rename.apply(target)  # a PUT: the same change twice is harmless
        assert [(await iotda.get_device(k)).name for k in keys] == ["Meter-0", "Meter-1", "Meter-2"]
        describe = make_action(iotda, "edit:description", {"description": "north wing"})
        await describe.apply(Target(keys[0], keys[0]))
        assert "north wing" in str((await iotda.get_device(keys[0])).raw)
        bad = plan(rename, [Target(keys[0], keys[0], {"name": "tab\tname"})])
        assert bad.refused and "name" in bad.refused[0][1]
        with pytest.raises(ApiError) as failed:
            await rename.apply(Target("nope_0000", "nope", {"name": "x"}))
        assert failed.value.status == 404 and failed.value.code == "IOTDA.014000"


# ---------------------------------------------------------------- MyThings


@pytest.fixture
async def mythings(make_sim: Any) -> AsyncIterator[tuple[MyThings, str]]:
    server = make_sim(devices=30, alarms=10)
    async with MyThings(
        server.base_url,
        MYTHINGS_CLIENT_ID,
        MYTHINGS_CLIENT_SECRET,
        company_id=MYTHINGS_COMPANY_ID,
    ) as mt:
        yield mt, server.base_url


def _ops(base_url: str) -> dict[str, dict[str, int]]:
    return httpx.get(f"{base_url}/_sim/ops").json()["mythings"]


async def _lora_keys(mt: MyThings, count: int) -> list[str]:
    things = (await mt.list_devices()).items
    return [t.key for t in things if t.health == "network ready"][:count]


async def test_mythings_actions_are_rebuilt_from_their_ids(
    mythings: tuple[MyThings, str],
) -> None:
    mt, _ = mythings
    assert isinstance(make_action(mt, "provision", {}), ProvisionDevices)
    assert isinstance(make_action(mt, "deprovision", {}), DeprovisionDevices)
    tag = make_action(mt, "tag", {"tags": ["floor-2"]})
    assert isinstance(tag, TagDevices) and tag.params == {"tags": ["floor-2"]}
    template = make_action(mt, "template", {"template": "uid"})
    assert isinstance(template, SendTemplate) and template.params == {"template": "uid"}
    assert isinstance(make_action(mt, "edit:location", {}), EditDevices)
    assert isinstance(make_action(mt, "create:lora-abp", {}), CreateDevices)
    assert isinstance(make_action(mt, "command:template", {"template": "uid"}), SendCommand)
    with pytest.raises(ValueError, match="cannot do 'ack'"):  # triggered rules are not acked
        make_action(mt, "ack", {})
    alarm = (await mt.list_alarms()).items[0]
    acked = plan(AcknowledgeAlarms(mt), [Target(alarm.key)])  # a screen that builds it anyway
    assert not acked.targets
    assert acked.refused[0][1] == "Proximus MyThings has no acknowledgement of alarms"
    tp_like = make_action(mt, "delete", {})
    assert isinstance(tp_like, DeleteDevices)


async def test_mythings_deprovision_and_provision_each_thing_once(
    mythings: tuple[MyThings, str],
) -> None:
    mt, base_url = mythings
    keys = await _lora_keys(mt, 3)
    off, on = make_action(mt, "deprovision", {}), make_action(mt, "provision", {})
    assert off.destructive and not on.destructive
    for key in keys:
        assert await off.apply(Target(key)) == key
        assert await off.apply(Target(key)) == key  # again after a crash: no change, no error
    assert {(await mt.get_device(k)).summary.health for k in keys} == {"not provisioned"}
    for key in keys:
        await on.apply(Target(key))
    counted = _ops(base_url)
    assert all(counted[k] == {"deprovision": 1, "provision": 1} for k in keys)


async def test_mythings_tag_many_things_with_the_same_tags(
    mythings: tuple[MyThings, str],
) -> None:
    mt, _ = mythings
    keys = await _lora_keys(mt, 2)
    action = make_action(mt, "tag", {"tags": ["bulk-a", "bulk-b"]})
    made = plan(action, [Target(k, k) for k in keys])
    assert made.count == 2 and not made.refused
    for key in keys:
        await action.apply(Target(key))
        await action.apply(Target(key))  # a PUT that adds what is there: harmless
    for key in keys:
        tags = (await mt.get_device(key)).raw.get("tags") or []
        assert {"bulk-a", "bulk-b"} <= set(tags)
    refused = plan(make_action(mt, "tag", {"tags": [" "]}), [Target(keys[0])])
    assert refused.refused and refused.refused[0][1] == "tags: give at least one tag"


async def test_mythings_configuration_template_to_each_thing(
    mythings: tuple[MyThings, str],
) -> None:
    mt, base_url = mythings
    keys = await _lora_keys(mt, 2)
    template = (await mt.configuration_templates())[0].key
    action = make_action(mt, "template", {"template": template})
    assert action.kind == "unverifiable"
    for key in keys:
        assert await action.apply(Target(key)) == key
    assert all(_ops(base_url)[k] == {"downlink": 1} for k in keys)
    with pytest.raises(ApiError) as refused:
        await action.apply(Target("FFFFFFFFFFFFFFF0"))
    assert refused.value.status == 400


async def test_mythings_create_edit_and_delete_from_rows(
    mythings: tuple[MyThings, str],
) -> None:
    mt, _ = mythings
    create = make_action(mt, "create:lora-otaa", {"thing_type_id": "10"})
    row = {
        "thing_identifier": "f1ee7000000000a1",
        "thing_name": "row 1",
        "application_eui": "70B3D57ED0000001",
        "application_key": "00" * 16,
    }
    target = Target("", "row 1", row)
    assert create.cannot(target) is None
    assert not await create.exists(target)
    assert await create.apply(target) == "F1EE7000000000A1"
    assert await create.exists(target)
    bad = Target("", "bad", {**row, "application_key": "00"})
    assert create.cannot(bad) == "application_key: ApplicationKey must be 32 characters"
    rename = make_action(mt, "edit:name", {})
    await rename.apply(Target("F1EE7000000000A1", values={"thing_name": "renamed"}))
    assert (await mt.get_device("F1EE7000000000A1")).name == "renamed"
    delete = make_action(mt, "delete", {})
    await delete.apply(Target("F1EE7000000000A1"))
    await delete.apply(Target("F1EE7000000000A1"))  # gone already: done
