"""Shared helpers for app tests: the real app on a real embedded simulator, and waiting on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.app import FleetApp
from tui.config import FleetConfig, load_config
from tui.secrets import SecretResolver
from tui.session import EmbeddedSimulator

#: the simulator's data clock in app tests (2026-11-18 20:26:40 UTC), so that snapshots of
#: last-activity times, traffic charts and alarms are the same every day
FROZEN_AT_MS = 1_795_033_600_000
SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def journal_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each app test has a bulk journal of its own: no run of another test is resumed in it."""
    path = tmp_path / "journal.db"
    monkeypatch.setenv("FLEET_JOURNAL", str(path))
    return path


@pytest.fixture
def config(tmp_path: Path) -> FleetConfig:
    return load_config(tmp_path / "absent.toml")


@pytest.fixture
def make_app(config: FleetConfig) -> Iterator[Callable[..., FleetApp]]:
    """`make_app(view="devices", profile=None, readonly=False, **sim_knobs)`: the real app, its
    own simulator (data clock frozen, so snapshots are stable), cursor blink off."""
    sims: list[EmbeddedSimulator] = []
    apps: list[FleetApp] = []

    def make(
        *,
        view: str = "devices",
        profile: str | None = None,
        readonly: bool = False,
        app_config: FleetConfig | None = None,
        resolver: SecretResolver | None = None,
        log_file: Path | None = None,
        **knobs: Any,
    ) -> FleetApp:
        sim = EmbeddedSimulator(**{"frozen_at_ms": FROZEN_AT_MS, **knobs})
        sims.append(sim)
        app = FleetApp(
            app_config or config,
            profile_name=profile,
            readonly=readonly,
            resolver=resolver,
            simulator=sim,
            initial_view=view,
            cursor_blink=False,
            log_file=log_file,
            clock=lambda: FROZEN_AT_MS / 1000,  # message times stay put in snapshots
        )
        app.animation_level = "none"  # tab underlines and scrolls land at once: stable snapshots
        apps.append(app)
        return app

    yield make
    for sim in sims:
        sim.stop()
    # The app's edge guard keeps the console up after a fault of its own; a test must not.
    for app in apps:
        assert not app.internal_errors, f"internal errors: {app.internal_errors!r}"


async def wait_for(pilot: Any, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds (workers finish on their own schedule)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
    await pilot.pause()


def notifications(app: FleetApp) -> list[str]:
    """The text of every notification shown so far (titles and messages)."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def switch_profile(pilot: Any, app: FleetApp, name: str) -> None:
    """As a user does: `:profiles`, the cursor to `name`, enter; then `:devices`."""
    from textual.widgets import DataTable

    from tui.screens.profiles import ProfilesScreen

    await pilot.press("colon", *"profiles", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
    profiles = app.screen.query_one(DataTable)
    names = [str(profiles.get_row_at(i)[1]) for i in range(profiles.row_count)]
    steps = names.index(name) - profiles.cursor_row
    for _ in range(abs(steps)):
        await pilot.press("down" if steps > 0 else "up")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.profile_name == name and app.platform is not None)
    await pilot.press("colon", *"devices", "enter")


def fill(form: Any, **values: str) -> None:
    """Type into a form's fields: an Input's or a picker's value, a multi-line field's text (a
    Changed message follows each, as for typing)."""
    for name, value in values.items():
        widget = form.form_field(name).input
        if hasattr(widget, "load_text"):
            widget.load_text(value)
        else:
            widget.value = value


def field_errors(form: Any) -> dict[str, str]:
    """The error line of each field the form marks invalid."""
    return {
        w.spec.name: str(w.query_one(".field-error").render())
        for w in form.query("FormField")
        if w.has_class("-invalid")
    }
