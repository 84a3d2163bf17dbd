"""The MyThings "done when" of its issue, as a new user does it, keys and all: switch to the demo
profile, find a temperature sensor, read its week of values and network log, create an OTAA
thing (a bad AppKey refused at the field, then a good one), provision it, tag it, send it a
downlink, and send a configuration template to five marked things."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from textual.widgets import DataTable

from tests.app.conftest import notifications, switch_profile, wait_for
from tests.app.test_bulk import menu
from tests.app.test_bulk_runs import settled
from tests.app.test_devices import loaded, table
from tui.api.bulk import RunState, TargetState
from tui.screens.bulk_plan import ActionMenu, PlanScreen
from tui.screens.device_detail import DeviceDetailScreen
from tui.screens.devices import DevicesScreen
from tui.widgets.form import ModelForm


def mythings_ops(app: Any) -> dict[str, dict[str, int]]:
    """What the app's simulator says MyThings did, per thing."""
    answer = httpx.get(f"{app.simulator.ensure()}/_sim/ops", timeout=10)
    answer.raise_for_status()
    return answer.json()["mythings"]


async def choose(pilot: Any, app: Any, label: str) -> None:
    """Press the accelerator of the bulk menu's entry that starts with `label`."""
    shown = await menu(pilot, app)
    assert isinstance(shown, ActionMenu)
    key = next(e.key for e in shown._entries.values() if e.label.startswith(label))
    await pilot.press(key)


def field_error(form: ModelForm, name: str) -> str:
    return str(form.query_one(f"#field-{name} .field-error").render())


async def test_a_new_user_walks_the_mythings_demo(make_app) -> None:
    # The ThingPark demo first, as `fleet` starts; the simulator's clock runs, as it does for a
    # user: "the last week" is asked of the adapter's own clock.
    app = make_app(devices=40, frozen_at_ms=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await switch_profile(pilot, app, "demo-mythings")
        screen = await loaded(pilot, app)
        assert isinstance(screen, DevicesScreen)

        # Find a temperature sensor; its week of traffic, its values and its network log.
        await pilot.press("slash", *"Temperature and humidity", "enter")
        rows = table(app).rows
        await wait_for(pilot, lambda: rows.row_filter is not None and rows.view_rows > 0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await wait_for(pilot, lambda: detail.detail is not None)
        assert detail.detail.summary.model.startswith("Temperature and humidity")
        await pilot.press("t")  # the last 7 days, day by day
        await wait_for(pilot, lambda: detail._traffic_loaded == "7")
        assert len(detail.buckets) >= 7 and sum(b.up for b in detail.buckets) > 0
        await pilot.press("l")  # the latest value of each container
        await wait_for(pilot, lambda: detail._log_shown == "latest" and detail._log_rows > 0)
        log = detail.query_one("#log-table", DataTable)
        assert "temperature" in {str(log.get_row_at(i)[1]) for i in range(log.row_count)}
        await pilot.press("l")  # every value, newest first
        await wait_for(pilot, lambda: detail._log_shown == "decoded" and detail._log_rows > 0)
        await pilot.press("l")  # the network log
        await wait_for(pilot, lambda: detail._log_shown == "network" and detail._log_rows > 0)
        assert "RSSI " in str(log.get_row_at(0)[2])
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")  # the filter goes
        await wait_for(pilot, lambda: rows.row_filter is None)

        # An OTAA thing: a bad AppKey is refused at its field, then a good one is created.
        eui = "70B3D5FF" + secrets.token_hex(4).upper()
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        form = app.screen
        assert form.spec.id == "lora-otaa"
        form.form_field("thing_identifier").input.value = eui
        form.form_field("thing_name").input.value = "Walkthrough sensor"
        await wait_for(pilot, lambda: len(form.form_field("thing_type_id").input._options) > 1)
        form.form_field("thing_type_id").input.value = "10"
        form.form_field("application_eui").input.value = "70B3D57ED0000001"
        form.form_field("application_key").input.value = "2B7E1516"  # too short
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert field_error(form, "application_key") == "ApplicationKey must be 32 characters"
        form.form_field("application_key").input.value = "2B7E151628AED2A6ABF7158809CF4F3C"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        assert any(eui in n for n in notifications(app))
        await wait_for(pilot, lambda: rows.find(eui) is not None)

        # Provision it, then tag it: bulk runs on the one thing under the cursor.
        await pilot.press("slash", *eui, "enter")
        await wait_for(pilot, lambda: rows.row_filter is not None and rows.view_rows == 1)
        await pilot.press("space")
        await choose(pilot, app, "Provision")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("ctrl+s")
        [provisioned] = await settled(pilot, app)
        assert provisioned.count(TargetState.DONE) == 1
        await pilot.press("space")
        await choose(pilot, app, "Tag (the same")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        app.screen.form_field("tags").input.value = "walkthrough, floor-2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("ctrl+s")
        tagged, _ = await settled(pilot, app, count=2)
        assert tagged.count(TargetState.DONE) == 1

        # A downlink from its detail.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await wait_for(pilot, lambda: detail.detail is not None and detail.key == eui)
        assert "walkthrough" in str(detail.detail.raw.get("tags"))
        assert "provisioned" in str(detail.detail.sections).lower()
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen is not detail)
        await pilot.press("d")  # of the menu: a downlink, or a configuration template
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        downlink = app.screen
        downlink.form_field("payload").input.value = "01A0"
        downlink.form_field("fport").input.value = "2"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        # A configuration template to five marked things.
        await pilot.press("escape")
        await wait_for(pilot, lambda: rows.row_filter is None)
        await pilot.press("g")
        for _ in range(5):
            await pilot.press("space", "down")
        five = set(screen.marked)
        assert len(five) == 5
        await choose(pilot, app, "Send a configuration template")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        template = app.screen.form_field("template").input
        await wait_for(pilot, lambda: len(template._options) > 1)
        template.value = template._options[1][1]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("ctrl+s")
        sent, *_ = await settled(pilot, app, count=3)
        assert sent.state is RunState.DONE and sent.count(TargetState.DONE) == 5

        ops = mythings_ops(app)
        # A LoRa thing is provisioned as it is created ("if needed provision it on the
        # network"): provisioning it again is answered OK and changes nothing.
        assert ops[eui] == {"create": 1, "tag": 1, "downlink": 1 + (eui in five)}
        assert all(ops[k] == {"downlink": 1} for k in five - {eui})
