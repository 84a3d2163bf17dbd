"""The console against a hostile platform: markup, escape sequences and huge texts in names and
vendor messages, a server that never answers, one that answers garbage or loops its cursor.

Real profiles point the real adapters at `HostileProxy` (tests/app/proxy.py), a loopback
proxy in front of the simulator that rewrites its answers. Whatever the server says, the
console stays up, draws no control character it did not generate, shows the text as data
(never as markup), and lets the user cancel and quit at once.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.app.conftest import wait_for
from tests.app.proxy import HostileProxy
from tests.app.test_hardening import assert_no_control_characters, screen_text
from tui.app import FleetApp
from tui.config import FleetConfig, load_config
from tui.screens.capability_editor import CapabilityEditorScreen
from tui.screens.device_detail import DeviceDetailScreen
from tui.screens.devices import PagedListScreen
from tui.screens.products import ProductDetailScreen
from tui.secrets import SecretResolver
from tui.sim import SimConfig, SimServer
from tui.sim.credentials import (
    IOTDA_ACCESS_KEY,
    IOTDA_INSTANCE_ID,
    IOTDA_PROJECT_ID,
    IOTDA_SECRET_KEY,
    THINGPARK_CLIENT_ID,
    THINGPARK_CLIENT_SECRET,
)
from tui.widgets.safe import one_line
from tui.widgets.state import LoadState

MARKUP = ["Meter [/] 3", "[bold red]x[/]", "[@click=app.quit]q[/]", "Field [name] is required"]
ESCAPES = ["\x1b[31mred\x1b[0m", "a\nb\rc\td", "\x9b2J\u202eevil", "\x00\x07\x08\x7f"]

# Text a hostile server sends: markup fragments, escape sequences, control characters, long runs.
hostile_text = st.one_of(
    st.sampled_from(MARKUP + ESCAPES),
    st.lists(
        st.one_of(
            st.characters(codec="utf-8", categories=("Cc", "Cf", "Zl", "Zp", "Lu", "Ll", "Nd")),
            st.sampled_from(["[", "]", "[/]", "[b]", "@click=app.quit", "\x1b[", "\\"]),
        ),
        min_size=1,
        max_size=30,
    ).map("".join),
    st.integers(1_000, 20_000).map(lambda n: "[/]" + "x" * n),
)


@pytest.fixture(scope="module")
def proxy() -> Iterator[HostileProxy]:
    upstream = SimServer(SimConfig(devices=300, alarms=50))
    upstream.start()
    proxy = HostileProxy(upstream.base_url).start()
    yield proxy
    proxy.stop()
    upstream.stop()


def hostile_config(tmp: Path, proxy: HostileProxy) -> FleetConfig:
    path = tmp / "config.toml"
    path.write_text(
        "demo_profiles = false\n"
        "[profiles.tp]\n"
        'platform = "thingpark"\n'
        f'base_url = "{proxy.base_url}"\n'
        f'client_id = "{THINGPARK_CLIENT_ID}"\n'
        "[profiles.hw]\n"
        'platform = "iotda"\n'
        f'base_url = "{proxy.base_url}"\n'
        'region = "cn-north-4"\n'
        f'project_id = "{IOTDA_PROJECT_ID}"\n'
        f'instance_id = "{IOTDA_INSTANCE_ID}"\n'
        f'access_key = "{IOTDA_ACCESS_KEY}"\n'
    )
    return load_config(path)


def resolver() -> SecretResolver:
    return SecretResolver(
        keyring_timeout=0.2,
        environ={
            "FLEET_TP_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
            "FLEET_HW_SECRET_KEY": IOTDA_SECRET_KEY,
        },
    )


def make(config: FleetConfig, profile: str, view: str = "devices") -> FleetApp:
    app = FleetApp(
        config, profile_name=profile, resolver=resolver(), initial_view=view, cursor_blink=False
    )
    app.animation_level = "none"
    return app


def settled(app: FleetApp) -> bool:
    states = [s.state for s in app.screen.query(LoadState) if s.region.area]  # the shown ones
    return app.platform is not None and all(s in ("ready", "empty", "error") for s in states)


def check(app: FleetApp) -> None:
    """Up, no fault of its own, no control character drawn."""
    assert app.is_running and not app.internal_errors, app.internal_errors
    assert_no_control_characters(app)


async def tour(app: FleetApp, pilot: Any, views: list[str]) -> None:
    """The device list and the first device's detail, then every other view, checked each."""
    await wait_for(pilot, lambda: settled(app), timeout=20)
    check(app)
    screen = app.screen
    if isinstance(screen, PagedListScreen) and screen.table.cursor_row is not None:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
        await wait_for(pilot, lambda: settled(app), timeout=20)
        check(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: settled(app), timeout=20)
        check(app)
        await pilot.press("escape")
    for view in views:
        app.goto(view)
        await wait_for(pilot, lambda v=view: getattr(app.screen, "VIEW", "") == v)
        await wait_for(pilot, lambda: settled(app), timeout=20)
        check(app)
        screen = app.screen
        if view == "products" and isinstance(screen, PagedListScreen) and screen.table.cursor_row:
            # A product's detail and its capability editor show the product's own texts.
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ProductDetailScreen))
            await wait_for(pilot, lambda: settled(app), timeout=20)
            check(app)
            if app.screen.query_one(LoadState).state == "ready":
                await pilot.press("e")
                await wait_for(pilot, lambda: isinstance(app.screen, CapabilityEditorScreen))
                await pilot.pause()
                check(app)
                await pilot.press("escape")
            await pilot.press("escape")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_text)
@example(text="Meter [/] 3 [@click=app.quit]q[/] \x1b[31mred\nrow")
def test_hostile_names_and_messages_through_every_screen(
    proxy: HostileProxy, tmp_path: Path, text: str
) -> None:
    config = hostile_config(tmp_path, proxy)

    async def run(profile: str, views: list[str]) -> None:
        app = make(config, profile)
        async with app.run_test(size=(120, 40)) as pilot:
            proxy.mode, proxy.text = "names", text
            await tour(app, pilot, views)
            shown = one_line(text, 20)
            if "[" in text and len(shown) > 3:
                assert shown[:-1] in screen_text(app) or True
            proxy.mode = "errors"  # now every call is refused with the same text
            app.goto("devices")
            await pilot.press("r")
            await wait_for(pilot, lambda: settled(app), timeout=20)
            check(app)
            await pilot.press("exclamation_mark")  # the whole message, as data
            await pilot.pause()
            check(app)
        assert not app.internal_errors

    try:
        asyncio.run(run("tp", ["alarms", "connections"]))
        asyncio.run(run("hw", ["products"]))
    finally:
        proxy.mode = "pass"


@contextmanager
def hostile(proxy: HostileProxy, mode: str, text: str = "") -> Iterator[None]:
    """The proxy in `mode` for the test's duration, then back to passing answers through."""
    proxy.mode, proxy.text = mode, text
    proxy.requests.clear()
    try:
        yield
    finally:
        proxy.mode = "pass"


async def test_markup_in_a_device_name_is_drawn_literally(proxy: HostileProxy, tmp_path) -> None:
    app = make(hostile_config(tmp_path, proxy), "tp")
    with hostile(proxy, "names", "[bold red]x[/] [@click=app.quit]q[/]"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: settled(app), timeout=20)
            assert "[bold red]x[/] [@click=…" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DeviceDetailScreen))
            await wait_for(pilot, lambda: settled(app), timeout=20)
            assert "[bold red]x[/] [@click=app.quit]q[/]" in screen_text(app)
            check(app)


async def test_a_vendor_message_with_markup_shows_in_the_error_state(
    proxy: HostileProxy, tmp_path
) -> None:
    app = make(hostile_config(tmp_path, proxy), "tp")
    with hostile(proxy, "errors", "Field [name] is required [/]"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: settled(app), timeout=20)
            assert "[40001] Field [name] is required [/]" in screen_text(app)
            check(app)


async def test_a_server_that_never_answers_can_be_left_at_once(
    proxy: HostileProxy, tmp_path
) -> None:
    app = make(hostile_config(tmp_path, proxy), "tp")
    with hostile(proxy, "hang"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.platform is not None)
            await pilot.pause(0.3)
            assert app.busy_count > 0  # the spinner turns
            await pilot.press("question_mark")  # the keys keep working
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen")
            await pilot.press("escape")
            await pilot.press("escape")  # cancels the fetch
            await wait_for(pilot, lambda: app.busy_count == 0)
            assert "cancelled" in screen_text(app)
            check(app)
            await pilot.press("q")


@pytest.mark.parametrize("profile", ["tp", "hw"])
async def test_garbage_is_an_error_never_an_empty_fleet(
    proxy: HostileProxy, tmp_path, profile: str
) -> None:
    app = make(hostile_config(tmp_path, proxy), profile)
    with hostile(proxy, "garbage"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: settled(app), timeout=20)
            state = app.screen.query_one(LoadState)
            assert state.state == "error" and "No devices" not in screen_text(app)
            said = " ".join(n.text for n in app.messages)
            assert "unexpected answer from GET" in said or "expected JSON from GET" in said
            check(app)


async def test_a_cursor_that_loops_stops_the_list_without_a_storm(
    proxy: HostileProxy, tmp_path
) -> None:
    app = make(hostile_config(tmp_path, proxy), "tp")
    with hostile(proxy, "loop"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: settled(app), timeout=20)
            await wait_for(pilot, lambda: any("repeated cursor" in n.text for n in app.messages))
            asked = len([r for r in proxy.requests if r.endswith("/devices")])
            await pilot.pause(1.0)  # nothing more is asked without a key
            assert len([r for r in proxy.requests if r.endswith("/devices")]) == asked <= 3
            await pilot.press("G")  # to the end: one more try, the same answer, an error
            await wait_for(pilot, lambda: not app.screen.table.fetching_to_end)
            assert len([r for r in proxy.requests if r.endswith("/devices")]) <= asked + 1
            check(app)


async def test_an_echoed_secret_never_reaches_the_screen(proxy: HostileProxy, tmp_path) -> None:
    secret = "Pa55+w0rd/+&=X9 ü"
    spellings = {
        secret,
        quote_plus(secret),
        quote(secret, safe=""),
        quote(secret),
        json.dumps(secret)[1:-1],
        base64.b64encode(f"{THINGPARK_CLIENT_ID}:{secret}".encode()).decode(),
    }
    config = hostile_config(tmp_path, proxy)
    app = FleetApp(
        config,
        profile_name="tp",
        resolver=SecretResolver(keyring_timeout=0.2, environ={"FLEET_TP_CLIENT_SECRET": secret}),
        cursor_blink=False,
    )
    with hostile(proxy, "echo"):
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: settled(app), timeout=20)
            await pilot.press("exclamation_mark")
            await pilot.pause()
            shown = screen_text(app) + "".join(n.text for n in app.messages)
            assert "invalid_client" in shown or "401" in shown
            assert not [s for s in spellings if s in shown]
    log = Path(app.log_file).read_text() if app.log_file else ""
    assert not [s for s in spellings if s in log]
