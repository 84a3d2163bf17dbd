"""The fleet overview against the embedded simulator: every demo profile's figures, a failing
profile in its own row, and a device search across every profile that opens what it finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.app.conftest import SIZES, wait_for
from tui.config import load_config
from tui.screens.overview import OverviewScreen

DEVEUI = "0004A30B0000011E"  # the first ThingPark device of the demo fleet
IOTDA_ID = "607e8a0059326b619c4b21e1_DEE2AE004E1F"


def _settled(app) -> bool:
    screen = app.screen
    return isinstance(screen, OverviewScreen) and all(
        (row.figures is not None or row.error) and not row.busy for row in screen.rows.values()
    )


def _cells(app, name: str) -> list[str]:
    table = app.screen.query_one("#overview-table", DataTable)
    return [str(cell) for cell in table.get_row(name)]


def _searched(app) -> bool:
    screen = app.screen
    return isinstance(screen, OverviewScreen) and None not in screen._answers.values()


def _result_keys(app) -> list[str]:
    table = app.screen.query_one("#search-results", DataTable)
    return [str(key.value) for key in table.rows]


async def test_every_demo_profile_shows_its_figures(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        rows = app.screen.rows
        assert set(rows) == {
            "demo-enos",
            "demo-iotda",
            "demo-mythings",
            "demo-telit",
            "demo-thingpark",
        }
        assert not any(row.error for row in rows.values())
        tp = _cells(app, "demo-thingpark")
        assert tp[2] == "62,804" and tp[3] == "1,669" and tp[5] == "ok"
        assert tp[6] == "6 ACTIVE"
        assert _cells(app, "demo-iotda")[2:4] == ["20,000", "—"]
        assert _cells(app, "demo-mythings")[2] == "5,000"
        assert _cells(app, "demo-telit")[2] == "3,000"
        assert "252 active" in _cells(app, "demo-telit")[6]
        assert _cells(app, "demo-enos")[2] == "36"
        assert _cells(app, "demo-enos")[4] == "21:26:40"  # the app's (frozen) clock, Paris time


async def test_enter_opens_the_profiles_device_list(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        table = app.screen.query_one("#overview-table", DataTable)
        table.move_cursor(row=table.get_row_index("demo-iotda"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.profile_name == "demo-iotda" and app.platform)
        assert app.view == "devices" and app.platform.name == "iotda"
        await pilot.press("minus")  # back to the overview, its figures kept
        await wait_for(pilot, lambda: isinstance(app.screen, OverviewScreen))
        assert _settled(app)


def _config_with_a_broken_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "config.toml"
    path.write_text(
        "[profiles.prod]\n"
        'platform = "thingpark"\n'
        'base_url = "https://thingpark.example.com"\n'
        'client_id = "sub-1/console"\n'
    )
    monkeypatch.delenv("FLEET_PROD_CLIENT_SECRET", raising=False)
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)
    return load_config(path)


async def test_a_failing_profile_shows_its_error_and_holds_no_other(
    make_app, tmp_path, monkeypatch
) -> None:
    from tui.secrets import SecretResolver

    app = make_app(
        view="overview",
        app_config=_config_with_a_broken_profile(tmp_path, monkeypatch),
        resolver=SecretResolver(keyring_timeout=0.5),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        prod = app.screen.rows["prod"]
        assert prod.error and "FLEET_PROD_CLIENT_SECRET" in prod.error
        assert prod.figures is None and prod.failures == 1
        assert _cells(app, "prod")[2] == ""
        assert _cells(app, "demo-thingpark")[2] == "62,804"
        # The cursor row's whole error is on the line below the table.
        table = app.screen.query_one("#overview-table", DataTable)
        table.move_cursor(row=table.get_row_index("prod"))
        await pilot.pause()
        status = str(app.screen.query_one("#overview-status").render())
        assert "FLEET_PROD_CLIENT_SECRET" in status
        # A search says the failing profile failed and finds the device elsewhere.
        await pilot.press("slash", *DEVEUI.lower(), "enter")
        await wait_for(pilot, lambda: _searched(app))
        assert app.screen._answers["prod"] and isinstance(app.screen._answers["prod"], str)
        assert f"demo-thingpark\0{DEVEUI}" in _result_keys(app)
        assert "prod\0" in _result_keys(app)  # its row says it failed


async def test_a_slow_profile_spins_in_its_own_row_and_holds_up_no_other(
    make_app, tmp_path, monkeypatch
) -> None:
    """A profile whose secret_command takes seconds: its row spins while every other row
    shows its figures, and a search answers from the others at once."""
    from tui.secrets import SecretResolver

    path = tmp_path / "config.toml"
    path.write_text(
        "[profiles.slow]\n"
        'platform = "thingpark"\n'
        'base_url = "https://thingpark.example.com"\n'
        'client_id = "sub-1/console"\n'
        'secret_command = "sleep 8; echo late"\n'
    )
    monkeypatch.delenv("FLEET_SLOW_CLIENT_SECRET", raising=False)
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)
    app = make_app(
        view="overview", app_config=load_config(path), resolver=SecretResolver(keyring_timeout=0.5)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        rows = lambda: app.screen.rows  # noqa: E731
        await wait_for(
            pilot, lambda: all(r.figures for n, r in rows().items() if n != "slow"), timeout=6
        )
        assert rows()["slow"].busy and "refreshing" in _cells(app, "slow")[5]
        await pilot.press("slash", *DEVEUI, "enter")
        await wait_for(
            pilot, lambda: app.screen._answers.get("demo-thingpark") is not None, timeout=3
        )
        assert app.screen._answers["slow"] is None  # still looking
        assert "slow\0" in _result_keys(app) and f"demo-thingpark\0{DEVEUI}" in _result_keys(app)
        await pilot.press("q")  # quitting waits for no secret_command


async def test_search_finds_a_deveui_and_an_iotda_device_and_enter_opens_it(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        await pilot.press("s", *DEVEUI.lower(), "enter")
        await wait_for(pilot, lambda: _searched(app))
        assert _result_keys(app) == [f"demo-thingpark\0{DEVEUI}"]
        await pilot.press("slash")
        app.screen.query_one("#search-input").value = IOTDA_ID
        await pilot.press("enter")
        await wait_for(pilot, lambda: _searched(app))
        assert _result_keys(app) == [f"demo-iotda\0{IOTDA_ID}"]
        await pilot.press("enter")
        from tui.screens.device_detail import DeviceDetailScreen

        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        assert app.profile_name == "demo-iotda" and app.view == "devices"
        assert app.screen.key == IOTDA_ID


async def test_search_by_name_and_esc_closes_it(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        await pilot.press("slash")
        app.screen.query_one("#search-input").value = "light-00000"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _searched(app))
        assert _result_keys(app) == ["demo-telit\0light-00000"]
        await pilot.press("escape")
        assert not app.screen.has_class("-searched")


async def test_r_refreshes_every_profile(make_app) -> None:
    app = make_app(view="overview")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _settled(app))
        before = {n: r.figures for n, r in app.screen.rows.items()}
        await pilot.press("r")
        await wait_for(
            pilot, lambda: all(r.figures is not before[n] for n, r in app.screen.rows.items())
        )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_snapshot(snap_compare, make_app, size) -> None:
    app = make_app(view="overview")

    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: _settled(app) and app.platform is not None)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_results_snapshot(snap_compare, make_app, size) -> None:
    app = make_app(view="overview")

    async def searched(pilot) -> None:
        await wait_for(pilot, lambda: _settled(app) and app.platform is not None)
        await pilot.press("slash")
        app.screen.query_one("#search-input").value = "SoilSensor-Shenzhen-19999"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _searched(app))

    assert snap_compare(app, terminal_size=size, run_before=searched)


async def test_a_device_of_the_open_profile_opens_at_once_and_colon_overview_returns(
    make_app,
) -> None:
    from tui.screens.device_detail import DeviceDetailScreen

    app = make_app(view="devices")  # as `fleet --profile demo-thingpark` starts
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("colon", *"overview", "enter")
        await wait_for(pilot, lambda: _settled(app))
        await pilot.press("slash", *DEVEUI, "enter")
        await wait_for(pilot, lambda: _searched(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        assert app.screen.key == DEVEUI and app.profile_name == "demo-thingpark"
