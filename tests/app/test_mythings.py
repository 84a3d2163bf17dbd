"""MyThings in the console: things in the shared list and detail (with their logs), the bulk
actions its capabilities bring, triggered rules as alarms nobody acknowledges, base stations,
and the platform's status in the header; on the real app and the real simulator."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable

from tests.app.conftest import SIZES, notifications, wait_for
from tests.app.test_bulk import labels, menu
from tests.app.test_devices import loaded, table
from tui.screens.base_stations import BaseStationsScreen
from tui.screens.device_detail import DeviceDetailScreen
from tui.screens.devices import DevicesScreen
from tui.widgets.form import FormField, ModelForm

PROFILE = "demo-mythings"


def log_rows(app: Any) -> int:
    return app.screen.query_one("#log-table", DataTable).row_count


async def open_log(pilot: Any, app: Any) -> DeviceDetailScreen:
    await loaded(pilot, app)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
    await pilot.press("l")
    await wait_for(pilot, lambda: log_rows(app) > 0)
    return app.screen


async def test_things_list_and_the_logs_of_one(make_app) -> None:
    app = make_app(profile=PROFILE, devices=40)
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await open_log(pilot, app)
        assert detail._log_kind == "latest"  # the newest value of each container first
        latest = app.screen.query_one("#log-table", DataTable)
        containers = [str(latest.get_row_at(i)[1]) for i in range(latest.row_count)]
        assert len(set(containers)) == len(containers)
        await pilot.press("l")  # the history of every container, newest first
        await wait_for(pilot, lambda: detail._log_kind == "decoded" and log_rows(app) > 0)
        await wait_for(pilot, lambda: "m more" in str(detail.query_one("#log-controls").render()))
        first = log_rows(app)
        controls = str(detail.query_one("#log-controls").render())
        assert "Decoded values" in controls and "Latest per container" in controls
        await pilot.press("m")  # the next page of the vendor's page-number paging
        await wait_for(pilot, lambda: log_rows(app) > first)
        await pilot.press("l")  # the next kind: network frames
        await wait_for(pilot, lambda: detail._log_kind == "network" and log_rows(app) > 0)
        frame = str(app.screen.query_one("#log-table", DataTable).get_row_at(0)[2])
        for part in ("RSSI ", " dBm", "SNR ", "SF", " gw", "fcnt ", "fPort "):
            assert part in frame
        assert "API up" in str(app.screen.query_one("FleetHeader").render())


async def test_counts_weekly_and_monthly(make_app) -> None:
    app = make_app(profile=PROFILE, devices=40)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await pilot.press("t", "y")  # the Traffic tab, twelve MONTHLY counts
        await wait_for(pilot, lambda: detail._traffic_loaded == "y")
        assert 12 <= len(detail.buckets) <= 13
        await pilot.press("v", "v")  # the table: one row per month
        await wait_for(
            pilot, lambda: "monthly buckets" in str(detail.query_one("#traffic-controls").render())
        )
        await pilot.press("w")
        await wait_for(pilot, lambda: detail._traffic_loaded == "w")
        assert "weekly buckets" in str(detail.query_one("#traffic-controls").render())
        assert "week of " in str(detail.query_one("#traffic-table", DataTable).get_row_at(0)[0])
        await pilot.press("9")  # not a MyThings range: nothing happens
        await pilot.pause()
        assert detail.traffic_range == "w"


async def test_bulk_offers_provisioning_and_tags_and_alarms_have_no_ack(make_app) -> None:
    app = make_app(profile=PROFILE, devices=40)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("space")
        shown = labels(await menu(pilot, app))
        for label in ("Provision", "Deprovision", "Tag (the same tags on each)"):
            assert label in shown
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        await pilot.press("escape")
        app.goto("alarms")
        await wait_for(pilot, lambda: getattr(app.screen, "VIEW", "") == "alarms")
        await wait_for(pilot, lambda: table(app).rows.started)
        assert app.screen.check_action("acknowledge", ()) is False


async def test_base_stations_and_a_new_location(make_app) -> None:
    app = make_app(profile=PROFILE, view="basestations", devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, BaseStationsScreen)
        await wait_for(pilot, lambda: len(screen.stations) == 40)
        key = screen.stations[0].key
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        form = app.screen
        form.form_field("latitude").input.value = "91"
        form.form_field("longitude").input.value = "4.35"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # refused at the field: a latitude is at most 90
        form.form_field("latitude").input.value = "50.85"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("location set" in n for n in notifications(app)))
        await wait_for(pilot, lambda: screen.stations and screen.stations[0].latitude == "50.85")
        assert screen.stations[0].key == key


async def test_another_platform_has_no_base_stations(make_app) -> None:
    app = make_app(view="basestations", devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#catalogue-state").state == "empty")
        assert app.screen.check_action("set_location", ()) is False


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_things(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, devices=40)

    async def run_before(pilot: Any) -> None:
        await loaded(pilot, app)
        await wait_for(pilot, lambda: app.platform_health is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("kind", ["latest", "network"])
def test_snapshot_thing_log(snap_compare, make_app, size, kind) -> None:
    app = make_app(profile=PROFILE, devices=40)

    async def run_before(pilot: Any) -> None:
        detail = await open_log(pilot, app)
        while detail._log_kind != kind:
            await pilot.press("l")
        await wait_for(pilot, lambda: detail._log_shown == kind and detail._log_rows > 0)
        await wait_for(pilot, lambda: app.platform_health is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_base_stations(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="basestations", devices=20)

    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: len(app.screen.stations) == 40)
        await wait_for(pilot, lambda: app.platform_health is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_stream_definitions_turn_off_and_on_and_go(make_app) -> None:
    app = make_app(profile=PROFILE, view="connections", devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.connections) == 1)
        before = screen.connections[0].state
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.connections and screen.connections[0].state != before)
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.connections and screen.connections[0].state == before)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: not screen.connections)
        assert any("deleted" in n for n in notifications(app))


async def test_a_stream_with_a_typed_template_then_edited(make_app) -> None:
    app = make_app(profile=PROFILE, view="connections", devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.connections) == 1)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        form = app.screen
        form.form_field("name").input.value = "Quotes"
        form.form_field("url").input.value = "https://h.example/in"
        form.form_field("content_type").input.value = "FREEFORM"
        template = form.form_field("template").input
        template.focus()
        typed = '{"thing": "%thingidentifier%"}'
        await pilot.press(*typed)  # typed as it reads: quotes and all
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.connections) == 2)
        created = next(c for c in screen.connections if c.name == "Quotes")
        stored = await app.platform.get_stream_definition(created.key)
        assert stored["template"] == typed
        table = screen.query_one(DataTable)
        table.move_cursor(row=[c.key for c in screen.connections].index(created.key))
        await pilot.press("e")  # filled with what it holds now
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        form = app.screen
        headers = form.form_field("headers").input
        assert headers.text == "" and form.form_field("active").input.value is False
        headers.focus()
        await pilot.press(*"X-Fleet 1")  # no colon: refused at the field
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "line 1: a header is written Name: value" in str(
            form.query_one("#field-headers .field-error").render()
        )
        headers.text = "X-Fleet: 1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        stored = await app.platform.get_stream_definition(created.key)
        assert stored["headers"] == [{"key": "X-Fleet", "value": "1"}]
        assert any("Quotes changed" in n for n in notifications(app))


async def test_a_platform_without_switching_offers_none_of_the_keys(make_app) -> None:
    app = make_app(view="connections", devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.connections))
        assert app.screen.check_action("toggle_active", ()) is False
        assert app.screen.check_action("delete_connection", ()) is False
        assert app.screen.check_action("edit_connection", ()) is False


async def test_edit_a_things_tags_from_its_detail(make_app) -> None:
    app = make_app(profile=PROFILE, devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await wait_for(pilot, lambda: detail.detail is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen is not detail)
        menu_screen = app.screen
        await pilot.press("t")  # tags (replace)
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        assert app.screen is not menu_screen
        app.screen.form_field("tags").input.value = "floor-3, audited"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("changed" in n for n in notifications(app)))
        await wait_for(pilot, lambda: "audited" in str(detail.detail and detail.detail.raw))


# ---------------------------------------------------------------- forms, in each state


async def open_create_form(pilot: Any, app: Any, key: str) -> ModelForm:
    """The devices view's `n`, then the form of that connectivity, its pickers loaded."""
    await loaded(pilot, app)
    await pilot.press("n")
    await wait_for(pilot, lambda: not isinstance(app.screen, DevicesScreen))
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
    form = app.screen
    for name in form.spec.choices:
        picker = form.form_field(name).input
        await wait_for(pilot, lambda picker=picker: len(getattr(picker, "_options", ())) > 1)
    return form


async def test_an_otaa_thing_refused_at_the_field_then_created(make_app) -> None:
    app = make_app(profile=PROFILE, devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_create_form(pilot, app, "o")
        form.form_field("thing_identifier").input.value = "70B3D5FF00000042"
        form.form_field("thing_type_id").input.value = "10"
        form.form_field("application_eui").input.value = "70B3D57ED000000"  # 15 digits
        form.form_field("application_key").input.value = "XYZ"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        errors = {
            w.spec.name: str(w.query_one(".field-error").render()) for w in form.query(FormField)
        }
        assert errors["application_key"] == "ApplicationKey must be 32 characters"
        assert errors["application_eui"] == "ApplicationEUI must be 16 characters"
        assert "2 field(s) to fix: AppEUI, AppKey" in str(form.query_one("#form-summary").render())
        form.form_field("application_eui").input.value = "70B3D57ED0000001"
        form.form_field("application_key").input.value = "2B7E151628AED2A6ABF7158809CF4F3C"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
        assert any("70B3D5FF00000042" in n for n in notifications(app))


async def test_an_abp_thing_takes_its_address_from_the_reserved_pool(make_app) -> None:
    app = make_app(profile=PROFILE, devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_create_form(pilot, app, "a")
        pool = [value for _, value in form.form_field("device_address").input._options[1:]]
        assert pool and all(len(a) == 8 for a in pool)
        form.form_field("thing_identifier").input.value = "70B3D5FF00000043"
        form.form_field("thing_type_id").input.value = "10"
        form.form_field("device_address").input.value = pool[0]
        form.form_field("network_session_key").input.value = "44341234123412344444123412341241"
        form.form_field("application_session_keys").input.value = "1:11111234"
        await pilot.pause()
        assert "ApplicationSessionKey must be 32 characters" in str(
            form.query_one("#field-application_session_keys .field-error").render()
        )
        keys = "1:11111234123412341234123412341243, 2:21111234123412341234123412341243"
        form.form_field("application_session_keys").input.value = keys
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
        thing = await app.platform.get_device("70B3D5FF00000043")
        assert thing.raw["technologyDetails"]["deviceAddress"] == pool[0]
        assert pool[0] not in await app.platform.device_addresses()


def _filled_otaa(form: ModelForm) -> None:
    form.form_field("thing_identifier").input.value = "70B3D5FF00000042"
    form.form_field("thing_name").input.value = "Lobby [b]sensor[/b]"
    form.form_field("thing_type_id").input.value = "10"
    form.form_field("application_eui").input.value = "70B3D57ED0000001"
    form.form_field("application_key").input.value = "2B7E1516"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("key", ["o", "a", "e"], ids=["otaa-refused", "abp", "ethernet"])
def test_snapshot_create_forms(snap_compare, make_app, size, key) -> None:
    app = make_app(profile=PROFILE, devices=20)

    async def run_before(pilot: Any) -> None:
        form = await open_create_form(pilot, app, key)
        if key == "o":
            _filled_otaa(form)
            await pilot.press("ctrl+s")  # refused: the AppKey's field says why
        elif key == "a":  # the address picker open on the company's reserved pool
            picker = form.form_field("device_address")
            picker.input.focus()
            form.query_one("#form-fields").scroll_to_widget(picker, animate=False)
            await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_stream_edit_form(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="connections", devices=20)

    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: len(app.screen.connections) == 1)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        app.screen.form_field("headers").input.text = "Content-Type: application/json\nX-Fleet"
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
