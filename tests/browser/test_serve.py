"""`fleet serve` in a subprocess, stopped by Ctrl-C as a terminal sends it, and in a real headless
browser: Debian's Chromium (no browser is ever downloaded), driven by Selenium through Debian's
chromedriver, opens the served console, reads the terminal's screen from xterm.js's buffer, sees
the demo ThingPark device list, and gets the help on `?`. The browser test is skipped when
Chromium or its driver is missing (`apt-get install -y chromium chromium-driver`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's Chromium: apt-get install -y chromium chromium-driver "
    "(/usr/bin/chromium and /usr/bin/chromedriver)",
)

# The flags this machine needs: no GPU, no sandbox (root in a container), and no traffic of
# Chromium's own (updates, sync, QUIC probes).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
)

# textual-serve's page keeps its xterm.js Terminal in a closure and draws on a canvas, so there
# is no text in the DOM. Run before the page's own scripts: the first object stored as some
# object's `terminal` that has a `buffer` is that Terminal; keep it where the test can read it.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && value.buffer && !window.fleetTerminal) window.fleetTerminal = value;
  },
});
"""

SCREEN_TEXT = """
const terminal = window.fleetTerminal;
if (!terminal) return null;
const buffer = terminal.buffer.active;
const lines = [];
for (let row = 0; row < terminal.rows; row++) {
  const line = buffer.getLine(buffer.viewportY + row);
  lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""

FIRST_DEVEUI = "0004A30B0000011E"  # the demo ThingPark fleet's first device (seed 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def isolated_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEET_")}
    env["FLEET_CONFIG"] = str(tmp_path / "config.toml")  # absent: the demo profiles
    env["FLEET_LOG_FILE"] = str(tmp_path / "fleet.log")
    env["FLEET_JOURNAL"] = str(tmp_path / "journal.sqlite")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def wait_until(probe: Callable[[], str | None], wanted: str, timeout: float = 60.0) -> str:
    """Poll `probe` until its text contains `wanted`; fail with the last text seen."""
    deadline = time.monotonic() + timeout
    text: str | None = None
    while time.monotonic() < deadline:
        text = probe()
        if text and wanted in text:
            return text
        time.sleep(0.2)
    pytest.fail(f"{wanted!r} not seen in {timeout:g} s; last seen:\n{text}")


class Served:
    """`fleet serve` in a subprocess, stopped as a terminal's Ctrl-C does: SIGINT to its whole
    process group."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", "--port", str(self.port), *args],
            env=isolated_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a process group of its own, as in a terminal
        )
        assert self.process.stdout is not None
        # Its first line says where to point the browser, once it listens.
        self.banner = self.process.stdout.readline()

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.process.returncode, out, err


def test_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import httpx

    served = Served(tmp_path, "--readonly")
    try:
        assert served.banner == f"fleet serve: open {served.url} in a browser (Ctrl-C stops)\n"
        page = httpx.get(served.url, timeout=30)
        assert page.status_code == 200
        assert "<div>fleet</div>" in page.text  # the page's title: the overview, no profile
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page.text
    finally:
        code, out, err = served.stop()
    assert (code, out, err) == (0, "fleet serve: stopped\n", "")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with warnings.catch_warnings():
        # Selenium imports trio, which registers its random generator with Hypothesis in a way
        # Hypothesis warns about: not ours, and not about this test.
        warnings.simplefilter("ignore")
        webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)  # with the driver's path: no Selenium Manager
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
    yield driver
    driver.quit()


@needs_chromium
def test_the_browser_shows_the_device_list_and_the_help(tmp_path: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    served = Served(tmp_path, "--profile", "demo-thingpark")
    try:
        assert served.banner.strip() == (
            f"fleet serve: open {served.url} in a browser (Ctrl-C stops)"
        ), served.banner
        browser.get(served.url)

        def screen() -> str | None:
            return browser.execute_script(SCREEN_TEXT)

        text = wait_until(screen, FIRST_DEVEUI)
        assert "demo-thingpark" in text and "DevEUI" in text
        # A key typed into the page reaches the console: `?` shows the keys in force.
        browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys("?")
        wait_until(screen, "Keys · ")
        browser.save_screenshot(str(tmp_path / "serve-browser.png"))
    finally:
        code, out, err = served.stop()  # with the tab still open
    # Every tab's console quit and was reaped before the server stopped: nothing else said.
    assert (code, out, err) == (0, "fleet serve: stopped\n", "")
