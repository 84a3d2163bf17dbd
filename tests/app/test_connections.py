"""The connections view and the connection forms, on the real app and its simulator."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from tests.app.conftest import SIZES, fill, notifications, wait_for
from tui.app import FleetApp
from tui.screens.connections import ConnectionsScreen
from tui.screens.form_menu import FormMenu
from tui.widgets.form import FormScreen, ModelForm
from tui.widgets.state import LoadState

GOOD_KEY = "C72C6F867B150B1210ACDA5F3CDFB449"


def table(app: FleetApp) -> DataTable[Any]:
    return app.screen.query_one("#connections-table", DataTable)


def names(app: FleetApp) -> list[str]:
    t = table(app)
    return [str(t.get_row_at(i)[0]) for i in range(t.row_count)]


def state(app: FleetApp) -> str:
    return app.screen.query_one(LoadState).state


async def loaded(pilot: Any, app: FleetApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
    await wait_for(pilot, lambda: state(app) in ("ready", "empty", "error"))
    await wait_for(pilot, lambda: app.busy_count == 0)


def is_form(app: FleetApp, form: str) -> bool:
    return isinstance(app.screen, ModelForm) and app.screen.spec.id == form


async def new(pilot: Any, app: FleetApp, key: str, form: str) -> None:
    """`n`, then the form's key in the menu of the platform's connection forms."""
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, FormMenu))
    await pilot.press(key)
    await wait_for(pilot, lambda: is_form(app, form))


def invalid(form: FormScreen[Any], name: str) -> bool:
    return form.form_field(name).has_class("-invalid")


async def connection_count(app: FleetApp) -> int:
    return len(await app.platform.list_connections())  # type: ignore[union-attr]


# ---------------------------------------------------------------- the list


async def test_lists_the_app_servers_and_the_iot_flow_connections(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        assert state(app) == "ready"
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        kinds = [c.kind for c in screen.connections]
        assert kinds.count("app-server") == 4 and kinds.count("iot-flow") == 2  # twins paired
        shown = names(app)
        assert "Building management HTTPS" in shown and "AWS IoT Core (tracking)" in shown
        row = [str(c) for c in table(app).get_row_at(0)]
        assert row[1] == "app server" and row[3] == "ACTIVE" and row[6].startswith("TWA_")
        # the cursor row's ID shows below the table (on a narrow terminal there is no ID column)
        info = str(screen.query_one("#connections-info").render())
        assert "4 app servers" in info and "2 IoT Flow" in info and row[6] in info


async def test_narrow_terminal_keeps_state_health_and_devices_on_screen(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        t = table(app)
        labels = [str(c.label) for c in t.columns.values()]
        assert labels == ["Name", "Kind", "Type", "State", "Health", "Devices"]
        assert sum(c.get_render_width(t) for c in t.columns.values()) <= 78
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: len(table(app).columns) == 7)


async def test_reload_keeps_the_cursor_row(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        table(app).move_cursor(row=3)
        await pilot.press("r")
        await pilot.pause()
        await wait_for(pilot, lambda: app.busy_count == 0)
        assert table(app).cursor_row == 3 and state(app) == "ready"


async def test_a_failing_server_shows_the_error_state_and_the_vendor_code(make_app) -> None:
    app = make_app(view="connections", fail_rate=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        assert state(app) == "error"
        text = str(app.screen.query_one("#state-text").render())
        assert "Could not load connections" in text and "thingpark 50" in text
        assert any(
            n.startswith("Loading connections:") and "[5000" in n for n in notifications(app)
        )


# ---------------------------------------------------------------- Basic HTTPS


async def test_create_a_basic_https_connection(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = await connection_count(app)
        await new(pilot, app, "h", "basic-https")
        form = app.screen
        assert is_form(app, "basic-https")
        # the first field has the focus: type the name key by key
        await pilot.press(*"Billing")
        assert form.form_field("name").input.value == "Billing"  # type: ignore[attr-defined]
        fill(form, url="https://billing.example.com/uplinks", as_key=GOOD_KEY.lower())
        key_input = form.form_field("as_key").input
        assert isinstance(key_input, Input) and key_input.password  # masked
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        await wait_for(pilot, lambda: "Billing" in names(app) and app.busy_count == 0)
        assert await connection_count(app) == before + 1
        # the cursor is on the new connection, and the user was told
        assert str(table(app).get_row_at(table(app).cursor_row)[0]) == "Billing"
        assert any(n.startswith("Connection created: Billing") for n in notifications(app))


async def test_bad_url_and_key_are_refused_at_their_fields_and_nothing_is_sent(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = await connection_count(app)
        await new(pilot, app, "h", "basic-https")
        form = app.screen
        assert isinstance(form, FormScreen)
        fill(form, name="Bad", url="ftp://example.com", as_key="XYZ")
        await pilot.pause()
        # errors show as the user types, at the field
        assert invalid(form, "url") and invalid(form, "as_key") and not invalid(form, "name")
        assert "URL must look like" in str(
            form.form_field("url").query_one(".field-error").render()
        )
        fill(form, max_timestamp_deviation_s="soon")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert is_form(app, "basic-https")
        summary = str(form.query_one("#form-summary").render())
        assert "3 field(s) to fix" in summary and "Tunnel key" in summary
        assert invalid(form, "max_timestamp_deviation_s")
        assert await connection_count(app) == before
        # fixing a field clears its error
        fill(form, url="https://example.com/up")
        await pilot.pause()
        assert not invalid(form, "url")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        assert await connection_count(app) == before


async def test_a_refused_call_keeps_the_form_open_with_what_was_typed(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await new(pilot, app, "h", "basic-https")
        form = app.screen
        assert isinstance(form, FormScreen)
        fill(form, name="Down", url="https://down.example.com/x", as_key=GOOD_KEY)
        app.simulator.stop()  # the platform goes away under the user's feet
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Refused:" in str(form.query_one("#form-summary").render()))
        assert app.screen is form
        assert form.form_field("url").input.value == "https://down.example.com/x"  # type: ignore[attr-defined]
        assert any(n.startswith("New Basic HTTPS connection failed:") for n in notifications(app))
        assert not form.submitting


async def test_secrets_are_masked_until_revealed(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await new(pilot, app, "h", "basic-https")
        form = app.screen
        assert isinstance(form, FormScreen)
        key = form.form_field("as_key").input
        assert isinstance(key, Input) and key.password
        await pilot.press("ctrl+r")
        assert not key.password
        await pilot.press("ctrl+r")
        assert key.password


# ---------------------------------------------------------------- IoT Flow


async def test_create_an_iot_flow_connection(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = await connection_count(app)
        await new(pilot, app, "f", "iot-flow")
        form = app.screen
        assert isinstance(form, FormScreen)
        fill(form, name="Plant MQTT", host="mqtt.plant.example.com:8883", username="plant")
        fill(form, password="s3cret")
        protocol = form.form_field("protocol").input
        assert isinstance(protocol, Select) and protocol.value == "SSL"
        protocol.value = "WSS"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConnectionsScreen))
        await wait_for(pilot, lambda: "Plant MQTT" in names(app) and app.busy_count == 0)
        assert await connection_count(app) == before + 1
        screen = app.screen
        assert isinstance(screen, ConnectionsScreen)
        created = screen.connections[table(app).cursor_row]
        assert created.name == "Plant MQTT" and created.kind == "iot-flow"


async def test_iot_flow_topics_and_broker_are_checked_before_sending(make_app) -> None:
    app = make_app(view="connections")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = await connection_count(app)
        await new(pilot, app, "f", "iot-flow")
        form = app.screen
        assert isinstance(form, FormScreen)
        fill(
            form,
            name="Bad",
            host="broker.example.com",
            uplink_topic="things/uplink",
            downlink_topic="things/{DevEUI}/#",
            password="only-a-password",
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        for name in ("host", "uplink_topic", "downlink_topic", "username"):
            assert invalid(form, name), name
        errors = {
            name: str(form.form_field(name).query_one(".field-error").render())
            for name in ("host", "uplink_topic", "downlink_topic", "username")
        }
        assert "host:port" in errors["host"]
        assert "{DevEUI}" in errors["uplink_topic"]
        assert "wildcards" in errors["downlink_topic"]
        assert "with a password" in errors["username"]
        assert await connection_count(app) == before


async def test_read_only_profile_refuses_new_connections(make_app) -> None:
    app = make_app(view="connections", readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionsScreen)  # no menu, no form
        screen = app.screen
        assert screen.check_action("new_connection", ()) is False
        assert screen.check_action("reload", ()) is True


async def test_a_form_sends_nothing_on_a_read_only_profile(make_app) -> None:
    app = make_app(view="connections", readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = await connection_count(app)
        platform = app.platform
        form = ModelForm(platform.connection_forms()[0], platform.create_connection)  # type: ignore[union-attr]
        app.push_screen(form)  # as if opened some other way: the form itself refuses too
        await wait_for(pilot, lambda: app.screen is form)
        fill(form, name="Sneaky", url="https://x.example.com/", as_key=GOOD_KEY)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "read-only" in str(form.query_one("#form-summary").render())
        assert await connection_count(app) == before


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_connections(snap_compare, make_app, size) -> None:
    app = make_app(view="connections")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_connections_error(snap_compare, make_app, size) -> None:
    app = make_app(view="connections", fail_rate=1.0)

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_basic_https_form_with_errors(snap_compare, make_app, size) -> None:
    app = make_app(view="connections")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await new(pilot, app, "h", "basic-https")
        fill(app.screen, name="Billing", url="billing.example.com", as_key="C72C6F86")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_iot_flow_form(snap_compare, make_app, size) -> None:
    app = make_app(view="connections")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)
        await new(pilot, app, "f", "iot-flow")
        await pilot.press(*"Plant")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
