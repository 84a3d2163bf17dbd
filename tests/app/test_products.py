"""The products view on the IoTDA simulator: the list and its paging, the detail, create, delete,
import; a platform without products; snapshots."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from tests.app.conftest import SIZES, notifications, wait_for
from tui.api.products import Product
from tui.screens.confirm import ConfirmScreen
from tui.screens.products import ProductDetailScreen, ProductsScreen, header_table
from tui.widgets.capability_forms import NewProductForm
from tui.widgets.virtual_table import VirtualTable

THERMOMETER = "5ba24f5ebbe8f56f5a14f605"


def status(app) -> str:
    return str(app.screen.query_one("#list-status").render())


def table(app) -> VirtualTable:
    return app.screen.query_one(VirtualTable)


async def loaded(pilot, app) -> ProductsScreen:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ProductsScreen) and app.screen.state.state != "loading",
    )
    return app.screen


async def all_loaded(pilot, app) -> ProductsScreen:
    screen = await loaded(pilot, app)
    await pilot.press("G")
    await wait_for(pilot, lambda: table(app).rows.complete and not table(app).fetching_to_end)
    return screen


async def open_thermometer(pilot, app) -> ProductDetailScreen:
    await all_loaded(pilot, app)
    position = table(app).rows.find(THERMOMETER)
    assert position is not None
    table(app).move_to(position)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
    )
    return app.screen


def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # The adapter asks for the vendor's biggest page (50); the demo has ~25 products.
    monkeypatch.setattr("tui.api.platforms.iotda.PRODUCT_PAGE", 10)


async def test_the_list_loads_page_by_page(make_app, monkeypatch) -> None:
    small_pages(monkeypatch)
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "ready"
        rows = table(app).rows
        assert rows.known >= 10
        first = table(app).cursor_row
        assert first is not None and first[0] == first[2]  # key is the product id
        await pilot.press("G")
        await wait_for(pilot, lambda: rows.complete and not table(app).fetching_to_end)
        assert rows.page_count >= 3
        assert 20 <= rows.known <= 40
        assert rows.find(THERMOMETER) is not None
        # Descending id order, as the vendor pages by marker.
        ids = [rows.row(n)[0] for n in range(rows.known)]
        assert ids == sorted(ids, reverse=True)
        assert f"{rows.known} loaded" in status(app)


async def test_filter_then_open_the_thermometer(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(120, 40)) as pilot:
        await all_loaded(pilot, app)
        await pilot.press("slash", *"Thermometer", "enter")
        assert table(app).rows.view_rows == 1
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
        )
        screen = app.screen
        assert screen.product is not None and screen.product["name"] == "Thermometer"
        console = Console(width=100, record=True)
        console.print(header_table(screen.product))
        fields = console.export_text()
        assert "MQTT" in fields and THERMOMETER in fields and "smartCity" in fields
        labels = [str(n.label) for n in screen.tree.root.children]
        assert any("temperature" in label for label in labels)
        await pilot.press("escape")
        assert isinstance(app.screen, ProductsScreen)


async def test_create_a_product_with_bad_values_refused_at_the_field(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        before = table(app).rows.known
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewProductForm))
        form = app.screen
        await pilot.press(*"Bad name with spaces")
        await pilot.pause()
        assert "may contain only" in str(form.form_field("name").query_one(".field-error").render())
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, NewProductForm)  # refused
        form.form_field("name").input.value = "Rain-Gauge"
        form.form_field("device_type").input.value = "RainGauge"
        form.form_field("product_id").input.value = "fleet-rain-gauge-01"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
        )
        assert app.screen.product["product_id"] == "fleet-rain-gauge-01"
        await pilot.press("escape")
        await wait_for(pilot, lambda: table(app).rows.known == before + 1)


async def test_delete_asks_naming_the_product_then_deletes(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        rows = table(app).rows
        # A demo product has devices: the vendor refuses, and the row stays.
        key, name = table(app).cursor_row[0], table(app).cursor_row[1]
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one("#confirm-message").render())
        assert name in message and key in message
        await pilot.press("y")
        await wait_for(pilot, lambda: any("IOTDA.013002" in n for n in notifications(app)))
        assert rows.find(key) is not None
        # A product without devices goes, once confirmed.
        await app.platform.create_product(
            Product(
                product_id="fleet-spare-01",
                name="Spare",
                device_type="Spare",
                protocol_type="MQTT",
                service_capabilities=[],
            )
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: rows.find("fleet-spare-01") is not None)
        before = rows.known
        table(app).move_to(rows.find("fleet-spare-01"))
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert rows.known == before
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Spare" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: rows.find("fleet-spare-01") is None)
        assert rows.known == before - 1
        assert any("Spare deleted" in n for n in notifications(app))


async def test_import_creates_a_product_and_a_bad_file_says_why(make_app, tmp_path) -> None:
    good = tmp_path / "gauge.json"
    good.write_text(
        json.dumps(
            {
                "product_id": "fleet-imported-01",
                "name": "Imported",
                "device_type": "Gauge",
                "protocol_type": "MQTT",
                "data_format": "json",
                "service_capabilities": [
                    {
                        "service_id": "level",
                        "service_type": "level",
                        "properties": [
                            {"property_name": "level", "data_type": "int", "method": "R"}
                        ],
                    }
                ],
            }
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    app = make_app(profile="demo-iotda", view="products")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        await pilot.press("i", *str(bad), "enter")
        await wait_for(pilot, lambda: any("is not JSON" in n for n in notifications(app)))
        await pilot.press("i", *str(tmp_path / "missing.json"), "enter")
        await wait_for(pilot, lambda: any("cannot read" in n for n in notifications(app)))
        await pilot.press("i", *str(good), "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.product is not None,
        )
        assert app.screen.product["service_capabilities"][0]["service_id"] == "level"


async def test_a_platform_without_products_says_so(make_app) -> None:
    app = make_app(view="products")  # the ThingPark demo
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "error"
        assert "has no products" in str(screen.state.query_one("#state-text").render())


async def test_a_failing_server_shows_the_error_state(make_app) -> None:
    app = make_app(profile="demo-iotda", view="products", fail_rate=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, app)
        assert screen.state.state == "error"
        assert notifications(app)


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_product_list(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_product_detail(snap_compare, make_app, size) -> None:
    app = make_app(profile="demo-iotda", view="products")

    async def run_before(pilot) -> None:
        await open_thermometer(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_no_products_on_thingpark(snap_compare, make_app, size) -> None:
    app = make_app(view="products")

    async def run_before(pilot) -> None:
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
