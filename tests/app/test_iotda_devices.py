"""IoTDA devices through the shared device list and detail screens, on the simulator."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZES, wait_for
from tests.app.test_device_forms import error, fill, options, pick
from tui.api.errors import ApiError
from tui.screens.confirm import ConfirmScreen
from tui.screens.device_detail import DeviceDetailScreen
from tui.screens.devices import DevicesScreen
from tui.widgets.form import ModelForm
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
        assert detail.detail.summary.last_activity is not None  # "Status since", vendor format


async def test_register_then_delete_an_iotda_device_from_the_list(make_app) -> None:
    """`n` on IoTDA opens its one form (no menu), the product picker comes from the platform,
    the new device shows with the cursor on it; ctrl+d in its detail deletes it."""
    app = make_app(view="devices", profile="demo-iotda")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        devices = app.screen
        assert isinstance(devices, DevicesScreen)
        await wait_for(pilot, lambda: devices.table.cursor_row is not None)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        form = app.screen
        assert form.TITLE == "New device"
        await wait_for(pilot, lambda: len(options(form, "product_id")) > 0 and app.busy_count == 0)
        product = options(form, "product_id")[0]
        fill(form, node_id="864975040099901", device_name="Meter 0042", secret="short")
        await pilot.pause()
        assert "at least 8" in (error(form, "secret") or "")
        fill(form, device_name="Meter-0042", secret="s3cret-key-0042")
        pick(form, "product_id", product)
        await pilot.press("ctrl+s")
        key = f"{product}_864975040099901"
        await wait_for(pilot, lambda: app.screen is devices)
        await wait_for(pilot, lambda: (devices.table.cursor_row or ("",))[0] == key)
        assert devices.table.cursor_row[1] == "Meter-0042"
        # The same node id again: the vendor's refusal shows at that field, the form stays.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelForm))
        again = app.screen
        await wait_for(pilot, lambda: len(options(again, "product_id")) > 0)
        fill(again, node_id="864975040099901", secret="s3cret-key-0042")
        pick(again, "product_id", product)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "already exists" in (error(again, "node_id") or ""))
        assert app.screen is again
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is devices)
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is devices)
        await wait_for(pilot, lambda: devices.table.rows.find(key) is None)
        try:
            await app.platform.get_device(key)  # type: ignore[union-attr]
        except ApiError as exc:
            assert exc.status == 404
        else:
            raise AssertionError("the device is still on the platform")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_iotda_device_list(snap_compare, make_app, size) -> None:
    app = make_app(view="devices", profile="demo-iotda")

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        await wait_for(pilot, lambda: app.screen.table.cursor_row is not None)
        await wait_for(pilot, lambda: app.busy_count == 0)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
