"""The bulk actions over real HTTP against the simulator: each capability's action, its plan
checks, and the input validated by the form's own model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tui.api.actions import (
    AcknowledgeAlarms,
    CreateDevices,
    DeleteDevices,
    EditDevices,
    SendCommand,
    input_error,
    make_action,
)
from tui.api.bulk import CannotTell, Target, plan
from tui.api.errors import ApiError
from tui.api.models import LoRaWanDeviceCreate
from tui.api.platforms.thingpark import ThingPark
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET


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
