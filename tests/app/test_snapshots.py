"""SVG snapshots of each screen and state, at 80×24 and 120×40 (cursor blink off)."""

from __future__ import annotations

import pytest

from tests.app.conftest import wait_for
from tui.app import FleetApp

SIZES = [(80, 24), (120, 40)]


def make_app(config) -> FleetApp:
    app = FleetApp(config)
    app.cursor_blink = False  # stable snapshots
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_profiles_loaded(snap_compare, config, size) -> None:
    app = make_app(config)

    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: app.device_total is not None)

    assert snap_compare(app, terminal_size=size, run_before=loaded)
