"""The app shell on the embedded simulator: opens the demo profile and shows the fleet's size."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from tests.app.conftest import wait_for
from tui.app import FleetApp
from tui.session import EmbeddedSimulator
from tui.widgets.header import FleetHeader


async def test_fleet_opens_the_demo_profile_on_the_embedded_simulator(config) -> None:
    app = FleetApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.device_total is not None)
        assert app.device_total == 62804
        assert app.simulator.running
        status = str(app.screen.query_one("#profiles-status", Static).render())
        assert "62,804 devices" in status
        header = app.screen.query_one(FleetHeader)
        assert header.demo and not header.insecure
        table = app.screen.query_one(DataTable)
        names = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"demo-thingpark", "demo-iotda", "demo-telit"} <= names


async def test_switching_to_a_platform_without_adapter_says_so(config) -> None:
    app = FleetApp(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.device_total is not None)
        app.switch_profile("demo-enos")
        await wait_for(pilot, lambda: "not supported" in app.status_line)
        assert app.platform is not None  # the previous platform stays usable


async def test_a_dead_simulator_gives_an_error_not_a_traceback(config) -> None:
    sim = EmbeddedSimulator()
    sim.ensure()
    sim._server.stop()  # the platform is now unreachable
    app = FleetApp(config, simulator=sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "cannot reach" in app.status_line)
        assert app.device_total is None
