"""IoTDA devices through the shared device list and detail screens, on the simulator."""

from __future__ import annotations

from tests.app.conftest import wait_for
from tui.screens.device_detail import DeviceDetailScreen
from tui.widgets.virtual_table import VirtualTable


async def test_iotda_devices_page_in_the_shared_list_with_the_vendors_words(make_app) -> None:
    app = make_app(view="devices", profile="demo-iotda")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        table = app.screen.query_one(VirtualTable)
        await wait_for(pilot, lambda: len(table.rows) > 0)
        assert table.rows.total == 20000
        titles = [c.title for c in table.visible_columns()]
        assert "Node id" in titles and "Status" in titles and "DevEUI" not in titles
        status = [row[7] for row in (table.rows.row(i) for i in range(10)) if row]
        assert set(status) <= {"ONLINE", "OFFLINE", "ABNORMAL", "INACTIVE", "FROZEN"}
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await wait_for(pilot, lambda: getattr(detail, "detail", None) is not None, timeout=10)
