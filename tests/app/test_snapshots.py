"""SVG snapshots of the shell's screens, at 80x24 and 120x40 (cursor blink off)."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZES, wait_for


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_profiles(snap_compare, make_app, size) -> None:
    app = make_app(view="profiles")

    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, make_app, size) -> None:
    app = make_app(view="profiles")

    async def help_open(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=size, run_before=help_open)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_command_line(snap_compare, make_app, size) -> None:
    app = make_app(view="profiles")

    async def typing(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await pilot.press("colon", "a", "l")

    assert snap_compare(app, terminal_size=size, run_before=typing)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_devices_loading(snap_compare, make_app, size) -> None:
    """A slow platform: the list shows its loading state and the header its spinner."""
    app = make_app(view="devices", latency_ms=4000)

    async def slow(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await wait_for(pilot, lambda: app.busy_count > 0)

    assert snap_compare(app, terminal_size=size, run_before=slow)
