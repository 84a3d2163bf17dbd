"""Themes and keymaps in the running console: each shipped theme, broken theme files, a
profile's own theme, a remapped key (and `?` showing it), NO_COLOR and TEXTUAL_COLOR_SYSTEM."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.app.conftest import notifications, switch_profile, wait_for
from tui.config import FleetConfig, load_config
from tui.screens.devices import DevicesScreen
from tui.screens.help import HelpScreen

THEMES = ["fleet-dark", "fleet-light", "fleet-high-contrast", "fleet-ansi", "fleet-production"]

#: a demo profile pinned to the production theme (a file profile replaces the demo of its name)
PROD_IOTDA = """
[profiles.demo-iotda]
platform = "iotda"
simulator = true
project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
region = "cn-north-4"
instance_id = "fleet-demo-instance"
access_key = "FLEETDEMOIOTDAAK0001"
theme = "fleet-production"
"""


def _config(tmp_path: Path, text: str) -> FleetConfig:
    path = tmp_path / "fleet" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_config(path)


async def _devices_loaded(pilot, app) -> None:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, DevicesScreen) and app.screen.state.state != "loading",
    )


# ---------------------------------------------------------------- snapshots


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_devices_in_theme(snap_compare, make_app, tmp_path, theme) -> None:
    app = make_app(app_config=_config(tmp_path, f'theme = "{theme}"\n'))

    async def run_before(pilot) -> None:
        await _devices_loaded(pilot, app)
        await pilot.press("down", "down")
        assert app.theme == theme

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_help_with_a_remapped_key(snap_compare, make_app, tmp_path) -> None:
    config = _config(tmp_path, '[keymap]\n"list.reload" = "ctrl+r,f5"\n"app.help" = "f1"\n')
    app = make_app(app_config=config)

    async def run_before(pilot) -> None:
        await _devices_loaded(pilot, app)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# ---------------------------------------------------------------- themes


async def test_fleet_dark_is_the_default_and_every_shipped_theme_is_offered(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "fleet-dark"
        assert set(THEMES) <= set(app.available_themes)


async def test_broken_user_theme_is_reported_and_skipped(make_app, tmp_path) -> None:
    config = _config(tmp_path, 'theme = "ocean"\n')
    themes = config.path.parent / "themes"
    themes.mkdir()
    (themes / "ocean.toml").write_text('primary = "#005f87"\nsurface = "#101820"\n')
    (themes / "broken.toml").write_text('primary = "#005f87"\nshade = "dark"\n')
    (themes / "garbled.toml").write_text("primary = [\n")
    app = make_app(app_config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "ocean"  # the good file next to them loaded
        said = [n for n in notifications(app) if n.startswith("Theme: ")]
        assert len(said) == 2, said
        assert any(f"{themes / 'broken.toml'}: unknown field 'shade'" in n for n in said)
        assert any(f"{themes / 'garbled.toml'}: invalid TOML" in n for n in said)
        assert "broken" not in app.available_themes


async def test_unknown_theme_name_warns_and_keeps_fleet_dark(make_app, tmp_path) -> None:
    app = make_app(app_config=_config(tmp_path, 'theme = "solarised"\n'))
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "fleet-dark"
        assert any(
            "unknown theme 'solarised' in the config's theme setting" in n
            for n in notifications(app)
        )


async def test_a_profiles_theme_is_on_while_it_is_open(make_app, tmp_path) -> None:
    """Production looks different: its theme comes with it and goes when another profile opens."""
    config = _config(tmp_path, 'theme = "fleet-light"\n' + PROD_IOTDA)
    app = make_app(app_config=config, profile="demo-thingpark")
    async with app.run_test(size=(120, 40)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "fleet-light"
        await switch_profile(pilot, app, "demo-iotda")
        await wait_for(pilot, lambda: app.theme == "fleet-production")
        await switch_profile(pilot, app, "demo-thingpark")
        await wait_for(pilot, lambda: app.theme == "fleet-light")


async def test_a_production_start_profile_paints_in_its_theme_at_once(make_app, tmp_path) -> None:
    app = make_app(app_config=_config(tmp_path, PROD_IOTDA), profile="demo-iotda")
    assert app.theme == "fleet-production"  # before the first frame, not after opening
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "fleet-production"


async def test_a_profiles_unknown_theme_warns_and_uses_the_configs(make_app, tmp_path) -> None:
    text = 'theme = "fleet-high-contrast"\n' + PROD_IOTDA.replace(
        '"fleet-production"', '"fleet-prod"'
    )
    app = make_app(app_config=_config(tmp_path, text), profile="demo-iotda")
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        assert app.theme == "fleet-high-contrast"
        said = [n for n in notifications(app) if "unknown theme 'fleet-prod'" in n]
        assert len(said) == 1 and "profile 'demo-iotda'" in said[0]


# ---------------------------------------------------------------- keymap


async def test_remapped_key_runs_the_binding_and_the_old_key_does_not(make_app, tmp_path) -> None:
    config = _config(tmp_path, '[keymap]\n"list.reload" = "ctrl+r,f5"\n')
    app = make_app(app_config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        screen = app.screen
        reloads: list[int] = []
        screen.action_reload = lambda: reloads.append(1)  # type: ignore[method-assign]
        await pilot.press("r")
        await pilot.pause()
        assert reloads == []
        await pilot.press("ctrl+r")
        await pilot.press("f5")
        await pilot.pause()
        assert reloads == [1, 1]
        rows = app.help_rows()
        assert ("^r f5", "Reload (keymap)", "devices") in rows
        assert not [row for row in rows if row[1] == "Reload"]


async def test_help_shows_a_remapped_app_key(make_app, tmp_path) -> None:
    config = _config(tmp_path, '[keymap]\n"app.help" = "f1"\n')
    app = make_app(app_config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert ("f1", "Help (keymap)", "app") in app.screen._rows


async def test_unknown_keymap_id_is_a_warning(make_app, tmp_path) -> None:
    config = _config(tmp_path, '[keymap]\n"list.relaod" = "ctrl+r"\n"app.help" = "f1"\n')
    app = make_app(app_config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        await wait_for(pilot, lambda: any("Keymap: " in n for n in notifications(app)))
        (said,) = [n for n in notifications(app) if n.startswith("Keymap: ")]
        assert "names no binding 'list.relaod'" in said and "'app.help'" not in said


async def test_a_keymap_key_that_another_binding_has_is_a_warning(make_app, tmp_path) -> None:
    config = _config(tmp_path, '[keymap]\n"list.filter" = "r"\n')  # r reloads the list
    app = make_app(app_config=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await _devices_loaded(pilot, app)
        await wait_for(pilot, lambda: any("two bindings" in n for n in notifications(app)))
        (said,) = [n for n in notifications(app) if "two bindings" in n]
        assert "'r': list.filter and list.reload" in said


def test_keymap_clashes_are_only_what_the_keymap_did() -> None:
    from tui.keymap import clashes

    assert clashes({}) == []  # fleet's own bindings share keys only across screens
    assert clashes({"list.reload": "ctrl+r,f5", "app.help": "f1"}) == []
    assert "'r': app.help and list.reload" in clashes({"app.help": "r"})


# ---------------------------------------------------------------- colour systems


def _run_fleet_in_a_terminal(tmp_path: Path, env: dict[str, str]) -> str:
    """`fleet --profile demo-thingpark` in a real 80×24 pseudo-terminal: what it wrote until the
    device list showed, then `q`."""
    environ = {
        **os.environ,
        "FLEET_CONFIG": str(tmp_path / "absent" / "config.toml"),
        "FLEET_JOURNAL": str(tmp_path / "journal.db"),
        "FLEET_LOG_FILE": str(tmp_path / "fleet.log"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        **env,
    }
    for name in ("NO_COLOR", "TEXTUAL_COLOR_SYSTEM", "FLEET_THEME"):
        if name not in env:
            environ.pop(name, None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: fleet itself
        argv = [sys.executable, "-m", "tui", "--profile", "demo-thingpark"]
        os.execve(sys.executable, argv, environ)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = b""
    deadline = time.monotonic() + 60
    try:
        while b"0004A30B" not in out and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                out += os.read(fd, 65536)
        time.sleep(0.5)
        while select.select([fd], [], [], 0.2)[0]:
            out += os.read(fd, 65536)
        os.write(fd, b"q")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                out += os.read(fd, 65536)
    except OSError:
        pass  # the terminal closed: fleet has exited
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode("utf-8", "replace")
    assert "0004A30B" in text, "the device list never showed"
    assert os.waitstatus_to_exitcode(status) == 0
    return text


def _truecolours(text: str, *, spinner: bool = True) -> list[tuple[int, int, int]]:
    """Every 24-bit colour drawn; without `spinner`, not those of Textual's loading spinner
    (it fades between two colours, which makes any two, ANSI ones too, into 24-bit ones)."""
    colours: list[tuple[int, int, int]] = []
    for params, drawn in re.findall(r"\x1b\[([0-9;]*)m([^\x1b]*)", text):
        if not spinner and drawn.strip() and set(drawn) <= {"●", " "}:
            continue
        for r, g, b in re.findall(r"[34]8;2;(\d+);(\d+);(\d+)", params):
            colours.append((int(r), int(g), int(b)))
    return colours


@pytest.mark.parametrize(
    ("env", "check"),
    [
        pytest.param({}, "truecolour", id="truecolour-terminal"),
        pytest.param({"TEXTUAL_COLOR_SYSTEM": "standard"}, "16", id="TEXTUAL_COLOR_SYSTEM"),
        pytest.param({"NO_COLOR": "1"}, "grey", id="NO_COLOR"),
        pytest.param({"FLEET_THEME": "fleet-ansi"}, "16", id="fleet-ansi"),
    ],
)
def test_colour_system_in_a_real_terminal(tmp_path, env, check) -> None:
    """Textual honours NO_COLOR (greys only) and TEXTUAL_COLOR_SYSTEM=standard (16 colours);
    fleet-ansi draws 16 colours natively even on a true-colour terminal."""
    text = _run_fleet_in_a_terminal(tmp_path, env)
    colours = _truecolours(text, spinner="FLEET_THEME" not in env)
    eight_bit = re.findall(r"\x1b\[[0-9;]*[34]8;5;", text)
    if check == "truecolour":
        assert any(len(set(c)) > 1 for c in colours)
    elif check == "16":
        assert colours == [] and eight_bit == []
        assert re.search(r"\x1b\[[0-9;]*\b(3[0-7]|9[0-7])\b", text)  # ANSI colours drawn
    else:
        assert colours and all(r == g == b for r, g, b in colours)
