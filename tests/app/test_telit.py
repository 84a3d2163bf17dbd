"""Telit in the console, on the real app and the simulator's TR50: thing definitions, application
tokens (shown once), things with their identifiers checked at the field, SIM connections that
become things, the CDP's auto-create setting, and a simulated gateway that auto-registers."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from tests.app.conftest import SIZES, field_errors, fill, notifications, switch_profile, wait_for
from tests.app.test_bulk import menu
from tests.app.test_devices import loaded, table
from tui.screens.bulk_plan import PlanScreen
from tui.screens.definitions import DefinitionScreen, DefinitionsScreen, TokensScreen
from tui.screens.secret_once import SecretOnceScreen
from tui.widgets.form import ModelForm

PROFILE = "demo-telit"
GOOD_IMEI = "490154203237518"
BAD_IMEI = "490154203237519"  # the Luhn check digit is wrong


async def goto(pilot: Any, app: Any, view: str) -> Any:
    await pilot.press("colon", *view, "enter")
    await wait_for(pilot, lambda: getattr(app.screen, "VIEW", "") == view)
    return app.screen


async def form_of(pilot: Any, app: Any, key: str | None = None) -> ModelForm:
    """`n`, then (when the platform offers several) the form's own key."""
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelForm) or app.screen.is_modal)
    if not isinstance(app.screen, ModelForm) and key:
        await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
    form = app.screen
    for name in form.spec.choices:
        picker = form.form_field(name).input
        await wait_for(pilot, lambda picker=picker: len(getattr(picker, "_options", ())) > 1)
    return form


def gateway_connects(app: Any, thing_key: str, app_id: str, token: str) -> str:
    """`fleet sim-gateway`, as a user runs it in another terminal, against this simulator."""
    env = {**os.environ, "FLEET_TEST_APP_TOKEN": token}
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tui", "sim-gateway", thing_key),
            *("--url", app.simulator.ensure(), "--app-id", app_id),
            *("--app-token-env", "FLEET_TEST_APP_TOKEN"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert token not in done.stdout + done.stderr
    return done.stdout


async def test_a_new_user_walks_the_telit_demo(make_app) -> None:
    """The issue's "done when", keys and all, from the console's first screen."""
    app = make_app(devices=40, frozen_at_ms=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await switch_profile(pilot, app, PROFILE)
        await loaded(pilot, app)
        # A thing definition.
        definitions = await goto(pilot, app, "definitions")
        await wait_for(pilot, lambda: bool(definitions.items))
        form = await form_of(pilot, app)
        fill(form, key="water-pump", name="Water pump")
        fill(form, attributes="serial: Serial number", properties="flow: Flow\npressure: Pressure")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(d.key == "water-pump" for d in definitions.items))
        await pilot.press("enter")  # the cursor is on it: its detail
        await wait_for(pilot, lambda: isinstance(app.screen, DefinitionScreen))
        await wait_for(pilot, lambda: app.screen.definition is not None)
        shown = app.screen.definition
        assert shown.properties == {"flow": "Flow", "pressure": "Pressure"}
        assert shown.attributes == {"serial": "Serial number"}
        await pilot.press("escape")
        # An application token for it, shown once.
        tokens = await goto(pilot, app, "tokens")
        await wait_for(pilot, lambda: bool(tokens.items))
        form = await form_of(pilot, app)
        fill(form, name="Pump gateways", definition="water-pump", auto_reg_tags="pumps, field")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretOnceScreen))
        once = app.screen
        token = once._secrets["token"].get_secret_value()
        assert token not in str(once.query_one("#secret-values", Static).render())
        await pilot.press("c", "escape")
        await wait_for(pilot, lambda: app.screen is tokens)
        await wait_for(pilot, lambda: any(a.name == "Pump gateways" for a in tokens.items))
        app_id = next(a.key for a in tokens.items if a.name == "Pump gateways")
        # A thing with an IMEI: a wrong check digit is refused at the field, then a good one.
        devices = await goto(pilot, app, "devices")
        await loaded(pilot, app)
        form = await form_of(pilot, app)
        fill(form, definition="water-pump", name="Pump 1", key="pump-0001")
        fill(form, identifier_kind="imei", identifier=BAD_IMEI)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "identifier" in field_errors(form))
        assert "Luhn" in field_errors(form)["identifier"]
        fill(form, identifier=GOOD_IMEI)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is devices)
        await wait_for(pilot, lambda: table(app).rows.find("pump-0001") is not None)
        # A thing from a SIM connection.
        connections = await goto(pilot, app, "connections")
        await wait_for(pilot, lambda: bool(connections.connections))
        free = next(i for i, c in enumerate(connections.connections) if not c.device_key)
        sim = connections.connections[free]
        connections.query_one(DataTable).move_cursor(row=free)
        await pilot.press("t")
        form = await form_of(pilot, app)
        fill(form, definition="water-pump", name="SIM pump", key="sim-pump-1")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: any(
                c.key == sim.key and c.device_key == "sim-pump-1" for c in connections.connections
            ),
        )
        # Auto creation: on, then a new connection from the carriers becomes a thing.
        await wait_for(pilot, lambda: connections.auto_create is False)
        await pilot.press("A")
        await wait_for(pilot, lambda: connections.auto_create is True)
        before = {c.key for c in connections.connections}
        await pilot.press("s")
        await wait_for(pilot, lambda: len(connections.connections) > len(before))
        [new] = [c for c in connections.connections if c.key not in before]
        assert new.device_key, "the new connection became a thing"
        # A simulated gateway with the new token auto-registers as a water pump.
        said = gateway_connects(app, "field-gw-7", app_id, token)
        assert "field-gw-7 connected" in said and "water-pump" in said
        await goto(pilot, app, "devices")
        await pilot.press("r")
        await loaded(pilot, app)
        thing = await app.platform.get_device("field-gw-7")
        assert thing.summary.model == "water-pump" and "pumps" in str(thing.raw.get("tags"))
        assert not any(token in n for n in notifications(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_definitions(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="definitions")

    async def run_before(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, DefinitionsScreen)
        await wait_for(pilot, lambda: bool(screen.items))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_definition_detail(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="definitions")

    async def run_before(pilot: Any) -> None:
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.items))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DefinitionScreen))
        await wait_for(pilot, lambda: app.screen.definition is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_tokens(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="tokens")

    async def run_before(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, TokensScreen)
        await wait_for(pilot, lambda: bool(screen.items))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_new_thing_refused(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE)

    async def run_before(pilot: Any) -> None:
        await loaded(pilot, app)
        form = await form_of(pilot, app)
        fill(form, definition="meter", name="Meter 1", key="meter-x1")
        fill(form, identifier_kind="imei", identifier=BAD_IMEI)
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_connections(snap_compare, make_app, size) -> None:
    app = make_app(profile=PROFILE, view="connections")

    async def run_before(pilot: Any) -> None:
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.connections) and screen.auto_create is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_bulk_offers_delete_tag_and_create_from_csv(make_app, tmp_path) -> None:
    app = make_app(profile=PROFILE)
    rows = tmp_path / "things.csv"
    rows.write_text(
        "definition,name,key,identifier_kind,identifier,tags\n"
        f"meter,Meter A,csv-meter-a,imei,{GOOD_IMEI},csv\n"
        "meter,Meter B,csv-meter-b,imei,490154203237519,csv\n",
        encoding="utf-8",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        shown = [e.label for e in (await menu(pilot, app))._entries.values()]
        for label in ("Delete", "Tag (the same tags on each)", "Create things from a CSV file"):
            assert label in shown
        key = next(e.key for e in app.screen._entries.values() if e.label.startswith("Create"))
        await pilot.press(key)
        await wait_for(pilot, lambda: screen.prompt.is_open)
        screen.prompt.query_one(Input).value = str(rows)
        await pilot.press("enter")
        # Every row is checked first: the second IMEI's check digit is wrong, nothing runs.
        await wait_for(pilot, lambda: any("line 3" in n for n in notifications(app)))
        assert any("Luhn" in n for n in notifications(app))
        assert not isinstance(app.screen, PlanScreen)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_token_shown_once(snap_compare, make_app, size) -> None:
    # The hint names the simulator's URL: a port of its own, so that the snapshot holds still.
    app = make_app(profile=PROFILE, view="tokens", port=18_841)

    async def run_before(pilot: Any) -> None:
        tokens = app.screen
        await wait_for(pilot, lambda: bool(tokens.items))
        form = await form_of(pilot, app)
        fill(form, name="Pump gateways", definition="pump", auto_reg_tags="pumps")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretOnceScreen))
        await wait_for(
            pilot,
            lambda: app.busy_count == 0 and any(a.name == "Pump gateways" for a in tokens.items),
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
