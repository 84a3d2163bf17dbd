"""The console against its own faults and hostile input: markup and escapes shown as data, the
guard at the app's edge, the newest request winning, quitting at once, the messages screen."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import SIZES, notifications, wait_for
from tui import app as app_module
from tui.api.models import LoRaWanDeviceCreate
from tui.api.platforms.thingpark import ThingPark
from tui.config import load_config
from tui.screens.device_detail import DeviceDetailScreen, wrap_label
from tui.screens.devices import DevicesScreen
from tui.screens.messages import MessagesScreen
from tui.secrets import SecretResolver
from tui.widgets.state import LoadState

HOSTILE_NAME = "Meter [/] 3 [bold red]x[/] [@click=app.quit]q[/] \x1b[31mred\x1b[0m\nrow"


def screen_text(app: Any) -> str:
    """Everything drawn on the screen, as text (the strips Textual writes to the terminal)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_no_control_characters(app: Any) -> None:
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.control is None:
                bad = [c for c in segment.text if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0]
                assert not bad, f"control characters drawn: {segment.text!r}"


async def _open_devices(pilot: Any, app: Any) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))
    await wait_for(pilot, lambda: app.screen.state.state in ("ready", "empty", "error"))


async def test_a_device_named_with_markup_and_escapes_is_shown_as_data(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_devices(pilot, app)
        platform = app.platform
        assert isinstance(platform, ThingPark)
        models = await platform.device_models("LORAWAN")
        connections = await platform.list_connections()  # type: ignore[attr-defined]
        spec = LoRaWanDeviceCreate(
            name=HOSTILE_NAME,
            eui="70B3D5E75E0000AA",
            app_key="00112233445566778899AABBCCDDEEFF",
            model_key=models[0].key,
            connection_keys=[next(c.key for c in connections if c.kind == "app-server")],
        )
        await platform.create_lorawan_device(spec)
        app.open_device("70B3D5E75E0000AA")
        await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "Meter [/] 3 [bold red]x[/] [@click=app.quit]q[/] ␛[31mred␛[0m␊row" in text
        assert_no_control_characters(app)
        await pilot.press("escape")
        app.screen.show_device("70B3D5E75E0000AA")
        await wait_for(pilot, lambda: app.screen.table.cursor_row is not None)
        await pilot.pause()
        assert "Meter [/] 3 [bold red]x" in screen_text(app)
        assert_no_control_characters(app)


async def test_a_long_vendor_message_is_one_line_and_whole_behind_the_bang(make_app) -> None:
    app = make_app()
    message = "refused [/] \x1b[2J" + "x" * 20_000 + " END"
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_devices(pilot, app)
        app.notify(message, title="Vendor [b]says", severity="error")
        app.screen.query_one(LoadState).error(message)
        await pilot.pause()
        text = screen_text(app)
        assert "refused [/]" in text and "␛[2J" in text and "END" not in text
        assert "! shows the whole message" in text
        assert_no_control_characters(app)
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await pilot.pause()
        assert "refused [/]" in screen_text(app) and "␛[2Jxxx" in screen_text(app)
        await pilot.press("end")  # the whole text is there, down to its last word
        await pilot.pause()
        assert "xxx END" in screen_text(app)
        assert_no_control_characters(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DevicesScreen))


async def test_an_internal_error_is_logged_and_named_and_the_console_stays_up(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_devices(pilot, app)

        async def boom() -> None:
            raise ZeroDivisionError("a fault of fleet's own")

        app.run_worker(boom())
        await wait_for(pilot, lambda: app.internal_errors)
        assert isinstance(app.internal_errors[0], ZeroDivisionError)
        said = notifications(app)[-1]
        assert "internal error (ZeroDivisionError)" in said and str(app.log_file) in said
        await pilot.press("question_mark")  # still answering keys
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen")
        log = Path(app.log_file).read_text()
        assert "Traceback" in log and "a fault of fleet's own" in log
        app.internal_errors.clear()  # expected here; the fixture fails a test on any other


async def test_choosing_profiles_quickly_leaves_no_spinner_and_closes_what_it_dropped(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    real = app_module.open_platform

    def recording(*args: Any) -> Any:
        profile, platform = real(*args)
        opened.append(platform)
        return profile, platform

    monkeypatch.setattr(app_module, "open_platform", recording)
    app = make_app(view="profiles")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        for name in ("demo-iotda", "demo-thingpark", "demo-iotda", "demo-thingpark"):
            app.switch_profile(name)
        await wait_for(pilot, lambda: app.busy_count == 0 and len(opened) == 5)
        assert app.profile_name == "demo-thingpark" and app.platform in opened
        assert app.platform.name == "thingpark" and not app.platform._api.http.is_closed
        dropped = [p for p in opened if p is not app.platform]
        assert len(dropped) == 4 and all(p._api.http.is_closed for p in dropped)


async def test_the_newest_traffic_range_wins(make_app) -> None:
    app = make_app(latency_ms=150)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_devices(pilot, app)
        await wait_for(pilot, lambda: app.screen.table.cursor_row is not None, timeout=20)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        detail = app.screen
        await pilot.press("t")
        await wait_for(pilot, lambda: detail._traffic_loaded == "7", timeout=20)
        # 1 is on its way when 7 (the range already shown) is asked for again.
        await pilot.press("1", "7")
        await wait_for(pilot, lambda: app.busy_count == 0, timeout=20)
        await pilot.pause(0.5)
        assert detail.traffic_range == "7" and detail._traffic_loaded == "7"
        assert len(detail.buckets) == 7


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
async def test_quitting_kills_a_hanging_secret_command(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    path = tmp_path / "config.toml"
    path.write_text(
        "[profiles.slow]\n"
        'platform = "thingpark"\n'
        'base_url = "https://thingpark.example.com"\n'
        'client_id = "sub-1/console"\n'
        f"secret_command = \"sh -c 'echo $$ > {pid_file}; exec sleep 60'\"\n"
    )
    resolver = SecretResolver(keyring_timeout=0.2, command_timeout=60, environ={})
    app = app_module.FleetApp(load_config(path), profile_name="slow", resolver=resolver)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: pid_file.exists() and pid_file.read_text().strip())
        pid = int(pid_file.read_text())
        assert app.busy_count == 1  # still opening: the console is up meanwhile
        await pilot.press("q")
    for _ in range(100):  # the killed command is reaped by the opening thread
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the secret_command still runs after quitting")


async def test_help_lists_fleets_keys_each_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_devices(pilot, app)
        rows = app.help_rows()
        keys = [key for key, _, _ in rows]
        texts = [text for _, text, _ in rows]
        assert not [t for t in texts if "Copy" in t or "Focus" in t]  # Textual's own bindings
        assert len(set(zip(keys, texts, strict=True))) == len(rows)
        assert "^space" in keys and "^@" not in " ".join(keys)
        assert texts.count("Quit") == 1 and texts.count("Open") == 1
        assert ("!", "Messages", "app") in rows


def test_long_detail_labels_break_at_their_joints() -> None:
    label = "networkSubscription.nwGeolocalization"
    assert wrap_label(label, 24) == "networkSubscription.\nnwGeolocalization"
    assert wrap_label("appServers[0].name", 12) == "appServers\n[0].name"
    assert all(len(line) <= 8 for line in wrap_label("averyveryverylongword", 8).split("\n"))


# ---------------------------------------------------------------- snapshots

FIXED_LOG = Path("/tmp/fleet-snapshots/fleet.log")


async def _hostile_device(pilot: Any, app: Any) -> None:
    """A device whose name carries markup, escapes and a line break, opened in its detail."""
    await _open_devices(pilot, app)
    platform = app.platform
    models = await platform.device_models("LORAWAN")
    connections = await platform.list_connections()
    await platform.create_lorawan_device(
        LoRaWanDeviceCreate(
            name=HOSTILE_NAME,
            eui="70B3D5E75E0000AB",
            app_key="00112233445566778899AABBCCDDEEFF",
            model_key=models[0].key,
            connection_keys=[next(c.key for c in connections if c.kind == "app-server")],
        )
    )
    app.open_device("70B3D5E75E0000AB")
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
    await wait_for(pilot, lambda: app.busy_count == 0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_a_hostile_name_is_data(snap_compare, make_app, size) -> None:
    app = make_app(devices=50)

    async def run_before(pilot: Any) -> None:
        await _hostile_device(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_a_long_vendor_message_in_the_error_state(snap_compare, make_app, size) -> None:
    app = make_app(devices=50, log_file=FIXED_LOG)

    async def run_before(pilot: Any) -> None:
        await _open_devices(pilot, app)
        message = "thingpark 400 [40001] Field [name] is wrong: " + "x" * 20_000
        app.screen.query_one(LoadState).error(message)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_messages(snap_compare, make_app, size) -> None:
    app = make_app(devices=50, log_file=FIXED_LOG)

    async def run_before(pilot: Any) -> None:
        await _open_devices(pilot, app)
        app.notify("Device 70B3D5E75E0000AB created", title="New device")
        app.notify(
            "thingpark 400 [40001] Field [name] is wrong \x1b[31m: " + "x" * 600 + " END",
            title="Loading devices",
            severity="error",
        )
        app.clear_notifications()
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
