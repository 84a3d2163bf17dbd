"""Issue #13's "Done when", as a new user does it, in one go: `fleet` in an 80×24 tmux pane with
TERM=screen and no true colour shows the five demo platforms on the overview; a DevEUI typed in
lower case is found without naming its platform and opens; `ctrl+p` → Theme → fleet-ansi
switches to the 16 ANSI colours; a profile is added in `:profiles` whose secret comes from an
environment variable, and tested; a key remapped in `config.toml` works after a restart; and
`fleet devices list -o jsonl | wc -l` counts the 62,804 demo devices; `fleet serve` shows the
same console in a browser (Debian's headless Chromium; that last step is left out where Chromium
is not installed, and tests/browser/ says it is skipped).

The console runs as the user runs it: the installed `fleet` script in a real tmux pane, its
screen read with `capture-pane`, keys sent with `send-keys`; the console is never imported.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMEDRIVER, CHROMIUM, Served, chromium, screen, wait_until
from tests.integration.test_scripting import FleetSim
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

TMUX = shutil.which("tmux")
FLEET = str(Path(sys.executable).with_name("fleet"))
pytestmark = pytest.mark.skipif(TMUX is None, reason="needs tmux (Debian's tmux package)")

#: the demo ThingPark fleet's size, as `fleet sim` builds it
DEMO_DEVICES = 62_804
#: the default background: only a theme of the 16 ANSI colours leaves it to the terminal
DEFAULT_BACKGROUND = "\x1b[49m"


class Pane:
    """One tmux server of the test's own (its socket in tmp_path) with one 80×24 pane."""

    def __init__(self, socket: Path, env: dict[str, str], argv: list[str]) -> None:
        assert TMUX is not None
        self.tmux = [TMUX, "-S", str(socket), "-f", "/dev/null"]
        command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv])
        self._run("new-session", "-d", "-s", "w", "-x", "80", "-y", "24", command)
        self._run("set-option", "-t", "w", "remain-on-exit", "on")

    def _run(self, *args: str) -> str:
        done = subprocess.run([*self.tmux, *args], capture_output=True, text=True, timeout=10)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def screen(self, styled: bool = False) -> str:
        return self._run("capture-pane", "-p", *(["-e"] if styled else []), "-t", "w")

    def keys(self, *keys: str) -> None:
        """tmux key names (`Enter`, `C-p`, `F1`), each sent on its own."""
        for key in keys:
            self._run("send-keys", "-t", "w", key)
            # (a key right after ESC would arrive as alt+key, as in any terminal)
            time.sleep(0.3 if key == "Escape" else 0.05)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "w", "-l", text)

    def exited(self) -> bool:
        return self._run("list-panes", "-t", "w", "-F", "#{pane_dead}").strip() == "1"

    def wait(self, seen: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if seen(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}; the screen:\n{text}")
            time.sleep(0.1)

    def wait_for(self, *needles: str, timeout: float = 60.0) -> str:
        return self.wait(lambda text: all(n in text for n in needles), repr(needles), timeout)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def lab() -> Iterator[FleetSim]:
    """The "new platform" the user adds a profile for: a simulator of its own."""
    server = FleetSim()
    yield server
    server.stop()


def test_a_new_user_walks_through_the_daily_driver(tmp_path: Path, lab: FleetSim) -> None:
    config = tmp_path / "config.toml"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "FLEET_CONFIG": str(config),
        "LANG": "C.UTF-8",
        "TERM": "screen",  # (and no COLORTERM: no true colour)
        # No keyring on this jump host: the secret comes from the environment.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "FLEET_LAB_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
    }
    # The third demo device, as a script would find it: `| head` ends the CLI quietly.
    head = subprocess.run(
        f"{shlex.quote(FLEET)} devices list -o csv | head -n 4",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert head.returncode == 0 and head.stderr == "", head.stderr
    eui = head.stdout.splitlines()[3].split(",")[0]
    assert len(eui) == 16

    pane = Pane(tmp_path / "tmux.sock", env, [FLEET])
    try:
        # The overview: every demo platform side by side, with its device count.
        pane.wait_for("demo-enos", "demo-iotda", "demo-mythings", "demo-telit", "demo-thingpark")
        pane.wait_for("62,804", "20,000", "5,000", "3,000")
        for line in pane.screen().splitlines():
            assert len(line) <= 80

        # Find the device without naming its platform: its DevEUI, typed in lower case.
        pane.keys("/")
        pane.type(eui.lower())
        pane.keys("Enter")
        pane.wait_for("1 found", "5 of 5 answered", eui)
        pane.keys("Enter")  # the result opens its profile and the device's detail
        pane.wait(lambda s: "overview" not in s.splitlines()[0] and eui in s, "the detail")

        # The ANSI theme, from the command palette.
        assert DEFAULT_BACKGROUND not in pane.screen(styled=True)
        pane.keys("C-p")
        pane.type("theme")
        pane.wait_for("Change the current theme")
        pane.keys("Enter")
        pane.type("fleet-ansi")
        pane.wait(lambda s: s.count("fleet-ansi") >= 2, "fleet-ansi offered")
        pane.keys("Enter")
        pane.wait(lambda _: DEFAULT_BACKGROUND in pane.screen(styled=True), "the ANSI theme")

        # A profile whose secret comes from FLEET_LAB_CLIENT_SECRET: added, then tested.
        pane.keys("Escape", ":")
        pane.type("profiles")
        pane.keys("Enter")
        pane.wait_for("demo-thingpark", "Endpoint")
        pane.keys("a")
        pane.wait_for("New profile: its platform")
        pane.keys("1")
        pane.wait_for("New Actility ThingPark profile", "Client id")
        pane.type("lab")
        pane.keys("Tab")
        pane.type(lab.url)
        pane.keys("Tab")
        pane.type(THINGPARK_CLIENT_ID)
        pane.keys("C-s")
        pane.wait(lambda s: "lab" in s.split() and "Client id" not in s, "the new profile")
        text = config.read_text()
        assert "[profiles.lab]" in text and THINGPARK_CLIENT_SECRET not in text
        pane.keys("t")
        tested = pane.wait_for("lab: ok in", timeout=30)
        assert f"{DEMO_DEVICES}" in tested.replace(",", "")

        pane.keys("C-q")
        pane.wait(lambda _: pane.exited(), "fleet to exit", timeout=20)
    finally:
        pane.close()

    # A remapped key: ? becomes F1, written into the config file by hand.
    config.write_text(config.read_text() + '\n[keymap]\n"app.help" = "f1"\n', encoding="utf-8")
    pane = Pane(tmp_path / "tmux2.sock", env, [FLEET])
    try:
        pane.wait_for("demo-thingpark", "62,804")
        pane.keys("?")
        time.sleep(1.0)
        assert "(keymap)" not in pane.screen()  # the old key does nothing
        pane.keys("F1")
        pane.wait_for("(keymap)")
        pane.keys("Escape", "C-q")
        pane.wait(lambda _: pane.exited(), "fleet to exit", timeout=20)
    finally:
        pane.close()

    # Next to shell scripts: every device of the default profile, one JSON line each.
    counted = subprocess.run(
        f"{shlex.quote(FLEET)} devices list -o jsonl | wc -l",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert counted.returncode == 0 and counted.stderr == ""
    assert int(counted.stdout) == DEMO_DEVICES

    # The same console in a browser: the overview, the profile added above among the demo ones.
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return
    served = Served(env)
    try:
        with chromium(tmp_path) as browser:
            browser.get(served.url)
            text = wait_until(lambda: screen(browser), "demo-thingpark")
            for name in ("demo-enos", "demo-iotda", "demo-mythings", "demo-telit", "lab"):
                assert name in text
    finally:
        code, _, err = served.stop()
    assert code == 0, err
