"""The device list on the embedded simulator: paging, G and esc, filter, marks, states, snapshots."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZES, notifications, wait_for
from tui.screens.devices import DeviceCreated, DeviceDeleted, DevicesScreen
from tui.session import ADAPTERS
from tui.widgets.virtual_table import PromptBar, VirtualTable


def status(app) -> str:
    return str(app.screen.query_one("#list-status").render())


def table(app) -> VirtualTable:
    return app.screen.query_one(VirtualTable)


async def loaded(pilot, app) -> DevicesScreen:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, DevicesScreen) and app.screen.state.state != "loading",
    )
    return app.screen


async def test_first_page_shows_the_vendor_total_and_what_is_loaded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "ready"
        assert status(app).startswith("62,804 devices · 100 loaded")
        first = table(app).cursor_row
        assert first is not None and first[1] == "RN2483-Lyon-000001"
        assert first[2] == "0004A30B0000011E"
        # Absolute times in the profile's zone (Europe/Paris) from the frozen data clock.
        assert first[8] == "2026-11-18 21:22"


async def test_scrolling_down_loads_the_next_page_before_the_end(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        for _ in range(3):
            await pilot.press("pagedown")
        # The cursor is still well inside the first page, and the second is being fetched.
        assert table(app).cursor < 100
        await wait_for(pilot, lambda: "200 loaded" in status(app))
        rows = table(app).rows
        assert rows.row(100) is not None
        assert rows.page_count == 2 and rows._cursors[1] is not None


async def test_G_fetches_to_the_last_device(make_app) -> None:
    app = make_app(devices=450)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await pilot.press("G")
        await wait_for(pilot, lambda: table(app).rows.complete and not table(app).fetching_to_end)
        t = table(app)
        assert t.rows.known == 450 and len(t.rows) == 450
        assert t.cursor == 449 and t.cursor_row is not None
        assert status(app).startswith("450 devices · 450 loaded")
        await pilot.press("g")
        assert t.cursor == 0


async def test_esc_cancels_a_long_fetch_and_keys_keep_working(make_app) -> None:
    app = make_app(devices=200_000, latency_ms=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await pilot.press("G")
        await wait_for(pilot, lambda: table(app).rows.known >= 300)
        assert table(app).fetching_to_end
        assert "fetching" in status(app) and "/ 200,000" in status(app)
        await pilot.press("up")  # keys work while it fetches
        await pilot.press("escape")
        await wait_for(pilot, lambda: not table(app).fetching_to_end)
        stopped = table(app).rows.known
        assert "fetch stopped" in status(app)
        await pilot.pause(0.2)
        assert table(app).rows.known <= stopped + 100  # at most the page that was on its way
        assert table(app).rows.known < 200_000


async def test_slash_filters_the_loaded_rows_and_bang_inverts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("slash")
        prompt = app.screen.query_one(PromptBar)
        assert prompt.is_open
        await pilot.press(*"lyon", "enter")
        rows = table(app).rows
        assert not prompt.is_open
        names = [rows.row(i)[1] for i in range(rows.view_rows)]
        assert names and all("Lyon" in n for n in names)
        assert "/lyon → " in status(app)
        await pilot.press("slash", "ctrl+a", "exclamation_mark", "enter")
        names = [rows.row(i)[1] for i in range(rows.view_rows)]
        assert names and not any("Lyon" in n for n in names)
        await pilot.press("escape")
        assert rows.row_filter is None and rows.view_rows == rows.known


async def test_a_regex_stays_on_the_loaded_rows_and_equals_asks_the_server(make_app) -> None:
    # IoTDA looks devices up by exact name on the server; a regular expression must not be
    # sent as one (it used to empty the list to 0 of 20,000).
    app = make_app(profile="demo-iotda")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("slash", *"Shenzhen", "enter")
        await wait_for(pilot, lambda: rows.row_filter is not None)
        assert rows.total == 20000 and "server:" not in status(app)
        shown = [rows.row(i)[1] for i in range(rows.view_rows)]
        assert shown and all("Shenzhen" in name for name in shown)
        name = shown[0]
        await pilot.press("slash", "ctrl+u", *f"={name}", "enter")
        await wait_for(pilot, lambda: rows.started and rows.total == 1)
        assert rows.row_filter is None and [rows.row(0)[1]] == [name]
        assert f"server: name = {name!r}" in status(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: rows.started and rows.total == 20000)
        assert "server:" not in status(app)


async def test_an_invalid_regex_is_a_message_at_the_prompt(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await pilot.press("slash", "left_parenthesis")
        prompt = app.screen.query_one(PromptBar)
        hint = str(prompt.query_one("#prompt-hint").render())
        assert "invalid regular expression" in hint and prompt.has_class("-invalid")
        await pilot.press("enter")
        assert prompt.is_open  # refused, not applied, no crash
        assert table(app).rows.row_filter is None
        await pilot.press("escape")
        assert not prompt.is_open


async def test_marks_with_space_and_ctrl_space_survive_filtering(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("space")
        await pilot.press("down", "down", "down", "ctrl+space")
        keys = {rows.row(i)[0] for i in range(4)}
        assert screen.marked == keys
        assert "4 marked" in status(app)
        await pilot.press("slash", *"Nice", "enter")
        assert screen.marked == keys  # hidden by the filter, still marked
        shown = {rows.row(i)[0] for i in range(rows.view_rows)}
        assert {k for k in keys if k in shown} != keys
        await pilot.press("escape")
        assert screen.marked == keys
        await pilot.press("space")  # the cursor went back to the top: unmark the first row
        assert len(screen.marked) == 3
        await pilot.press("U")
        assert not screen.marked and "marked" not in status(app)


async def test_marks_survive_a_reload(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("down", "space")
        marked = set(screen.marked)
        await pilot.press("r")
        await wait_for(pilot, lambda: table(app).rows.started)
        assert screen.marked == marked and len(marked) == 1


async def test_s_sorts_the_loaded_rows_and_S_reverses(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("s")
        assert rows.sort_index == 1
        names = [rows.row(i)[1].casefold() for i in range(rows.view_rows)]
        assert names == sorted(names)
        assert "sorted by Name ▲" in status(app)
        await pilot.press("S")
        names = [rows.row(i)[1].casefold() for i in range(rows.view_rows)]
        assert names == sorted(names, reverse=True)
        for _ in range(len(table(app).visible_columns())):
            await pilot.press("s")
        assert rows.sort_index is None


async def test_enter_opens_the_device_detail(make_app) -> None:
    from tui.screens.device_detail import DeviceDetailScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        assert app.screen.key == "0004A30B0000121E"


async def test_a_failing_server_shows_the_error_state_and_the_vendor_code(make_app) -> None:
    app = make_app(fail_rate=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "error"
        messages = [n for n in notifications(app) if n.startswith("Loading devices")]
        assert messages and ("thingpark 500" in messages[0] or "thingpark 503" in messages[0])
        text = str(screen.state.query_one("#state-text").render())
        assert "thingpark 5" in text


async def test_an_empty_fleet_shows_the_empty_state(make_app) -> None:
    app = make_app(devices=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "empty"
        assert "No devices" in str(screen.state.query_one("#state-text").render())


async def test_a_profile_that_cannot_open_is_an_error_state(make_app, monkeypatch) -> None:
    # Every platform has an adapter now: this fleet is one whose Telit adapter is missing.
    monkeypatch.delitem(ADAPTERS, "telit")
    app = make_app(profile="demo-telit")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "error"
        assert "not supported" in str(screen.state.query_one("#state-text").render())


async def test_readonly_hides_new(make_app) -> None:
    app = make_app(readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.check_action("new_device", ()) is False
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        assert "n" not in keys
        await pilot.press("n")
        assert app.screen is screen


async def test_n_opens_the_new_device_menu(make_app) -> None:
    from tui.screens.form_menu import FormMenu

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormMenu))
        await pilot.press("escape")
        assert isinstance(app.screen, DevicesScreen)


async def test_a_created_device_appears_with_the_cursor_on_it(make_app) -> None:
    from tui.api.models import LoRaWanDeviceCreate

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        spec = LoRaWanDeviceCreate(
            name="bench-new",
            eui="0004A30B00000200",
            app_key="00" * 16,
            model_key=(await app.platform.device_models("LORAWAN"))[0].key,
            connection_keys=[(await app.platform.list_connections())[0].key],
        )
        await app.platform.create_lorawan_device(spec)
        screen._new_device_done("0004A30B00000200")
        await wait_for(pilot, lambda: (table(app).cursor_row or ("",))[0] == "0004A30B00000200")
        rows = table(app).rows
        assert rows.total == 62_805
        position = table(app).cursor
        assert rows.row(position - 1)[0] < "0004A30B00000200" < rows.row(position + 1)[0]
        assert any("created" in n for n in notifications(app))
        app.broadcast(lambda: DeviceCreated("0004A30B00000200"))  # again: not twice
        await pilot.pause()
        keys = [rows.row(i)[0] for i in range(rows.view_rows)]
        assert keys.count("0004A30B00000200") == 1


async def test_a_deleted_device_leaves_the_list_and_its_mark(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("down", "space")
        key = rows.row(1)[0]
        app.broadcast(lambda: DeviceDeleted(key))
        await wait_for(pilot, lambda: rows.total == 62_803)
        assert key not in screen.marked
        assert rows.row(1)[0] != key and rows.known == 99
        assert status(app).startswith("62,803 devices · 99 loaded")


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_devices_loaded(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await pilot.press("down", "down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_devices_marks_and_filter(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await pilot.press("slash", *"Lyon|Paris", "enter")
        await pilot.press("down", "space", "down", "down", "ctrl+space", "down")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_devices_filter_prompt_invalid(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await pilot.press("slash", *"[a-")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_devices_empty(snap_compare, make_app, size) -> None:
    app = make_app(devices=0)

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_devices_error(snap_compare, make_app, size) -> None:
    app = make_app(fail_rate=1.0)

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
