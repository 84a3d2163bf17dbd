"""The app shell on the embedded simulator: profiles, header badges, `:`, `?`, palette, errors."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.app.conftest import notifications, wait_for
from tui.app import FleetCommands
from tui.screens.help import HelpScreen
from tui.screens.profiles import ProfilesScreen
from tui.session import ADAPTERS
from tui.widgets.header import FleetHeader


async def test_fleet_opens_the_demo_profile_on_the_embedded_simulator(make_app) -> None:
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        assert app.simulator.running
        assert app.platform.name == "thingpark"
        header = app.screen.query_one(FleetHeader)
        assert header.demo and not header.insecure
        assert "DEMO" in str(header.render())
        table = app.screen.query_one(DataTable)
        names = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"demo-thingpark", "demo-iotda", "demo-telit"} <= names


async def test_a_platform_without_adapter_is_refused_and_the_open_one_stays(
    make_app, monkeypatch
) -> None:
    # Every platform has an adapter now: this fleet is one whose Telit adapter is missing.
    monkeypatch.delitem(ADAPTERS, "telit")
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        first = app.platform
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=3)  # demo-telit
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("not supported" in n for n in notifications(app)))
        assert app.platform is first and app.profile_name == "demo-thingpark"


async def test_a_profile_that_cannot_open_at_start_shows_why(make_app, monkeypatch) -> None:
    monkeypatch.delitem(ADAPTERS, "telit")
    app = make_app(view="profiles", profile="demo-telit")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.open_error is not None)
        assert "not supported" in app.open_error
        assert app.platform is None


async def test_command_line_jumps_to_a_view_with_completion(make_app) -> None:
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("colon")
        assert isinstance(app.screen.query_one(Input), Input)
        await pilot.press("p", "r", "o", "f", "right", "enter")
        await pilot.pause()
        assert app.view == "profiles" and isinstance(app.screen, ProfilesScreen)
        await pilot.press("colon", "n", "o", "p", "e", "enter")
        await wait_for(pilot, lambda: any("no view 'nope'" in n for n in notifications(app)))


async def test_help_lists_the_screen_and_app_bindings(make_app) -> None:
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        actions = {r[1] for r in rows}
        assert {"Open profile", "Quit", "Help", "Jump"} <= actions
        await pilot.press("escape")
        assert isinstance(app.screen, ProfilesScreen)


async def test_palette_offers_every_view_and_profile(make_app) -> None:
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        provider = FleetCommands(app.screen, None)  # type: ignore[arg-type]
        texts = [text for text, _, _ in provider._entries()]
        assert {"View: devices", "View: alarms", "View: connections", "View: profiles"} <= set(
            texts
        )
        assert "Profile: demo-thingpark" in texts
        assert "profiles: Open profile" in texts


async def test_readonly_shows_in_the_header(make_app) -> None:
    app = make_app(view="profiles", readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        assert "READ-ONLY" in str(app.screen.query_one(FleetHeader).render())


async def test_a_real_insecure_profile_shows_the_insecure_badge_and_no_demo(
    tmp_path, monkeypatch, sim
) -> None:
    """A real profile (not a demo one) aimed at a simulator as if it were a vendor host."""
    from tui.app import FleetApp
    from tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(
        "[profiles.lab]\n"
        'platform = "thingpark"\n'
        f'base_url = "{sim.base_url}"\n'
        'client_id = "sub-199983788/fleet-demo"\n'
        "insecure = true\n"
    )
    monkeypatch.setenv("FLEET_LAB_CLIENT_SECRET", "thingpark-demo-secret")
    app = FleetApp(load_config(path), profile_name="lab", initial_view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        header = str(app.screen.query_one(FleetHeader).render())
        assert "INSECURE" in header and "DEMO" not in header
        assert not app.simulator.running  # a real profile never starts the embedded simulator


async def test_a_real_profile_without_a_secret_says_where_it_looked(tmp_path, monkeypatch) -> None:
    from tui.app import FleetApp
    from tui.config import load_config
    from tui.secrets import SecretResolver

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
    app = FleetApp(
        load_config(path),
        profile_name="prod",
        initial_view="profiles",
        resolver=SecretResolver(keyring_timeout=0.5),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.open_error is not None)
        assert "FLEET_PROD_CLIENT_SECRET" in app.open_error
        assert "keyring" in app.open_error


async def test_the_app_starts_in_its_first_view_and_builds_no_other_screen(make_app) -> None:
    # Textual's default mode is the first view: no blank default screen is built and styled.
    app = make_app(view="alarms")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        assert app.current_mode == "alarms"
        built = [screen for stack in app._screen_stacks.values() for screen in stack]
        assert [type(screen).__name__ for screen in built] == ["AlarmsScreen"]
