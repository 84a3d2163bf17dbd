"""`fleet serve` in a subprocess, stopped by Ctrl-C as a terminal sends it, and in a real headless
browser: Debian's Chromium (no browser is ever downloaded), driven by Selenium through Debian's
chromedriver, opens the served console, reads the terminal's screen from xterm.js's buffer, sees
the demo ThingPark device list, and gets the help on `?`. The browser test is skipped when
Chromium or its driver is missing (`apt-get install -y chromium chromium-driver`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import (
    FIRST_DEVEUI,
    Served,
    chromium,
    isolated_env,
    needs_chromium,
    screen,
    wait_until,
)


def test_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import httpx

    served = Served(isolated_env(tmp_path), "--readonly")
    try:
        assert served.banner == f"fleet serve: open {served.url} in a browser (Ctrl-C stops)\n"
        page = httpx.get(served.url, timeout=30)
        assert page.status_code == 200
        assert "<div>fleet</div>" in page.text  # the page's title: the overview, no profile
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page.text
    finally:
        code, out, err = served.stop()
    assert (code, out, err) == (0, "fleet serve: stopped\n", "")


def test_a_websocket_from_another_origin_is_refused(tmp_path: Path) -> None:
    """A browser lets any web page open a WebSocket to loopback: the console (with the user's
    credentials) answers its own page only."""
    import asyncio

    import aiohttp

    served = Served(isolated_env(tmp_path), "--readonly")

    async def connect(origin: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(f"{served.url}/ws", origin=origin) as socket:
                    await socket.close()
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    try:
        assert asyncio.run(connect("https://evil.example")) == 403
        assert asyncio.run(connect(served.url)) == 101
    finally:
        code, _, err = served.stop()
    assert code == 0, err


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with chromium(tmp_path) as driver:
        yield driver


@needs_chromium
def test_the_browser_shows_the_device_list_and_the_help(tmp_path: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    served = Served(isolated_env(tmp_path), "--profile", "demo-thingpark")
    try:
        assert served.banner.strip() == (
            f"fleet serve: open {served.url} in a browser (Ctrl-C stops)"
        ), served.banner
        browser.get(served.url)

        text = wait_until(lambda: screen(browser), FIRST_DEVEUI)
        assert "demo-thingpark" in text and "DevEUI" in text
        # A key typed into the page reaches the console: `?` shows the keys in force.
        browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys("?")
        wait_until(lambda: screen(browser), "Keys · ")
        browser.save_screenshot(str(tmp_path / "serve-browser.png"))
    finally:
        code, out, err = served.stop()  # with the tab still open
    # Every tab's console quit and was reaped before the server stopped: nothing else said.
    assert (code, out, err) == (0, "fleet serve: stopped\n", "")
