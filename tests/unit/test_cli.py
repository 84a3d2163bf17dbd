"""The command line: version, argument checks, and `fleet sim` in a real subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tui import __version__
from tui.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"fleet {__version__}"


def test_sim_rejects_a_bad_knob(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--fail-rate", "2"]) == 2
    assert "--fail-rate" in capsys.readouterr().err


def test_unknown_profile_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "none.toml"))
    assert main(["--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no profile named 'nope'" in err and "demo-thingpark" in err


def test_an_empty_profile_name_is_refused_not_taken_for_the_default(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "none.toml"))
    assert main(["--profile", ""]) == 2
    assert "no profile named ''" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fleet_sim_serves_prints_credentials_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", str(port), "--devices", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if "Ctrl-C" in line:
                break
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}" in banner
        assert "sub-199983788/fleet-demo" in banner and "thingpark-demo-secret" in banner
        token = httpx.post(
            f"http://127.0.0.1:{port}/users-auth/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sub-199983788/fleet-demo",
                "client_secret": "thingpark-demo-secret",
            },
        ).json()["access_token"]
        page = httpx.get(
            f"http://127.0.0.1:{port}/thingpark/wireless/rest/subscriptions/mine/devices",
            params={"sort": "EUI,asc"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert page["count"] == 500
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in out
