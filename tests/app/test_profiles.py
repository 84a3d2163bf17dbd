"""The profiles view on the real app and the embedded simulator: a ThingPark profile added with
its secret in the environment, tested, edited and deleted, the config file keeping its comments;
demo profiles cannot be edited or deleted."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, Input, Static

from tests.app.conftest import wait_for
from tui.config import load_config
from tui.screens.confirm import ConfirmScreen
from tui.screens.form_menu import FormMenu
from tui.screens.profiles import ProfileForm, ProfilesScreen
from tui.secrets import SecretResolver
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

COMMENTED = """\
# my fleet: these notes must survive the console
theme = "textual-dark"   # dark, always

[keymap]
# remapped for my fingers
"list.reload" = "ctrl+r"
"""


def notifications(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def rows(app: Any) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def result_text(app: Any) -> str:
    return str(app.screen.query_one("#profiles-test", Static).render())


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


async def test_add_test_edit_delete_a_thingpark_profile(make_app, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    resolver = SecretResolver(
        keyring_timeout=0.2, environ={"FLEET_LAB_CLIENT_SECRET": THINGPARK_CLIENT_SECRET}
    )
    app = make_app(view="profiles", app_config=load_config(path), resolver=resolver)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await wait_for(pilot, lambda: app.platform is not None)
        url = app.simulator.ensure()

        # add: the platform first, then its form
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormMenu))
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))
        form = app.screen
        assert [f.spec.name for f in form.query("FormField")][:4] == [
            "name", "base_url", "client_id", "subscriber_id"
        ]  # fmt: skip
        await pilot.press(*"lab")
        form.form_field("base_url").input.value = url
        form.form_field("client_id").input.value = THINGPARK_CLIENT_ID
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert "lab" in rows(app)
        text = path.read_text()
        assert text.startswith(COMMENTED)
        table = tomllib.loads(text)["profiles"]["lab"]
        assert table["base_url"] == url and table["client_id"] == THINGPARK_CLIENT_ID
        assert THINGPARK_CLIENT_SECRET not in text

        # test: the cursor is on the new profile; its secret comes from the environment
        await pilot.press("t")
        await wait_for(pilot, lambda: "lab: ok in" in result_text(app))
        assert "answer: 62804 devices" in result_text(app)
        assert "TLS: none: plain connection" in result_text(app)

        # edit: read-only on
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))
        form = app.screen
        assert not form.query("#field-name")  # a profile's name is its key: not edited
        assert form.form_field("client_id").input.value == THINGPARK_CLIENT_ID
        checkbox = form.form_field("readonly").input
        assert isinstance(checkbox, Checkbox)
        checkbox.value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        text = path.read_text()
        assert tomllib.loads(text)["profiles"]["lab"]["readonly"] is True
        assert comments(text) == comments(COMMENTED)
        assert app.config.profiles["lab"].readonly

        # delete: the confirmation names it
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "lab" in str(app.screen.query_one("#confirm-title", Static).render())
        await pilot.press("y")
        await wait_for(pilot, lambda: "lab" not in rows(app))
        text = path.read_text()
        assert "profiles" not in tomllib.loads(text)
        assert text.startswith(COMMENTED.rstrip("\n"))


async def test_a_wrong_secret_shows_the_vendors_code_and_message(make_app, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    resolver = SecretResolver(keyring_timeout=0.2, environ={"FLEET_LAB_CLIENT_SECRET": "wrong"})
    app = make_app(view="profiles", app_config=load_config(path), resolver=resolver)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("a", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))
        form = app.screen
        form.form_field("name").input.value = "lab"
        form.form_field("base_url").input.value = app.simulator.ensure()
        form.form_field("client_id").input.value = THINGPARK_CLIENT_ID
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: "lab: FAILED" in result_text(app))
        assert "401 [invalid_client]" in result_text(app)


async def test_demo_profiles_cannot_be_edited_or_deleted(make_app) -> None:
    app = make_app(view="profiles")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("e")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        said = notifications(app)
        assert any("cannot be edited" in n for n in said)
        assert any("cannot be deleted" in n for n in said)


async def test_the_form_says_how_without_a_keyring(make_app, tmp_path: Path, monkeypatch) -> None:
    import keyring
    import keyring.errors

    def no_keyring(*_: Any) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    monkeypatch.setattr(keyring, "set_password", no_keyring)
    path = tmp_path / "config.toml"
    app = make_app(view="profiles", app_config=load_config(path))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("a", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))
        form = app.screen
        form.form_field("name").input.value = "lab"
        form.form_field("base_url").input.value = "https://tp.example.com"
        form.form_field("client_id").input.value = THINGPARK_CLIENT_ID
        secret = form.form_field("secret").input
        assert isinstance(secret, Input) and secret.password
        secret.value = "s3cr3t-value"
        await pilot.press("ctrl+s")
        summary = form.query_one("#form-summary", Static)
        await wait_for(pilot, lambda: "No keyring works here" in str(summary.render()))
        said = str(summary.render())
        assert "FLEET_LAB_CLIENT_SECRET" in said and "Secret command" in said
        assert isinstance(app.screen, ProfileForm)
        assert not path.exists()  # nothing saved


@pytest.mark.parametrize("platform", ["1", "5"], ids=["thingpark", "telit"])
def test_profile_form_snapshot(snap_compare, make_app, platform: str) -> None:
    app = make_app(view="profiles")

    async def form_open(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("a", platform)
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))

    assert snap_compare(app, terminal_size=(80, 24), run_before=form_open)


def test_connection_result_snapshot(snap_compare, make_app, monkeypatch) -> None:
    ticks = iter(range(1000))
    monkeypatch.setattr(
        "tui.connection_check._clock", lambda: next(ticks) * 0.042
    )  # every test "takes" 42 ms
    app = make_app(view="profiles", profile="demo-iotda")

    async def tested(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("t")
        await wait_for(pilot, lambda: "demo-iotda: ok" in result_text(app))

    assert snap_compare(app, terminal_size=(80, 24), run_before=tested)


async def test_keys_typed_ahead_land_in_the_field_a_tab_moved_to(make_app, tmp_path: Path) -> None:
    """Over SSH keys come in bursts: "lab<tab>https://…" all queued before the tab is handled.
    The text after the tab goes to the next field, not to the one the tab left."""
    from textual import events

    app = make_app(view="profiles", app_config=load_config(tmp_path / "config.toml"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("a", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileForm))
        form = app.screen
        await pilot.pause()
        burst = ["tab", "shift+tab", *"lab", "tab", *"https://tp.example", "tab", *"sub-1/x"]
        for key in burst:  # posted at once, as a terminal's read hands them over
            character = key if len(key) == 1 else None
            app.post_message(events.Key(key, character))
        await wait_for(pilot, lambda: form.form_field("client_id").input.value.endswith("x"))
        assert form.form_field("name").input.value == "lab"
        assert form.form_field("base_url").input.value == "https://tp.example"
        assert form.form_field("client_id").input.value == "sub-1/x"
