"""Creating devices from `n` in the device list: the menu of the platform's forms and each form
(generated from the platform's input model), on the real app and simulator, end to end."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select, SelectionList

from tests.app.conftest import SIZES, fill, notifications, wait_for
from tui.api.errors import ApiError
from tui.app import FleetApp
from tui.screens.devices import DevicesScreen
from tui.screens.form_menu import FormMenu
from tui.widgets.form import FormScreen, ModelForm
from tui.widgets.state import LoadState

NEW_EUI = "70B3D57ED00FEE01"
APP_KEY = "2B7E151628AED2A6ABF7158809CF4F3C"
ICCID = "8933150319000000017"  # 19 digits
IMEI = "490154203237518"  # a valid Luhn check digit


async def opened(pilot: Any, app: FleetApp) -> None:
    """The platform is open and the device list has its first page."""
    await wait_for(pilot, lambda: app.platform is not None)
    await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
    await wait_for(pilot, lambda: app.screen.query_one(LoadState).state != "loading")
    await wait_for(pilot, lambda: app.busy_count == 0)


def devices(app: FleetApp) -> DevicesScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, DevicesScreen)
    return screen


async def menu(pilot: Any, app: FleetApp) -> None:
    """`n` in the device list, as a user does."""
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, FormMenu))


def is_form(app: FleetApp, form: str) -> bool:
    return isinstance(app.screen, ModelForm) and app.screen.spec.id == form


async def choose(pilot: Any, app: FleetApp, key: str, form: str) -> Any:
    await menu(pilot, app)
    await pilot.press(key)
    await wait_for(pilot, lambda: is_form(app, form))
    screen = app.screen
    await wait_for(pilot, lambda: _pickers_loaded(screen))
    return screen


async def created(pilot: Any, app: FleetApp, key: str) -> None:
    """Back in the device list, the new device shown with the cursor on it."""
    await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
    table = devices(app).table
    await wait_for(pilot, lambda: table.cursor_row is not None and table.cursor_row[0] == key)
    assert any(f"Device {key} created" in n for n in notifications(app))


def _pickers_loaded(form: Any) -> bool:
    for field in form.query("FormField"):
        widget = field.input
        if isinstance(widget, Select) and "loading" in str(widget.prompt):
            return False
        if isinstance(widget, SelectionList) and "loading" in str(
            field.query_one(".field-status").render()
        ):
            return False
    return form.app.busy_count == 0


def pick(form: FormScreen[Any], name: str, value: str) -> None:
    widget = form.form_field(name).input
    if isinstance(widget, Select):
        widget.value = value
    else:
        assert isinstance(widget, SelectionList)
        widget.select(value)


def options(form: FormScreen[Any], name: str) -> list[str]:
    widget = form.form_field(name).input
    if isinstance(widget, Select):
        return [value for _, value in widget._options if value is not Select.NULL]
    assert isinstance(widget, SelectionList)
    return [widget.get_option_at_index(i).value for i in range(widget.option_count)]


def error(form: FormScreen[Any], name: str) -> str | None:
    field = form.form_field(name)
    if not field.has_class("-invalid"):
        return None
    return str(field.query_one(".field-error").render())


async def exists(app: FleetApp, eui: str) -> bool:
    try:
        await app.platform.get_device(eui)  # type: ignore[union-attr]
    except ApiError as exc:
        assert exc.status == 404
        return False
    return True


# ---------------------------------------------------------------- the chooser


async def test_menu_offers_the_platforms_forms_and_esc_cancels(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        await menu(pilot, app)
        shown = [str(o.prompt) for o in app.screen.query_one("OptionList")._options]
        assert [p.split()[0] for p in shown] == ["l", "c", "m"]
        assert "LoRaWAN OTAA device" in shown[0] and "Multicast group" in shown[2]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
        # arrows and enter choose as well as the letters
        await menu(pilot, app)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: is_form(app, "cellular"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))


async def test_read_only_profile_creates_nothing(make_app) -> None:
    app = make_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, DevicesScreen)  # no menu, no form
        # A form reached another way refuses to send too.
        form = ModelForm(app.platform.device_forms()[0], app.platform.create_device)  # type: ignore[union-attr]
        app.push_screen(form)
        await wait_for(pilot, lambda: app.screen is form and _pickers_loaded(form))
        fill(form, name="x", eui=NEW_EUI, app_key=APP_KEY)
        pick(form, "model_key", options(form, "model_key")[0])
        pick(form, "connection_keys", options(form, "connection_keys")[0])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and any("read-only" in n for n in notifications(app))
        assert not await exists(app, NEW_EUI)


# ---------------------------------------------------------------- LoRaWAN


async def test_create_a_lorawan_device(make_app) -> None:
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        assert not await exists(app, NEW_EUI)
        form = await choose(pilot, app, "l", "lorawan")
        # the pickers came from the platform: device models and the OSS app servers
        assert "MCHP/RN2483A.1_EU" in options(form, "model_key")
        assert len(options(form, "connection_keys")) == 6  # IoT Flow connections included
        assert all(k.startswith("TWA_") for k in options(form, "connection_keys"))
        await pilot.press(*"Lyon meter")
        fill(form, eui=NEW_EUI.lower(), app_key=APP_KEY)
        app_key = form.form_field("app_key").input
        assert isinstance(app_key, Input) and app_key.password
        pick(form, "model_key", "MCHP/RN2483A.1_EU")
        pick(form, "connection_keys", options(form, "connection_keys")[1])
        await pilot.press("ctrl+s")
        await created(pilot, app, NEW_EUI)
        detail = await app.platform.get_device(NEW_EUI)  # type: ignore[union-attr]
        assert detail.name == "Lyon meter"


async def test_lorawan_bad_fields_are_refused_at_the_field(make_app) -> None:
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "l", "lorawan")
        fill(form, name="Bad", eui=NEW_EUI[:15], app_key="Z" * 32, app_eui="1234")
        await pilot.pause()
        assert "16 hexadecimal" in (error(form, "eui") or "")
        assert "32 hexadecimal" in (error(form, "app_key") or "")
        assert "AppEUI" in (error(form, "app_eui") or "")
        # untouched pickers stay quiet until the user tries to save
        assert error(form, "model_key") is None
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert error(form, "model_key") == "choose one"
        assert error(form, "connection_keys") == "choose at least one"
        assert app.screen is form
        assert not await exists(app, NEW_EUI)
        # clearing the optional AppEUI clears its error
        fill(form, app_eui="")
        await pilot.pause()
        assert error(form, "app_eui") is None


async def test_duplicate_eui_shows_the_vendor_409_and_keeps_the_form(make_app) -> None:
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        taken = (await app.platform.list_devices()).items[0].key  # type: ignore[union-attr]
        form = await choose(pilot, app, "l", "lorawan")
        fill(form, name="Twin", eui=taken, app_key=APP_KEY)
        pick(form, "model_key", options(form, "model_key")[0])
        pick(form, "connection_keys", options(form, "connection_keys")[0])
        await pilot.press("ctrl+s")
        summary = form.query_one("#form-summary")
        await wait_for(pilot, lambda: "Refused:" in str(summary.render()))
        assert "409" in str(summary.render()) and "already exists" in str(summary.render())
        assert "already exists" in (error(form, "eui") or "")
        assert app.screen is form
        assert form.form_field("name").raw() == "Twin"
        assert form.form_field("app_key").raw() == APP_KEY
        assert any("409 [40901]" in n for n in notifications(app))
        # saving again is refused until the EUI changes; then the error goes
        assert form.validate_form(show_all=True) is None
        fill(form, eui=NEW_EUI)
        await pilot.pause()
        assert error(form, "eui") is None


async def test_a_failed_lookup_shows_at_the_picker(make_app) -> None:
    app = make_app(fail_rate=1.0, devices=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "l", "lorawan")
        assert "could not load device model" in (error(form, "model_key") or "")
        assert "could not load connections" in (error(form, "connection_keys") or "")
        assert any(n.startswith("Loading device model:") for n in notifications(app))


# ---------------------------------------------------------------- cellular


async def test_create_a_cellular_device_with_the_pickers(make_app) -> None:
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "c", "cellular")
        assert {"CUSTOM/LTE_Dongle", "CUSTOM/NBIOT_Meter"} <= set(options(form, "model_key"))
        assert options(form, "network_context_key") == ["1AF3B", "2C81D"]
        # the one connectivity plan on offer is chosen for the user
        assert form.form_field("plan_key").raw() == "acme-cs/cellular-cp"
        fill(form, name="Water meter 17", sim_id=ICCID, imei=IMEI)
        pick(form, "model_key", "CUSTOM/NBIOT_Meter")
        pick(form, "network_context_key", "2C81D")
        pick(form, "connection_keys", options(form, "connection_keys")[3])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
        table = devices(app).table
        await wait_for(
            pilot, lambda: table.cursor_row is not None and "Water" in table.cursor_row[1]
        )
        eui = table.cursor_row[0]
        detail = await app.platform.get_device(eui)  # type: ignore[union-attr]
        assert detail.name == "Water meter 17"


async def test_cellular_sim_and_imei_are_checked(make_app) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "c", "cellular")
        fill(form, name="x", sim_id="1234", imei="490154203237519")
        await pilot.pause()
        assert "ICCID" in (error(form, "sim_id") or "")
        assert error(form, "imei") == "IMEI check digit is wrong"
        fill(form, imei="49015420323751")
        await pilot.pause()
        assert error(form, "imei") == "IMEI must be 15 digits"


# ---------------------------------------------------------------- multicast


async def test_create_a_multicast_group(make_app) -> None:
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "m", "multicast")
        fill(
            form,
            name="Street lights",
            eui="70B3D5E756000999",
            dev_addr="785D25E2",
            nwk_skey="7374757A3FDD092947CE2DE9321C6040",
            app_skey="8D67B0D6359D11ACFC45AD4BB9CE2D4F",
            downlink_data_rate="15",
            downlink_frequency_mhz="869525000",
            base_station_tags="tag1, tag2",
        )
        pick(form, "connection_keys", options(form, "connection_keys")[0])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "MHz" in (error(form, "downlink_frequency_mhz") or "")
        fill(form, downlink_frequency_mhz="869.525")
        await pilot.press("ctrl+s")
        await created(pilot, app, "70B3D5E756000999")
        detail = await app.platform.get_device("70B3D5E756000999")  # type: ignore[union-attr]
        assert detail.name == "Street lights"
        assert detail.raw.get("class") == "C"
        assert [t["name"] for t in detail.raw["bss"]["tags"]] == ["tag1", "tag2"]


async def test_multicast_keys_and_numbers_are_checked(make_app) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "m", "multicast")
        fill(form, dev_addr="785D25", nwk_skey="00", downlink_data_rate="16")
        fill(form, downlink_frequency_mhz="fast")
        await pilot.pause()
        assert "DevAddr" in (error(form, "dev_addr") or "")
        assert "NwkSKey" in (error(form, "nwk_skey") or "")
        assert "15" in (error(form, "downlink_data_rate") or "")
        assert error(form, "downlink_frequency_mhz") == "must be a number"


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_new_device_menu(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await opened(pilot, app)
        await menu(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_lorawan_form_with_errors(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await opened(pilot, app)
        form = await choose(pilot, app, "l", "lorawan")
        fill(form, name="Lyon meter", eui="70B3D57ED00FEE0", app_key="not-a-key")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_cellular_form_loaded(snap_compare, make_app, size) -> None:
    app = make_app()

    async def run_before(pilot) -> None:
        await opened(pilot, app)
        await choose(pilot, app, "c", "cellular")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_space_picks_the_first_connection_as_soon_as_the_list_has_focus(make_app) -> None:
    """By keyboard alone: tab into the connections list, space, and the first one is chosen."""
    app = make_app(devices=500)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, app)
        form = await choose(pilot, app, "l", "lorawan")
        picks = form.form_field("connection_keys").input
        assert isinstance(picks, SelectionList)
        picks.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert picks.selected == [options(form, "connection_keys")[0]]
