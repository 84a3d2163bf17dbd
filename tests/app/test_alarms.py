"""The alarms view on the embedded simulator: newest first, acknowledge, device filter, states."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZES, notifications, wait_for
from tui.screens.alarms import ACKED, DEVICE_KEY, KEY, STATE, AlarmsScreen
from tui.widgets.virtual_table import VirtualTable


def status(app) -> str:
    return str(app.screen.query_one("#list-status").render())


def table(app) -> VirtualTable:
    return app.screen.query_one(VirtualTable)


async def loaded(pilot, app) -> AlarmsScreen:
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, AlarmsScreen)
            and app.screen.state.state != "loading"
            and (app.screen.state.state != "ready" or table(app).rows.started)
        ),
    )
    return app.screen


async def test_alarms_load_newest_first(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "ready"
        assert status(app).startswith("2,390 alarms · 100 loaded")
        rows = table(app).rows
        keys = [rows.row(i)[KEY] for i in range(rows.view_rows)]
        assert keys == sorted(keys, reverse=True)  # alarmUid descending: newest first
        await pilot.press("end")
        await wait_for(pilot, lambda: rows.known == 200)
        later = [rows.row(i)[KEY] for i in range(rows.view_rows)]
        assert later == sorted(later, reverse=True) and later[100] < keys[-1]


async def test_a_acknowledges_the_alarm_under_the_cursor(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        rows = table(app).rows
        position = next(i for i in range(rows.view_rows) if not rows.row(i)[ACKED])
        table(app).move_to(position)
        key = rows.row(position)[KEY]
        await pilot.press("a")
        await wait_for(pilot, lambda: rows.row(position)[ACKED] == "1")
        assert rows.row(position)[KEY] == key and rows.row(position)[STATE].endswith("✓")
        assert any(f"Alarm {key} acknowledged" in n for n in notifications(app))
        # The platform agrees.
        page = await app.platform.list_alarms()
        assert next(a for a in page.items if a.key == key).acknowledged


async def test_a_failed_acknowledgement_names_the_vendor_code(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        rows = table(app).rows
        position = next(i for i in range(rows.view_rows) if not rows.row(i)[ACKED])
        row = rows.row(position)
        # An alarm the platform does not know (cleared away meanwhile, say).
        ghost = ("ffffffffffffffffffffffff", *row[1:])
        rows._rows[0][position] = ghost
        table(app).move_to(position)
        await pilot.press("a")
        await wait_for(pilot, lambda: any("Acknowledging alarm" in n for n in notifications(app)))
        message = next(n for n in notifications(app) if "Acknowledging alarm" in n)
        assert "thingpark 404" in message
        assert not rows.row(position)[ACKED]


async def test_f_shows_the_alarms_of_the_cursor_rows_device(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        device = table(app).cursor_row[DEVICE_KEY]
        await pilot.press("f")
        await wait_for(pilot, lambda: screen.device_key == device and table(app).rows.started)
        rows = table(app).rows
        assert rows.view_rows >= 1
        assert {rows.row(i)[DEVICE_KEY] for i in range(rows.view_rows)} == {device}
        assert f"device {device}" in status(app)
        await pilot.press("escape")  # set here: esc clears it
        await wait_for(pilot, lambda: screen.device_key is None and table(app).rows.started)
        assert table(app).rows.total == 2390


async def test_d_asks_for_a_deveui_and_checks_it(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        device = table(app).cursor_row[DEVICE_KEY]
        await pilot.press("d", *"12G")
        hint = str(screen.prompt.query_one("#prompt-hint").render())
        assert "16 hexadecimal digits" in hint
        await pilot.press("enter")
        assert screen.prompt.is_open and screen.device_key is None
        await pilot.press("backspace", "backspace", "backspace", *device.lower(), "enter")
        await wait_for(pilot, lambda: screen.device_key == device and table(app).rows.started)
        rows = table(app).rows
        assert {rows.row(i)[DEVICE_KEY] for i in range(rows.view_rows)} == {device}


async def test_the_detail_screen_opens_alarms_of_one_device(make_app) -> None:
    app = make_app(view="devices")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        device = (await app.platform.list_alarms()).items[0].device_key
        await app.push_screen(AlarmsScreen(device_key=device))
        screen = await loaded(pilot, app)
        rows = table(app).rows
        assert {rows.row(i)[DEVICE_KEY] for i in range(rows.view_rows)} == {device}
        await pilot.press("escape")  # the detail asked for it: esc goes back instead
        assert not isinstance(app.screen, AlarmsScreen)
        del screen


async def test_enter_opens_the_alarms_device(make_app) -> None:
    from tui.screens.device_detail import DeviceDetailScreen

    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        device = table(app).cursor_row[DEVICE_KEY]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        assert app.screen.key == device


async def test_slash_filters_alarms(make_app) -> None:
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("slash", *"critical", "enter")
        rows = table(app).rows
        assert 1 <= rows.view_rows < rows.known
        assert all("CRITICAL" in rows.row(i) for i in range(rows.view_rows))


async def test_a_failing_server_shows_the_error_state(make_app) -> None:
    app = make_app(view="alarms", fail_rate=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "error"
        assert any(n.startswith("Loading alarms: thingpark 5") for n in notifications(app))


async def test_no_alarms_is_the_empty_state(make_app) -> None:
    app = make_app(view="alarms", alarms=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "empty"
        assert "No alarms" in str(screen.state.query_one("#state-text").render())


async def test_readonly_refuses_acknowledge(make_app) -> None:
    app = make_app(view="alarms", readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.check_action("acknowledge", ()) is False
        before = table(app).cursor_row
        await pilot.press("a")
        await pilot.pause(0.2)
        assert table(app).cursor_row == before
        assert not any("acknowledged" in n for n in notifications(app))


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_alarms_loaded(snap_compare, make_app, size) -> None:
    app = make_app(view="alarms")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await pilot.press("down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_alarms_empty(snap_compare, make_app, size) -> None:
    app = make_app(view="alarms", alarms=0)

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_alarms_error(snap_compare, make_app, size) -> None:
    app = make_app(view="alarms", fail_rate=1.0)

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
