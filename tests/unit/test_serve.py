"""`fleet serve` without a browser: the command each tab runs (no secret on it), the loopback
rule, and its errors (a non-loopback host, a port in use, an unknown profile) as one line."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tui.serve import ServeError, base_url, claim_port, console_command, is_loopback


def test_each_tab_runs_the_console_with_the_profile_and_readonly_only() -> None:
    assert shlex.split(console_command(None, readonly=False)) == [sys.executable, "-m", "tui"]
    words = shlex.split(console_command("prod; rm -rf ~", readonly=True))
    assert words == [sys.executable, "-m", "tui", "--profile", "prod; rm -rf ~", "--readonly"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_urls() -> None:
    assert base_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert base_url("::1", 8000) == "http://[::1]:8000"


def test_a_port_in_use_is_refused_and_0_picks_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is in use"):
            claim_port("127.0.0.1", port)
    assert claim_port("127.0.0.1", 0) > 0


def fleet_serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEET_")}
    env["FLEET_CONFIG"] = str(tmp_path / "config.toml")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return subprocess.run(
        [sys.executable, "-m", "tui", "serve", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = fleet_serve(tmp_path, "--port", str(port))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"fleet: port {port} on 127.0.0.1 is in use (try --port)\n"


def test_a_remote_host_needs_allow_remote(tmp_path: Path) -> None:
    done = fleet_serve(tmp_path, "--host", "0.0.0.0")
    assert done.returncode == 2
    assert done.stderr.startswith("fleet: --host 0.0.0.0 is not loopback")
    assert "--allow-remote" in done.stderr
    assert done.stderr.count("\n") == 1


def test_an_unknown_profile_is_refused_before_serving(tmp_path: Path) -> None:
    done = fleet_serve(tmp_path, "--profile", "nope")
    assert done.returncode == 2
    assert done.stderr.startswith("fleet: no profile named 'nope' (known: demo-enos")


def test_allow_remote_serves_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import tui.serve
    from tui.cli import main

    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "config.toml"))
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(
        tui.serve, "serve", lambda *args, **options: calls.append((*args, options)) or 0
    )
    assert (
        main(["-p", "demo-iotda", "serve", "--host", "0.0.0.0", "--allow-remote", "--readonly"])
        == 0
    )
    assert calls == [("0.0.0.0", 8000, "demo-iotda", {"readonly": True, "public_url": None})]
    assert "warning: listening on 0.0.0.0 with no log-in" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8000", True),  # the page it serves
        ("HTTP://127.0.0.1:8000/", True),
        ("http://localhost:9000", True),  # an SSH tunnel's local end on another port
        ("http://[::1]:8000", True),
        ("https://evil.example", False),  # any web page the user has open
        ("http://127.0.0.1.evil.example:8000", False),
        ("null", False),  # a sandboxed frame or a file
        ("file://", False),
    ],
)
def test_a_console_answers_pages_of_its_own_origin_only(origin: str, allowed: bool) -> None:
    from tui.serve import FleetServer

    server = FleetServer("true", host="127.0.0.1", port=8000, public_url="http://127.0.0.1:8000")
    assert server.allows(origin) is allowed
