"""The device detail on the embedded simulator: fields, masking, traffic, downlink, delete, errors."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Static

from tests.app.conftest import SIZES, notifications, wait_for
from tui.api.errors import ApiError
from tui.api.models import DetailField, DetailSection, DeviceDetail, DeviceSummary
from tui.app import FleetApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.device_detail import DeviceDetailScreen, local_time, render_sections
from tui.widgets.form import FormField, ModelForm
from tui.widgets.state import LoadState
from tui.widgets.traffic_chart import TrafficChart

#: a DevEUI the simulated fleet does not hold (the vendor page's example device)
MISSING_EUI = "70B3D5E756000999"
APP_KEY = "0123456789ABCDEF0123456789ABCDEF"
NWK_SKEY = "FEDCBA9876543210FEDCBA9876543210"

SMALL_FLEET = {"devices": 40, "alarms": 10}


def _app(make_app: Any, **knobs: Any) -> FleetApp:
    # The profiles view underneath: the detail is the same over any view, and the device list
    # (another screen) does not add its own calls to the simulator's seeded sequence.
    return make_app(view="profiles", **{**SMALL_FLEET, **knobs})


async def _first_device(pilot: Any, app: FleetApp) -> str:
    await wait_for(pilot, lambda: app.platform is not None)
    page = await app.platform.list_devices()  # type: ignore[union-attr]
    return page.items[0].key


async def _open(pilot: Any, app: FleetApp, key: str | None = None) -> DeviceDetailScreen:
    key = key or await _first_device(pilot, app)
    app.open_device(key)
    await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
    screen = app.screen
    assert isinstance(screen, DeviceDetailScreen)
    return screen


async def _loaded(pilot: Any, app: FleetApp, key: str | None = None) -> DeviceDetailScreen:
    screen = await _open(pilot, app, key)
    await wait_for(pilot, lambda: screen.detail is not None)
    return screen


def _text(renderable: Any, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _fields_text(screen: DeviceDetailScreen, width: int = 100) -> str:
    return _text(screen.query_one("#fields-body", Static).content, width)


def _state(screen: DeviceDetailScreen, pane: str) -> LoadState:
    return screen.query_one(f"#{pane}-state", LoadState)


def _state_text(screen: DeviceDetailScreen, pane: str) -> str:
    state = _state(screen, pane)
    return str(state.query_one("#state-text", Static).content)


def _with_keys(detail: DeviceDetail) -> DeviceDetail:
    """The device as a platform that echoes keys would give it (the simulator never does)."""
    radio = DetailSection(
        title="Radio & SIM",
        fields=[
            DetailField(label="nwAddress", value="26872C23"),
            DetailField(label="appKey", value=APP_KEY, secret=True),
            DetailField(label="nwkSKey", value=NWK_SKEY, secret=True),
        ],
    )
    sections = [s for s in detail.sections if s.title != "Radio & SIM"]
    return detail.model_copy(update={"sections": [sections[0], radio, *sections[1:]]})


# ---------------------------------------------------------------- fields


async def test_the_detail_shows_every_field_grouped_by_section(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        key = await _first_device(pilot, app)
        screen = await _loaded(pilot, app, key)
        detail = screen.detail
        assert detail is not None and detail.key == key
        assert _state(screen, "fields").state == "ready"
        text = _fields_text(screen, width=200)  # wide enough that no label folds
        titles = [s.title for s in detail.sections]
        assert titles[:2] == ["Identity", "Radio & SIM"]
        for section in detail.sections:
            assert f"{section.title} ({len(section.fields)})" in text
        # Every field of the vendor's resource is on the page, on its own line.
        lines = [line.split() for line in text.splitlines()]
        for section in detail.sections:
            for field in section.fields:
                value = local_time(field.value, ZoneInfo("Europe/Paris"))
                assert [field.label, *value.split()] in lines
        # The adapter's UTC times are shown in the profile's zone.
        assert ["now", "2026-11-18", "21:26:40", "CET"] in lines
        # At 80 columns long values fold rather than being cut.
        narrow = _fields_text(screen, width=76).replace("\n", "").replace(" ", "")
        assert all(f.value.replace(" ", "") in narrow for f in detail.sections[0].fields)
        title = str(screen.query_one("#detail-title", Static).content)
        assert detail.name in title and key in title
        # Times in the title are in the profile's zone (Europe/Paris for the demo).
        assert "CET" in title
        await pilot.press("escape")
        assert not isinstance(app.screen, DeviceDetailScreen)


def test_secret_fields_are_masked_until_revealed() -> None:
    summary = DeviceSummary(key="0004A30B0000011E", name="meter-1", eui="0004A30B0000011E")
    detail = DeviceDetail(
        key=summary.key,
        name=summary.name,
        summary=summary,
        sections=[
            DetailSection(
                title="Radio & SIM",
                fields=[
                    DetailField(label="appKey", value=APP_KEY, secret=True),
                    DetailField(label="ki", value="", secret=True),
                    DetailField(label="nwAddress", value="26872C23"),
                ],
            )
        ],
        raw={},
    )
    hidden = _text(render_sections(detail.sections))
    assert APP_KEY not in hidden and "••••••••EF" in hidden
    assert "26872C23" in hidden  # only secrets are masked
    shown = _text(render_sections(detail.sections, reveal=True))
    assert APP_KEY in shown and "•" not in shown


async def test_x_reveals_and_hides_keys_on_the_detail(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        assert screen.detail is not None
        screen.show_detail(_with_keys(screen.detail))
        await pilot.pause()
        text = _fields_text(screen)
        assert APP_KEY not in text and NWK_SKEY not in text and "••••••••EF" in text
        assert "keys hidden" in str(screen.query_one("#detail-title", Static).content)
        await pilot.press("x")
        text = _fields_text(screen)
        assert APP_KEY in text and NWK_SKEY in text
        assert "keys shown" in str(screen.query_one("#detail-title", Static).content)
        await pilot.press("x")
        assert APP_KEY not in _fields_text(screen)


# ---------------------------------------------------------------- traffic


async def test_traffic_durations_ask_for_the_right_buckets(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        chart = screen.query_one(TrafficChart)
        table = screen.query_one("#traffic-table", DataTable)

        async def shown(count: int) -> None:
            await wait_for(
                pilot,
                lambda: _state(screen, "traffic").state == "ready" and len(chart.buckets) == count,
            )
            assert table.row_count == count

        await pilot.press("t")
        await shown(7)  # 7 days by day is the default
        assert screen.query_one("#detail-tabs").active == "traffic"
        # Hourly buckets are labelled in the profile's zone: the newest starts at 21:00 in
        # Paris when the frozen data clock says 20:26 UTC.
        await pilot.press("1")
        await shown(24)
        assert str(table.get_row_at(23)[0]) == "2026-11-18 21:00"
        await pilot.press("3")
        await shown(30)
        await pilot.press("9")
        await shown(90)
        assert str(table.get_row_at(89)[0]) == "Wed 2026-11-18"
        await pilot.press("7")
        await shown(7)
        # v cycles frames → radio → table → frames.
        await pilot.press("v")
        assert chart.mode == "radio" and chart.display
        await pilot.press("v")
        assert screen.query_one("#traffic-switcher").current == "traffic-table"
        await pilot.press("v")
        assert chart.mode == "frames"
        # A duration key from the fields tab goes to the traffic tab.
        await pilot.press("f")
        assert screen.query_one("#detail-tabs").active == "fields"
        await pilot.press("1")
        assert screen.query_one("#detail-tabs").active == "traffic"
        await shown(24)


async def test_a_traffic_failure_leaves_the_fields_shown(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        # The device disappears behind the console's back: its traffic is now a 404.
        await app.platform.delete_device(screen.key)  # type: ignore[union-attr]
        await pilot.press("t")
        await wait_for(pilot, lambda: _state(screen, "traffic").state == "error")
        assert "404" in _state_text(screen, "traffic")
        assert _state(screen, "fields").state == "ready"
        assert any("Loading traffic" in n and "404" in n for n in notifications(app))


# ---------------------------------------------------------------- downlink


def _is_downlink(app: FleetApp) -> bool:
    return isinstance(app.screen, ModelForm) and app.screen.spec.id == "downlink"


async def _downlink_form(pilot: Any, app: FleetApp) -> tuple[DeviceDetailScreen, ModelForm[Any]]:
    """`d` on a LoRaWAN device: its one command, the downlink, opens without a menu."""
    screen = await _loaded(pilot, app)
    await pilot.press("d")
    await wait_for(pilot, lambda: _is_downlink(app))
    form = app.screen
    assert isinstance(form, ModelForm)
    return screen, form


async def _type(pilot: Any, form: ModelForm[Any], name: str, text: str) -> None:
    entry = form.query_one(f"#input-{name}", Input)
    entry.value = text
    await pilot.pause()


def _error(form: ModelForm[Any], name: str) -> str:
    field = form.query_one(f"#field-{name}", FormField)
    if not field.has_class("-invalid"):
        return ""
    return str(field.query_one(".field-error", Static).content)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, Any]]:
    """Every downlink the adapter is asked to send (it still sends them to the simulator)."""
    from tui.api.platforms.thingpark import ThingPark

    calls: list[tuple[str, Any]] = []
    real = ThingPark.send_downlink

    async def spy(self: ThingPark, key: str, downlink: Any) -> None:
        calls.append((key, downlink))
        await real(self, key, downlink)

    monkeypatch.setattr(ThingPark, "send_downlink", spy)
    return calls


async def test_a_bad_downlink_is_refused_at_the_fields(make_app, sent) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, form = await _downlink_form(pilot, app)
        assert screen.key in form.TITLE
        cases = [
            ("ABC", "even number of hex digits"),
            ("01ZZ", "hexadecimal"),
            ("00" * 243, "at most 242 bytes"),
        ]
        for payload, message in cases:
            await _type(pilot, form, "payload_hex", payload)
            assert message in _error(form, "payload_hex"), payload
        for port, message in [("0", "between 1 and 223"), ("224", "between 1 and 223")]:
            await _type(pilot, form, "fport", port)
            assert message in _error(form, "fport"), port
        await _type(pilot, form, "fport", "two")
        assert "whole number" in _error(form, "fport")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # refused: the form stays open with what was typed
        assert "2 field(s) to fix" in str(form.query_one("#form-summary", Static).content)
        assert sent == []


async def test_a_good_downlink_is_sent_and_notified(make_app, sent) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, form = await _downlink_form(pilot, app)
        await _type(pilot, form, "payload_hex", "01a0ff")
        await _type(pilot, form, "fport", "10")
        form.query_one("#input-confirmed").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: any(n.startswith("Sent:") for n in notifications(app)))
        assert any("3 bytes on FPort 10, confirmed" in n for n in notifications(app))
        assert len(sent) == 1
        key, downlink = sent[0]
        assert key == screen.key
        assert (downlink.payload_hex, downlink.fport, downlink.confirmed) == ("01A0FF", 10, True)


# ---------------------------------------------------------------- delete


async def test_delete_names_the_device_and_only_yes_deletes(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        detail = screen.detail
        assert detail is not None
        below = app.screen_stack[-2]
        posted: list[Any] = []
        real_post = below.post_message
        below.post_message = lambda message: posted.append(message) or real_post(message)  # type: ignore[method-assign]

        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one("#confirm-message", Static).content)
        assert message == (f"Delete device '{detail.name}' ({detail.key})? This cannot be undone.")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert (await app.platform.get_device(detail.key)).key == detail.key  # type: ignore[union-attr]

        await pilot.press("D")  # shift+d asks the same
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen not in app.screen_stack)
        assert any(f"Deleted device '{detail.name}'" in n for n in notifications(app))
        assert [getattr(m, "key", None) for m in posted if type(m).__name__ == "DeviceDeleted"] == [
            detail.key
        ]
        with pytest.raises(ApiError) as raised:
            await app.platform.get_device(detail.key)  # type: ignore[union-attr]
        assert raised.value.status == 404


async def test_a_refused_delete_is_reported_and_the_detail_stays(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        # Someone else deleted it meanwhile: the vendor answers 404 to our delete.
        await app.platform.delete_device(screen.key)  # type: ignore[union-attr]
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: any(n.startswith("Deleting") for n in notifications(app)))
        assert any("404" in n for n in notifications(app) if n.startswith("Deleting"))
        assert app.screen is screen
        assert not any("Device deleted" in n for n in notifications(app))


async def test_readonly_profiles_cannot_send_or_delete(make_app) -> None:
    app = _app(make_app, readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        await pilot.press("d", "ctrl+d")
        await pilot.pause()
        assert app.screen is screen
        assert screen.check_action("send", ()) is False
        assert screen.check_action("delete", ()) is False
        assert screen.check_action("reload", ()) is True


# ---------------------------------------------------------------- errors


async def test_a_failing_server_shows_the_error_state_and_the_vendor_code(make_app) -> None:
    app = _app(make_app, fail_rate=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        screen = await _open(pilot, app, "0004A30B0000011E")
        await wait_for(pilot, lambda: _state(screen, "fields").state == "error", timeout=30)
        text = _state_text(screen, "fields")
        assert text.startswith("thingpark 50")  # 500 or 503, with the vendor's code
        assert "[" in text and "]" in text
        assert any(
            n.startswith("Loading device") and "thingpark 50" in n for n in notifications(app)
        )
        assert "press r to retry" in str(_state(screen, "fields").query_one("#state-hint").content)
        # Without a loaded device there is nothing to name in a confirmation: delete is dimmed.
        assert screen.check_action("delete", ()) is None


async def test_a_device_that_does_not_exist_shows_the_vendor_404(make_app) -> None:
    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        screen = await _open(pilot, app, MISSING_EUI)
        await wait_for(pilot, lambda: _state(screen, "fields").state == "error")
        text = _state_text(screen, "fields")
        assert f"thingpark 404 [40401] Device e{MISSING_EUI} not found" in text
        assert any("40401" in n for n in notifications(app))
        await pilot.press("r")  # retry: the same answer, no crash
        await wait_for(pilot, lambda: len([n for n in notifications(app) if "40401" in n]) == 2)
        assert _state(screen, "fields").state == "error"


# ---------------------------------------------------------------- snapshots


def _size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_snapshot_fields(snap_compare, make_app, size) -> None:
    app = _app(make_app)

    async def run_before(pilot) -> None:
        await _loaded(pilot, app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_snapshot_traffic_7_days(snap_compare, make_app, size) -> None:
    app = _app(make_app)

    async def run_before(pilot) -> None:
        screen = await _loaded(pilot, app)
        await pilot.press("7")
        await wait_for(pilot, lambda: len(screen.query_one(TrafficChart).buckets) == 7)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_snapshot_downlink_form_with_errors(snap_compare, make_app, size) -> None:
    app = _app(make_app)

    async def run_before(pilot) -> None:
        _, form = await _downlink_form(pilot, app)
        await _type(pilot, form, "payload_hex", "ABC")
        await _type(pilot, form, "fport", "300")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_snapshot_delete_confirmation(snap_compare, make_app, size) -> None:
    app = _app(make_app)

    async def run_before(pilot) -> None:
        await _loaded(pilot, app)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_snapshot_error_state(snap_compare, make_app, size) -> None:
    app = _app(make_app)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: app.platform is not None)
        screen = await _open(pilot, app, MISSING_EUI)
        await wait_for(pilot, lambda: _state(screen, "fields").state == "error")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_opens_the_alarms_of_this_device(make_app) -> None:
    from tui.screens.alarms import AlarmsScreen

    app = _app(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AlarmsScreen))
        assert app.screen.device_key == screen.key  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: app.busy_count == 0)  # its list has loaded
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
