"""Bulk actions in the console: marks across pages, the menu of actions, the plan, the typed
confirmation, CSV rows and exports, on the real app and simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.app.conftest import SIZES, notifications, wait_for
from tests.app.test_devices import loaded, status, table
from tui.screens.bulk_plan import ActionMenu, PlanScreen
from tui.screens.devices import DevicesScreen
from tui.widgets.form import ModelForm


async def menu(pilot: Any, app: Any) -> ActionMenu:
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, ActionMenu))
    return app.screen


async def downlink_plan(pilot: Any, app: Any) -> PlanScreen:
    """The plan of a downlink (01A0 on FPort 2) to the marked rows, from `b` `s` and its form."""
    await menu(pilot, app)
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
    form = app.screen
    form.form_field("payload_hex").input.value = "01A0"
    form.form_field("fport").input.value = "2"
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
    return app.screen


def labels(screen: ActionMenu) -> list[str]:
    return [entry.label for entry in screen._entries.values()]


async def test_mark_all_shown_fetches_the_rest_and_invert_and_hidden_marks(make_app) -> None:
    app = make_app(devices=450)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("slash", *"Lyon", "enter")
        await wait_for(pilot, lambda: rows.row_filter is not None)
        await pilot.press("A")  # every Lyon device, the rest of the list fetched for it
        await wait_for(pilot, lambda: rows.complete and not rows.mark_arrivals)
        lyon = {rows.row(i)[0] for i in range(rows.view_rows)}
        assert screen.marked == lyon and len(lyon) > 10
        assert any(f"{len(lyon):,} devices marked" in n for n in notifications(app))
        await pilot.press("slash", "ctrl+u", *"Nice", "enter")
        await wait_for(pilot, lambda: rows.row_filter.text == "Nice")
        assert f"({len(lyon):,} hidden by the filter)" in status(app)
        await pilot.press("V")  # invert over the rows shown: the Nice ones become marked
        nice = {rows.row(i)[0] for i in range(rows.view_rows)}
        assert screen.marked == lyon | nice
        await pilot.press("escape", "U")
        assert not screen.marked


async def test_the_menu_offers_each_capabilitys_actions(make_app) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        shown = labels(await menu(pilot, app))
        assert shown[:3] == ["Delete", "Send a downlink", "Set the name"]
        assert "Create LoRaWAN OTAA devices from a CSV file" in shown
        assert "Export the whole list (CSV)" in shown
        assert "Export the marked devices (CSV)" not in shown  # nothing is marked
        await pilot.press("escape")


async def test_read_only_offers_only_exports(make_app) -> None:
    app = make_app(devices=50, readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("space")
        shown = labels(await menu(pilot, app))
        assert shown and all(label.startswith("Export") for label in shown)


async def test_a_destructive_plan_asks_for_the_count(make_app) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await pilot.press("space", "down", "space", "down", "space")
        await menu(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        plan_screen = app.screen
        assert plan_screen.plan.count == 3 and plan_screen.plan.destructive
        await pilot.press("ctrl+s")  # nothing typed: refused
        await pilot.pause()
        assert app.screen is plan_screen
        assert "Type 3" in str(plan_screen.query_one("#plan-hint").render())
        plan_screen.query_one("#plan-count", Input).value = "4"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is plan_screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))


async def test_a_downlink_plan_names_what_cannot_be_done(make_app) -> None:
    app = make_app(devices=400)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        rows = table(app).rows
        await pilot.press("A")
        await wait_for(pilot, lambda: rows.complete and not rows.mark_arrivals)
        cellular = sum(1 for k in screen.marked if rows.marked_row(k)[3] == "CELLULAR")
        assert cellular
        made = (await downlink_plan(pilot, app)).plan
        assert made.count + len(made.refused) == len(screen.marked)
        assert len(made.refused) == cellular
        assert made.refused[0][1] == "a CELLULAR device takes no downlink"
        assert not made.destructive


async def test_a_bad_csv_is_reported_by_line_and_column_and_nothing_is_planned(
    make_app, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "name,eui,app_key,model_key,connection_keys\n"
        "ok,70B3D5E75E00BB01,00112233445566778899AABBCCDDEEFF,m,TWA_1\n"
        "bad,70B3,00112233445566778899AABBCCDDEEFF,m,TWA_1\n"
    )
    app = make_app(devices=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await menu(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.prompt.is_open)
        assert "name, eui, app_key, model_key, connection_keys, [app_eui]" in str(
            app.screen.query_one("#prompt-hint").render()
        )
        await pilot.press(*str(path), "enter")
        await wait_for(pilot, lambda: any("line 3, eui:" in n for n in notifications(app)))
        assert isinstance(app.screen, DevicesScreen)


async def test_export_the_marked_devices_and_the_whole_list(make_app, tmp_path: Path) -> None:
    app = make_app(devices=250)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("space", "down", "space")
        marked = set(screen.marked)
        await menu(pilot, app)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.prompt.is_open)
        screen.prompt.query_one(Input).value = str(tmp_path / "marked.jsonl")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("written to" in n for n in notifications(app)))
        lines = (tmp_path / "marked.jsonl").read_text().splitlines()
        assert {json.loads(line)["key"] for line in lines} == marked
        await menu(pilot, app)
        await pilot.press("O")
        await wait_for(pilot, lambda: screen.prompt.is_open)
        screen.prompt.query_one(Input).value = str(tmp_path / "all.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "all.csv").exists())
        assert len((tmp_path / "all.csv").read_text().splitlines()) == 251  # and a header


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_bulk_menu(snap_compare, make_app, size) -> None:
    app = make_app(devices=50)

    async def run_before(pilot: Any) -> None:
        await loaded(pilot, app)
        await pilot.press("space", "down", "space")
        await menu(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_destructive_plan(snap_compare, make_app, size) -> None:
    app = make_app(devices=50)

    async def run_before(pilot: Any) -> None:
        await loaded(pilot, app)
        await pilot.press("slash", *"Lyon", "enter")
        await pilot.press("A")
        await wait_for(pilot, lambda: table(app).rows.complete)
        await pilot.press("escape")  # the filter goes; the marks stay
        await pilot.press("space")  # and one more, not a Lyon one
        await pilot.press("slash", *"Nice", "enter")
        await menu(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        app.screen.query_one("#plan-count", Input).value = "1"
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
