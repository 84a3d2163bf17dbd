"""`fleet serve` for tests: the server in a subprocess, stopped as a terminal's Ctrl-C does, and
Debian's headless Chromium (no browser is ever downloaded) driven by Selenium through Debian's
chromedriver, reading the terminal's screen from xterm.js's buffer."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

#: the installed `fleet` script, as the user runs it
FLEET = str(Path(sys.executable).with_name("fleet"))
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

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [FLEET, "serve", "--port", str(self.port), *args],
            env=env,
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


@contextlib.contextmanager
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Debian's headless Chromium through Debian's chromedriver (Selenium), with the page's
    xterm.js Terminal caught for `screen`."""
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
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        yield driver
    finally:
        driver.quit()


def screen(driver: Any) -> str | None:
    """The terminal's screen in the page, as text (None before the terminal exists)."""
    return driver.execute_script(SCREEN_TEXT)
